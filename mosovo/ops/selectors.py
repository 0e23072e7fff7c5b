"""Reads for the periodic task record."""

from django.db.models import QuerySet

from .models import PeriodicTaskStatus


def periodic_task_statuses() -> QuerySet[PeriodicTaskStatus]:
    """Return every periodic task's last run, by name."""
    return PeriodicTaskStatus.objects.order_by("name")
