"""Visits: safety first, two officers, the record, compliance, devices, the next visit due,
and reactive management (issue 6). Bad input is refused with a clear message and nothing
is saved."""

from __future__ import annotations

import datetime as dt

import pgtrigger
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from caseload.models import RSO, CivilOrder, Prohibition, SignificantChangeEvent
from caseload.policy import add_months
from caseload.services import change_event_record, rso_set_management_model
from tests.arms.kit import approved_plan
from tests.conftest import Casework, Personas
from tests.factories import OfficerFactory
from tests.visits.kit import planned_visit, recorded_visit, second_officer_for, started_visit
from visits import services
from visits.choices import Outcome, VisitStatus
from visits.models import DeviceExamination, Visit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_visit_cannot_start_without_the_safety_assessment(personas: Personas, casework: Casework) -> None:
    visit = planned_visit(casework.rso_a, officer=personas.officer_a)
    with pytest.raises(ValidationError, match="safety assessment"):
        services.visit_start(visit=visit, by=personas.officer_a)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert not visit.compliance.exists()


def test_the_safety_assessment_is_carried_forward_to_the_next_visit(personas: Personas, casework: Casework) -> None:
    first = recorded_visit(casework.rso_a, officer=personas.officer_a)
    second = planned_visit(casework.rso_a, officer=personas.officer_a)
    assert services.previous_safety(casework.rso_a, excluding=second) == first.safety
    safety = services.safety_assessment_record(visit=second, dogs="Now two dogs", reviewed=True, by=personas.officer_a)
    assert safety.carried_forward_from == first.safety


def test_the_hazards_must_be_confirmed_as_reviewed(personas: Personas, casework: Casework) -> None:
    visit = planned_visit(casework.rso_a, officer=personas.officer_a)
    with pytest.raises(ValidationError) as refused:
        services.safety_assessment_record(visit=visit, reviewed=False, by=personas.officer_a)
    assert "reviewed" in refused.value.message_dict


def test_a_second_officer_from_another_team_is_refused(personas: Personas, casework: Casework) -> None:
    with pytest.raises(ValidationError) as refused:
        services.visit_plan(
            rso=casework.rso_a,
            visit_type="SCHEDULED",
            planned_for=timezone.now(),
            lead_officer=personas.officer_a,
            second_officer=personas.officer_b,
            by=personas.officer_a,
        )
    assert "same team" in refused.value.message_dict["second_officer"][0]
    assert not Visit.objects.exists()


def test_one_officer_needs_a_reason_and_the_sergeants_approval(personas: Personas, casework: Casework) -> None:
    with pytest.raises(ValidationError) as refused:
        services.visit_plan(
            rso=casework.rso_a,
            visit_type="SCHEDULED",
            planned_for=timezone.now(),
            lead_officer=personas.officer_a,
            by=personas.officer_a,
        )
    assert "single_officer_reason" in refused.value.message_dict
    visit = services.visit_plan(
        rso=casework.rso_a,
        visit_type="ADDRESS_CHECK",
        planned_for=timezone.now(),
        lead_officer=personas.officer_a,
        single_officer_reason="Address check only; partner on leave.",
        by=personas.officer_a,
    )
    services.safety_assessment_record(visit=visit, reviewed=True, by=personas.officer_a)
    with pytest.raises(ValidationError, match="sergeant approves"):
        services.visit_start(visit=visit, by=personas.officer_a)
    with pytest.raises(ValidationError):
        services.visit_single_officer_approve(visit=visit, by=personas.officer_a)
    services.visit_single_officer_approve(visit=visit, by=personas.sergeant_a)
    assert services.visit_start(visit=visit, by=personas.officer_a).status == VisitStatus.STARTED


def test_an_outcome_in_the_future_is_refused(personas: Personas, casework: Casework) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    with pytest.raises(ValidationError) as refused:
        services.visit_record_save(
            visit=visit,
            version=visit.version,
            by=personas.officer_a,
            outcome=Outcome.SEEN,
            occurred_at=timezone.now() + dt.timedelta(hours=3),
        )
    assert "future" in refused.value.message_dict["occurred_at"][0]
    visit.refresh_from_db()
    assert visit.outcome == ""


def test_a_seized_device_needs_an_exhibit_reference(personas: Personas, casework: Casework) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    with pytest.raises(ValidationError) as refused:
        services.device_add(
            visit=visit, device_type="PHONE", what_was_checked="Browser history", seized=True, by=personas.officer_a
        )
    assert "exhibit" in refused.value.message_dict["exhibit_reference"][0]
    assert not DeviceExamination.objects.exists()
    device = services.device_add(
        visit=visit,
        device_type="PHONE",
        what_was_checked="Browser history",
        tool_used="Kiosk",
        seized=True,
        exhibit_reference="JS/1",
        by=personas.officer_a,
    )
    assert device.exhibit_reference == "JS/1"


def test_the_checklist_has_the_requirements_and_each_prohibition_in_force(
    personas: Personas, casework: Casework
) -> None:
    order = CivilOrder.objects.create(
        rso=casework.rso_a, order_type="SHPO", court="Eastmere Crown Court", made_on=TODAY
    )
    Prohibition.objects.create(order=order, text="No unsupervised contact with children under 16", starts_on=TODAY)
    Prohibition.objects.create(
        order=order,
        text="Ended prohibition",
        starts_on=TODAY - dt.timedelta(days=400),
        ends_on=TODAY - dt.timedelta(days=1),
    )
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    labels = [c.label for c in visit.compliance.all()]
    assert "Lives at the notified home address" in labels
    assert any("No unsupervised contact with children under 16" in label for label in labels)
    assert not any("Ended prohibition" in label for label in labels)


def test_a_failed_check_and_not_resident_each_raise_a_significant_change(
    personas: Personas, casework: Casework
) -> None:
    recorded_visit(casework.rso_a, officer=personas.officer_a, failed=1)
    event = SignificantChangeEvent.objects.get(rso=casework.rso_a)
    assert event.event_type == "BREACH"
    assert "Lives at the notified home address" in event.note
    recorded_visit(casework.rso_a, officer=personas.officer_a, outcome=Outcome.NOT_RESIDENT)
    assert SignificantChangeEvent.objects.filter(rso=casework.rso_a, event_type="NOT_RESIDENT").exists()
    casework.rso_a.refresh_from_db()
    assert casework.rso_a.arms_change_review_due_on == TODAY + dt.timedelta(days=28)


def test_seen_needs_every_check_answered(personas: Personas, casework: Casework) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    visit = services.visit_record_save(
        visit=visit,
        version=visit.version,
        by=personas.officer_a,
        outcome=Outcome.SEEN,
        occurred_at=timezone.now() - dt.timedelta(minutes=5),
    )
    with pytest.raises(ValidationError) as refused:
        services.visit_complete(visit=visit, version=visit.version, by=personas.officer_a)
    assert "compliance" in refused.value.message_dict


def test_a_draft_keeps_what_was_entered_and_a_stale_save_is_refused(personas: Personas, casework: Casework) -> None:
    visit = started_visit(casework.rso_a, officer=personas.officer_a)
    saved = services.visit_record_save(
        visit=visit, version=visit.version, by=personas.officer_a, people_present="Him and his mother"
    )
    with pytest.raises(services.Conflict):
        services.visit_record_save(visit=visit, version=visit.version, by=personas.officer_a, people_present="x")
    saved.refresh_from_db()
    assert saved.people_present == "Him and his mother"
    assert saved.status == VisitStatus.STARTED


def test_the_next_visit_is_due_by_policy_then_by_the_plan(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a  # LOW risk: every 12 months by policy
    recorded_visit(rso, officer=personas.officer_a)
    rso.refresh_from_db()
    assert rso.last_visit_on == TODAY
    assert rso.next_visit_due_on == add_months(TODAY, 12)
    plan = approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a)
    assert plan.visit_interval_months == 6  # the kit approves a MEDIUM assessment: 6 months
    rso.refresh_from_db()
    assert rso.next_visit_due_on == add_months(TODAY, 6)


def test_a_visit_where_the_person_was_not_seen_does_not_move_the_due_date(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    recorded_visit(rso, officer=personas.officer_a, outcome=Outcome.NO_REPLY)
    rso.refresh_from_db()
    assert rso.last_visit_on is None
    assert rso.next_visit_due_on == timezone.localtime(rso.created_at).date()


# --- Reactive management --------------------------------------------------------------


def backdate_low_history(rso: RSO, years: int) -> None:
    """Make the record's history say it has been LOW since ``years`` years ago."""
    events = RSO.pgh_event_model.objects.filter(pgh_obj_id=rso.pk)  # type: ignore[attr-defined]
    with pgtrigger.ignore("caseload.RSOEvent:append_only"):  # history is append-only; a test rewinds it
        events.filter(pgh_id=events.order_by("pgh_id").values("pgh_id")[:1]).update(
            pgh_created_at=timezone.now() - dt.timedelta(days=365 * years + 2)
        )


def test_a_case_low_for_three_years_may_go_reactive_and_has_no_routine_visit(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    backdate_low_history(rso, 3)
    rso = rso_set_management_model(rso=rso, management_model="REACTIVE", reason="Stable.", by=personas.sergeant_a)
    assert rso.management_model == "REACTIVE"
    assert rso.next_visit_due_on is None


def test_a_case_that_does_not_qualify_is_refused_with_every_reason(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    RSO.objects.filter(pk=rso.pk).update(risk_level="MEDIUM")
    rso.refresh_from_db()
    change_event_record(rso=rso, event_type="ADDRESS", occurred_on=TODAY, source="Notification", by=personas.officer_a)
    with pytest.raises(ValidationError) as refused:
        rso_set_management_model(rso=rso, management_model="REACTIVE", reason="Stable.", by=personas.sergeant_a)
    reasons = refused.value.message_dict["management_model"]
    assert any("not low" in r for r in reasons)
    assert any("significant change" in r for r in reasons)
    rso.refresh_from_db()
    assert rso.management_model == "ACTIVE"


def test_only_the_sergeant_moves_a_case_to_reactive(personas: Personas, casework: Casework) -> None:
    backdate_low_history(casework.rso_a, 4)
    with pytest.raises(ValidationError, match="sergeant"):
        rso_set_management_model(
            rso=casework.rso_a, management_model="REACTIVE", reason="Stable.", by=personas.officer_a
        )


def test_a_significant_change_returns_a_reactive_case_to_active(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    backdate_low_history(rso, 3)
    rso_set_management_model(rso=rso, management_model="REACTIVE", reason="Stable.", by=personas.sergeant_a)
    change_event_record(rso=rso, event_type="INTELLIGENCE", occurred_on=TODAY, source="Intel", by=personas.officer_a)
    rso.refresh_from_db()
    assert rso.management_model == "ACTIVE"
    assert rso.next_visit_due_on is not None
    assert rso.arms_change_review_due_on == TODAY + dt.timedelta(days=28)


@override_settings(MOSOVO_POLICY={"REACTIVE_ELIGIBLE_AFTER_YEARS": 5})
def test_the_reactive_qualifying_years_are_policy(personas: Personas, casework: Casework) -> None:
    backdate_low_history(casework.rso_a, 4)
    with pytest.raises(ValidationError, match="5 years"):
        rso_set_management_model(
            rso=casework.rso_a, management_model="REACTIVE", reason="Stable.", by=personas.sergeant_a
        )


def test_second_officer_helper_makes_a_team_mate(personas: Personas) -> None:
    partner = second_officer_for(personas.officer_a)
    assert partner.team_id == personas.officer_a.team_id
    assert partner.pk != personas.officer_a.pk
    assert OfficerFactory._meta.model.objects.filter(pk=partner.pk).exists()
