import pytest

from tests.tracking.scenario import add_stop, make_client, make_order, make_route

# Spaces and "#" never occur in the page's tokens (the CSRF token is 128 hex digits, so a bare "1234" would be
# in about one page in 500): if this shows on a page, a neighbour's note leaked.
GATE_CODE = "gate code B#1234"


@pytest.fixture
def delivery(make_user):
    """`await delivery(stops_before=2, status="assigned", position=(lat, lon))` -> (client, order, route, others):
    a client's order as the last stop of a courier's route, behind `stops_before` other clients' orders."""

    async def build(stops_before: int = 2, status: str = "assigned", position=None, seen_at=None, **client_fields):
        courier_user = await make_user("courier", full_name="Karim Benali")
        client = await make_client(**client_fields)
        route = await make_route(courier_user.id, position, seen_at)
        others = []
        for n in range(stops_before):
            neighbour = await make_client(name=f"Neighbour {n}", email=f"n{n}@example.org")
            other = await make_order(neighbour, status="assigned", lat=48.86 + n * 0.01, lon=2.34,
                                     address=f"{n + 1} avenue Secrète", notes=f"neighbour's {GATE_CODE}")
            await add_stop(route, other, sequence=n + 1)
            others.append(other)
        order = await make_order(client, status=status, notes="internal: client complains a lot",
                                 events=["new", "assigned"] if status != "new" else ["new"])
        await add_stop(route, order, sequence=stops_before + 1)
        order.courier_user_id = courier_user.id
        return client, order, route, others

    return build
