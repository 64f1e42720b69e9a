"""A client follows a delivery from the link in a message: what the page shows, and what it never shows."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from app.tracking.links import new_token, order_for_token
from tables.sync import Blob, DeliveryProof
from tables.tracking import DeliveryRating
from tests.conftest import post_form
from tests.tracking.conftest import GATE_CODE
from tests.tracking.scenario import configure, now, set_status


async def test_a_client_sees_the_status_window_eta_and_stops_before_theirs_and_nothing_of_anyone_else(client, delivery):
    buyer, order, _route, others = await delivery(stops_before=2, status="assigned", locale="en")
    page = await client.get(f"/t/{order.tracking_token}")
    assert page.status_code == 200
    html = page.text
    assert order.reference in html and "Assigned" in html
    assert "2 stops before yours" in html
    assert "Delivery window" in html
    assert 'id="track-map"' not in html  # the courier is not on the way to this stop yet
    for other in others:
        assert other.reference not in html and "avenue Secrète" not in html and GATE_CODE not in html
    assert "complains" not in html  # internal notes stay internal
    assert page.headers["cache-control"] == "no-store"


async def test_the_map_shows_the_courier_only_while_on_the_way_to_this_stop(client, delivery):
    buyer, order, _route, others = await delivery(stops_before=1, status="out_for_delivery",
                                                  position=(48.87, 2.35), locale="en")
    page = await client.get(f"/t/{order.tracking_token}")
    assert 'id="track-map"' not in page.text  # another client's stop comes first
    await set_status(others[0], "delivered")
    page = await client.get(f"/t/{order.tracking_token}")
    assert 'id="track-map"' in page.text and 'data-courier-lat="48.87"' in page.text
    assert "You are the courier's next stop." in page.text
    await set_status(order, "delivered")
    page = await client.get(f"/t/{order.tracking_token}")
    assert 'id="track-map"' not in page.text and "data-courier-lat" not in page.text


async def test_wrong_revoked_and_expired_links_get_the_same_friendly_page(client, delivery, make_user, monkeypatch):
    from app.audit import Actor
    from app.tracking.links import revoke

    _buyer, order, _route, _others = await delivery(stops_before=0, status="assigned")
    dispatcher = await make_user("dispatcher")
    wrong = await client.get(f"/t/{new_token()}")
    junk = await client.get("/t/<script>")
    old_token = order.tracking_token
    fresh_token = await revoke(Actor(user_id=dispatcher.id, role="dispatcher"), order.id)
    revoked = await client.get(f"/t/{old_token}")
    assert fresh_token != old_token and len(fresh_token) >= 32
    assert (await client.get(f"/t/{fresh_token}")).status_code == 200

    await set_status(order, "delivered")
    configure(monkeypatch, tracking_days_after_delivery=0)
    expired = await client.get(f"/t/{fresh_token}")
    for response in (wrong, junk, revoked, expired):
        assert response.status_code == 404
        assert "This tracking link does not work" in response.text
        assert order.reference not in response.text
    assert wrong.text.split("<main")[1] == revoked.text.split("<main")[1] == expired.text.split("<main")[1]


async def test_a_link_keeps_working_some_days_after_delivery_then_expires(delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0, status="assigned")
    await set_status(order, "delivered")
    assert await order_for_token(order.tracking_token) is not None
    assert await order_for_token(order.tracking_token, now=now() + timedelta(days=8)) is None


async def test_tracking_is_rate_limited_per_address_in_the_database(client, delivery, monkeypatch):
    from tables.tracking import RequestCounter

    _buyer, order, _route, _others = await delivery(stops_before=0)
    configure(monkeypatch, tracking_requests_per_minute=3)
    statuses = [(await client.get(f"/t/{order.tracking_token}")).status_code for _ in range(3)]
    guessing = await client.get(f"/t/{new_token()}")
    assert statuses == [200, 200, 200]
    assert guessing.status_code == 429 and guessing.headers["retry-after"] == "60"
    assert "try again in a minute" in guessing.text
    counter = await RequestCounter.objects().where(RequestCounter.key == "track:127.0.0.1").first()
    assert counter.hits == 3


async def test_the_page_speaks_the_clients_language_unless_the_visitor_chose_another(client, delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0, locale="fr")
    page = await client.get(f"/t/{order.tracking_token}", headers={"accept-language": "ru"})
    assert '<html lang="fr"' in page.text
    client.cookies.set("wb_lang", "ka")
    page = await client.get(f"/t/{order.tracking_token}")
    assert '<html lang="ka"' in page.text


async def test_a_client_of_an_unsupported_language_gets_the_browsers(client, delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0, locale="de")
    page = await client.get(f"/t/{order.tracking_token}", headers={"accept-language": "bg,en;q=0.5"})
    assert '<html lang="bg"' in page.text


async def test_instructions_can_be_left_until_the_courier_sets_out(client, delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0, status="assigned", locale="en")
    saved = await post_form(client, f"/t/{order.tracking_token}/instructions",
                            {"instructions": "Code 4B, leave it with the concierge"})
    assert saved.status_code == 302 and saved.headers["location"] == f"/t/{order.tracking_token}?saved=instructions"
    page = await client.get(saved.headers["location"])
    assert "Code 4B, leave it with the concierge" in page.text and "the courier will see" in page.text

    await set_status(order, "out_for_delivery")
    late = await post_form(client, f"/t/{order.tracking_token}/instructions", {"instructions": "Ring twice"})
    assert late.status_code == 409 and "already on the way" in late.text
    page = await client.get(f"/t/{order.tracking_token}")
    assert "Code 4B" in page.text and "Ring twice" not in page.text and 'name="instructions"' not in page.text


async def test_after_delivery_the_client_sees_the_proof_and_rates_the_delivery_once(client, delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery", locale="en")
    photo = b"\xff\xd8\xff\xe0 a tiny jpeg"
    sha = hashlib.sha256(photo).hexdigest()
    await Blob.insert(Blob(sha256=sha, content_type="image/jpeg", size=len(photo), data=photo))
    await DeliveryProof.insert(DeliveryProof(source="c1:1", order=order.id, courier=order.courier_user_id,
                                             outcome="delivered", recipient_name="Jean (concierge)",
                                             photo_sha256=sha, happened_at=now()))
    early = await post_form(client, f"/t/{order.tracking_token}/rating", {"stars": "5"})
    assert early.status_code == 409
    await set_status(order, "delivered")

    page = await client.get(f"/t/{order.tracking_token}")
    assert "Received by Jean (concierge)" in page.text and f"/t/{order.tracking_token}/proof-photo" in page.text
    shown = await client.get(f"/t/{order.tracking_token}/proof-photo")
    assert shown.content == photo and shown.headers["content-type"] == "image/jpeg"

    wrong = await post_form(client, f"/t/{order.tracking_token}/rating", {"stars": "9"})
    assert wrong.status_code == 422 and "one to five" in wrong.text
    rated = await post_form(client, f"/t/{order.tracking_token}/rating", {"stars": "4", "comment": "Quick, kind"})
    assert rated.status_code == 302
    rating = await DeliveryRating.objects().where(DeliveryRating.order == order.id).first()
    assert (rating.stars, rating.comment, rating.courier) == (4, "Quick, kind", order.courier_user_id)
    again = await post_form(client, f"/t/{order.tracking_token}/rating", {"stars": "1"})
    assert again.status_code == 409
    page = await client.get(f"/t/{order.tracking_token}")
    assert "★★★★☆" in page.text and "Quick, kind" in page.text and 'name="stars"' not in page.text


async def test_the_proof_photo_of_an_order_not_yet_delivered_is_not_shown(client, delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery")
    assert (await client.get(f"/t/{order.tracking_token}/proof-photo")).status_code == 404


async def test_a_token_carries_at_least_128_random_bits():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(token) * 6 >= 128 for token in tokens)


async def test_after_a_failed_attempt_the_client_can_say_how_to_deliver_next_time(client, delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0, status="failed", locale="en")
    page = await client.get(f"/t/{order.tracking_token}")
    assert "We could not deliver this time" in page.text and 'name="instructions"' in page.text
    saved = await post_form(client, f"/t/{order.tracking_token}/instructions", {"instructions": "After 6 pm please"})
    assert saved.status_code == 302


async def test_ratings_feed_the_courier_report(client, delivery):
    from datetime import timedelta

    from app.reports.couriers import Period, courier_report

    _buyer, order, _route, _others = await delivery(stops_before=0, status="delivered")
    await post_form(client, f"/t/{order.tracking_token}/rating", {"stars": "5", "comment": "great"})
    today = now().date()
    [line] = await courier_report(Period(today - timedelta(days=1), today + timedelta(days=1), "Europe/Paris"))
    assert (line.key, line.ratings, line.average_rating) == (order.courier_user_id, 1, 5.0)
    assert [comment["comment"] for comment in line.comments] == ["great"]


async def test_apps_read_the_same_delivery_as_json_and_nothing_for_a_wrong_token(client, delivery):
    _buyer, order, _route, others = await delivery(stops_before=1, status="assigned")
    response = await client.get(f"/api/v1/track/{order.tracking_token}")
    body = response.json()
    assert response.status_code == 200 and body["reference"] == order.reference and body["stops_before"] == 1
    assert body["courier_lat"] is None and [e["status"] for e in body["timeline"]] == ["new", "assigned"]
    assert "notes" not in body and others[0].reference not in response.text
    wrong = await client.get(f"/api/v1/track/{new_token()}")
    assert wrong.status_code == 404 and wrong.headers["content-type"].startswith("application/problem+json")
