"""Shared steps for the visit tests: plan a visit with two officers and record it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from caseload.models import RSO
from mosovo.accounts.models import User
from tests.factories import OfficerFactory
from visits import services
from visits.choices import ComplianceResult, Outcome
from visits.models import Visit


def second_officer_for(officer: User) -> User:
    """Return another active officer of the same team (created once per team)."""
    existing = User.objects.filter(team=officer.team, role="OFFICER", is_active=True).exclude(pk=officer.pk).first()
    return existing or OfficerFactory.create(team=officer.team, username=f"partner_{officer.pk}")


def planned_visit(rso: RSO, *, officer: User, when: dt.datetime | None = None) -> Visit:
    return services.visit_plan(
        rso=rso,
        visit_type="SCHEDULED",
        planned_for=when or timezone.now() - dt.timedelta(hours=2),
        lead_officer=officer,
        second_officer=second_officer_for(officer),
        by=officer,
    )


def started_visit(rso: RSO, *, officer: User) -> Visit:
    visit = planned_visit(rso, officer=officer)
    services.safety_assessment_record(
        visit=visit, violence_markers="None known", dogs="Small dog, friendly", reviewed=True, by=officer
    )
    return services.visit_start(visit=visit, by=officer)


def recorded_visit(
    rso: RSO, *, officer: User, outcome: str = Outcome.SEEN, failed: int = 0, occurred_at: Any = None
) -> Visit:
    visit = started_visit(rso, officer=officer)
    checks = list(visit.compliance.all())
    answers = {
        c.pk: (ComplianceResult.NOT_COMPLIED if n < failed else ComplianceResult.COMPLIED, "")
        for n, c in enumerate(checks)
    }
    visit = services.visit_record_save(
        visit=visit,
        version=visit.version,
        by=officer,
        outcome=outcome,
        occurred_at=occurred_at or timezone.now() - dt.timedelta(hours=1),
        people_present="The person only.",
        compliance=answers,
    )
    return services.visit_complete(visit=visit, version=visit.version, by=officer)
