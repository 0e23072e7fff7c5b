"""Benchmark: the PDF of an approved plan of 40 actions (issue 5: under 2 seconds).

Not a timed test: `make bench` runs it and reports the figures.
"""

from __future__ import annotations

from typing import Any

import pytest

from arms import plan_views, services
from arms.models import Plan
from tests.arms.kit import approved_plan
from tests.conftest import Casework, Personas

pytestmark = [pytest.mark.django_db, pytest.mark.benchmark]


def test_bench_pdf_of_an_approved_plan_of_40_actions(benchmark: Any, personas: Personas, casework: Casework) -> None:
    plan = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=40)
    plan = Plan.objects.select_related("rso__team__force", "rso__allocated_officer", "assessment__approved_by").get(
        pk=plan.pk
    )
    reason = "For the MAPPA meeting."

    def export() -> bytes:
        # What the page does on a valid POST: read the plan, render, write the disclosure.
        return services.plan_export_pdf(
            plan=plan,
            reason=reason,
            recipient="Probation Service, Jo Bloggs",
            by=personas.sergeant_a,
            context=plan_views.pdf_context(plan, reason=reason),
        )

    data = benchmark.pedantic(export, rounds=5, iterations=1, warmup_rounds=1)
    assert data.startswith(b"%PDF-")
