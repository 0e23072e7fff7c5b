"""Periodic housekeeping tasks. Thin: each calls a service."""

from celery import shared_task

from . import services


@shared_task(name="mosovo.ops.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that the worker is alive (scheduled by beat)."""
    services.heartbeat()
