"""The caseload API: nested reads with computed fields, and writes through the same services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from caseload.choices import Disposal
from caseload.models import RSO, Conviction, NotificationEvent
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.conftest import Casework, Personas


def test_api_records_a_conviction_and_exposes_the_computed_period(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    # An adult on the relevant date (the factory's random birth date could make him a child then).
    RSO.objects.filter(pk=casework.rso_a.pk).update(date_of_birth=dt.date(1980, 4, 2))
    url = reverse("api:rso_convictions", args=[casework.rso_a.pk])
    response = client.post(
        url,
        {"offence": "Voyeurism", "relevant_date": "2021-06-01", "disposal": Disposal.CUSTODY, "custody_months": 18},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["notification_period"] == 120
    assert response.json()["notification_ends_on"] == "2031-05-31"
    detail = client.get(reverse("api:rso_detail", args=[casework.rso_a.pk])).json()
    assert detail["notification_period"] == 120
    assert detail["notification_ends_on"] == "2031-05-31"
    assert AuditEvent.objects.filter(action=Action.COLLECTION, rso_ids=[casework.rso_a.pk]).exists()
    listing = client.get(url).json()
    assert listing["count"] == 1


def test_api_refuses_bad_input_with_field_messages_and_saves_nothing(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    url = reverse("api:rso_convictions", args=[casework.rso_a.pk])
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    for payload, field in (
        ({"offence": "X", "relevant_date": future, "disposal": Disposal.CAUTION}, "relevant_date"),
        ({"offence": "X", "relevant_date": "2020-01-01", "disposal": "BANISHMENT"}, "disposal"),
        ({"offence": "X", "relevant_date": "2020-01-01", "disposal": Disposal.CUSTODY, "custody_months": -4}, None),
        ({"offence": "X", "disposal": Disposal.CAUTION}, "relevant_date"),
        ({"offence": "X", "relevant_date": "2020-01-01", "disposal": Disposal.CAUTION, "team": 3}, "team"),
    ):
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 400, payload
        if field:
            assert field in response.json(), (payload, response.json())
    assert not Conviction.objects.exists()


def test_api_records_a_notification_and_the_next_due_date_moves(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    rso = casework.rso_a
    occurred = timezone.now() - dt.timedelta(hours=1)
    response = client.post(
        reverse("api:rso_notifications", args=[rso.pk]),
        {"notification_type": "ANNUAL", "occurred_at": occurred.isoformat(), "police_station": "Eastmere"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    detail = client.get(reverse("api:rso_detail", args=[rso.pk])).json()
    assert detail["last_notification_on"] == timezone.localtime(occurred).date().isoformat()
    assert detail["next_annual_notification_due"] is not None
    assert NotificationEvent.objects.filter(rso=rso).count() == 1


def test_api_writes_are_404_for_another_team_and_for_inspectors(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    payload = {"notification_type": "ANNUAL", "occurred_at": timezone.now().isoformat(), "police_station": "X"}
    response = client_for(personas.officer_a).post(
        reverse("api:rso_notifications", args=[casework.rso_b.pk]), payload, content_type="application/json"
    )
    assert response.status_code == 404
    response = client_for(personas.inspector).post(
        reverse("api:rso_notifications", args=[casework.rso_a.pk]), payload, content_type="application/json"
    )
    assert response.status_code == 404
    assert not NotificationEvent.objects.exists()


def test_api_schema_documents_the_computed_fields(client_for: Any, personas: Personas) -> None:
    schema = client_for(personas.officer_a).get(reverse("api-schema")).content.decode()
    for name in ("notification_period", "notification_ends_on", "next_annual_notification_due"):
        assert name in schema
    assert "indefinite_review_eligible_on" in schema
