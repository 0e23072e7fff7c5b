"""The nightly reconciliation proves the 20% counters equal the real caseloads."""

from __future__ import annotations

from django.db import connection

from caseload.tasks import reconcile_caseload_counts
from mosovo.ops.models import Alert, PeriodicTaskStatus
from tests.conftest import Personas
from tests.factories import RSOFactory


def test_reconciliation_is_quiet_when_counters_are_exact(personas: Personas) -> None:
    for _ in range(5):
        RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    reconcile_caseload_counts.run()
    assert not Alert.objects.exists()
    assert PeriodicTaskStatus.objects.get(name="caseload.reconcile_caseload_counts").last_error == ""


def test_reconciliation_raises_an_alert_when_a_counter_was_tampered_with(personas: Personas) -> None:
    for _ in range(5):
        RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE caseload_officercaseload SET total = total + 3 WHERE officer_id = %s", [personas.officer_a.pk]
        )
    reconcile_caseload_counts.run()
    alert = Alert.objects.get(kind="caseload_counts_mismatch")
    assert "counted 0 of 8 high risk, really 0 of 5" in alert.message
