"""What the background workers have done, so people can see they are alive."""

from django.db import models


class PeriodicTaskStatus(models.Model):
    """The last run of one periodic task.

    Each run updates its task's row in place: when it started and finished, how long it
    took, how many times it has run and its last error. A worker or beat that has
    stopped shows as a stale ``last_finished_at``.
    """

    name = models.CharField(max_length=200, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    run_count = models.PositiveBigIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "periodic task statuses"

    def __str__(self) -> str:
        return self.name
