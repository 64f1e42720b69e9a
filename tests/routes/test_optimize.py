"""A dispatcher optimizes a day from the board (pages and API)."""

from __future__ import annotations

import asyncio
import re

from app.accounts.sessions import issue_api_token
from app.audit import Actor
from app.planning.settings import PlanningSettings, planning_settings
from app.routes import optimize as optimize_routes
from tables.orders import Order
from tables.routes import Stop
from tests.conftest import post_form
from tests.planning.conftest import small_day  # noqa: F401 - fixture


async def poll_until_proposal(client, job_id: int) -> str:
    for _ in range(200):
        response = await client.get(f"/optimize/{job_id}/progress", headers={"HX-Request": "true"})
        assert response.status_code == 200
        if 'hx-trigger="every 1s"' not in response.text:
            return response.text
        await asyncio.sleep(0.1)
    raise AssertionError("the progress never finished")


async def test_the_dispatcher_optimizes_watches_the_progress_and_accepts(client, signed_in, small_day, worker):  # noqa: F811
    await signed_in("dispatcher")
    board = await client.get(f"/board?day={small_day['day']}")
    assert f'href="/optimize?day={small_day["day"]}"' in board.text
    form = await client.get(f"/optimize?day={small_day['day']}")
    assert form.status_code == 200 and 'name="seconds"' in form.text

    started = await post_form(client, "/optimize", {"day": str(small_day["day"]), "depot": small_day["depot"],
                                                     "seconds": "2"})
    assert started.status_code == 303
    job_id = int(re.search(r"/optimize/(\d+)", started.headers["location"]).group(1))
    page = await client.get(f"/optimize/{job_id}")
    assert 'hx-trigger="every 1s"' in page.text or "Proposal" in page.text

    proposal = await poll_until_proposal(client, job_id)
    assert "Proposal" in proposal and 'data-figure="km-after"' in proposal and "data-routes=" in proposal
    accepted = await post_form(client, f"/optimize/{job_id}/accept")
    assert accepted.status_code == 303 and accepted.headers["location"].startswith("/board?day=")
    assert await Stop.count() == 10  # a pick-up and a drop-off per order
    assert await Order.count().where(Order.status == "assigned") == 5
    again = await post_form(client, f"/optimize/{job_id}/accept")
    assert again.status_code == 409 and "This proposal was already accepted." in again.text  # once only


async def test_a_wrong_time_limit_is_shown_on_the_form(client, signed_in, small_day):  # noqa: F811
    await signed_in("dispatcher")
    response = await post_form(client, "/optimize", {"day": str(small_day["day"]), "depot": small_day["depot"],
                                                      "seconds": "0"})
    assert response.status_code == 422 and 'id="seconds-error"' in response.text


async def test_the_api_starts_reads_and_discards_an_optimization(client, make_user, small_day, worker):  # noqa: F811
    user = await make_user("dispatcher")
    headers = {"Authorization": f"Bearer {await issue_api_token(Actor.system(), user, 'planner')}"}
    started = await client.post("/api/v1/optimizations", json={"day": str(small_day["day"]),
                                                                "depot": small_day["depot"], "seconds": 1},
                                headers=headers)
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    for _ in range(200):
        job = (await client.get(f"/api/v1/optimizations/{job_id}", headers=headers)).json()
        if job["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.1)
    assert job["status"] == "done" and job["proposal"]["after"]["unplanned_count"] == 0
    discarded = await client.post(f"/api/v1/optimizations/{job_id}/discard", headers=headers)
    assert discarded.status_code == 200 and discarded.json()["decision"] == "discarded"
    assert await Stop.count() == 0
    refused = await client.post(f"/api/v1/optimizations/{job_id}/accept", headers=headers)
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
    wrong = await client.post("/api/v1/optimizations", json={"day": str(small_day["day"]),
                                                              "depot": small_day["depot"], "seconds": 0},
                              headers=headers)
    assert wrong.status_code == 422 and "seconds" in wrong.text
    missing = await client.get("/api/v1/optimizations/9999", headers=headers)
    assert missing.status_code == 404


def test_counts_on_the_optimize_pages_agree_with_their_number():
    from datetime import datetime, timezone

    from app import i18n
    from app.templating import make_environment

    env = make_environment()
    env.globals["csrf_token"] = lambda: "token"
    i18n.set_locale("en")
    stop = {"eta_at": datetime(2026, 11, 25, 9, tzinfo=timezone.utc), "reference": "WB-1", "kind": "dropoff",
            "late": False}
    figures = {"km": 1.0, "hours": 1.0, "cost": 100, "vehicles": 1, "late": [], "late_count": 0,
               "unplanned_count": 0}
    routes = [{"courier_id": 1, "courier": "Karim", "stops": [stop], "km": 1.0, "cost": 100},
              {"courier_id": 2, "courier": "Paul", "stops": [stop, stop], "km": 2.0, "cost": 200}]
    shown = env.get_template("optimize/_proposal.html").render(
        proposal={"before": figures, "after": figures, "unplanned": [], "routes": routes, "decision": "accepted"},
        job={"id": 1}, tile_url="", map_routes=[], currency="EUR")
    assert "Karim · 1 stop ·" in shown and "Paul · 2 stops ·" in shown


async def test_the_time_limits_are_counted_in_seconds(client, signed_in, monkeypatch):
    monkeypatch.setattr(optimize_routes, "TIME_LIMITS", (1, 30))
    await signed_in("dispatcher")
    form = (await client.get("/optimize")).text
    assert ">1 second</option>" in form and ">30 seconds</option>" in form


async def test_a_dispatcher_sets_what_waiting_costs_and_the_default_priority(client, signed_in):
    await signed_in("dispatcher")
    start = await client.get("/optimize")
    assert 'href="/optimize/settings"' in start.text
    form = await client.get("/optimize/settings")
    assert form.status_code == 200 and 'value="20.00"' in form.text and 'value="50"' in form.text

    wrong = await post_form(client, "/optimize/settings", {"delay_cost_per_hour": "abc", "default_priority": "120"})
    assert wrong.status_code == 422
    assert 'id="delay_cost_per_hour-error"' in wrong.text and 'id="default_priority-error"' in wrong.text
    assert 'value="abc"' in wrong.text  # what was typed stays in the form

    saved = await post_form(client, "/optimize/settings", {"delay_cost_per_hour": "32.50", "default_priority": "65"})
    assert saved.status_code == 303 and saved.headers["location"] == "/optimize/settings?saved=1"
    shown = await client.get(saved.headers["location"])
    assert 'value="32.50"' in shown.text and 'value="65"' in shown.text and 'role="status"' in shown.text
    assert await planning_settings() == PlanningSettings(delay_cost_per_hour=3250, default_priority=65)


async def test_an_integration_reads_and_changes_the_optimizer_settings(client, make_user):
    user = await make_user("admin")
    headers = {"Authorization": f"Bearer {await issue_api_token(Actor.system(), user, 'planner')}"}
    shown = await client.get("/api/v1/optimizations/settings", headers=headers)
    assert shown.status_code == 200 and shown.json() == {"delay_cost_per_hour": 2000, "default_priority": 50}

    changed = await client.put("/api/v1/optimizations/settings", json={"delay_cost_per_hour": 0,
                                                                      "default_priority": 0}, headers=headers)
    assert changed.status_code == 200 and changed.json() == {"delay_cost_per_hour": 0, "default_priority": 0}
    assert await planning_settings() == PlanningSettings(delay_cost_per_hour=0, default_priority=0)  # cost only

    wrong = await client.put("/api/v1/optimizations/settings", json={"delay_cost_per_hour": 2000,
                                                                    "default_priority": 101}, headers=headers)
    assert wrong.status_code == 422 and wrong.headers["content-type"].startswith("application/problem+json")
    assert "default_priority" in wrong.text
