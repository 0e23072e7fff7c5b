"""Caseload Celery tasks: take ids (or nothing), call a service or selector."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from mosovo.ops.services import alert_raise, task_run_record

from .selectors import caseload_counts_mismatches


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
