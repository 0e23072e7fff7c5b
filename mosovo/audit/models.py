"""The audit log: DPA 2018 s.62 logging of every consultation, alteration and disclosure."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone

from .choices import Action, Channel, Outcome


class AuditEvent(models.Model):
    """One thing a person (or a task acting for one) did with police data.

    The table is append-only: a database trigger rejects UPDATE, DELETE and TRUNCATE, and
    each row is chained to the one before by a SHA-256 hash (``seq``, ``prev_hash`` and
    ``hash`` are set by the insert trigger, never by the application), so the nightly
    check can prove no row was changed or removed. Events are written in the same
    transaction as the change they record, or before a read's response is sent: if the
    audit write fails, so does the request.

    Personal data is not copied here: an event names the RSOs by id and the fields that
    changed by name; old and new values live in the history tables.
    """

    seq = models.BigIntegerField(unique=True, null=True, editable=False, help_text="Position in the hash chain.")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text="Username and name when the event happened.")
    actor_role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True, help_text="URL path (never the query string).")
    rso_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_ids = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    fields = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    reason = models.TextField(blank=True)
    recipient = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    flagged = models.BooleanField(default=False, help_text="Needs a sergeant's attention (break-glass access).")
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            GinIndex(fields=["rso_ids"], name="audit_event_rso_ids"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_event_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"
