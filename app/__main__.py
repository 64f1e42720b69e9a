"""Waybill's command line: `python -m app migrate | seed-demo | create-user | serve | clock`."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys


async def migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    response = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not response.success:
        raise SystemExit(f"migration failed: {response.message}")


async def seed_demo() -> None:
    from app.demo import DEMO_PASSWORD, seed_demo as seed

    from app.demo import demo_logins

    result = await seed()
    if result:
        print("Demo company seeded.", end=" ")
    elif await demo_logins():
        print("The database already holds the demo company.", end=" ")
    else:
        print("The database already has users: nothing seeded.")
        return
    print("Log in at http://127.0.0.1:8000 with any of these logins,")
    print(f"all with the password '{DEMO_PASSWORD}' (unless changed since):")
    print("  " + ", ".join(await demo_logins()))


async def create_user(args: argparse.Namespace) -> None:
    from app.accounts.users import create_user as create
    from app.audit import Actor
    from app.errors import InvalidInput

    try:
        user = await create(Actor.system(), login=args.login, password=args.password,
                            full_name=args.name or args.login, role=args.role, email=args.email or "")
    except InvalidInput as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        raise SystemExit(2)
    print(f"Created {user.role} '{user.login}' (id {user.id}).")


def serve(args: argparse.Namespace) -> None:
    """Migrate, seed an empty database, then run the web server (and a worker process when Redis is set)."""
    import uvicorn

    from app.config import get_settings

    asyncio.run(migrate())
    asyncio.run(seed_demo())
    settings = get_settings()
    children = []
    if settings.redis_url:
        children.append(subprocess.Popen([sys.executable, "-m", "dramatiq", "app.jobs", "--processes", "1",
                                          "--threads", "2"]))
        children.append(subprocess.Popen([sys.executable, "-m", "app", "clock"]))
    try:
        uvicorn.run("app.main:app", host=args.host, port=args.port, proxy_headers=True)
    finally:
        for child in children:
            child.terminate()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description="Waybill")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="run all database migrations forwards")
    commands.add_parser("seed-demo", help="create the demo company if the database is empty")
    user = commands.add_parser("create-user", help="create a personal account")
    user.add_argument("--login", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--role", required=True)
    user.add_argument("--name", default="")
    user.add_argument("--email", default="")
    run = commands.add_parser("serve", help="migrate, seed if empty, and serve on HOST:PORT")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    commands.add_parser("clock", help="run the schedule (one process only)")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        asyncio.run(migrate())
    elif args.command == "seed-demo":
        asyncio.run(seed_demo())
    elif args.command == "create-user":
        asyncio.run(create_user(args))
    elif args.command == "serve":
        serve(args)
    elif args.command == "clock":
        from app.clock import run_forever

        asyncio.run(run_forever())


if __name__ == "__main__":
    main()
