"""Reads for the periodic task record, and the rule that says when a task is late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from .models import Alert, PeriodicTaskStatus

# The tasks beat runs once a day (mosovo/celery.py), named by string: the project package
# never imports a domain app. A day and two hours of slack: a run that took a while, or a
# clock change, is not late; a missed night is.
DAILY_TASKS: tuple[str, ...] = (
    "caseload.deadlines_sweep",
    "caseload.digests_send",
    "caseload.reconcile_caseload_counts",
    "mosovo.audit.verify_chain",
)
DAILY_LATE_AFTER = dt.timedelta(hours=26)
# The heartbeat is late once three beats in a row have not arrived.
HEARTBEAT_MISSED_BEATS = 3


def periodic_task_statuses() -> QuerySet[PeriodicTaskStatus]:
    """Return every periodic task's last run, by name."""
    return PeriodicTaskStatus.objects.order_by("name")


def open_alerts() -> QuerySet[Alert]:
    """Return the alerts nobody has resolved yet, newest first."""
    return Alert.objects.filter(resolved_at__isnull=True).order_by("-raised_at")


def expected_intervals() -> dict[str, dt.timedelta]:
    """Return, by task name, how long after its last finish a periodic task is late."""
    heartbeat = dt.timedelta(seconds=HEARTBEAT_MISSED_BEATS * int(settings.HEARTBEAT_INTERVAL_SECONDS))
    return {"heartbeat": heartbeat, **dict.fromkeys(DAILY_TASKS, DAILY_LATE_AFTER)}


def task_is_late(*, name: str, last_finished_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Tell whether a periodic task's last finish is older than its schedule allows (never
    finished counts as late; a task with no expected interval is never late)."""
    expected = expected_intervals().get(name)
    if expected is None:
        return False
    return last_finished_at is None or now - last_finished_at > expected


@dataclass(frozen=True)
class TaskStatusRow:
    """One periodic task as the status page shows it."""

    name: str
    status: PeriodicTaskStatus | None  # None: an expected task that has never run
    expected_every: dt.timedelta | None
    late: bool
    counts: list[tuple[str, object]]

    @property
    def late_after(self) -> str:
        """Say in words how long after its last finish the task is late ("" if never)."""
        if self.expected_every is None:
            return ""
        minutes = int(self.expected_every.total_seconds() // 60)
        if minutes < 120:
            return f"{minutes} minute{'' if minutes == 1 else 's'}"
        return f"{minutes // 60} hours"

    @property
    def duration_seconds(self) -> float | None:
        if self.status is None or self.status.last_duration_ms is None:
            return None
        return self.status.last_duration_ms / 1000


def task_status_rows(*, now: dt.datetime) -> list[TaskStatusRow]:
    """Return every recorded periodic task, and each expected one that has never run, by
    name, with whether it is late (one query)."""
    expected = expected_intervals()
    recorded = {status.name: status for status in periodic_task_statuses()}
    rows: list[TaskStatusRow] = []
    for name in sorted(set(recorded) | set(expected)):
        status = recorded.get(name)
        rows.append(
            TaskStatusRow(
                name=name,
                status=status,
                expected_every=expected.get(name),
                # A task that has never run is not late yet: a new installation has not
                # reached its first night. A worker that stops shows as late from its last run.
                late=status is not None and task_is_late(name=name, last_finished_at=status.last_finished_at, now=now),
                counts=sorted((status.last_counts or {}).items()) if status is not None else [],
            )
        )
    return rows
