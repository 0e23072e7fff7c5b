"""The caseload list, search and allocation pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.choices import RiskLevel
from caseload.models import RSO, Address, Alias, CapOverride, Vehicle
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.conftest import CANARY, Casework, Personas
from tests.factories import RSOFactory


def list_queries(client: Client, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("query", ["", "?risk_level=HIGH", "?sort=due&descending=on", "?sort=risk", "?officer=me"])
def test_caseload_list_query_count_is_the_same_for_10_and_200_rsos(
    client_for: Any, personas: Personas, query: str
) -> None:
    client = client_for(personas.sergeant_a)
    url = reverse("caseload:rso_list") + query

    def fill(n: int) -> None:
        for i in range(n):
            RSOFactory.create(
                team=personas.team_a,
                allocated_officer=personas.officer_a if i % 2 else personas.sergeant_a,
                risk_level=RiskLevel.HIGH if i % 10 == 9 else RiskLevel.LOW,
            )

    fill(10)
    small, _ = list_queries(client, url)
    fill(190)
    large, response = list_queries(client, url)
    # Session, user, OTP device, the officers for the filter, COUNT, the page of RSOs
    # (with team and officer joined), and the audit insert: the same at any size.
    assert small == large
    if not query:
        assert response.content.decode().count('href="/caseload/rso/') == 50  # page size 50


def test_officers_list_starts_with_their_own_caseload(client_for: Any, personas: Personas) -> None:
    mine = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, family_name="Mineham")
    RSOFactory.create(team=personas.team_a, allocated_officer=personas.sergeant_a, family_name="Othersby")
    body = client_for(personas.officer_a).get(reverse("caseload:rso_list")).content.decode()
    assert mine.family_name.upper() in body
    assert "OTHERSBY" not in body


def test_list_filters_by_risk_and_flags_overdue_notifications(client_for: Any, personas: Personas) -> None:
    overdue = RSOFactory.create(
        team=personas.team_a,
        risk_level=RiskLevel.MEDIUM,
        family_name="Latebury",
        next_annual_notification_due=dt.date(2020, 1, 1),
    )
    RSOFactory.create(team=personas.team_a, family_name="Lowley")
    client = client_for(personas.sergeant_a)
    body = client.get(reverse("caseload:rso_list") + "?risk_level=MEDIUM").content.decode()
    assert "LATEBURY" in body
    assert "LOWLEY" not in body
    assert "Overdue" in body
    body = client.get(reverse("caseload:rso_list") + "?overdue_only=on").content.decode()
    assert "LATEBURY" in body
    assert "LOWLEY" not in body
    assert overdue.pk


def search(client: Client, **terms: str) -> Any:
    return client.post(reverse("caseload:rso_search"), terms)


def test_search_finds_by_misspelt_name_and_alias_in_scope_only(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    target = RSOFactory.create(team=personas.team_a, family_name="Thistlecombe", given_names="Ulric")
    Alias.objects.create(rso=RSOFactory.create(team=personas.team_a, family_name="Other"), name="Barnaby Quill")
    client = client_for(personas.officer_a)
    body = search(client, name="thistlecomb").content.decode()
    assert "THISTLECOMBE" in body
    assert "OTHER" in search(client, name="Barnaby Quil").content.decode()
    # Team B's canary record is never found by team A.
    body = search(client, name="Brook").content.decode()
    assert CANARY not in body
    assert target.pk


def test_search_by_reference_date_of_birth_address_and_vehicle(client_for: Any, personas: Personas) -> None:
    rso = RSOFactory.create(team=personas.team_a, family_name="Rookwood", date_of_birth=dt.date(1971, 5, 4))
    Address.objects.create(
        rso=rso, line1="7 Kestrel Drive", town="Eastmere", postcode="ZZ1 4AB", from_date=dt.date(2020, 1, 1)
    )
    Vehicle.objects.create(rso=rso, registration="ZZ12ABC")
    client = client_for(personas.officer_a)
    for terms in (
        {"reference": rso.visor_reference.lower()},
        {"reference": rso.pnc_id},
        {"date_of_birth": "04/05/1971"},
        {"address": "zz1 4ab"},
        {"address": "kestrel drive"},
        {"vehicle": "zz12 abc"},
    ):
        assert "ROOKWOOD" in search(client, **terms).content.decode(), terms


def test_search_terms_are_audited_and_never_in_a_url(client_for: Any, personas: Personas) -> None:
    rso = RSOFactory.create(team=personas.team_a, family_name="Vetchley")
    client = client_for(personas.officer_a)
    response = search(client, name="Vetchley", vehicle="")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.CONSULTATION, path=reverse("caseload:rso_search"))
    assert "name~'Vetchley'" in event.reason
    assert event.rso_ids == [rso.pk]
    assert "Vetchley" not in event.path
    # The form posts: nothing to put the terms in the address bar.
    page = client.get(reverse("caseload:rso_search")).content.decode()
    assert 'method="post"' in page


def test_empty_search_is_refused_with_a_message(client_for: Any, personas: Personas) -> None:
    response = search(client_for(personas.officer_a))
    assert response.status_code == 400
    assert "Enter at least one thing to search by" in response.content.decode()


def test_sergeant_previews_the_cap_then_overrides_with_a_reason(client_for: Any, personas: Personas) -> None:
    officer = personas.officer_a
    for _ in range(8):
        RSOFactory.create(team=personas.team_a, allocated_officer=officer)
    for _ in range(2):
        RSOFactory.create(team=personas.team_a, allocated_officer=officer, risk_level=RiskLevel.HIGH)
    case = RSOFactory.create(team=personas.team_a, risk_level=RiskLevel.HIGH)
    client = client_for(personas.sergeant_a)
    url = reverse("caseload:rso_allocate", args=[case.pk])
    preview = client.post(url, {"officer": officer.pk, "version": case.version}).content.decode()
    assert "3 of 11 high risk, 27%" in preview
    assert "Over the limit" in preview
    refused = client.post(url, {"officer": officer.pk, "version": case.version, "action": "confirm"})
    assert refused.status_code == 400
    assert "This would make 3 of 11" in refused.content.decode()
    assert RSO.objects.get(pk=case.pk).allocated_officer is None
    done = client.post(
        url,
        {"officer": officer.pk, "version": case.version, "action": "confirm", "override_reason": "Specialist case."},
    )
    assert done.status_code == 302
    assert RSO.objects.get(pk=case.pk).allocated_officer == officer
    assert CapOverride.objects.filter(officer=officer, resolved_at__isnull=True).count() == 1
    home = client.get(reverse("home")).content.decode()
    assert "Specialist case." in home


def test_officers_cannot_allocate(client_for: Any, personas: Personas) -> None:
    case = RSOFactory.create(team=personas.team_a)
    response = client_for(personas.officer_a).get(reverse("caseload:rso_allocate", args=[case.pk]))
    assert response.status_code == 404
