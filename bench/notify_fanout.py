"""Fan-out of client notifications: 10,000 messages through the Redis broker, two worker processes, local fakes.

    REDIS_URL=redis://127.0.0.1:6379/14 DATABASE_URL=postgres://postgres@127.0.0.1:5432/wb_bench_notify \
        .venv/bin/python bench/notify_fanout.py [--orders 5000] [--budget 60]

Each order's client agreed to SMS and e-mail, so 5,000 "out for delivery" moments make 10,000 messages (plus
5,000 archived "push skipped: no consent" rows). The bench records the moments as `notify_order` jobs, starts
`dramatiq app.jobs --processes 2`, and waits until the fake SMS gateway and the fake SMTP server hold every
message. The fakes count each message by our message id: a message missing is lost, one seen twice was sent
twice. Prints the figures; exits non-zero if any message is lost or doubled, or the budget is missed.
The database given is dropped and created afresh (PostgreSQL), so point it at a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/wb_bench_notify"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: collections.Counter[str] = collections.Counter()
        self.first_at: float | None = None
        self.last_at: float | None = None

    def add(self, key: str) -> None:
        with self.lock:
            self.seen[key] += 1
            now = time.monotonic()
            self.first_at = self.first_at or now
            self.last_at = now

    @property
    def total(self) -> int:
        return sum(self.seen.values())

    @property
    def doubled(self) -> int:
        return sum(1 for count in self.seen.values() if count > 1)


def start_sms_gateway(counter: Counter) -> ThreadingHTTPServer:
    class Gateway(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
            counter.add(body["reference"])
            out = json.dumps({"id": f"gw-{body['reference']}"}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_smtp(counter: Counter):
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            counter.add(",".join(envelope.rcpt_tos))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def prepare_environment(args, sms_url: str, smtp_port: int, data_dir: str) -> dict:
    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
           "WAYBILL_DATA_DIR": data_dir, "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(32)),
           "SMS_GATEWAY_URL": sms_url, "SMS_GATEWAY_USER": "bench", "SMS_GATEWAY_PASSWORD": "bench",
           "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "QUIET_HOURS": "", "PYTHONDONTWRITEBYTECODE": "1"}
    os.environ.update(env)
    return env


def recreate_database(url: str) -> None:
    from urllib.parse import urlparse

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = ["psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U",
             parts.username or "postgres", "-d", "postgres", "-q", "-c"]
    subprocess.run(admin + [f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(admin + [f'CREATE DATABASE "{name}"'], check=True)


async def insert_all(table, rows: list, chunk: int = 500) -> None:
    for start in range(0, len(rows), chunk):  # PostgreSQL takes at most 32767 parameters per statement
        await table.insert(*rows[start:start + chunk])


async def seed(orders: int) -> list[int]:
    """`orders` orders out for delivery, each of a client who agreed to SMS and e-mail (bulk inserts)."""
    from datetime import datetime, timedelta, timezone

    from app import db
    from tables.counterparties import Counterparty
    from tables.notifications import ChannelConsent
    from tables.orders import Order, Place

    await db.start_pool()
    now = datetime.now(timezone.utc)
    clients = [Counterparty(name=f"Client {n}", kind="person", email=f"client{n}@bench.test",
                            phone=f"+336{n:08d}", locale="en", time_zone="Europe/Paris") for n in range(orders)]
    await insert_all(Counterparty, clients)
    client_ids = [row["id"] for row in await Counterparty.select(Counterparty.id).order_by(Counterparty.id)]
    await insert_all(ChannelConsent, [ChannelConsent(counterparty=cid, channel=channel, granted=True, how="bench")
                                      for cid in client_ids for channel in ("sms", "email")])
    await insert_all(Place, [Place(address=f"{n} rue du Banc", lat=48.85, lon=2.35) for n in range(orders + 1)])
    place_ids = [row["id"] for row in await Place.select(Place.id).order_by(Place.id)]
    await insert_all(Order, [Order(reference=f"WB-B{n:06d}", client=cid, pickup=place_ids[-1], dropoff=place_ids[n],
                                   tracking_token=secrets.token_urlsafe(24), status="out_for_delivery",
                                   deliver_from=now + timedelta(hours=1), deliver_to=now + timedelta(hours=3))
                             for n, cid in enumerate(client_ids)])
    order_ids = [row["id"] for row in await Order.select(Order.id).order_by(Order.id)]
    return order_ids


async def enqueue_all(order_ids: list[int]) -> None:
    from app.notifications.triggers import on_order_status

    for start in range(0, len(order_ids), 50):  # as many web requests at once would
        await asyncio.gather(*(on_order_status(order_id, "out_for_delivery")
                               for order_id in order_ids[start:start + 50]))


async def final_counts() -> dict[str, int]:
    from piccolo.query.functions.aggregate import Count

    from tables.jobs import Job
    from tables.notifications import Message

    messages = await Message.select(Message.status, Count(alias="n")).group_by(Message.status)
    jobs = await Job.select(Job.status, Count(alias="n")).group_by(Job.status)
    return {**{f"messages {r['status']}": r["n"] for r in messages}, **{f"jobs {r['status']}": r["n"] for r in jobs}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000, help="moments; two messages each (SMS + e-mail)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds for every message to arrive")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds to keep waiting past the budget, to tell slow from lost")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must be PostgreSQL: two worker processes writing one SQLite file is not the set-up "
              "this measures", file=sys.stderr)
        return 2
    expected = 2 * args.orders
    load_at_start = os.getloadavg()

    sms_counter, mail_counter = Counter(), Counter()
    gateway = start_sms_gateway(sms_counter)
    smtp, smtp_port = start_smtp(mail_counter)
    data_dir = tempfile.mkdtemp(prefix="wb-bench-notify-")
    env = prepare_environment(args, f"http://127.0.0.1:{gateway.server_address[1]}/send", smtp_port, data_dir)
    recreate_database(args.database_url)
    subprocess.run([sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)

    from app import jobs  # after the environment: the broker is Redis

    loop = asyncio.new_event_loop()
    order_ids = loop.run_until_complete(seed(args.orders))
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    workers = subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "app.jobs", "--processes", str(args.processes), "--threads",
         str(args.threads), "--queues", "notify"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(Path(data_dir) / "workers.log", "wb"))
    try:
        time.sleep(2.0)  # the workers import the app and connect
        started = time.monotonic()
        loop.run_until_complete(enqueue_all(order_ids))
        enqueued = time.monotonic() - started
        deadline = started + max(args.budget, args.timeout)
        while time.monotonic() < deadline and sms_counter.total + mail_counter.total < expected:
            time.sleep(0.2)
        arrived = time.monotonic() - started
        time.sleep(2.0)  # anything sent twice would arrive now
    finally:
        workers.terminate()
        try:
            workers.wait(timeout=20)
        except subprocess.TimeoutExpired:
            workers.kill()
        gateway.shutdown()
        smtp.stop()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    worker_cpu = (children_after.ru_utime + children_after.ru_stime) - (children_before.ru_utime
                                                                        + children_before.ru_stime)
    own_cpu = (own_after.ru_utime + own_after.ru_stime) - (own_before.ru_utime + own_before.ru_stime)
    counts = loop.run_until_complete(final_counts())
    jobs.broker.close()

    received = len(sms_counter.seen) + len(mail_counter.seen)
    doubled = sms_counter.doubled + mail_counter.doubled
    lost = expected - received
    print(f"machine                       {os.cpu_count()} CPUs, load average {load_at_start[0]:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end (the machine is shared: compare CPU per message)")
    print(f"notifications expected        {expected}")
    print(f"worker processes x threads    {args.processes} x {args.threads} (Redis broker, PostgreSQL)")
    print(f"moments enqueued in           {enqueued:.1f} s")
    print(f"all arrived after             {arrived:.1f} s  (budget {args.budget:.0f} s)")
    print(f"throughput                    {received / arrived:.0f} messages/s")
    print(f"CPU used: workers             {worker_cpu:.1f} s ({1000 * worker_cpu / max(received, 1):.1f} ms a message)")
    print(f"CPU used: enqueue + fakes     {own_cpu:.1f} s (this process)")
    print(f"alone on {os.cpu_count()} idle CPUs          ~{(worker_cpu + own_cpu) / (os.cpu_count() or 1):.0f} s "
          "(CPU seconds / CPUs: an estimate, the database's own CPU not counted)")
    print(f"SMS gateway received          {sms_counter.total} ({len(sms_counter.seen)} distinct)")
    print(f"SMTP server received          {mail_counter.total} ({len(mail_counter.seen)} distinct)")
    print(f"lost (never arrived)          {lost}")
    print(f"sent twice                    {doubled}")
    for name, value in sorted(counts.items()):
        print(f"{name:<30}{value}")
    ok = lost == 0 and doubled == 0 and arrived <= args.budget
    print("OK" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
