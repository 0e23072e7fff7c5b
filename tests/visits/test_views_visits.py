"""The visit pages: the record's Visits tab, planning, the safety assessment, starting,
the record (draft and completion), devices, the sergeant's approval and cancelling.

Who may do what (the team writes, an inspector reads, another team gets 404 without a
trace of the record), what bad input gets back, the whole journey through the pages, and
the Visits tab's query count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arms.models import Factor
from arms.services import catalogue_current
from caseload.models import RSO, SignificantChangeEvent
from mosovo.accounts.models import User
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.visits.kit import planned_visit, second_officer_for, started_visit
from visits import services
from visits.choices import ComplianceResult, Outcome, VisitStatus
from visits.models import DeviceExamination, Visit

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def body(response: Any) -> str:
    return str(response.content.decode())


def visit_urls(visit: Visit, device: DeviceExamination | None = None) -> dict[str, str]:
    """Every visit page about this visit, by URL name."""
    urls = {
        "rso_visits": reverse("visits:rso_visits", args=[visit.rso_id]),
        "visit_plan": reverse("visits:visit_plan", args=[visit.rso_id]),
        "visit_detail": reverse("visits:visit_detail", args=[visit.pk]),
        "visit_safety": reverse("visits:visit_safety", args=[visit.pk]),
        "visit_start": reverse("visits:visit_start", args=[visit.pk]),
        "visit_record": reverse("visits:visit_record", args=[visit.pk]),
        "device_add": reverse("visits:device_add", args=[visit.pk]),
        "visit_approve_single": reverse("visits:visit_approve_single", args=[visit.pk]),
        "visit_cancel": reverse("visits:visit_cancel", args=[visit.pk]),
    }
    if device is not None:
        urls["device_remove"] = reverse("visits:device_remove", args=[visit.pk, device.pk])
    return urls


GET_PAGES = ["rso_visits", "visit_plan", "visit_detail", "visit_safety", "visit_record", "device_add", "visit_cancel"]
READ_PAGES = ["rso_visits", "visit_detail"]


def a_device(visit: Visit, by: User) -> DeviceExamination:
    return services.device_add(visit=visit, device_type="PHONE", what_was_checked="Call log and photos", by=by)


# --- Who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "sergeant_a"])
def test_the_team_opens_every_visit_page(personas: Personas, casework: Casework, who: str) -> None:
    user = getattr(personas, who)
    started = started_visit(casework.rso_a, officer=personas.officer_a)
    planned = planned_visit(casework.rso_a, officer=personas.officer_a)
    client = signed_in(user)
    for name in GET_PAGES:
        visit = planned if name in ("visit_cancel",) else started
        response = client.get(visit_urls(visit)[name])
        assert response.status_code == 200, name
    tab = body(client.get(visit_urls(started)["rso_visits"]))
    assert "Plan a visit" in tab
    assert "Next visit due" in tab


def test_another_teams_officer_gets_404_and_no_trace_on_every_visit_url(personas: Personas, casework: Casework) -> None:
    officer_b = personas.officer_b
    visit = started_visit(casework.rso_b, officer=officer_b)
    services.visit_record_save(visit=visit, version=visit.version, by=officer_b, people_present=f"Someone {CANARY}")
    device = a_device(visit, officer_b)
    client = signed_in(personas.officer_a)
    for name, url in visit_urls(visit, device).items():
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"reason": "x", "complete": "1"})
            assert response.status_code in (404, 405), (name, method)
            assert CANARY not in body(response), (name, method)
    assert DeviceExamination.objects.filter(pk=device.pk).exists()
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.STARTED


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_admins_and_auditors_see_no_visits(personas: Personas, casework: Casework, who: str) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    client = signed_in(getattr(personas, who))
    for name in READ_PAGES:
        assert client.get(visit_urls(visit)[name]).status_code == 404


def test_an_inspector_reads_visits_but_cannot_change_them(personas: Personas, casework: Casework) -> None:
    started = started_visit(casework.rso_a, officer=personas.officer_a)
    planned = planned_visit(casework.rso_a, officer=personas.officer_a)
    device = a_device(started, personas.officer_a)
    client = signed_in(personas.inspector)
    for name in READ_PAGES:
        response = client.get(visit_urls(started)[name])
        assert response.status_code == 200
        assert "Plan a visit" not in body(response)
        assert "Continue the record" not in body(response)
    for name, url in visit_urls(started, device).items():
        if name in READ_PAGES:
            continue
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, {"reason": "x"}).status_code == 404, name
    for name in ("visit_start", "visit_cancel", "visit_safety"):
        assert client.post(visit_urls(planned)[name], {"reason": "x", "reviewed": "on"}).status_code == 404
    assert Visit.objects.get(pk=planned.pk).status == VisitStatus.PLANNED
    assert DeviceExamination.objects.filter(pk=device.pk).exists()


# --- Bad input -------------------------------------------------------------------------


def test_starting_without_the_safety_assessment_is_refused_on_the_visit_page(
    personas: Personas, casework: Casework
) -> None:
    visit = planned_visit(casework.rso_a, officer=personas.officer_a)
    response = signed_in(personas.officer_a).post(visit_urls(visit)["visit_start"])
    assert response.status_code == 400
    assert "safety assessment before the visit starts" in body(response)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert not visit.compliance.exists()


def test_a_second_officer_from_another_team_is_a_field_error(personas: Personas, casework: Casework) -> None:
    client = signed_in(personas.officer_a)
    url = reverse("visits:visit_plan", args=[casework.rso_a.pk])
    assert personas.officer_b.display_name not in body(client.get(url))
    response = client.post(
        url,
        {
            "visit_type": "SCHEDULED",
            "planned_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "planned_at": "10:30",
            "lead_officer": str(personas.officer_a.pk),
            "second_officer": str(personas.officer_b.pk),
        },
    )
    assert response.status_code == 400
    assert "must be an offender manager or sergeant of the same team" in body(response)
    assert 'href="#id_second_officer"' in body(response)
    assert not Visit.objects.exists()


def record_data(visit: Visit, **overrides: Any) -> dict[str, str]:
    visit.refresh_from_db()
    return {"version": str(visit.version), "people_present": "The person and his brother."} | overrides


def test_an_outcome_in_the_future_is_refused_and_nothing_saved(personas: Personas, casework: Casework) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = signed_in(personas.officer_a).post(
        visit_urls(visit)["visit_record"],
        record_data(visit, outcome="SEEN", occurred_on=tomorrow.isoformat(), occurred_time="10:00", save="1"),
    )
    assert response.status_code == 400
    assert "cannot have taken place in the future" in body(response)
    assert "The person and his brother." in body(response)  # what was typed is kept
    visit.refresh_from_db()
    assert (visit.outcome, visit.occurred_at, visit.people_present) == ("", None, "")


def test_a_seized_device_needs_its_exhibit_reference(personas: Personas, casework: Casework) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    response = signed_in(personas.officer_a).post(
        visit_urls(visit)["device_add"], {"device_type": "PHONE", "what_was_checked": "Photos", "seized": "on"}
    )
    assert response.status_code == 400
    assert "needs its exhibit reference" in body(response)
    assert 'href="#id_exhibit_reference"' in body(response)
    assert not DeviceExamination.objects.exists()


def test_a_stale_draft_is_refused_and_nothing_overwritten(personas: Personas, casework: Casework) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    stale = record_data(visit, people_present="Mine", save="1")
    services.visit_record_save(visit=visit, version=visit.version, by=personas.sergeant_a, people_present="Theirs")
    response = signed_in(personas.officer_a).post(visit_urls(visit)["visit_record"], stale)
    assert response.status_code == 409
    assert "Nothing was saved" in body(response)
    visit.refresh_from_db()
    assert visit.people_present == "Theirs"


def test_the_sergeant_approves_a_single_officer_visit_and_it_can_start(personas: Personas, casework: Casework) -> None:
    visit = services.visit_plan(
        rso=casework.rso_a,
        visit_type="ADDRESS_CHECK",
        planned_for=timezone.now(),
        lead_officer=personas.officer_a,
        single_officer_reason="Quick address check",
        by=personas.officer_a,
    )
    services.safety_assessment_record(visit=visit, reviewed=True, by=personas.officer_a)
    officer = signed_in(personas.officer_a)
    refused = officer.post(visit_urls(visit)["visit_start"])
    assert refused.status_code == 400
    assert "until a sergeant approves it" in body(refused)
    assert officer.post(visit_urls(visit)["visit_approve_single"]).status_code == 404
    signed_in(personas.sergeant_a).post(visit_urls(visit)["visit_approve_single"])
    assert officer.post(visit_urls(visit)["visit_start"]).status_code == 302
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.STARTED


def test_cancelling_needs_a_reason(personas: Personas, casework: Casework) -> None:
    visit = planned_visit(casework.rso_a, officer=personas.officer_a)
    client = signed_in(personas.officer_a)
    assert client.post(visit_urls(visit)["visit_cancel"], {"reason": ""}).status_code == 400
    assert client.post(visit_urls(visit)["visit_cancel"], {"reason": "He is in hospital"}).status_code == 302
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.CANCELLED


# --- The journey -----------------------------------------------------------------------


def test_plan_safety_start_draft_and_complete_with_a_failed_check_through_the_pages(
    personas: Personas, casework: Casework
) -> None:
    officer = personas.officer_a
    partner = second_officer_for(officer)
    client = signed_in(officer)
    rso = casework.rso_a
    today = timezone.localdate()

    response = client.post(
        reverse("visits:visit_plan", args=[rso.pk]),
        {
            "visit_type": "SCHEDULED",
            "planned_on": today.isoformat(),
            "planned_at": "00:01",
            "lead_officer": str(officer.pk),
            "second_officer": str(partner.pk),
        },
    )
    visit = Visit.objects.get(rso=rso)
    assert response["Location"] == reverse("visits:visit_detail", args=[visit.pk])
    urls = visit_urls(visit)

    safety_page = client.get(urls["visit_safety"])
    assert "I have read and reviewed the known hazards" in body(safety_page)
    missing = client.post(urls["visit_safety"], {"dogs": "Large dog"})
    assert missing.status_code == 400
    assert client.post(urls["visit_safety"], {"dogs": "Large dog", "reviewed": "on"}).status_code == 302
    assert "Last updated" in body(client.get(urls["visit_safety"]))

    assert client.post(urls["visit_start"])["Location"] == urls["visit_record"]
    visit.refresh_from_db()
    checks = list(visit.compliance.all())
    factor = Factor.objects.filter(catalogue=catalogue_current()).first()
    assert factor is not None
    answers: dict[str, str] = {f"check_{c.pk}": ComplianceResult.COMPLIED for c in checks}
    answers[f"check_{checks[0].pk}"] = ComplianceResult.NOT_COMPLIED
    answers[f"check_{checks[0].pk}_note"] = "Living elsewhere most nights"
    draft = record_data(
        visit,
        outcome=Outcome.SEEN,
        occurred_on=(today - dt.timedelta(days=1)).isoformat(),
        occurred_time="18:05",
        children_present="on",
        **{f"obs_{factor.pk}": "Talked openly about his week."},
        **answers,
        save="1",
    )
    assert client.post(urls["visit_record"], draft).status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.STARTED
    assert visit.observations.get().note == "Talked openly about his week."

    # Completing with the children's note missing: listed, linked to the field, nothing lost.
    visit.refresh_from_db()
    incomplete_data = {**draft, "version": str(visit.version), "complete": "1"}
    incomplete_data.pop("save")
    incomplete = client.post(urls["visit_record"], incomplete_data)
    assert incomplete.status_code == 400
    assert 'href="#id_children_note"' in body(incomplete)
    assert "Talked openly about his week." in body(incomplete)
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.STARTED

    done_data = {**draft, "children_note": "His nephew, visiting with his sister.", "complete": "1"}
    done_data.pop("save")
    done_data["version"] = str(Visit.objects.get(pk=visit.pk).version)
    done = client.post(urls["visit_record"], done_data, follow=True)
    assert done.status_code == 200
    visit.refresh_from_db()
    assert visit.status == VisitStatus.RECORDED
    rso = RSO.objects.get(pk=rso.pk)
    page = body(done)
    assert rso.next_visit_due_on is not None
    assert f"The next visit is due by {rso.next_visit_due_on:%-d %B %Y}" in page
    assert SignificantChangeEvent.objects.filter(rso=rso).exists()
    assert rso.arms_change_review_due_on is not None
    assert (
        f"A significant change was recorded: an ARMS review is due by {rso.arms_change_review_due_on:%-d %B %Y}" in page
    )
    assert "Significant change raised by this visit" in page
    assert f"{rso.next_visit_due_on:%-d %B %Y}" in body(client.get(urls["rso_visits"]))


# --- Query counts ---------------------------------------------------------------------


def queries_for(client: Client, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target)
    assert response.status_code == 200
    return len(queries)


def test_the_visits_tab_costs_the_same_queries_for_1_and_10_visits(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    target = reverse("visits:rso_visits", args=[rso.pk])
    planned_visit(rso, officer=personas.officer_a)
    client.get(target)  # warm the session and the catalogue
    one = queries_for(client, target)
    for n in range(9):
        planned_visit(rso, officer=personas.officer_a, when=timezone.now() + dt.timedelta(days=n + 1))
    # Session and user, the RSO, break-glass checks, the visits with their officers (one
    # query), the current plan for the interval, the audit event: none per visit.
    assert queries_for(client, target) == one
