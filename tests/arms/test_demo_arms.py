"""Demo ARMS work: consistent with what the services would have written, and idempotent.

A small team (twelve RSOs) keeps it quick; ``manage.py seed_demo`` runs the same seeder
for the full demo caseload.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from arms import services
from arms.choices import ActionType, Status
from arms.demo import seed_demo_arms
from arms.models import Assessment, Plan, Review
from caseload import local_policy
from caseload.choices import ChangeEventType, RiskLevel, StaticTool
from caseload.models import RSO, SignificantChangeEvent, StaticRiskScore
from caseload.policy import add_months
from mosovo.accounts.demo import demo_seeders
from tests import factories
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

# Low risk first, so the 20% rule holds after every insert (the database checks it).
LEVELS = [RiskLevel.LOW] * 7 + [RiskLevel.MEDIUM] * 3 + [RiskLevel.HIGH] * 2


@pytest.fixture
def demo_team(personas: Personas) -> list[RSO]:
    today = timezone.localdate()
    rsos = []
    for n, level in enumerate(LEVELS):
        rso = factories.RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, risk_level=level)
        StaticRiskScore.objects.create(
            rso=rso, tool=StaticTool.OSP_C, band=level, assessed_on=today - dt.timedelta(days=40 + 60 * n)
        )
        if n % 4 == 0:
            occurred = today - dt.timedelta(days=10 + 12 * n)
            SignificantChangeEvent.objects.create(
                rso=rso,
                event_type=ChangeEventType.RELATIONSHIP,
                occurred_on=occurred,
                source="Offender manager",
                review_due_on=occurred + dt.timedelta(days=28),
                recorded_by=personas.officer_a,
            )
        rsos.append(rso)
    return rsos


def test_the_arms_seeder_runs_after_the_caseloads() -> None:
    names = [name for name, _ in demo_seeders()]
    assert names.index("caseload") < names.index("arms")


def test_most_people_get_an_approved_assessment_and_plan_as_the_services_would_leave_them(
    personas: Personas, demo_team: list[RSO]
) -> None:
    summary = seed_demo_arms()

    assert "approved assessments" in summary
    today = timezone.localdate()
    approved = Assessment.objects.filter(status=Status.APPROVED).select_related("rso", "static_score")
    people = {a.rso_id for a in approved}
    assert 0.75 <= len(people) / len(demo_team) <= 0.85
    for assessment in approved:
        assert services.assessment_problems(assessment) == {}
        assert assessment.proposed_risk_level == assessment.previous_risk_level == assessment.rso.risk_level
        assert assessment.created_by_id == assessment.submitted_by_id == personas.officer_a.pk
        assert assessment.approved_by_id == personas.sergeant_a.pk
        assert assessment.submitted_at is not None
        assert assessment.approved_at is not None
        assert assessment.created_at < assessment.submitted_at < assessment.approved_at < timezone.now()
        trail = list(assessment.reviews.all())
        assert [r.decision for r in trail][-2:] == ["SUBMITTED", "APPROVED"]
        assert (trail[-2].at, trail[-1].at) == (assessment.submitted_at, assessment.approved_at)
        assert all(assessment.created_at < r.at for r in trail)
        if assessment.static_score is not None:
            assert assessment.static_score.assessed_on <= assessment.submitted_at.date()

    for rso in RSO.objects.filter(pk__in=people):
        latest = services.last_approved_assessment(rso)
        assert latest is not None
        assert latest.approved_at is not None
        months = local_policy.arms_review_interval_months(rso.risk_level, rso.management_model)
        assert rso.arms_last_approved_on == timezone.localdate(latest.approved_at)
        assert rso.arms_review_due_on == add_months(rso.arms_last_approved_on, months)
        assert latest.submitted_at is not None
        considered = timezone.localdate(latest.submitted_at)
        changes = SignificantChangeEvent.objects.filter(rso=rso).values_list("occurred_on", "review_due_on")
        open_changes = [due for occurred, due in changes if occurred > considered]
        assert rso.arms_change_review_due_on == (min(open_changes) if open_changes else None)
    assert RSO.objects.filter(arms_last_approved_on__lt=today - dt.timedelta(days=9)).exists()

    plans = Plan.objects.filter(status=Status.APPROVED).select_related("rso", "assessment")
    assert plans.exists()
    for plan in plans:
        assert services.plan_problems(plan) == {}
        assert plan.assessment.status == Status.APPROVED
        assert plan.assessment.approved_at is not None
        assert plan.submitted_at is not None
        assert plan.assessment.approved_at < plan.created_at < plan.submitted_at
        assert plan.approved_by_id == personas.sergeant_a.pk
        actions = list(plan.actions.all())
        assert 3 <= len(actions) <= 9
        assert {a.action_type for a in actions} & {ActionType.SUPPORT}
        assert all(a.owner and a.description for a in actions)


def test_todays_work_in_progress_goes_through_the_services(personas: Personas, demo_team: list[RSO]) -> None:
    seed_demo_arms()

    submitted = Assessment.objects.filter(status=Status.SUBMITTED)
    assert submitted.count() == 2
    assert Assessment.objects.filter(status=Status.RETURNED).count() == 1
    assert Assessment.objects.filter(status=Status.DRAFT).exists()
    for assessment in submitted:
        assert assessment.prefilled_from is not None
        assert services.assessment_problems(assessment) == {}
        # The sergeant can approve it in the demo without breaking the 20% rule.
        assert assessment.proposed_risk_level == assessment.rso.risk_level
    assert Plan.objects.filter(status=Status.SUBMITTED).count() == 1
    assert Review.objects.filter(decision="RETURNED", assessment__status=Status.RETURNED).exists()


def test_seeding_twice_adds_nothing(personas: Personas, demo_team: list[RSO]) -> None:
    seed_demo_arms()
    counts = (Assessment.objects.count(), Plan.objects.count(), Review.objects.count())

    assert seed_demo_arms() == "demo ARMS work already present"

    assert (Assessment.objects.count(), Plan.objects.count(), Review.objects.count()) == counts
