"""Break-glass access: opening one record outside one's team, with a reason.

The record opens for the rest of that session only; the access is flagged in the audit
log and listed on the home page of the record's team sergeant until they acknowledge it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mosovo.accounts.models import BreakGlassGrant, User
from mosovo.accounts.scoping import BREAK_GLASS_SESSION_KEY
from mosovo.audit.choices import Action, Outcome
from mosovo.audit.models import AuditEvent
from tests.conftest import CANARY, CANARY_OTHER_FORCE, Casework, Personas, verified_login
from tests.factories import RSOFactory, SergeantFactory

BREAK_GLASS = reverse("caseload:break_glass")
REASON = "Covering officer B's caseload while they are on leave"
PAGE_WARNING = "You opened it with break-glass access"


def rso_page(rso_id: int) -> str:
    return reverse("caseload:rso_detail", args=[rso_id])


def break_glass(client: Client, reference: str, reason_code: str = "COVERING", reason_text: str = REASON) -> Any:
    return client.post(BREAK_GLASS, {"reference": reference, "reason_code": reason_code, "reason_text": reason_text})


def assert_nothing_granted(client: Client) -> None:
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.BREAK_GLASS).exists()
    assert BREAK_GLASS_SESSION_KEY not in client.session


@pytest.fixture
def sergeant_b(personas: Personas) -> User:
    return SergeantFactory.create(username="sergeant_b", team=personas.team_b)


@pytest.mark.parametrize("reference", ["VS-CANARY-B", "vs-canary-b ", "pnc"], ids=["visor", "visor any case", "pnc"])
def test_officer_a_opens_team_bs_rso_with_a_reason_and_it_is_flagged(
    client_for: Any, personas: Personas, casework: Casework, reference: str
) -> None:
    rso_b = casework.rso_b
    client = client_for(personas.officer_a)

    response = break_glass(client, rso_b.pnc_id if reference == "pnc" else reference)

    assert response.status_code == 302
    assert response["Location"] == rso_page(rso_b.pk)
    record = client.get(response["Location"])
    assert record.status_code == 200
    body = record.content.decode()
    assert CANARY in body  # the record itself is shown
    assert PAGE_WARNING in body
    assert "You have opened a record outside your team" in body

    (event,) = AuditEvent.objects.filter(action=Action.BREAK_GLASS)
    assert event.flagged
    assert event.actor == personas.officer_a
    assert event.outcome == Outcome.SUCCESS
    assert event.rso_ids == [rso_b.pk]
    assert event.object_ids == [str(rso_b.pk)]
    assert REASON in event.reason
    assert event.reason.startswith("COVERING")

    (grant,) = BreakGlassGrant.objects.all()
    assert grant.user == personas.officer_a
    assert grant.team == personas.team_b
    assert grant.object_id == rso_b.pk
    assert grant.object_label == rso_b.visor_reference
    assert (grant.reason_code, grant.reason_text) == ("COVERING", REASON)
    assert grant.acknowledged_at is None
    assert len(grant.session_key_hash) == 64
    assert client.session.session_key not in grant.session_key_hash  # a hash, never the key


def test_the_grant_lasts_for_the_session_but_not_for_another_session_of_the_same_officer(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso_b = casework.rso_b
    client = client_for(personas.officer_a)
    break_glass(client, rso_b.visor_reference)

    later = [client.get(rso_page(rso_b.pk)) for _ in range(2)]
    api = client.get(reverse("api:rso_detail", args=[rso_b.pk]))
    other_session = verified_login(Client(), personas.officer_a)
    elsewhere = other_session.get(rso_page(rso_b.pk))

    assert [r.status_code for r in later] == [200, 200]
    assert all(PAGE_WARNING in r.content.decode() for r in later)
    assert api.status_code == 200
    assert elsewhere.status_code == 404
    assert CANARY not in elsewhere.content.decode()
    # Each later look is a consultation like any other; the grant itself is recorded once.
    assert AuditEvent.objects.filter(action=Action.BREAK_GLASS).count() == 1
    assert AuditEvent.objects.filter(action=Action.CONSULTATION, rso_ids=[rso_b.pk]).count() == 3


def test_the_grant_opens_only_that_record(client_for: Any, personas: Personas, casework: Casework) -> None:
    another_b = RSOFactory.create(team=personas.team_b, summary=f"Another team B case {CANARY}")
    client = client_for(personas.officer_a)
    break_glass(client, casework.rso_b.visor_reference)

    response = client.get(rso_page(another_b.pk))
    listing = client.get(reverse("caseload:rso_list"))

    assert response.status_code == 404
    assert CANARY not in listing.content.decode()  # a grant does not add the record to the list


def test_the_grant_ends_with_sign_out(client_for: Any, personas: Personas, casework: Casework) -> None:
    client = client_for(personas.officer_a)
    break_glass(client, casework.rso_b.visor_reference)
    client.post(reverse("accounts:logout"))

    verified_login(client, personas.officer_a)

    assert client.get(rso_page(casework.rso_b.pk)).status_code == 404


@pytest.mark.parametrize(
    ("reason_code", "reason_text", "field", "message"),
    [
        ("COVERING", "", "reason_text", "Explain in a sentence why you need this record"),
        ("COVERING", "because", "reason_text", "Explain in a sentence why you need this record"),
        ("COVERING", "          x ", "reason_text", "Explain in a sentence why you need this record"),
        ("", REASON, "reason_code", "Select why you need this record"),
        ("CURIOSITY", REASON, "reason_code", ""),
    ],
    ids=["no reason", "short reason", "blank reason", "no reason code", "made-up reason code"],
)
def test_a_reason_is_required(
    client_for: Any,
    personas: Personas,
    casework: Casework,
    reason_code: str,
    reason_text: str,
    field: str,
    message: str,
) -> None:
    client = client_for(personas.officer_a)

    response = break_glass(client, casework.rso_b.visor_reference, reason_code, reason_text)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    body = response.content.decode()
    assert "There is a problem" in body
    assert CANARY not in body
    assert_nothing_granted(client)
    assert client.get(rso_page(casework.rso_b.pk)).status_code == 404


@pytest.mark.parametrize(
    "reference", ["VS-DOES-NOT-EXIST", "VS-CANARY-X", "   "], ids=["unknown", "other force", "blank"]
)
def test_a_reference_outside_the_force_opens_nothing(
    client_for: Any, personas: Personas, casework: Casework, reference: str
) -> None:
    client = client_for(personas.officer_a)

    response = break_glass(client, reference)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["reference"]
    body = response.content.decode()
    assert CANARY_OTHER_FORCE not in body
    assert_nothing_granted(client)


def test_an_rso_of_the_other_force_cannot_be_opened_by_any_reference(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    other = casework.rso_other_force
    client = client_for(personas.officer_a)

    by_visor = break_glass(client, other.visor_reference)
    by_pnc = break_glass(client, other.pnc_id)

    assert by_visor.context["form"].errors == by_pnc.context["form"].errors
    assert by_visor.context["form"].errors["reference"] == ["No record in your force has that reference"]
    # The same message as for a reference that does not exist: nothing is disclosed.
    unknown = break_glass(client, "VS-DOES-NOT-EXIST")
    assert unknown.context["form"].errors == by_visor.context["form"].errors
    assert_nothing_granted(client)
    page = client.get(rso_page(other.pk))
    assert page.status_code == 404
    assert CANARY_OTHER_FORCE not in page.content.decode()


def test_an_own_team_reference_just_opens_the_record_without_a_grant(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)

    response = break_glass(client, casework.rso_a.visor_reference)

    assert response.status_code == 302
    assert response["Location"] == rso_page(casework.rso_a.pk)
    assert PAGE_WARNING not in client.get(response["Location"]).content.decode()
    assert_nothing_granted(client)


def test_team_bs_sergeant_sees_the_access_and_acknowledges_it(
    client_for: Any, personas: Personas, casework: Casework, sergeant_b: User
) -> None:
    break_glass(verified_login(Client(), personas.officer_a), casework.rso_b.visor_reference)
    grant = BreakGlassGrant.objects.get()
    sergeant = client_for(sergeant_b)
    acknowledge_url = reverse("accounts:break_glass_acknowledge", args=[grant.pk])

    home = sergeant.get(reverse("home")).content.decode()
    assert "Access to your team's records from outside the team" in home
    assert personas.officer_a.display_name in home
    assert casework.rso_b.visor_reference in home
    assert REASON.replace("'", "&#x27;") in home
    assert f'action="{acknowledge_url}"' in home

    response = sergeant.post(acknowledge_url)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    after = sergeant.get(response["Location"]).content.decode()
    assert "Acknowledged" in after
    assert f'action="{acknowledge_url}"' not in after
    sergeant_home_later = sergeant.get(reverse("home")).content.decode()
    assert "Access to your team's records from outside the team" not in sergeant_home_later
    grant.refresh_from_db()
    assert grant.acknowledged_by == sergeant_b
    assert grant.acknowledged_at is not None
    acknowledgement = AuditEvent.objects.get(action=Action.ALTERATION, object_type="accounts.breakglassgrant")
    assert acknowledgement.actor == sergeant_b
    assert acknowledgement.object_ids == [str(grant.pk)]
    # Acknowledging twice is refused quietly: the grant is no longer waiting.
    assert sergeant.post(acknowledge_url).status_code == 404
    grant.refresh_from_db()
    assert grant.acknowledged_by == sergeant_b


def test_sergeant_a_does_not_see_and_cannot_acknowledge_team_bs_access(
    client_for: Any, personas: Personas, casework: Casework, sergeant_b: User
) -> None:
    break_glass(verified_login(Client(), personas.officer_a), casework.rso_b.visor_reference)
    grant = BreakGlassGrant.objects.get()
    client = client_for(personas.sergeant_a)

    home = client.get(reverse("home")).content.decode()
    response = client.post(reverse("accounts:break_glass_acknowledge", args=[grant.pk]))

    assert casework.rso_b.visor_reference not in home
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.acknowledged_at is None
    denial = AuditEvent.objects.get(action=Action.ACCESS_DENIED, actor=personas.sergeant_a)
    assert denial.object_ids == [str(grant.pk)]


@pytest.mark.parametrize("persona", ["inspector", "admin", "auditor"])
def test_inspectors_admins_and_auditors_cannot_use_the_break_glass_page(
    client_for: Any, personas: Personas, casework: Casework, persona: str
) -> None:
    client = client_for(personas.all()[persona])

    page = client.get(BREAK_GLASS)
    posted = break_glass(client, casework.rso_other_force.visor_reference)

    assert page.status_code == 404
    assert posted.status_code == 404
    assert CANARY_OTHER_FORCE not in posted.content.decode()
    assert_nothing_granted(client)


def test_break_glass_refuses_get_requests_that_would_grant(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    # No state change on GET: the query string is ignored and the form is shown.
    client = client_for(personas.officer_a)

    response = client.get(
        BREAK_GLASS, {"reference": casework.rso_b.visor_reference, "reason_code": "COVERING", "reason_text": REASON}
    )

    assert response.status_code == 200
    assert CANARY not in response.content.decode()
    assert_nothing_granted(client)


def test_break_glass_opens_a_record_for_reading_only(client_for: Any, personas: Personas, casework: Casework) -> None:
    client = client_for(personas.officer_a)
    client.post(
        reverse("caseload:break_glass"),
        {
            "reference": casework.rso_b.visor_reference,
            "reason_code": "COVERING",
            "reason_text": "Covering for PC Brook.",
        },
    )
    assert client.get(reverse("caseload:rso_detail", args=[casework.rso_b.pk])).status_code == 200
    response = client.patch(
        reverse("api:rso_detail", args=[casework.rso_b.pk]),
        {"summary": "Changed from outside the team.", "version": casework.rso_b.version},
        content_type="application/json",
    )
    assert response.status_code == 404
    casework.rso_b.refresh_from_db()
    assert "Changed" not in casework.rso_b.summary
