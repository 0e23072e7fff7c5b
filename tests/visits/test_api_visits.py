"""The visits API: the same workflow as the pages, through the same services and selectors.

Officer A and sergeant A work on team A's RSO; team B's visit carries the canary text.
Out of scope is 404 with no canary; bad input is 400 naming the fields, with nothing
saved; a stale version is 409 with the current state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arms.models import Factor
from caseload.models import RSO
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.conftest import CANARY, Casework, Personas
from tests.factories import OfficerFactory
from tests.visits.kit import planned_visit, second_officer_for, started_visit
from visits import services
from visits.choices import VisitStatus
from visits.models import DeviceExamination, SafetyAssessment, Visit

pytestmark = pytest.mark.django_db


def api(name: str, *args: int) -> str:
    return reverse(f"api:visits-{name}", args=args)


def send(client: Any, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body if body is not None else {}, content_type="application/json")


def body_of(response: Any) -> str:
    return str(response.content.decode(errors="replace"))


def soon(hours: int = 2) -> str:
    return (timezone.now() + dt.timedelta(hours=hours)).isoformat()


@pytest.fixture
def team_b_visit(personas: Personas, casework: Casework) -> Visit:
    """Team B's visit, being recorded, with the canary in its safety assessment and record."""
    visit = planned_visit(casework.rso_b, officer=personas.officer_b)
    services.safety_assessment_record(
        visit=visit, violence_markers=f"Marker {CANARY}", reviewed=True, by=personas.officer_b
    )
    visit = services.visit_start(visit=visit, by=personas.officer_b)
    services.visit_record_save(
        visit=visit, version=visit.version, by=personas.officer_b, people_present=f"People {CANARY}"
    )
    services.device_add(visit=visit, device_type="PHONE", what_was_checked=f"Messages {CANARY}", by=personas.officer_b)
    visit.refresh_from_db()
    return visit


# --- The workflow ------------------------------------------------------------------------


def test_officer_plans_records_and_completes_a_visit_through_the_api(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    partner = second_officer_for(personas.officer_a)
    client = client_for(personas.officer_a)

    planned = send(
        client,
        "post",
        api("rso_visits", rso.pk),
        {
            "visit_type": "SCHEDULED",
            "planned_for": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
            "lead_officer": personas.officer_a.pk,
            "second_officer": partner.pk,
        },
    )
    assert planned.status_code == 201, planned.json()
    visit = planned.json()
    assert visit["status"] == "PLANNED"
    assert visit["second_officer"]["id"] == partner.pk
    assert visit["safety"] is None
    visit_id = visit["id"]

    refused = send(client, "post", api("visit_start", visit_id))
    assert refused.status_code == 400
    assert "safety assessment" in refused.json()["non_field_errors"][0]

    not_reviewed = send(client, "put", api("visit_safety", visit_id), {"dogs": "Large dog", "reviewed": False})
    assert not_reviewed.status_code == 400
    assert "reviewed" in not_reviewed.json()
    safety = send(
        client,
        "put",
        api("visit_safety", visit_id),
        {"violence_markers": "None known", "dogs": "Large dog, kept in the kitchen", "reviewed": True},
    )
    assert safety.status_code == 200, safety.json()
    assert safety.json()["dogs"] == "Large dog, kept in the kitchen"
    updated = send(
        client,
        "put",
        api("visit_safety", visit_id),
        {"dogs": "No dog now", "reviewed": True, "version": safety.json()["version"]},
    )
    assert updated.status_code == 200, updated.json()
    stale = send(client, "put", api("visit_safety", visit_id), {"dogs": "x", "reviewed": True, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["dogs"] == "No dog now"

    started = send(client, "post", api("visit_start", visit_id))
    assert started.status_code == 200, started.json()
    visit = started.json()
    assert visit["status"] == "STARTED"
    assert len(visit["compliance"]) >= 6
    assert "outcome" in visit["problems"]

    factor = Factor.objects.filter(catalogue__version=1, kind="PROTECTIVE").order_by("position").first()
    assert factor is not None
    occurred = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    saved = send(
        client,
        "patch",
        api("visit_record", visit_id),
        {
            "version": visit["version"],
            "outcome": "SEEN",
            "occurred_at": occurred,
            "people_present": "The person and his partner.",
            "observations": [{"factor_id": factor.pk, "note": "Working full time at the depot."}],
            "compliance": [{"id": c["id"], "result": "COMPLIED"} for c in visit["compliance"]],
        },
    )
    assert saved.status_code == 200, saved.json()
    visit = saved.json()
    assert visit["outcome"] == "SEEN"
    assert visit["observations"] == [
        {
            "factor_id": factor.pk,
            "factor_code": factor.code,
            "factor_name": factor.name,
            "kind": "PROTECTIVE",
            "note": "Working full time at the depot.",
        }
    ]
    assert {c["result"] for c in visit["compliance"]} == {"COMPLIED"}
    assert visit["problems"] == {}

    # A second save that leaves fields out keeps them.
    again = send(
        client, "patch", api("visit_record", visit_id), {"version": visit["version"], "notes": "Calm, cooperative."}
    )
    assert again.status_code == 200, again.json()
    assert (again.json()["people_present"], again.json()["notes"]) == (
        "The person and his partner.",
        "Calm, cooperative.",
    )
    conflict = send(client, "patch", api("visit_record", visit_id), {"version": visit["version"], "notes": "Lost"})
    assert conflict.status_code == 409
    assert conflict.json()["current"]["notes"] == "Calm, cooperative."

    device = send(
        client,
        "post",
        api("visit_devices", visit_id),
        {"device_type": "PHONE", "what_was_checked": "Browser history and apps", "make_model": "Pixel 7"},
    )
    assert device.status_code == 201, device.json()
    wrong = send(client, "post", api("visit_devices", visit_id), {"device_type": "TABLET", "what_was_checked": "x"})
    assert wrong.status_code == 201
    removed = send(client, "delete", api("visit_device", visit_id, wrong.json()["id"]))
    assert removed.status_code == 204

    current = client.get(api("visit_detail", visit_id)).json()
    assert [d["make_model"] for d in current["devices"]] == ["Pixel 7"]
    assert current["safety"]["dogs"] == "No dog now"
    completed = send(client, "post", api("visit_complete", visit_id), {"version": current["version"]})
    assert completed.status_code == 200, completed.json()
    assert completed.json()["status"] == "RECORDED"
    rso.refresh_from_db()
    assert rso.last_visit_on == timezone.localdate()

    listing = client.get(api("rso_visits", rso.pk)).json()
    assert listing["count"] == 1
    assert listing["results"][0]["outcome"] == "SEEN"
    assert AuditEvent.objects.filter(action=Action.ALTERATION, rso_ids=[rso.pk]).exists()


def test_one_officer_plans_with_a_reason_and_the_sergeant_approves_then_a_visit_is_cancelled(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    planned = send(
        client,
        "post",
        api("rso_visits", casework.rso_a.pk),
        {
            "visit_type": "ADDRESS_CHECK",
            "planned_for": soon(),
            "lead_officer": personas.officer_a.pk,
            "single_officer_reason": "Address check only; the person is not expected to be in.",
        },
    )
    assert planned.status_code == 201, planned.json()
    visit_id = planned.json()["id"]
    assert planned.json()["single_officer_approved_by"] is None
    assert send(client, "post", api("visit_approve_single", visit_id)).status_code == 404  # officers may not

    approved = send(client_for(personas.sergeant_a), "post", api("visit_approve_single", visit_id))
    assert approved.status_code == 200, approved.json()
    assert approved.json()["single_officer_approved_by"] == personas.sergeant_a.pk

    client = client_for(personas.officer_a)
    assert send(client, "post", api("visit_cancel", visit_id), {"reason": ""}).json() == {
        "reason": ["Say why the visit is cancelled"]
    }
    cancelled = send(client, "post", api("visit_cancel", visit_id), {"reason": "Person in hospital."})
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["status"] == "CANCELLED"


# --- Bad input ---------------------------------------------------------------------------


def test_bad_input_answers_400_naming_the_field_and_saves_nothing(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    other_team = OfficerFactory.create(team=personas.team_b, username="officer_b2")
    for payload, field in (
        ({"second_officer": personas.officer_b.pk}, "second_officer"),
        ({"second_officer": other_team.pk}, "second_officer"),
        ({"second_officer": 99999999}, "second_officer"),
        ({"lead_officer": 99999999, "single_officer_reason": "x"}, "lead_officer"),
        ({"single_officer_reason": ""}, "single_officer_reason"),
        ({"visit_type": "SOCIAL"}, "visit_type"),
        ({"planned_for": "tomorrow"}, "planned_for"),
    ):
        body = {"visit_type": "SCHEDULED", "planned_for": soon(), "lead_officer": personas.officer_a.pk, **payload}
        response = send(client, "post", api("rso_visits", casework.rso_a.pk), body)
        assert response.status_code == 400, payload
        assert field in response.json(), (payload, response.json())
    assert not Visit.objects.filter(rso=casework.rso_a).exists()

    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = send(
        client,
        "patch",
        api("visit_record", visit.pk),
        {"version": visit.version, "outcome": "SEEN", "occurred_at": tomorrow, "people_present": "Someone"},
    )
    assert response.status_code == 400
    assert "occurred_at" in response.json()
    response = send(
        client,
        "post",
        api("visit_devices", visit.pk),
        {"device_type": "COMPUTER", "what_was_checked": "Hard disk", "seized": True},
    )
    assert response.status_code == 400
    assert "exhibit_reference" in response.json()
    response = send(client, "post", api("visit_complete", visit.pk), {"version": visit.version})
    assert response.status_code == 400
    assert {"outcome", "occurred_at"} <= set(response.json())

    visit.refresh_from_db()
    assert (visit.status, visit.outcome, visit.occurred_at, visit.people_present) == (
        VisitStatus.STARTED,
        "",
        None,
        "",
    )
    assert not DeviceExamination.objects.filter(visit=visit).exists()


def test_starting_without_the_safety_assessment_is_refused_with_the_reason(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    visit = planned_visit(casework.rso_a, officer=personas.officer_a)
    response = send(client_for(personas.officer_a), "post", api("visit_start", visit.pk))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [services.NO_SAFETY]}
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert not visit.compliance.exists()


# --- Scope: IDOR, MASS, roles --------------------------------------------------------------


def test_idor_01_officer_a_cannot_read_team_bs_visits(
    client_for: Any, personas: Personas, casework: Casework, team_b_visit: Visit
) -> None:
    client = client_for(personas.officer_a)
    urls = [api("rso_visits", casework.rso_b.pk), api("visit_detail", team_b_visit.pk)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert CANARY not in body_of(response)
    missing = client.get(api("visit_detail", team_b_visit.pk + 10000))
    assert missing.content == client.get(api("visit_detail", team_b_visit.pk)).content
    assert AuditEvent.objects.filter(actor=personas.officer_a, action=Action.ACCESS_DENIED).count() >= len(urls)
    assert CANARY in body_of(client_for(personas.officer_b).get(api("visit_detail", team_b_visit.pk)))


def test_idor_05_officer_a_cannot_plan_or_change_team_bs_visits(
    client_for: Any, personas: Personas, casework: Casework, team_b_visit: Visit
) -> None:
    device = DeviceExamination.objects.get(visit=team_b_visit)
    before = (Visit.objects.filter(rso=casework.rso_b).count(), team_b_visit.version)
    client = client_for(personas.officer_a)
    pk = team_b_visit.pk
    attempts = [
        (
            "post",
            api("rso_visits", casework.rso_b.pk),
            {
                "visit_type": "SCHEDULED",
                "planned_for": soon(),
                "lead_officer": personas.officer_a.pk,
                "second_officer": second_officer_for(personas.officer_a).pk,
            },
        ),
        ("put", api("visit_safety", pk), {"dogs": "x", "reviewed": True}),
        ("post", api("visit_start", pk), None),
        ("patch", api("visit_record", pk), {"version": team_b_visit.version, "notes": "x"}),
        ("post", api("visit_complete", pk), {"version": team_b_visit.version}),
        ("post", api("visit_devices", pk), {"device_type": "PHONE", "what_was_checked": "x"}),
        ("delete", api("visit_device", pk, device.pk), None),
        ("post", api("visit_cancel", pk), {"reason": "x"}),
    ]
    for method, url, payload in attempts:
        response = send(client, method, url, payload)
        assert response.status_code == 404, (method, url)
        assert CANARY not in body_of(response)
    assert send(client_for(personas.sergeant_a), "post", api("visit_approve_single", pk)).status_code == 404
    team_b_visit.refresh_from_db()
    assert (Visit.objects.filter(rso=casework.rso_b).count(), team_b_visit.version) == before
    assert DeviceExamination.objects.filter(pk=device.pk).exists()
    assert SafetyAssessment.objects.get(visit=team_b_visit).dogs == ""


def test_idor_03_a_device_of_another_visit_under_your_visits_url_is_404(
    client_for: Any, personas: Personas, casework: Casework, team_b_visit: Visit
) -> None:
    own = started_visit(casework.rso_a, officer=personas.officer_a)
    other_rso = RSO.objects.get(pk=casework.rso_a.pk)
    second = started_visit(other_rso, officer=personas.officer_a)
    own_team_device = services.device_add(
        visit=second, device_type="PHONE", what_was_checked="Photos", by=personas.officer_a
    )
    foreign = DeviceExamination.objects.get(visit=team_b_visit)
    client = client_for(personas.officer_a)
    for device in (own_team_device, foreign):
        response = send(client, "delete", api("visit_device", own.pk, device.pk))
        assert response.status_code == 404
        assert CANARY not in body_of(response)
        assert DeviceExamination.objects.filter(pk=device.pk).exists()


def test_mass_01_fields_the_operation_does_not_take_are_refused_and_nothing_changes(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    response = send(
        client,
        "post",
        api("rso_visits", casework.rso_a.pk),
        {
            "visit_type": "SCHEDULED",
            "planned_for": soon(),
            "lead_officer": personas.officer_a.pk,
            "single_officer_reason": "Alone",
            "status": "RECORDED",
            "single_officer_approved_by": personas.sergeant_a.pk,
            "rso": casework.rso_b.pk,
        },
    )
    assert response.status_code == 400
    assert {"status", "single_officer_approved_by", "rso"} <= set(response.json())
    assert not Visit.objects.exists()

    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    response = send(
        client,
        "patch",
        api("visit_record", visit.pk),
        {"version": visit.version, "notes": "x", "status": "RECORDED", "recorded_by": personas.officer_b.pk},
    )
    assert response.status_code == 400
    assert {"status", "recorded_by"} <= set(response.json())
    response = send(
        client, "post", api("visit_devices", visit.pk), {"device_type": "PHONE", "what_was_checked": "x", "visit": 1}
    )
    assert response.status_code == 400
    visit.refresh_from_db()
    assert (visit.status, visit.notes, visit.recorded_by_id) == (VisitStatus.STARTED, "", None)
    assert not DeviceExamination.objects.exists()


def test_inspector_reads_but_cannot_write_and_admin_and_auditor_see_nothing(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    inspector = client_for(personas.inspector)
    assert inspector.get(api("rso_visits", casework.rso_a.pk)).status_code == 200
    assert inspector.get(api("visit_detail", visit.pk)).status_code == 200
    for method, url, payload in (
        ("post", api("rso_visits", casework.rso_a.pk), {"visit_type": "SCHEDULED"}),
        ("patch", api("visit_record", visit.pk), {"version": visit.version, "notes": "x"}),
        ("put", api("visit_safety", visit.pk), {"reviewed": True}),
        ("post", api("visit_devices", visit.pk), {"device_type": "PHONE", "what_was_checked": "x"}),
        ("post", api("visit_approve_single", visit.pk), None),
    ):
        assert send(inspector, method, url, payload).status_code == 404, (method, url)
    visit.refresh_from_db()
    assert visit.notes == ""
    for user in (personas.admin, personas.auditor):
        client = client_for(user)
        assert client.get(api("visit_detail", visit.pk)).status_code == 404
        assert client.get(api("rso_visits", casework.rso_a.pk)).status_code == 404


# --- Query counts ------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_visit_list_costs_the_same_queries_for_1_and_10_visits(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    planned_visit(rso, officer=personas.officer_a)
    client = client_for(personas.officer_a)
    url = api("rso_visits", rso.pk)
    one = _queries(client, url)
    for n in range(9):
        planned_visit(rso, officer=personas.officer_a, when=timezone.now() + dt.timedelta(days=n + 1))
    ten = _queries(client, url)
    # Session, user, second factor, the RSO (team and officer joined), the visits (their
    # officers joined), the consultation event (savepoint, insert, release): none per row.
    assert one == ten
    assert ten <= 9


def test_a_visit_costs_the_same_queries_whatever_its_size(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    small = started_visit(casework.rso_a, officer=personas.officer_a)
    client = client_for(personas.officer_a)
    before = _queries(client, api("visit_detail", small.pk))
    for n in range(4):
        services.device_add(visit=small, device_type="PHONE", what_was_checked=f"Check {n}", by=personas.officer_a)
    assert _queries(client, api("visit_detail", small.pk)) == before
