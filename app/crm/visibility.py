"""Who sees which counterparty: a manager the clients they lead or co-manage, a supervisor their team's, an admin
all, and anyone a record was shared with explicitly. Every list, search, dossier, API call and export goes through
here.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.roles import ADMIN
from app.errors import NotFound
from app.i18n import gettext as _
from tables.accounts import User
from tables.counterparties import Counterparty, ManagerAssignment, Share


@dataclass(frozen=True)
class Viewer:
    """The user looking at the CRM, with the managers whose clients they see (themselves and their team)."""

    user_id: int
    role: str
    team: tuple[int, ...] = ()

    @property
    def sees_all(self) -> bool:
        return self.role == ADMIN

    @property
    def is_supervisor(self) -> bool:
        return self.sees_all or len(self.team) > 1


async def viewer_of(user: User) -> Viewer:
    """One query: the people this user supervises (directly), for the team view."""
    if user.role == ADMIN:
        return Viewer(user.id, user.role)
    rows = await User.select(User.id).where(User.supervisor == user.id)
    return Viewer(user.id, user.role, (user.id, *(row["id"] for row in rows)))


def visible_counterparties(viewer: Viewer, among: list[int] | None = None):
    """A WHERE clause on Counterparty for what the viewer may see (None: everything). `among`: the few ids the
    query is about (a dossier, a key search), so the co-managed and shared sub-selects look only at those."""
    if viewer.sees_all:
        return None
    return own_clients(viewer) | co_managed_clients(viewer, among) | shared_clients(viewer, among)


def own_clients(viewer: Viewer):
    return Counterparty.manager.is_in(list(viewer.team))


def _co_managed(viewer: Viewer, among: list[int] | None = None):
    """Clients someone of the viewer's team holds now as a co-manager (the lead is Counterparty.manager)."""
    query = ManagerAssignment.select(ManagerAssignment.counterparty).where(
        ManagerAssignment.manager.is_in(list(viewer.team)) & (ManagerAssignment.lead == False)  # noqa: E712
        & ManagerAssignment.ended_at.is_null())
    if among is not None:
        query = query.where(ManagerAssignment.counterparty.is_in(among or [-1]))
    return query


def _shared(viewer: Viewer, among: list[int] | None = None):
    query = Share.select(Share.counterparty).where(Share.user == viewer.user_id)
    if among is not None:
        query = query.where(Share.counterparty.is_in(among or [-1]))
    return query


def co_managed_clients(viewer: Viewer, among: list[int] | None = None):
    return Counterparty.id.is_in(_co_managed(viewer, among))


def shared_clients(viewer: Viewer, among: list[int] | None = None):
    return Counterparty.id.is_in(_shared(viewer, among))


LISTED_IDS = 5000


async def side_clients(viewer: Viewer) -> list:
    """The co-managed and the shared clients as clauses on their ids, fetched first (one small index lookup each;
    none when there are none). A page query given a sub-select instead may, once PostgreSQL caches a generic plan,
    walk every client by name looking for rows that are not there."""
    clauses = []
    for selection in (_co_managed, _shared):
        ids = [row["counterparty"] for row in await selection(viewer).limit(LISTED_IDS + 1)]
        if len(ids) > LISTED_IDS:
            clauses.append(Counterparty.id.is_in(selection(viewer)))
        elif ids:
            clauses.append(Counterparty.id.is_in(ids))
    return clauses


def restrict(query, viewer: Viewer, among: list[int] | None = None):
    clause = visible_counterparties(viewer, among)
    return query if clause is None else query.where(clause)


async def may_see(viewer: Viewer, counterparty_id: int) -> bool:
    query = Counterparty.exists().where(Counterparty.id == counterparty_id)
    return await restrict(query, viewer, [counterparty_id])


async def require_visible(viewer: Viewer, counterparty_id: int) -> None:
    """Not found, rather than forbidden, so a manager cannot probe which ids exist."""
    if not await may_see(viewer, counterparty_id):
        raise NotFound(_("No such client."))
