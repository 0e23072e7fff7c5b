"""The Celery app and the one beat schedule.

Broker: ``CELERY_BROKER_URL`` (Redis in production and CI); unset, kombu's filesystem
transport under ``var/celery`` so `make run` needs no server. Tasks are JSON only, take
ids, are acknowledged late and rejected back to the queue if the worker dies.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mosovo.settings.local")

app = Celery("mosovo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _prepare_filesystem_broker(sender: Celery, **kwargs: object) -> None:
    # The filesystem transport needs its folders before the worker starts.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def _beat_schedule() -> dict[str, dict[str, object]]:
    from django.conf import settings

    return {
        "heartbeat": {
            "task": "mosovo.ops.heartbeat",
            "schedule": float(settings.HEARTBEAT_INTERVAL_SECONDS),
            "options": {"expires": float(settings.HEARTBEAT_INTERVAL_SECONDS)},
        },
        # Nightly, when the system is quiet: prove the audit log has not been changed.
        "audit-verify-chain": {
            "task": "mosovo.audit.verify_chain",
            "schedule": crontab(hour=2, minute=30),
        },
        # Named by string: the project package never imports a domain app.
        "caseload-reconcile-counts": {
            "task": "caseload.reconcile_caseload_counts",
            "schedule": crontab(hour=2, minute=45),
        },
        # The deadline engine: the nightly sweep, the morning digests, and a check that
        # runs either if its time passed without it (beat or the broker was down).
        "caseload-deadlines-sweep": {
            "task": "caseload.deadlines_sweep",
            "schedule": _daily(settings.DEADLINE_SWEEP_AT),
        },
        "caseload-digests": {
            "task": "caseload.digests_send",
            "schedule": _daily(settings.DIGEST_AT),
        },
        "caseload-deadlines-catch-up": {
            "task": "caseload.deadlines_catch_up",
            "schedule": crontab(minute="*/10"),
            "options": {"expires": 600.0},
        },
    }


def _daily(at: str) -> crontab:
    hour, minute = at.split(":")
    return crontab(hour=int(hour), minute=int(minute))


@app.on_after_configure.connect
def _install_beat_schedule(sender: Celery, **kwargs: object) -> None:
    sender.conf.beat_schedule = _beat_schedule()
