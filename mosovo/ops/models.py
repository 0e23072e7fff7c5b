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
    last_counts = models.JSONField(default=dict, blank=True, help_text="What the last run did, by name.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "periodic task statuses"

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """Something an administrator or auditor must look at now (for example a broken audit chain).

    Open alerts show on the administrator's and auditor's home pages until resolved.
    """

    kind = models.CharField(max_length=50)
    message = models.TextField()
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message[:60]}"
