"""Activities are planned, done, moved (with their history) and verified by the supervisor; the calendar shows
them by day, week and month, lists the overdue apart, and a private iCal feed carries them to a phone."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from icalendar import Calendar

from app.crm.activities import ActivityInput, OPEN, complete, overdue, plan_activity, reschedule, verify
from app.crm.visibility import viewer_of
from app.dispatch.day import company_today, company_zone
from app.errors import Forbidden, InvalidInput, NotFound
from tables.activities import Activity, ActivityReschedule
from tables.counterparties import Counterparty
from tests.conftest import log_in, post_form
from tests.crm.conftest import actor, register


def soon(hours: float) -> datetime:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).replace(microsecond=0)


async def plan(user, client_id, hours: float = 2, **fields):
    return await plan_activity(actor(user), await viewer_of(user), ActivityInput(
        kind=fields.pop("kind", "call"), counterparty_id=client_id, subject=fields.pop("subject", "Call about rates"),
        starts_at=soon(hours), **fields))


async def test_a_call_is_planned_done_with_its_result_and_moves_the_last_contact(team):
    client = await register(team.thomas, "Traiteur Girard")
    call = await plan(team.thomas, client.id, priority="very_high")
    me = await viewer_of(team.thomas)
    with pytest.raises(InvalidInput) as refused:
        await complete(actor(team.thomas), me, call.id, "  ")
    assert "result" in refused.value.errors
    await complete(actor(team.thomas), me, call.id, "Agreed a weekly pick-up")
    done = await Activity.objects().where(Activity.id == call.id).first()
    assert (done.state, done.result) == ("done", "Agreed a weekly pick-up")
    assert (await Counterparty.objects().where(Counterparty.id == client.id).first()).last_contact_at is not None


async def test_rescheduling_keeps_every_move_and_the_length(team):
    client = await register(team.thomas, "Fleurs de Montmartre")
    call = await plan(team.thomas, client.id, hours=1)
    me = await viewer_of(team.thomas)
    first, second = soon(24), soon(48)
    await reschedule(actor(team.thomas), me, call.id, first, "client away")
    await reschedule(actor(team.thomas), me, call.id, second, "still away", postpone=True)
    moved = await Activity.objects().where(Activity.id == call.id).first()
    assert moved.starts_at == second and moved.ends_at - moved.starts_at == timedelta(minutes=30)
    assert moved.state == "postponed"
    moves = await ActivityReschedule.select(ActivityReschedule.new_starts_at, ActivityReschedule.reason).where(
        ActivityReschedule.activity == call.id).order_by(ActivityReschedule.id)
    assert [(m["new_starts_at"], m["reason"]) for m in moves] == [(first, "client away"), (second, "still away")]


async def test_an_open_activity_whose_time_passed_is_overdue_and_listed_apart(team):
    client = await register(team.thomas, "Cave à Vins Dubois")
    late = await plan(team.thomas, client.id, hours=-3, subject="Late call")
    await plan(team.thomas, client.id, hours=3, subject="Future call")
    done = await plan(team.thomas, client.id, hours=-5, subject="Done call")
    await complete(actor(team.thomas), await viewer_of(team.thomas), done.id, "ok")
    assert [row["id"] for row in await overdue(team.thomas.id)] == [late.id]
    assert "planned" in OPEN


async def test_only_the_performers_supervisor_verifies_a_done_activity_and_it_is_recorded(client, team):
    row = await register(team.thomas, "Hôtel des Batignolles")
    call = await plan(team.thomas, row.id, hours=-1)
    with pytest.raises(InvalidInput):
        await verify(actor(team.boss), await viewer_of(team.boss), call.id)
    await complete(actor(team.thomas), await viewer_of(team.thomas), call.id, "Signed")
    with pytest.raises(Forbidden):
        await verify(actor(team.thomas), await viewer_of(team.thomas), call.id)
    with pytest.raises(NotFound):
        await verify(actor(team.nadia), await viewer_of(team.nadia), call.id)
    await log_in(client, "elodie")
    assert call.subject in (await client.get("/crm/verify")).text
    assert (await post_form(client, f"/crm/activities/{call.id}/verify", {"note": "Good call"})).status_code == 302
    checked = await Activity.objects().where(Activity.id == call.id).first()
    assert checked.verified_by == team.boss.id and checked.verified_at and checked.verification_note == "Good call"
    assert "Verified by Élodie Perrin" in (await client.get(f"/crm/activities/{call.id}")).text


async def test_a_manager_cannot_plan_for_someone_outside_their_team(team):
    row = await register(team.boss, "Mode Morel")
    with pytest.raises(InvalidInput) as refused:
        await plan(team.thomas, row.id, performer_id=team.omar.id)
    assert set(refused.value.errors) >= {"performer", "counterparty"}
    task = await plan(team.boss, row.id, kind="task", subject="Visit the new shop", performer_id=team.thomas.id)
    assert task.performer == team.thomas.id and task.author == team.boss.id


async def test_the_calendar_shows_day_week_and_month_and_a_drag_moves_the_activity(client, team):
    row = await register(team.thomas, "Salon Mathieu")
    noon = datetime.combine(company_today(), time(12), tzinfo=company_zone()).astimezone(timezone.utc)
    call = await plan_activity(actor(team.thomas), await viewer_of(team.thomas), ActivityInput(
        kind="call", counterparty_id=row.id, subject="Calendar call", starts_at=noon, priority="high"))
    await log_in(client, "thomas")
    for view in ("day", "week", "month"):
        page = await client.get(f"/calendar?view={view}")
        assert "Calendar call" in page.text and "priority-high" in page.text, view
    swap = await client.get("/calendar?view=month", headers={"HX-Request": "true"})
    assert "Calendar call" in swap.text and "<html" not in swap.text
    target = (call.starts_at + timedelta(days=2)).astimezone(timezone.utc)
    local = target.astimezone(__import__("zoneinfo").ZoneInfo(team.thomas.time_zone)).strftime("%Y-%m-%dT%H:%M")
    moved = await post_form(client, f"/calendar/activities/{call.id}/move", {"starts_at": local})
    assert moved.status_code == 204
    row_after = await Activity.objects().where(Activity.id == call.id).first()
    assert row_after.starts_at == target.replace(second=0) and row_after.state == "rescheduled"
    assert await ActivityReschedule.count() == 1


async def test_a_manager_reads_a_team_calendar_only_as_supervisor(client, team):
    await log_in(client, "thomas")
    assert (await client.get(f"/calendar?user={team.nadia.id}")).status_code == 403
    await log_in(client, "elodie")
    assert (await client.get(f"/calendar?user={team.nadia.id}")).status_code == 200


async def test_the_private_ical_feed_carries_my_activities_and_nobody_elses(client, team):
    row = await register(team.thomas, "Studio Photo Chevalier")
    await plan(team.thomas, row.id, hours=5, subject="Photo shoot offer")
    other = await register(team.nadia, "Nadia's client")
    await plan(team.nadia, other.id, hours=5, subject="Not for Thomas")
    await log_in(client, "thomas")
    page = (await post_form(client, "/calendar/feed")).text
    url = page.split('id="feed-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits, url-safe base64
    client.cookies.clear()
    feed = await client.get(f"/calendar/ical/{token}")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = [str(event["summary"]) for event in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert events == ["Call: Photo shoot offer — Studio Photo Chevalier"]
    assert (await client.get(f"/calendar/ical/{token[:-2]}xx")).status_code == 404
