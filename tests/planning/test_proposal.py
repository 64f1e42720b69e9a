"""Orders left out of a proposal: the optimizer gives a reason code, the dispatcher reads it in their language."""

from __future__ import annotations

import pytest

from app import i18n
from app.optimizer import UNPLANNED_REASONS, solve
from app.planning.problem import build_problem
from app.planning.proposal import REASONS, make_proposal, with_reasons
from tables.orders import Order
from tests.planning.conftest import tomorrow_at


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_locale("en")


async def test_a_parcel_too_heavy_for_every_van_is_left_out_and_explained_in_the_readers_language(small_day):
    piano = small_day["orders"][0]
    await Order.update({Order.weight_kg: 900.0}).where(Order.id == piano.id)  # the vans carry 600 kg
    day = await build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(6))
    proposal = make_proposal(day, solve(day.problem, 1.0), 1.0)

    assert proposal["unplanned"] == [{"order_id": piano.id, "reference": piano.reference,
                                      "reason": "no_vehicle_large_enough"}]  # a code: the job row has no language
    i18n.set_locale("en")
    assert with_reasons(proposal)["unplanned"][0]["why"] == "no vehicle can carry this load"
    i18n.set_locale("fr")
    assert with_reasons(proposal)["unplanned"][0]["why"] == "aucun véhicule ne peut transporter ce chargement"
    assert "why" not in proposal["unplanned"][0]  # the stored proposal is left as it was


def test_every_reason_the_optimizer_gives_has_words():
    assert set(UNPLANNED_REASONS) <= set(REASONS)
