"""An optimizer plan as a proposal for the dispatcher: the day as routed now ("before") and as planned
("after") — km, hours, cost, late stops, orders left out and why — and each proposed route with its stops,
planned times and a polyline for the map. Plain JSON (it is kept in the job row until accepted or discarded),
with reason codes for orders left out: `with_reasons` words them in the reader's language.
"""

from __future__ import annotations

from app.config import get_settings
from app.i18n import lazy_gettext as _l
from app.optimizer import Plan, evaluate
from app.planning.problem import DayProblem, kind_of, order_of

REASONS = {
    "no_vehicle_large_enough": _l("no vehicle can carry this load"),
    "window_unreachable": _l("no courier can reach it within its time window and shift"),
    "no_room_left": _l("no room left: capacity or working time used up"),
    "not_routed": _l("not on any route yet"),
}
"""The words for the optimizer's reason codes (and "not_routed", the day as it stands), said once here."""


def reason_text(code: str) -> str:
    return str(REASONS.get(code, code))


def with_reasons(proposal: dict | None) -> dict | None:
    """The proposal with each order left out explained in the reader's language (the stored proposal keeps
    codes only: it is made by a worker, read by people in several languages)."""
    if not proposal:
        return proposal
    return {**proposal, "unplanned": [{**row, "why": reason_text(row["reason"])} for row in proposal["unplanned"]]}


def figures(day: DayProblem, plan: Plan) -> dict:
    """km, hours, cost (minor units), vehicles used, late stops and orders left out, for one plan."""
    late = set(plan.late_stops) | {s for r in plan.routes for v in r.visits for s in [v.stop_id]
                                   if day.orders.get(order_of(s), {}).get("late_already")}
    return {"km": round(plan.distance / 1000, 1), "hours": round(plan.duration / 3600, 1), "cost": plan.cost,
            "vehicles": plan.vehicles_used, "late": [day.orders[order_of(s)]["reference"] for s in sorted(
                late, key=order_of)], "late_count": len(late),
            "unplanned_count": len(plan.unplanned)}


def before_plan(day: DayProblem) -> Plan:
    """The day as the routes stand now, judged by the same evaluator (late stops counted, not forbidden)."""
    return evaluate(day.problem, {vid: list(ids) for vid, ids in day.current.items()},
                    reasons={str(order_of(s.id)): "not_routed" for s in day.problem.stops}, engine="current")


def make_proposal(day: DayProblem, plan: Plan, seconds: float) -> dict:
    before = before_plan(day)
    stops = {s.id: s for s in day.problem.stops}
    routes = []
    for route in plan.routes:
        courier = day.couriers.get(route.vehicle_id)
        if courier is None or not route.visits:
            continue
        vehicle = next(v for v in day.problem.vehicles if v.id == route.vehicle_id)
        late = set(route.late_stops)
        visits = []
        for visit in route.visits:
            order_id = order_of(visit.stop_id)
            order = day.orders[order_id]
            lat, lon = day.points[stops[visit.stop_id].location]
            visits.append({"stop": visit.stop_id, "order_id": order_id, "reference": order["reference"],
                           "kind": kind_of(visit.stop_id), "eta": day.at(visit.arrival).isoformat(),
                           "late": visit.stop_id in late or order["late_already"], "lat": lat, "lon": lon})
        polyline = [list(day.points[vehicle.start])] + [[v["lat"], v["lon"]] for v in visits] + \
            [list(day.points[vehicle.end])]
        routes.append({"vehicle": route.vehicle_id, "courier_id": courier["courier_id"], "courier": courier["name"],
                       "km": round(route.distance / 1000, 1), "minutes": round(route.duration / 60),
                       "cost": route.cost, "stops": visits, "polyline": polyline})
    unplanned = [{"order_id": int(u.order_id), "reference": day.orders[int(u.order_id)]["reference"],
                  "reason": u.reason} for u in plan.unplanned]
    return {
        "day": day.day.isoformat(), "depot": day.depot_id, "seconds": seconds, "engine": plan.engine,
        "feasible": plan.feasible, "before": figures(day, before), "after": figures(day, plan), "routes": routes,
        "unplanned": unplanned, "orders": len({s.order for s in day.problem.stops}),
        "couriers": {vid: c["courier_id"] for vid, c in day.couriers.items()}, "decision": "",
        "currency": get_settings().default_currency,
    }
