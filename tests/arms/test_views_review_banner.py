"""The record shows "ARMS review due by <date>" after a significant change, on every tab,
until an assessment that took the change into account is approved (issue 5, item 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from caseload.services import change_event_record
from tests.arms.kit import approved_assessment
from tests.conftest import Casework, Personas

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_change_shows_the_review_due_date_until_an_assessment_is_approved(
    personas: Personas, casework: Casework, client_for: Any
) -> None:
    rso = casework.rso_a
    change_event_record(rso=rso, event_type="ADDRESS", occurred_on=TODAY, source="Notification", by=personas.officer_a)
    due = date_format(TODAY + dt.timedelta(days=28), "j F Y")
    client = client_for(personas.officer_a)
    for url_name in ("caseload:rso_detail", "caseload:rso_changes", "caseload:rso_risk"):
        page = client.get(reverse(url_name, args=[rso.pk])).content.decode()
        assert f"ARMS review due by {due}" in page, url_name

    approved_assessment(rso, officer=personas.officer_a, sergeant=personas.sergeant_a)

    page = client.get(reverse("caseload:rso_detail", args=[rso.pk])).content.decode()
    assert 'id="arms-review-banner"' not in page
    assert "Routine ARMS review due by" in page


def test_an_overdue_review_is_marked_overdue(personas: Personas, casework: Casework, client_for: Any) -> None:
    rso = casework.rso_a
    change_event_record(
        rso=rso, event_type="ARREST", occurred_on=TODAY - dt.timedelta(days=40), source="Custody", by=personas.officer_a
    )
    page = client_for(personas.sergeant_a).get(reverse("caseload:rso_detail", args=[rso.pk])).content.decode()
    banner = page[page.index('id="arms-review-banner"') :][:600]
    assert "Overdue" in banner
