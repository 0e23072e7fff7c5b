"""Object-level access: IDOR-01, IDOR-02, IDOR-05, MASS-01, LOST-01 and AUTHZ-05.

Officer A belongs to team A. Team B's RSO carries the canary text; so does the other
force's. Out of scope answers 404 (never 403), shows no canary and leaves exactly one
``access_denied`` event naming what was asked for.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from caseload.models import RSO
from mosovo.accounts.models import BreakGlassGrant, User
from mosovo.audit.choices import Action, Outcome
from mosovo.audit.models import AuditEvent
from tests.conftest import CANARY, CANARY_OTHER_FORCE, Casework, Personas, verified_login
from tests.factories import RSOFactory

RSO_TYPE = "caseload.rso"


def page_url(rso: RSO | int) -> str:
    return reverse("caseload:rso_detail", args=[rso if isinstance(rso, int) else rso.pk])


def api_url(rso: RSO | int) -> str:
    return reverse("api:rso_detail", args=[rso if isinstance(rso, int) else rso.pk])


def body_of(response: Any) -> str:
    return str(response.content.decode(errors="replace"))


def without_csrf_tokens(body: str) -> str:
    """Return a page without its per-request CSRF tokens, so two pages can be compared."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', body)


def denials_of(user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=Action.ACCESS_DENIED))


def snapshot(rso: RSO) -> tuple[Any, ...]:
    """Return what an attacker might try to change on an RSO, as stored now."""
    rso.refresh_from_db()
    return (rso.summary, rso.version, rso.team_id, rso.allocated_officer_id, rso.family_name, rso.updated_at)


def history_count(rso: RSO) -> int:
    """Return how many field-history rows (django-pghistory) the RSO has."""
    count: int = apps.get_model("caseload", "RSOEvent").objects.filter(pgh_obj_id=rso.pk).count()
    return count


@pytest.fixture
def grant_b(personas: Personas, casework: Casework) -> BreakGlassGrant:
    """A break-glass access by officer B's colleague to a team-B record, awaiting team B's sergeant."""
    return BreakGlassGrant.objects.create(
        user=personas.officer_b,
        object_type=RSO_TYPE,
        object_id=casework.rso_b.pk,
        object_label=casework.rso_b.visor_reference,
        team=personas.team_b,
        reason_code="COVERING",
        reason_text=f"Covering the case {CANARY}",
        session_key_hash="0" * 64,
    )


# IDOR-01 ----------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["page", "api"])
def test_idor_01_officer_a_cannot_open_team_bs_rso_and_the_refusal_is_logged(
    client_for: Any, personas: Personas, casework: Casework, channel: str
) -> None:
    client = client_for(personas.officer_a)
    url = page_url(casework.rso_b) if channel == "page" else api_url(casework.rso_b)

    response = client.get(url)

    assert response.status_code == 404
    body = body_of(response)
    assert CANARY not in body
    assert casework.rso_b.visor_reference not in body
    (denial,) = denials_of(personas.officer_a)
    assert denial.outcome == Outcome.DENIED
    assert denial.object_type == RSO_TYPE
    assert denial.object_ids == [str(casework.rso_b.pk)]
    assert denial.rso_ids == []  # nothing was shown, so no RSO is recorded as seen
    assert not AuditEvent.objects.filter(actor=personas.officer_a, action=Action.CONSULTATION).exists()


@pytest.mark.parametrize("channel", ["page", "api"])
def test_idor_01_team_bs_rso_answers_exactly_like_a_record_that_does_not_exist(
    client_for: Any, personas: Personas, casework: Casework, channel: str
) -> None:
    client = client_for(personas.officer_a)
    url_for = page_url if channel == "page" else api_url
    missing_id = RSO.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000

    other_team = client.get(url_for(casework.rso_b))
    missing = client.get(url_for(missing_id))
    absurd = client.get(url_for(10**25))  # beyond bigint: still a 404, never a 500

    assert other_team.status_code == missing.status_code == absurd.status_code == 404
    assert without_csrf_tokens(body_of(other_team)) == without_csrf_tokens(body_of(missing))
    assert other_team["Content-Type"] == missing["Content-Type"]


def test_idor_01_officer_a_cannot_open_the_other_forces_rso(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    for url in (page_url(casework.rso_other_force), api_url(casework.rso_other_force)):
        response = client.get(url)
        assert response.status_code == 404
        assert CANARY_OTHER_FORCE not in body_of(response)
    assert len(denials_of(personas.officer_a)) == 2


def test_idor_01_officer_a_cannot_acknowledge_team_bs_break_glass_grant(
    client_for: Any, personas: Personas, grant_b: BreakGlassGrant
) -> None:
    client = client_for(personas.officer_a)

    response = client.post(reverse("accounts:break_glass_acknowledge", args=[grant_b.pk]))

    assert response.status_code == 404
    assert CANARY not in body_of(response)
    # Officers may not acknowledge anything, so the role check refuses first and the
    # event names the page rather than the grant.
    (denial,) = denials_of(personas.officer_a)
    assert denial.outcome == Outcome.DENIED
    assert denial.object_type == "view"
    assert denial.object_ids == ["accounts:break_glass_acknowledge"]
    grant_b.refresh_from_db()
    assert grant_b.acknowledged_at is None


def test_idor_01_sergeant_a_cannot_acknowledge_team_bs_break_glass_grant(
    client_for: Any, personas: Personas, grant_b: BreakGlassGrant
) -> None:
    client = client_for(personas.sergeant_a)

    response = client.post(reverse("accounts:break_glass_acknowledge", args=[grant_b.pk]))

    assert response.status_code == 404
    assert CANARY not in body_of(response)
    (denial,) = denials_of(personas.sergeant_a)
    assert denial.object_type == "accounts.breakglassgrant"
    assert denial.object_ids == [str(grant_b.pk)]
    grant_b.refresh_from_db()
    assert grant_b.acknowledged_at is None
    assert grant_b.acknowledged_by is None


# IDOR-02 ----------------------------------------------------------------------------


@pytest.fixture
def more_casework(personas: Personas, casework: Casework) -> dict[str, set[int]]:
    """Two more RSOs in each team, so the lists have something to leak."""
    extra_a = [RSOFactory.create(team=personas.team_a, summary="Team A extra.") for _ in range(2)]
    extra_b = [RSOFactory.create(team=personas.team_b, summary=f"Team B extra {CANARY}") for _ in range(2)]
    return {
        "team_a": {casework.rso_a.pk, *(rso.pk for rso in extra_a)},
        "team_b": {casework.rso_b.pk, *(rso.pk for rso in extra_b)},
        "other_force": {casework.rso_other_force.pk},
    }


@pytest.mark.parametrize("persona", ["officer_a", "sergeant_a"])
def test_idor_02_officer_and_sergeant_of_team_a_list_only_team_as_rsos(
    client_for: Any, personas: Personas, more_casework: dict[str, set[int]], persona: str
) -> None:
    client = client_for(personas.all()[persona])

    page = client.get(reverse("caseload:rso_list"), {"officer": ""})  # everyone they may see
    api = client.get(reverse("api:rso_list"))

    assert page.status_code == 200
    assert {rso.pk for rso in page.context["page_obj"].object_list} == more_casework["team_a"]
    page_body = body_of(page)
    assert CANARY not in page_body
    assert CANARY_OTHER_FORCE not in page_body
    assert "3 people" in page_body

    assert api.status_code == 200
    data = api.json()
    assert {row["id"] for row in data["results"]} == more_casework["team_a"]
    assert data["count"] == 3
    assert {row["team"] for row in data["results"]} == {"Team A"}
    assert CANARY not in body_of(api)
    assert CANARY_OTHER_FORCE not in body_of(api)


def test_idor_02_inspector_lists_every_team_of_the_force_but_not_the_other_force(
    client_for: Any, personas: Personas, more_casework: dict[str, set[int]]
) -> None:
    client = client_for(personas.inspector)
    force_wide = more_casework["team_a"] | more_casework["team_b"]

    page = client.get(reverse("caseload:rso_list"), {"officer": ""})  # everyone they may see
    api = client.get(reverse("api:rso_list"))

    assert {rso.pk for rso in page.context["page_obj"].object_list} == force_wide
    assert CANARY_OTHER_FORCE not in body_of(page)
    assert {row["id"] for row in api.json()["results"]} == force_wide
    assert CANARY_OTHER_FORCE not in body_of(api)


# IDOR-05 ----------------------------------------------------------------------------


def test_idor_05_officer_a_cannot_patch_team_bs_rso(client_for: Any, personas: Personas, casework: Casework) -> None:
    client = client_for(personas.officer_a)
    rso_b = casework.rso_b
    before = snapshot(rso_b)
    history_before = history_count(rso_b)

    response = client.patch(
        api_url(rso_b), {"summary": "Overwritten by team A", "version": rso_b.version}, content_type="application/json"
    )

    assert response.status_code == 404
    assert CANARY not in body_of(response)
    assert snapshot(rso_b) == before
    assert history_count(rso_b) == history_before
    (denial,) = denials_of(personas.officer_a)
    assert denial.object_ids == [str(rso_b.pk)]
    assert not AuditEvent.objects.filter(action=Action.ALTERATION).exists()


@pytest.mark.parametrize("method", ["put", "delete", "post"])
@pytest.mark.parametrize("channel", ["page", "api"])
def test_idor_05_there_is_no_route_that_replaces_or_deletes_an_rso(
    client_for: Any, personas: Personas, casework: Casework, method: str, channel: str
) -> None:
    client = client_for(personas.officer_a)
    for rso in (casework.rso_a, casework.rso_b):
        before = snapshot(rso)
        url = page_url(rso) if channel == "page" else api_url(rso)

        response = getattr(client, method)(
            url, {"summary": "Replaced", "version": rso.version}, content_type="application/json"
        )

        assert response.status_code in (404, 405)
        assert CANARY not in body_of(response)
        assert snapshot(rso) == before
    assert RSO.objects.filter(pk__in=[casework.rso_a.pk, casework.rso_b.pk]).count() == 2


# MASS-01 and LOST-01 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allocated_officer", "officer_b"),
        ("allocated_officer_id", "__officer_b_id__"),
        ("team", "Team B"),
        ("team_id", "__team_b_id__"),
        ("is_superuser", True),
        ("created_by", "__officer_b_id__"),
        ("risk_level", "LOW"),
        ("id", "__rso_b_id__"),
        ("visor_reference", "VS-HIJACKED-1"),
        ("updated_at", "2000-01-01T00:00:00Z"),
    ],
)
def test_mass_01_officer_cannot_change_fields_other_than_the_summary(
    client_for: Any, personas: Personas, casework: Casework, field: str, value: Any
) -> None:
    rso_a = casework.rso_a
    substitutions = {
        "__officer_b_id__": personas.officer_b.pk,
        "__team_b_id__": personas.team_b.pk,
        "__rso_b_id__": casework.rso_b.pk,
    }
    value = substitutions.get(value, value) if isinstance(value, str) else value
    client = client_for(personas.officer_a)
    before = snapshot(rso_a)
    history_before = history_count(rso_a)

    response = client.patch(
        api_url(rso_a),
        {"summary": "A valid new summary", "version": rso_a.version, field: value},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert field in response.json()  # the message names the field that cannot be changed
    assert snapshot(rso_a) == before  # not even the valid summary is saved
    assert history_count(rso_a) == history_before
    personas.officer_a.refresh_from_db()
    assert not personas.officer_a.is_superuser
    assert not AuditEvent.objects.filter(action=Action.ALTERATION).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"summary": "New summary"},
        {"version": 1},
        {"summary": "New summary", "version": 0},
        {"summary": "New summary", "version": -1},
        {"summary": "New summary", "version": None},
        {"summary": "New summary", "version": True},
        {"summary": "New summary", "version": "one"},
        {"summary": "New summary", "version": "0x1"},
        {"summary": "New summary", "version": [1]},
        {"summary": "New summary", "version": {"$gt": 0}},
        {"summary": "x" * 10001, "version": 1},
        {"summary": None, "version": 1},
    ],
    ids=[
        "no version",
        "no summary",
        "version zero",
        "negative version",
        "null version",
        "boolean version",
        "word version",
        "hex version",
        "list version",
        "operator version",
        "summary too long",
        "null summary",
    ],
)
def test_mass_01_malformed_version_or_summary_is_refused_with_a_field_message(
    client_for: Any, personas: Personas, casework: Casework, payload: dict[str, Any]
) -> None:
    rso_a = casework.rso_a
    assert rso_a.version == 1
    client = client_for(personas.officer_a)
    before = snapshot(rso_a)

    response = client.patch(api_url(rso_a), payload, content_type="application/json")

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) <= {"summary", "version"}
    assert all(isinstance(messages, list) and messages for messages in errors.values())
    assert snapshot(rso_a) == before


def test_mass_01_a_valid_summary_patch_at_the_current_version_is_saved_and_bumps_the_version(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso_a = casework.rso_a
    client = client_for(personas.officer_a)
    history_before = history_count(rso_a)

    response = client.patch(
        api_url(rso_a), {"summary": "Moved to a new address.", "version": 1}, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["summary"] == "Moved to a new address."
    assert response.json()["version"] == 2
    rso_a.refresh_from_db()
    assert (rso_a.summary, rso_a.version) == ("Moved to a new address.", 2)
    assert (rso_a.team_id, rso_a.allocated_officer_id) == (personas.team_a.pk, personas.officer_a.pk)
    alteration = AuditEvent.objects.get(action=Action.ALTERATION)
    assert alteration.actor == personas.officer_a
    assert alteration.rso_ids == [rso_a.pk]
    assert alteration.fields == ["summary"]  # field names, never values
    assert "Moved to a new address." not in str(list(AuditEvent.objects.values()))
    assert history_count(rso_a) == history_before + 1


def test_a_saved_summary_moves_the_records_updated_at(client_for: Any, personas: Personas, casework: Casework) -> None:
    rso_a = casework.rso_a
    before = rso_a.updated_at

    response = client_for(personas.officer_a).patch(
        api_url(rso_a), {"summary": "Moved to a new address.", "version": 1}, content_type="application/json"
    )

    assert response.status_code == 200
    rso_a.refresh_from_db()
    assert rso_a.updated_at > before


def test_lost_01_a_stale_version_gets_409_and_overwrites_nothing(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso_a = casework.rso_a
    first = client_for(personas.officer_a)
    second = verified_login(Client(), personas.sergeant_a)
    # Both load the record at version 1.
    assert first.get(api_url(rso_a)).json()["version"] == 1
    assert second.get(api_url(rso_a)).json()["version"] == 1

    saved = first.patch(api_url(rso_a), {"summary": "Officer's edit", "version": 1}, content_type="application/json")
    conflict = second.patch(
        api_url(rso_a), {"summary": "Sergeant's edit", "version": 1}, content_type="application/json"
    )

    assert saved.status_code == 200
    assert conflict.status_code == 409
    assert "changed by someone else" in conflict.json()["detail"]
    assert conflict.json()["current"]["summary"] == "Officer's edit"  # what is there now, to merge with
    assert conflict.json()["current"]["version"] == 2
    rso_a.refresh_from_db()
    assert (rso_a.summary, rso_a.version) == ("Officer's edit", 2)
    assert AuditEvent.objects.filter(action=Action.ALTERATION).count() == 1


def test_lost_01_a_version_from_the_future_is_a_conflict_not_a_save(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso_a = casework.rso_a
    client = client_for(personas.officer_a)
    before = snapshot(rso_a)

    for version in (2, 99, 2**40, 10**30):
        response = client.patch(
            api_url(rso_a), {"summary": "Jumped", "version": version}, content_type="application/json"
        )
        assert response.status_code in (400, 409), version
        assert snapshot(rso_a) == before


# AUTHZ-05 ---------------------------------------------------------------------------


def test_authz_05_when_a_case_moves_to_team_b_officer_as_next_request_gets_404(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso_a = casework.rso_a
    client = client_for(personas.officer_a)
    assert client.get(page_url(rso_a)).status_code == 200
    assert client.get(api_url(rso_a)).status_code == 200

    RSO.objects.filter(pk=rso_a.pk).update(team=personas.team_b, allocated_officer=personas.officer_b)

    page = client.get(page_url(rso_a))
    api = client.get(api_url(rso_a))
    patch = client.patch(api_url(rso_a), {"summary": "Too late", "version": 1}, content_type="application/json")
    listed = client.get(reverse("caseload:rso_list"), {"officer": ""})

    assert (page.status_code, api.status_code, patch.status_code) == (404, 404, 404)
    assert rso_a.family_name.upper() not in body_of(page)
    assert rso_a.pk not in {rso.pk for rso in listed.context["page_obj"].object_list}
    rso_a.refresh_from_db()
    assert rso_a.summary == "Team A case."
    assert len(denials_of(personas.officer_a)) == 3
    # The new team can open it straight away.
    assert client_for(personas.officer_b).get(page_url(rso_a)).status_code == 200


# ADMIN and AUDITOR see no casework ---------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_admin_and_auditor_get_404_on_every_rso_page_and_endpoint(
    client_for: Any, personas: Personas, casework: Casework, persona: str
) -> None:
    user = personas.all()[persona]
    client = client_for(user)
    urls = [
        reverse("caseload:rso_list"),
        page_url(casework.rso_a),
        page_url(casework.rso_b),
        reverse("caseload:break_glass"),
        reverse("api:rso_list"),
        api_url(casework.rso_a),
        api_url(casework.rso_b),
    ]
    before = snapshot(casework.rso_a)

    responses = [client.get(url) for url in urls]
    responses.append(
        client.patch(api_url(casework.rso_a), {"summary": "Admin edit", "version": 1}, content_type="application/json")
    )

    for response in responses:
        assert response.status_code == 404, response.request["PATH_INFO"]
        body = body_of(response)
        assert CANARY not in body
        assert casework.rso_a.visor_reference not in body
        assert "Ashdown".upper() not in body.upper()

    assert snapshot(casework.rso_a) == before
    assert len(denials_of(user)) == len(responses)
    assert not AuditEvent.objects.filter(actor=user, action=Action.CONSULTATION).exists()


def test_any_save_of_an_rso_moves_its_updated_at_so_the_unchanged_checks_here_would_notice(
    casework: Casework,
) -> None:
    before = snapshot(casework.rso_a)
    casework.rso_a.save()
    assert snapshot(casework.rso_a) != before
