"""A small sales team for the CRM stories: a supervisor (Élodie) with two managers (Thomas, Nadia), a manager of
another team (Omar), and an admin."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pytest

from app.accounts.passwords import hash_password
from app.audit import Actor
from app.crm.counterparties import Registration, register_client
from app.crm.visibility import viewer_of
from tables.accounts import User
from tests.conftest import PASSWORD


@dataclass
class Team:
    boss: User
    thomas: User
    nadia: User
    omar: User
    admin: User


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for the whole CRM suite


async def person(login: str, full_name: str, role: str = "manager", supervisor: User | None = None) -> User:
    user = User(login=login, full_name=full_name, role=role, password_hash=password_hash(),
                supervisor=supervisor.id if supervisor else None, time_zone="Europe/Paris")
    await user.save()
    return user


@pytest.fixture
async def team() -> Team:
    boss = await person("elodie", "Élodie Perrin")
    return Team(boss, await person("thomas", "Thomas Caron", supervisor=boss),
                await person("nadia", "Nadia Benali", supervisor=boss), await person("omar", "Omar Said"),
                await person("root", "Claire Admin", role="admin"))


def actor(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role)


async def register(user: User, name: str, **card):
    """`user` registers a client (with a source, so the registration is complete) and becomes its manager."""
    card = {"name": name, "marketing_source": "Recommendation", **card}
    return await register_client(actor(user), await viewer_of(user), Registration(card=card, allow_duplicate=True))
