"""A sergeant's home page lists the team's ARMS submissions awaiting approval, oldest first."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arms import services
from tests.arms.kit import approved_assessment, fill_assessment
from tests.conftest import Casework, Personas
from tests.factories import RSOFactory

pytestmark = pytest.mark.django_db


def submit_for(rso: Any, officer: Any) -> Any:
    assessment = fill_assessment(services.assessment_start(rso=rso, by=officer), by=officer)
    return services.assessment_submit(assessment=assessment, version=assessment.version, by=officer)


def test_the_sergeant_sees_submissions_awaiting_approval_with_a_link_to_review(
    personas: Personas, casework: Casework, client_for: Any
) -> None:
    submitted = submit_for(casework.rso_a, personas.officer_a)
    page = client_for(personas.sergeant_a).get(reverse("home")).content.decode()
    assert "Awaiting your approval" in page
    assert reverse("arms:assessment_review", args=[submitted.pk]) in page
    officer_page = client_for(personas.officer_a).get(reverse("home")).content.decode()
    assert "Awaiting your approval" not in officer_page


def test_nothing_awaiting_shows_no_section(personas: Personas, casework: Casework, client_for: Any) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    page = client_for(personas.sergeant_a).get(reverse("home")).content.decode()
    assert "Awaiting your approval" not in page


def test_the_home_page_queries_do_not_grow_with_the_submissions(
    personas: Personas, casework: Casework, client_for: Any
) -> None:
    client = client_for(personas.sergeant_a)
    submit_for(casework.rso_a, personas.officer_a)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for _ in range(4):
        submit_for(RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a), personas.officer_a)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("home"))
    # Session, user, device, grants, overrides, then one query each for the assessments
    # and the plans awaiting approval, whatever their number.
    assert len(five) == len(one)
