"""Reads for the periodic task record."""

from django.db.models import QuerySet

from .models import Alert, PeriodicTaskStatus


def periodic_task_statuses() -> QuerySet[PeriodicTaskStatus]:
    """Return every periodic task's last run, by name."""
    return PeriodicTaskStatus.objects.order_by("name")


def open_alerts() -> QuerySet[Alert]:
    """Return the alerts nobody has resolved yet, newest first."""
    return Alert.objects.filter(resolved_at__isnull=True).order_by("-raised_at")
