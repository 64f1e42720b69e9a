"""The live ETA: from the courier's last position through the stops still before this one."""

from __future__ import annotations

from datetime import timedelta

from app.tracking.eta import drive_minutes, order_progress
from tables.sync import GpsPoint
from tests.tracking.scenario import now, set_status


async def test_with_a_fresh_position_the_eta_is_the_drive_through_the_remaining_stops(delivery):
    _buyer, order, _route, others = await delivery(stops_before=2, status="out_for_delivery", position=(48.80, 2.30))
    moment = now()
    progress = await order_progress(order.id, order.status, moment)
    legs = (drive_minutes(48.80, 2.30, 48.86, 2.34, 27.0) + 5 + drive_minutes(48.86, 2.34, 48.87, 2.34, 27.0) + 5
            + drive_minutes(48.87, 2.34, 48.8566, 2.3522, 27.0))
    assert progress.live and progress.stops_before == 2 and not progress.on_the_way
    assert abs((progress.eta - moment).total_seconds() / 60 - legs) <= 1

    await set_status(others[0], "delivered")
    closer = await order_progress(order.id, order.status, moment)
    assert closer.stops_before == 1 and closer.eta < progress.eta


async def test_a_newer_gps_point_from_the_phone_moves_the_courier(delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery", position=(48.80, 2.30),
                                                   seen_at=now() - timedelta(minutes=5))
    await GpsPoint.insert(GpsPoint(source="p:1:0", courier=order.courier_user_id, lat=48.855, lon=2.352,
                                   recorded_at=now()))
    progress = await order_progress(order.id, order.status)
    assert progress.on_the_way and progress.courier_lat == 48.855
    assert progress.eta - now() < timedelta(minutes=2)


async def test_without_a_fresh_position_the_planned_eta_stands_and_no_map_is_offered(delivery):
    _buyer, order, route, _others = await delivery(stops_before=0, status="out_for_delivery", position=(48.80, 2.30),
                                                  seen_at=now() - timedelta(hours=2))
    from tables.routes import Stop

    planned = now() + timedelta(minutes=40)
    await Stop.update({Stop.planned_eta: planned}).where(Stop.order == order.id)
    progress = await order_progress(order.id, order.status)
    assert progress.eta == planned and not progress.live and not progress.on_the_way
    assert progress.courier_lat is None
