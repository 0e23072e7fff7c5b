"""What ARMS adds to the sergeant's home page (registered in ``arms.apps``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse

from caseload.models import RSO
from mosovo.accounts.models import User

from . import selectors


@dataclass(frozen=True)
class AwaitingItem:
    submitted_at: datetime | None
    label: str
    url: str
    rso: RSO
    submitted_by: Any


def home_approvals(*, user: User) -> dict[str, Any] | None:
    """Return the team's submissions awaiting the sergeant, oldest first (None if none)."""
    items = [
        AwaitingItem(
            a.submitted_at, "ARMS assessment", reverse("arms:assessment_review", args=[a.pk]), a.rso, a.submitted_by
        )
        for a in selectors.assessments_awaiting_approval(user=user)
    ] + [
        AwaitingItem(
            p.submitted_at,
            f"Risk management plan, version {p.number}",
            reverse("arms:plan_review", args=[p.pk]),
            p.rso,
            p.submitted_by,
        )
        for p in selectors.plans_awaiting_approval(user=user)
    ]
    if not items:
        return None
    items.sort(key=lambda item: (item.submitted_at is None, item.submitted_at))
    # The sergeant's approvals queue (a higher app, when installed) acts on these in place.
    try:
        queue_url = reverse("supervision:approvals")
    except NoReverseMatch:
        queue_url = ""
    return {"items": items, "queue_url": queue_url}
