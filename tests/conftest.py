"""Shared fixtures: the personas every test speaks of, and service availability."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from caseload.models import RSO
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


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Put back the reference data migrations seed (the ARMS factor catalogue) for tests
    that use the database: a transactional test (and live_server) flushes every table."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from arms import catalogue_v1
    from arms.models import Factor, FactorCatalogue

    catalogue_v1.install(FactorCatalogue, Factor)


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


def verified_login(client: Client, user: User) -> Client:
    """Sign a test client in as ``user`` with a verified second factor (as after TOTP)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    """Return a function that gives a client signed in (second factor verified) as a user."""

    def sign_in(user: User) -> Client:
        return verified_login(client, user)

    return sign_in


# Text that only out-of-scope records carry. No response a user gets may contain it
# unless that user may see the record (tests scan every body for it). Team B's canary is
# out of scope for team A; the other force's canary is out of scope for everyone here,
# inspectors included.
CANARY = "CANARY-7f3a9c"
CANARY_OTHER_FORCE = "CANARY-X-41d0e2"


@dataclass
class Casework:
    """An RSO of team A, a canary RSO of team B, and a canary RSO of another force."""

    rso_a: RSO
    rso_b: RSO
    rso_other_force: RSO


@pytest.fixture
def casework(personas: Personas) -> Casework:
    other_force = factories.ForceFactory.create(name="Other Constabulary", code="OC")
    other_team = factories.TeamFactory.create(force=other_force, name="Team X")
    return Casework(
        rso_a=factories.RSOFactory.create(
            team=personas.team_a, allocated_officer=personas.officer_a, family_name="Ashdown", summary="Team A case."
        ),
        rso_b=factories.RSOFactory.create(
            team=personas.team_b,
            allocated_officer=personas.officer_b,
            family_name=f"Brook{CANARY}",
            given_names=f"Canary {CANARY}",
            summary=f"Team B case {CANARY}",
            visor_reference="VS-CANARY-B",
        ),
        rso_other_force=factories.RSOFactory.create(
            team=other_team,
            family_name=f"Xavier{CANARY_OTHER_FORCE}",
            summary=f"Other force case {CANARY_OTHER_FORCE}",
            visor_reference="VS-CANARY-X",
        ),
    )
