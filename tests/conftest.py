"""Shared fixtures: the personas every test speaks of, and service availability."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from mosovo.accounts.models import Force, Team, User
from tests import factories

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(available: bool, what: str) -> None:
    """Skip a test whose service is missing, except in CI, where it must fail."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (CI=true) but is not available")
    pytest.skip(f"{what} is not available on this machine")


@dataclass
class Personas:
    """Officer and sergeant of team A, officer of team B, and the force-wide roles."""

    force: Force
    team_a: Team
    team_b: Team
    officer_a: User
    sergeant_a: User
    officer_b: User
    inspector: User
    admin: User
    auditor: User

    def all(self) -> dict[str, User]:
        return {
            "officer_a": self.officer_a,
            "sergeant_a": self.sergeant_a,
            "officer_b": self.officer_b,
            "inspector": self.inspector,
            "admin": self.admin,
            "auditor": self.auditor,
        }


@pytest.fixture
def personas(db: None) -> Personas:
    force = factories.ForceFactory.create(name="Test Constabulary", code="TC")
    team_a = factories.TeamFactory.create(force=force, name="Team A")
    team_b = factories.TeamFactory.create(force=force, name="Team B")
    return Personas(
        force=force,
        team_a=team_a,
        team_b=team_b,
        officer_a=factories.OfficerFactory.create(username="officer_a", team=team_a),
        sergeant_a=factories.SergeantFactory.create(username="sergeant_a", team=team_a),
        officer_b=factories.OfficerFactory.create(username="officer_b", team=team_b),
        inspector=factories.InspectorFactory.create(username="inspector", force=force),
        admin=factories.AdminFactory.create(username="admin", force=force),
        auditor=factories.AuditorFactory.create(username="auditor", force=force),
    )


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    """Return a function that gives a client signed in as a user."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in
