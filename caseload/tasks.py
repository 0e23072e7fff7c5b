"""Caseload Celery tasks: take ids (or nothing), call a service or selector.

Every task is JSON, acknowledged late and requeued if its worker dies (settings); each
side effect is keyed in PostgreSQL (unique deadline keys, one digest per user and day),
so a task run twice, or by two workers, has one effect. Failures of the database or
the mail server are retried with exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from mosovo.ops.models import PeriodicTaskStatus
from mosovo.ops.services import alert_raise, task_run_record

from . import services
from .selectors import caseload_counts_mismatches, digest_recipients

logger = logging.getLogger("mosovo.tasks")

SWEEP = "caseload.deadlines_sweep"
DIGESTS = "caseload.digests_send"
# Passing failures worth another try; a programming error is not retried.
RETRY_ON = (DatabaseError, OSError)


def send_on_commit(task: Task[Any, Any], *args: Any) -> None:
    """Send ``task`` with ``args`` once the surrounding transaction commits (nothing if it
    rolls back). A broker that is down is logged, not raised: the request that sent it
    has committed and must still answer; the nightly sweep redoes deadline work."""

    # A named function, not functools.partial: Django logs a robust callback's failure
    # by its __qualname__, which a partial lacks (the request then failed after all).
    def send_task() -> None:
        task.delay(*args)

    transaction.on_commit(send_task, robust=True)


@shared_task(name="caseload.reconcile_caseload_counts", ignore_result=True)
def reconcile_caseload_counts() -> None:
    """Prove the 20% rule's counters equal the real caseloads; alert on any difference."""
    started = timezone.now()
    mismatches = caseload_counts_mismatches()
    error = ""
    if mismatches:
        officer, counted_total, counted_high, real_total, real_high = mismatches[0]
        error = (
            f"The caseload counters behind the 20% rule differ from the real caseloads for {len(mismatches)} "
            f"officer(s); first officer {officer}: counted {counted_high} of {counted_total} high risk, "
            f"really {real_high} of {real_total}."
        )
        alert_raise(kind="caseload_counts_mismatch", message=error)
    task_run_record(name="caseload.reconcile_caseload_counts", started_at=started, error=error)


@shared_task(
    name=SWEEP, ignore_result=True, autoretry_for=RETRY_ON, retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def deadlines_sweep() -> None:
    """Recompute every deadline, move states on, escalate, watch the 20% rule (nightly)."""
    started = timezone.now()
    counts = services.deadlines_sweep()
    task_run_record(name=SWEEP, started_at=started, counts=counts)


@shared_task(
    name=DIGESTS, ignore_result=True, autoretry_for=RETRY_ON, retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def digests_send(day: str | None = None) -> None:
    """Send each user with tasks their daily digest (one task per user)."""
    started = timezone.now()
    day = day or timezone.localdate().isoformat()
    recipients = digest_recipients()
    for user_id in recipients:
        digest_send.delay(user_id, day)
    task_run_record(name=DIGESTS, started_at=started, counts={"recipients": len(recipients)})


@shared_task(
    name="caseload.digest_send",
    ignore_result=True,
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def digest_send(user_id: int, day: str) -> None:
    """Email one user their digest for ``day`` (ISO date), at most once."""
    services.digest_send(user_id=user_id, day=dt.date.fromisoformat(day))


@shared_task(
    name="caseload.cases_moved_notify",
    ignore_result=True,
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def cases_moved_notify(officer_id: int, rso_ids: list[int]) -> None:
    """Tell an officer which cases a sergeant's rebalancing moved to them (references only)."""
    services.cases_moved_notify(officer_id=officer_id, rso_ids=rso_ids)


def _due_today(name: str, at: str, now: dt.datetime) -> bool:
    """Whether the daily task ``name`` should have run by ``now`` today and has not."""
    hour, minute = (int(part) for part in at.split(":"))
    local = timezone.localtime(now)
    scheduled = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if local < scheduled:
        return False
    status = PeriodicTaskStatus.objects.filter(name=name).first()
    return status is None or status.last_started_at is None or status.last_started_at < scheduled


@shared_task(
    name="caseload.deadlines_catch_up",
    ignore_result=True,
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def deadlines_catch_up() -> None:
    """Run today's sweep or digests if their time has passed without them (beat or the
    broker was down at the time); a no-op otherwise."""
    now = timezone.now()
    runs: list[tuple[str, str, Callable[[], None]]] = [
        (SWEEP, settings.DEADLINE_SWEEP_AT, deadlines_sweep),
        (DIGESTS, settings.DIGEST_AT, digests_send),
    ]
    for name, at, task in runs:
        if _due_today(name, at, now):
            logger.warning("%s missed its time today; running it now", name)
            task()
