"""The demo company's day plans end to end (the size a dispatcher sees: 125 orders, 8 couriers)."""

from __future__ import annotations

from app.demo import seed_demo
from app.dispatch.day import company_today
from app.optimizer import solve
from app.planning.problem import build_problem
from app.planning.proposal import make_proposal
from tables.fleet import Depot


async def test_the_demo_day_gets_a_proposal_with_every_open_order_placed_or_explained():
    await seed_demo()
    depot = await Depot.select(Depot.id).first()
    day = await build_problem(company_today(), depot["id"])

    stops = {stop.id for stop in day.problem.stops}
    plan = solve(day.problem, 3.0)
    proposal = make_proposal(day, plan, 3.0)
    routed = {stop["order_id"] for route in proposal["routes"] for stop in route["stops"]}
    left_out = {row["order_id"] for row in proposal["unplanned"]}
    assert not routed & left_out and len(routed | left_out) == proposal["orders"] == len(day.orders)
    assert sum(len(r["stops"]) for r in proposal["routes"]) + sum(
        1 + (f"p{order_id}" in stops) for order_id in left_out) == len(stops)
    assert plan.feasible
