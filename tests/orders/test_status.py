"""The order state machine, table-driven: every step, who may take it, and what a late phone update becomes."""

from __future__ import annotations

import pytest

from app.orders.status import (
    ASSIGNED, CANCELLED, DELIVERED, FAILED, NEW, OUT_FOR_DELIVERY, PICKED_UP, RETURNED, STATUSES, By,
    InvalidTransition, Outcome, can_reopen, decide, next_steps,
)

C, D = By.COURIER, By.DISPATCH


@pytest.mark.parametrize("current, target, by, outcome", [
    (NEW, ASSIGNED, D, Outcome.APPLY),
    (ASSIGNED, NEW, D, Outcome.APPLY),
    (ASSIGNED, PICKED_UP, C, Outcome.APPLY),
    (PICKED_UP, OUT_FOR_DELIVERY, C, Outcome.APPLY),
    (OUT_FOR_DELIVERY, DELIVERED, C, Outcome.APPLY),
    (OUT_FOR_DELIVERY, FAILED, C, Outcome.APPLY),
    (ASSIGNED, DELIVERED, C, Outcome.APPLY),  # the courier skipped "out for delivery": still a delivery
    (FAILED, ASSIGNED, D, Outcome.APPLY),  # re-attempt
    (FAILED, RETURNED, C, Outcome.APPLY),
    (OUT_FOR_DELIVERY, CANCELLED, D, Outcome.APPLY),
    (DELIVERED, OUT_FOR_DELIVERY, C, Outcome.SUPERSEDED),  # a late "out for delivery" after "delivered"
    (DELIVERED, PICKED_UP, C, Outcome.SUPERSEDED),
    (OUT_FOR_DELIVERY, PICKED_UP, C, Outcome.SUPERSEDED),
    (DELIVERED, FAILED, C, Outcome.SUPERSEDED),  # same rank, the first recorded wins
    (RETURNED, DELIVERED, C, Outcome.SUPERSEDED),
    (DELIVERED, DELIVERED, C, Outcome.SAME),
])
def test_each_step_of_the_order_life(current, target, by, outcome):
    assert decide(current, target, by) == outcome


@pytest.mark.parametrize("current, target, by, reason", [
    (DELIVERED, CANCELLED, D, "already delivered"),
    (CANCELLED, DELIVERED, C, "cancelled by dispatch"),
    (NEW, DELIVERED, D, "cannot go from"),
    (NEW, PICKED_UP, C, "cannot go from"),  # a courier cannot take an order nobody assigned
    (ASSIGNED, CANCELLED, C, "cannot go from"),  # only dispatch cancels
    (DELIVERED, NEW, D, "cannot go from"),  # going back is a reopen, not a step
    (NEW, "teleported", D, "Unknown status"),
])
def test_steps_that_are_refused_with_a_reason(current, target, by, reason):
    with pytest.raises(InvalidTransition) as refused:
        decide(current, target, by)
    assert reason in str(refused.value)


def test_a_courier_never_lowers_the_rank_of_any_status():
    for current in STATUSES:
        for target in STATUSES:
            try:
                outcome = decide(current, target, C)
            except InvalidTransition:
                continue
            if outcome == Outcome.APPLY:
                from app.orders.status import RANK

                assert RANK[target] > RANK[current], (current, target)


def test_only_end_states_reopen_and_only_to_work():
    assert can_reopen(DELIVERED, ASSIGNED) and can_reopen(CANCELLED, NEW)
    assert not can_reopen(ASSIGNED, NEW) and not can_reopen(DELIVERED, OUT_FOR_DELIVERY)


def test_the_buttons_a_courier_sees_at_an_assigned_stop():
    assert set(next_steps(ASSIGNED, C)) == {PICKED_UP, OUT_FOR_DELIVERY, DELIVERED, FAILED}
    assert next_steps(DELIVERED, C) == []
