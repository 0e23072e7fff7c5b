"""Benchmark: the team dashboard of a team of 15 officers with 750 RSOs (issue 8: renders
in under 300 ms).

Not a timed test: `make bench ARGS=tests/supervision/test_bench_dashboard.py` runs it and
reports the figures (docs/benchmarks.md).

The data: 15 officers with 50 open cases each (about 12% HIGH, 4% VERY_HIGH, every
officer within the 20% rule but one, over it under an override), 10 unallocated cases,
MAPPA levels on a quarter; late home visits (8%), ARMS reviews (4%) and annual
notifications (3%) swept by the deadline engine; 20 ARMS assessments submitted; a
supervision session for most officers; 40 completed plan audits over the last year;
each officer's six courses, some expired or expiring. What is timed is the whole request
as the sergeant's browser makes it (middleware, the page's queries, the three charts,
the template, the audit event), after one warm-up request.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arms.choices import Status
from arms.models import Assessment, FactorCatalogue
from caseload import services as caseload_services
from caseload.choices import RiskLevel
from caseload.models import RSO
from mosovo.accounts.choices import TrainingCourse
from mosovo.accounts.models import TrainingRecord, User
from supervision.models import SupervisionSession
from tests.conftest import Personas, verified_login
from tests.factories import OfficerFactory, SergeantFactory, TeamFactory
from tests.supervision.audit_kit import audit_of, plan_for

pytestmark = [pytest.mark.django_db, pytest.mark.benchmark]

OFFICERS = 15
CASES_PER_OFFICER = 50
ROUNDS = 20


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _team_of_15(personas: Personas) -> tuple[User, list[User]]:
    rng = random.Random(8)
    team = TeamFactory.create(force=personas.force, name="Bench team")
    sergeant = SergeantFactory.create(team=team, username="bench-sergeant")
    officers = [OfficerFactory.create(team=team, username=f"bench-{n}") for n in range(OFFICERS)]
    lows: list[RSO] = []
    highs: list[RSO] = []
    number = 0
    for officer in officers:
        for j in range(CASES_PER_OFFICER):
            number += 1
            # Every officer within 20% (8 of 50 high), the high ones made after the rest
            # so the database's backstop holds row by row.
            level = (
                RiskLevel.VERY_HIGH
                if j in (10, 30)
                else RiskLevel.HIGH
                if j % 8 == 1 and j < 48
                else rng.choice([RiskLevel.LOW, RiskLevel.LOW, RiskLevel.MEDIUM])
            )
            rso = RSO(
                family_name=f"Bench{number}",
                given_names="Test",
                date_of_birth=dt.date(1970, 1, 1),
                visor_reference=f"VS-BENCH-{number:05d}",
                team=team,
                allocated_officer=officer,
                risk_level=level,
                mappa_level=rng.choice([None, None, None, 1, 2, 3]),
                next_visit_due_on=_days(rng.randint(-20, 120) if rng.random() < 0.08 else rng.randint(1, 180)),
                arms_review_due_on=_days(rng.randint(-30, -1) if rng.random() < 0.04 else rng.randint(1, 300)),
                next_annual_notification_due=_days(
                    rng.randint(-10, -1) if rng.random() < 0.03 else rng.randint(1, 365)
                ),
            )
            (highs if level in (RiskLevel.HIGH, RiskLevel.VERY_HIGH) else lows).append(rso)
    unallocated = [
        RSO(
            family_name=f"Bench-u{n}",
            given_names="Test",
            date_of_birth=dt.date(1970, 1, 1),
            visor_reference=f"VS-BENCH-U{n:03d}",
            team=team,
            risk_level=RiskLevel.MEDIUM,
        )
        for n in range(10)
    ]
    RSO.objects.bulk_create(lows + unallocated)
    RSO.objects.bulk_create(highs)
    # One officer over the rule, under the sergeant's override.
    first_low = RSO.objects.filter(allocated_officer=officers[0], risk_level=RiskLevel.LOW).order_by("pk")
    for rso in list(first_low[:3]):
        caseload_services.rso_change_risk_level(
            rso=rso, risk_level=RiskLevel.HIGH, reason="Intelligence", by=sergeant, override_reason="Short-staffed"
        )
    catalogue = FactorCatalogue.objects.order_by("-version").first()
    assert catalogue is not None
    for rso in RSO.objects.filter(team=team, risk_level=RiskLevel.MEDIUM, allocated_officer__isnull=False)[:20]:
        assert rso.allocated_officer is not None
        Assessment.objects.create(
            rso=rso,
            catalogue=catalogue,
            created_by=rso.allocated_officer,
            status=Status.SUBMITTED,
            submitted_by=rso.allocated_officer,
            submitted_at=timezone.now(),
        )
    for n, officer in enumerate(officers):
        if n % 5:
            SupervisionSession.objects.create(
                team=team, sergeant=sergeant, officer=officer, held_on=_days(-rng.randint(5, 90))
            )
        for course in TrainingCourse:
            TrainingRecord.objects.create(
                user=officer,
                course=course,
                completed_on=_days(-rng.randint(200, 900)),
                expires_on=_days(rng.randint(-30, 700)),
            )
    audited = RSO.objects.filter(team=team, allocated_officer__isnull=False).exclude(risk_level=RiskLevel.MEDIUM)
    for rso in audited.order_by("?")[:40]:  # not the cases with an assessment submitted
        audit_of(
            plan_for(rso, by=sergeant),
            sergeant=sergeant,
            completed=True,
            score=rng.randint(0, 2),
            completed_at=timezone.now() - dt.timedelta(days=rng.randint(0, 360)),
        )
    caseload_services.deadlines_sweep()
    return sergeant, officers


def test_bench_team_dashboard_of_15_officers_and_750_rsos(benchmark: Any, personas: Personas) -> None:
    sergeant, officers = _team_of_15(personas)
    assert RSO.objects.filter(team=sergeant.team, allocated_officer__in=officers).count() == 750
    client = verified_login(Client(), sergeant)
    url = reverse("supervision:dashboard")

    def render() -> Any:
        return client.get(url)

    answer = benchmark.pedantic(render, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.count('class="govuk-table__row" id="officer-') == OFFICERS
    assert "Over 20%" in html
