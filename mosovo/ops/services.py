"""Writes for the periodic task record."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import mail_admins
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Alert, PeriodicTaskStatus

logger = logging.getLogger("mosovo.ops")


@transaction.atomic
def task_run_record(
    *, name: str, started_at: dt.datetime, error: str = "", counts: dict[str, int] | None = None
) -> PeriodicTaskStatus:
    """Record that the periodic task ``name`` ran from ``started_at`` until now (and what it did)."""
    finished_at = timezone.now()
    duration_ms = max(0, int((finished_at - started_at).total_seconds() * 1000))
    status, _ = PeriodicTaskStatus.objects.select_for_update().get_or_create(name=name)
    PeriodicTaskStatus.objects.filter(pk=status.pk).update(
        last_started_at=started_at,
        last_finished_at=finished_at,
        last_duration_ms=duration_ms,
        run_count=F("run_count") + 1,
        last_error=error,
        last_counts=counts or {},
    )
    status.refresh_from_db()
    return status


def heartbeat() -> PeriodicTaskStatus:
    """Record one beat: proves that beat schedules and a worker executes."""
    return task_run_record(name="heartbeat", started_at=timezone.now())


def alert_raise(*, kind: str, message: str) -> Alert:
    """Raise an alert for administrators and auditors (once while one of its kind is open)."""
    logger.critical("ALERT %s: %s", kind, message)
    existing = Alert.objects.filter(kind=kind, resolved_at__isnull=True).first()
    if existing is not None:
        return existing
    alert = Alert.objects.create(kind=kind, message=message)
    mail_admins(f"mosovo alert: {kind}", message, fail_silently=True)
    return alert
