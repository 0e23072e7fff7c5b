"""Where to act on a task: each kind of deadline links to the page where it is dealt with.

Caseload registers its own kinds here (``CaseloadConfig.ready``); the apps above it
register theirs at start-up (arms: the ARMS reviews, visits: the home visit), so
caseload never imports them. A builder returns the URL, or "" for no link.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from .choices import DeadlineKind
from .models import Deadline

LinkBuilder = Callable[[Deadline], str]

_links: dict[str, tuple[str, LinkBuilder]] = {}

DEFAULT_LABEL = "Open the record"


def register_task_link(kind: str, builder: LinkBuilder, *, label: str = DEFAULT_LABEL) -> None:
    """Send tasks of ``kind`` to ``builder(deadline)`` (a URL, or "" for no link), shown as ``label``."""
    _links[str(kind)] = (label, builder)


def task_link(deadline: Deadline) -> tuple[str, str]:
    """Return (label, url) of the place to act on a task; url is "" when there is none."""
    label, builder = _links.get(deadline.kind, (DEFAULT_LABEL, _record))
    url = builder(deadline)
    return (label, url) if url else ("", "")


def _record(deadline: Deadline) -> str:
    return reverse("caseload:rso_detail", args=[deadline.rso_id]) if deadline.rso_id else ""


def _tab(url_name: str) -> LinkBuilder:
    def build(deadline: Deadline) -> str:
        return reverse(url_name, args=[deadline.rso_id]) if deadline.rso_id else ""

    return build


def _cap_breach(deadline: Deadline) -> str:
    return reverse("caseload:cap_breach", args=[deadline.pk])


def _nowhere(deadline: Deadline) -> str:
    return ""


def register_defaults() -> None:
    """Register caseload's own kinds (called from ``CaseloadConfig.ready``)."""
    notifications = _tab("caseload:rso_notifications")
    register_task_link(DeadlineKind.ANNUAL_NOTIFICATION, notifications, label="Record the notification")
    register_task_link(DeadlineKind.WEEKLY_NOTIFICATION, notifications, label="Record the notification")
    register_task_link(DeadlineKind.ORDER_EXPIRY, _tab("caseload:rso_orders"), label="Check the orders")
    law = _tab("caseload:rso_convictions")
    register_task_link(DeadlineKind.NOTIFICATION_END, law, label="Check the notification period")
    register_task_link(DeadlineKind.INDEFINITE_REVIEW_ELIGIBLE, law, label="Check eligibility for review")
    register_task_link(DeadlineKind.CAP_BREACH, _cap_breach, label="See the caseloads")
    register_task_link(DeadlineKind.VETTING_EXPIRY, _nowhere)
