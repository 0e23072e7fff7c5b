"""Reading the audit log: the viewer's filters, and one RSO's trail for its sergeant."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from mosovo.accounts.choices import Role

from .models import AuditEvent


def can_see_audit_trail(*, user: Any, rso: Any) -> bool:
    """Tell whether the user may see who has seen or changed an RSO: its team's sergeant,
    or an inspector of the force."""
    return bool((user.role == Role.SERGEANT and user.team_id == rso.team_id) or user.role == Role.INSPECTOR)


def audit_trail_for_rso(*, user: Any, rso: Any, limit: int = 50) -> list[AuditEvent]:
    """Return the newest events about one RSO, for its team's sergeant or an inspector.

    Others get an empty list. The caller has already checked the RSO is in scope.
    """
    if not can_see_audit_trail(user=user, rso=rso):
        return []
    events: QuerySet[AuditEvent] = AuditEvent.objects.filter(rso_ids__contains=[rso.pk]).order_by("-seq")
    return list(events[:limit])


AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
# The audit log's dates are the dates people in England and Wales read on the clock.
LOCAL_TIME = ZoneInfo("Europe/London")


def _local_midnight(day: date) -> datetime:
    """Return the start of a Europe/London calendar day (GMT or BST as it falls)."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIME)


def audit_event_list(*, user: Any, filters: Mapping[str, Any]) -> QuerySet[AuditEvent]:
    """Return the audit events matching ``filters``, newest first, for an auditor or admin.

    Others get no rows. ``filters`` is an ``AuditFilterForm``'s cleaned data; every key is
    optional and an empty value means "any":

    - ``user``: the actor's username (any case), or a failed sign-in attempted with it;
    - ``rso``: events that showed or touched this RSO id;
    - ``action``, ``channel``: codes from ``Action`` and ``Channel``;
    - ``date_from``, ``date_to``: Europe/London calendar days, both inclusive.

    No join is needed to show an event: it carries a copy of the actor's label and role
    as they were when it happened, which is what the log must show.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.role in AUDIT_READER_ROLES):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all()
    username = (filters.get("user") or "").strip()
    if username:
        events = events.filter(
            Q(actor__username__iexact=username) | Q(actor__isnull=True, actor_label__iexact=f"attempted: {username}")
        )
    if filters.get("rso"):
        events = events.filter(rso_ids__contains=[int(filters["rso"])])
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("channel"):
        events = events.filter(channel=filters["channel"])
    date_from: date | None = filters.get("date_from")
    date_to: date | None = filters.get("date_to")
    if date_from:
        events = events.filter(occurred_at__gte=_local_midnight(date_from))
    if date_to:
        events = events.filter(occurred_at__lt=_local_midnight(date_to + timedelta(days=1)))
    return events.order_by("-seq")
