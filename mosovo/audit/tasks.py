"""Audit tasks: the nightly proof that the audit log is unchanged."""

from celery import shared_task
from django.utils import timezone

from mosovo.ops.services import alert_raise, task_run_record

from .services import audit_chain_verify


@shared_task(name="mosovo.audit.verify_chain", ignore_result=True)
def verify_chain() -> None:
    """Recompute the audit log's hash chain; raise an alert if any row was changed or removed."""
    started = timezone.now()
    report = audit_chain_verify()
    error = ""
    if not report.intact:
        first = report.breaks[0]
        error = (
            f"The audit log's hash chain is broken at {len(report.breaks)} place(s); first at event {first.seq}: "
            f"{first.problem}. Someone may have changed or removed audit records."
        )
        alert_raise(kind="audit_chain_broken", message=error)
    task_run_record(name="mosovo.audit.verify_chain", started_at=started, error=error)
