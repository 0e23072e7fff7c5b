"""Demo visits: consistent with what the services would have written, and idempotent.

A small team keeps it quick; ``manage.py seed_demo`` runs the same seeder for the full
demo caseload.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caseload.choices import RiskLevel
from caseload.models import RSO, SignificantChangeEvent
from mosovo.accounts.demo import demo_seeders
from tests import factories
from tests.conftest import Personas
from tests.visits.kit import second_officer_for
from visits import services
from visits.choices import ComplianceResult, Outcome, VisitStatus
from visits.demo import seed_demo_visits
from visits.models import ComplianceCheck, SafetyAssessment, Visit

pytestmark = pytest.mark.django_db

# Low risk first, so the 20% rule holds after every insert (the database checks it).
LEVELS = [RiskLevel.LOW] * 14 + [RiskLevel.MEDIUM] * 7 + [RiskLevel.HIGH] * 3


@pytest.fixture
def demo_team(personas: Personas) -> list[RSO]:
    second_officer_for(personas.officer_a)
    return [
        factories.RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, risk_level=level)
        for level in LEVELS
    ]


def test_the_visits_seeder_runs_after_caseload_and_arms() -> None:
    names = [name for name, _ in demo_seeders()]
    assert names.index("caseload") < names.index("arms") < names.index("visits")


def test_people_get_a_visit_history_plans_and_a_few_reactive_cases_as_the_services_would_leave_them(
    personas: Personas, demo_team: list[RSO]
) -> None:
    summary = seed_demo_visits()

    assert "past visits" in summary
    now = timezone.now()
    today = timezone.localdate()
    recorded = Visit.objects.filter(status=VisitStatus.RECORDED)
    assert recorded.count() > len(demo_team)
    outcomes = list(recorded.values_list("outcome", flat=True))
    assert outcomes.count(Outcome.SEEN) > 0.75 * len(outcomes)
    assert Outcome.NO_REPLY in outcomes
    assert outcomes.count(Outcome.NOT_RESIDENT) == 1  # with its significant change
    assert SignificantChangeEvent.objects.filter(event_type="NOT_RESIDENT").count() == 1
    for visit in recorded.select_related("safety"):
        assert visit.occurred_at is not None
        assert visit.occurred_at < now
        assert visit.occurred_at > now - dt.timedelta(days=735)
        assert visit.second_officer_id is not None
        assert visit.second_officer_id != visit.lead_officer_id
        assert visit.created_at <= visit.occurred_at
        assert visit.safety.updated_at <= visit.occurred_at
        checks = list(ComplianceCheck.objects.filter(visit=visit))
        assert len(checks) >= 6
        if visit.outcome == Outcome.SEEN:
            assert {c.result for c in checks} == {ComplianceResult.COMPLIED}
            assert services.visit_problems(visit) == {}
    assert SafetyAssessment.objects.filter(carried_forward_from__isnull=False).exists()

    # Due dates as the schedule computes them: most in the future, some overdue.
    visited = RSO.objects.filter(pk__in=[r.pk for r in demo_team], last_visit_on__isnull=False)
    assert visited.count() >= 0.7 * len(demo_team)
    for rso in visited:
        before = (rso.last_visit_on, rso.next_visit_due_on)
        services.rso_visit_schedule(rso=rso)
        rso.refresh_from_db()
        assert (rso.last_visit_on, rso.next_visit_due_on) == before
    due = [r.next_visit_due_on for r in visited if r.next_visit_due_on is not None]
    assert sum(d >= today for d in due) > len(due) / 2

    reactive = RSO.objects.filter(pk__in=[r.pk for r in demo_team], management_model="REACTIVE")
    assert reactive.count() == 2
    assert all(r.risk_level == RiskLevel.LOW and r.next_visit_due_on is None for r in reactive)

    planned = Visit.objects.filter(status=VisitStatus.PLANNED)
    assert planned.exists()
    for visit in planned:
        assert now < visit.planned_for <= now + dt.timedelta(days=29)
        assert visit.rso.management_model == "ACTIVE"
    awaiting = planned.filter(second_officer__isnull=True, single_officer_approved_by__isnull=True)
    assert awaiting.count() == 2


def test_seeding_twice_adds_nothing(personas: Personas, demo_team: list[RSO]) -> None:
    seed_demo_visits()
    count = Visit.objects.count()

    assert seed_demo_visits() == "demo visits already present"

    assert Visit.objects.count() == count
