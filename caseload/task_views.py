"""Task pages (domain s.6): an officer's "My tasks", a sergeant's team tasks, closing a
task by hand, and a cap breach with the rebalancing the sergeant can apply in one step.

Thin over the deadline selectors and services; where to act on each task comes from the
link registry (``caseload.task_links``), which the higher apps fill at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, require_roles
from mosovo.audit.context import note_consultation

from . import selectors, services
from .allocation import HIGH_RISK_CAP_DIVISOR, CapExceeded
from .choices import MANUALLY_CLOSED_KINDS, DeadlineKind, RiskLevel
from .models import Deadline
from .rebalance import Suggestion
from .task_links import task_link

CASEWORK = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)
OVERSEERS = (Role.SERGEANT, Role.INSPECTOR)
# At most this many transfers in one apply: far more than any team's suggestion.
MAX_MOVES = 500
_MOVE = re.compile(r"^([1-9][0-9]{0,17}):([1-9][0-9]{0,17}):([1-9][0-9]{0,17})$")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _percent(high: int, total: int) -> int:
    return round(100 * high / total) if total else 0


def _within(high: int, total: int) -> bool:
    return HIGH_RISK_CAP_DIVISOR * high <= total


# --- Navigation counts -------------------------------------------------------------------


def _counts(user: Any) -> selectors.TaskCounts:
    """Count the user's tasks once per request (both badges share the one query)."""
    cached: selectors.TaskCounts | None = getattr(user, "_mosovo_task_counts", None)
    if cached is None:
        cached = selectors.task_counts(user=user, today=timezone.localdate())
        user._mosovo_task_counts = cached
    return cached


def my_tasks_badge(user: Any) -> int | None:
    """The "My tasks" count: the user's tasks overdue or due within the week."""
    return _counts(user).mine


def team_tasks_badge(user: Any) -> int | None:
    """The "Team tasks" count: escalations and cap breaches of the team (force)."""
    return _counts(user).team


# --- Rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    """One task as the pages list it, with the place to act on it."""

    deadline: Deadline
    action_label: str
    action_url: str
    close_url: str


@dataclass(frozen=True)
class TaskSection:
    key: str
    title: str
    rows: list[TaskRow]
    empty: str
    show_owner: bool = False


def _may_close(user: User, deadline: Deadline) -> bool:
    if deadline.kind not in MANUALLY_CLOSED_KINDS or not deadline.is_open:
        return False
    return deadline.owner_id == user.pk or (user.role == Role.SERGEANT and deadline.team_id == user.team_id)


def _rows(user: User, deadlines: list[Deadline]) -> list[TaskRow]:
    rows = []
    for deadline in deadlines:
        label, url = task_link(deadline)
        close_url = reverse("caseload:deadline_close", args=[deadline.pk]) if _may_close(user, deadline) else ""
        rows.append(TaskRow(deadline, label, url, close_url))
    rso_ids = sorted({d.rso_id for d in deadlines if d.rso_id is not None})
    note_consultation(rso_ids=rso_ids, object_type=selectors.RSO_TYPE, object_ids=rso_ids)
    return rows


# --- My tasks ----------------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """List the user's open tasks: overdue, due this week, upcoming (90 days)."""
    user = _user(request)
    inbox = selectors.my_tasks(user=user, today=timezone.localdate())
    sections = [
        TaskSection("overdue", "Overdue", _rows(user, inbox.overdue), "Nothing is overdue."),
        TaskSection("this-week", "Due this week", _rows(user, inbox.this_week), "Nothing is due in the next 7 days."),
        TaskSection(
            "upcoming",
            "Upcoming",
            _rows(user, inbox.upcoming),
            f"Nothing else is due in the next {selectors.INBOX_HORIZON_DAYS} days.",
        ),
    ]
    context = {
        "sections": sections,
        "later": inbox.later,
        "horizon_days": selectors.INBOX_HORIZON_DAYS,
        "is_overseer": user.role in OVERSEERS,
        "page_title": "My tasks",
    }
    return render(request, "caseload/tasks/my_tasks.html", context)


# --- Team tasks --------------------------------------------------------------------------


@dataclass(frozen=True)
class BreachRow:
    deadline: Deadline
    high: int
    total: int
    percent: int


_TASK_KINDS = frozenset(DeadlineKind.values)


def _positive_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and 0 < len(value) < 19 and int(value) > 0 else None


def task_filters(request: HttpRequest) -> selectors.TaskFilters:
    """Read the team tasks filters from the query string (what cannot be read is ignored):
    ``officer=<id>``, ``kind=<KIND>`` (repeated or comma-separated), ``late=1``, ``team=<id>``."""
    kinds = {kind.strip() for value in request.GET.getlist("kind") for kind in value.split(",")}
    return selectors.TaskFilters(
        officer_id=_positive_int(request.GET.get("officer")),
        kinds=frozenset(kinds & _TASK_KINDS),
        late_only=request.GET.get("late") == "1",
        team_id=_positive_int(request.GET.get("team")),
    )


def _filter_summary(user: User, filters: selectors.TaskFilters) -> list[str]:
    """Say in words what the page is narrowed to (one query for the officer's name)."""
    parts = []
    if filters.officer_id is not None:
        officer = selectors.caseload_officers(user=user).filter(pk=filters.officer_id).first()
        parts.append(f"tasks of {officer.display_name}" if officer else "tasks of an officer you cannot see")
    if filters.kinds:
        parts.append(", ".join(str(DeadlineKind(kind).label) for kind in sorted(filters.kinds)))
    if filters.late_only:
        parts.append("overdue only")
    if filters.team_id is not None and user.role == Role.INSPECTOR:
        parts.append("one team")
    return parts


@require_roles(*OVERSEERS)
@require_GET
def team_tasks(request: HttpRequest) -> HttpResponse:
    """List what the sergeant oversees: cap breaches, escalations, the rest overdue, and
    unallocated cases' tasks (an inspector: the force's), narrowed by the filters in the
    query string (the team dashboard's links)."""
    user = _user(request)
    filters = task_filters(request)
    team = selectors.team_tasks(user=user, today=timezone.localdate(), filters=filters)
    breaches = []
    for breach in team.cap_breaches:
        high, total = int(breach.detail.get("high", 0)), int(breach.detail.get("total", 0))
        breaches.append(BreachRow(breach, high, total, _percent(high, total)))
    sections = [
        TaskSection(
            "escalated",
            "Escalated",
            _rows(user, team.escalated),
            "No task has been overdue for a week or more.",
            show_owner=True,
        ),
        TaskSection("overdue", "Overdue", _rows(user, team.overdue), "Nothing else is overdue.", show_owner=True),
        TaskSection(
            "unallocated",
            "Unallocated cases",
            _rows(user, team.unallocated),
            "No unallocated case has a task due in the next 7 days.",
        ),
    ]
    if filters.active:
        # Narrowed: only the sections the filters can fill (an unallocated case's task has
        # no officer; late tasks are in the escalated and overdue sections).
        keep = {"escalated", "overdue"}
        if filters.officer_id is None and not filters.late_only:
            keep.add("unallocated")
        if filters.kinds and not filters.kinds & set(DeadlineKind.values) - {DeadlineKind.CAP_BREACH}:
            keep.clear()
        sections = [section for section in sections if section.key in keep]
    context = {
        "breaches": breaches,
        "sections": sections,
        "show_breaches": filters.shows(DeadlineKind.CAP_BREACH),
        "filter_summary": _filter_summary(user, filters) if filters.active else [],
        "is_inspector": user.role == Role.INSPECTOR,
        "page_title": "Team tasks",
    }
    return render(request, "caseload/tasks/team_tasks.html", context)


# --- Closing a task by hand --------------------------------------------------------------


class DeadlineCloseForm(forms.Form):
    note = forms.CharField(
        label="What was decided or done",
        help_text="For example, the order was renewed, or the decision and who made it.",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": "Say what was decided or done",
            "max_length": "The note must be 2000 characters or fewer",
        },
    )


@require_roles(Role.OFFICER, Role.SERGEANT)
@require_http_methods(["GET", "POST"])
def deadline_close(request: HttpRequest, deadline_id: int) -> HttpResponse:
    """Record that a task nothing else in the record closes was dealt with, with a note."""
    user = _user(request)
    deadline = selectors.deadline_get_for_user(user=user, deadline_id=deadline_id)
    is_owner = deadline.owner_id == user.pk
    is_sergeant = user.role == Role.SERGEANT and deadline.team_id == user.team_id
    if deadline.kind not in MANUALLY_CLOSED_KINDS or not (is_owner or is_sergeant):
        raise ScopeDenied
    form = DeadlineCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deadline_close(deadline=deadline, note=form.cleaned_data["note"], by=user)
        except ValidationError as refused:
            if hasattr(refused, "error_dict"):
                for field, errors in refused.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, refused)
        else:
            messages.success(
                request, f"{deadline.get_kind_display()} for {deadline.subject_reference} marked as dealt with."
            )
            return redirect("caseload:tasks")
    label, url = task_link(deadline)
    context = {
        "deadline": deadline,
        "form": form,
        "action_label": label,
        "action_url": url,
        "page_title": f"Mark as dealt with: {deadline.get_kind_display()}",
    }
    return render(request, "caseload/tasks/close.html", context, status=400 if form.errors else 200)


# --- A cap breach and its rebalancing ----------------------------------------------------


@dataclass(frozen=True)
class StandingRow:
    officer_id: int
    name: str
    high_before: int
    total_before: int
    percent_before: int
    within_before: bool
    high_after: int
    total_after: int
    percent_after: int
    within_after: bool
    is_subject: bool


def _standing_rows(suggestion: Suggestion, subject_id: int | None) -> list[StandingRow]:
    return [
        StandingRow(
            officer_id=s.officer_id,
            name=s.name,
            high_before=s.high_before,
            total_before=s.total_before,
            percent_before=_percent(s.high_before, s.total_before),
            within_before=_within(s.high_before, s.total_before),
            high_after=s.high_after,
            total_after=s.total_after,
            percent_after=_percent(s.high_after, s.total_after),
            within_after=s.within_after,
            is_subject=s.officer_id == subject_id,
        )
        for s in suggestion.standings
    ]


def _cap_breach_page(request: HttpRequest, breach: Deadline, *, error: str = "", status: int = 200) -> HttpResponse:
    suggestion = None
    standings: list[StandingRow] = []
    if breach.is_open and breach.team_id is not None:
        suggestion = selectors.rebalance_suggestion(team_id=breach.team_id)
        standings = _standing_rows(suggestion, breach.subject_user_id)
        moved_ids = [move.rso_id for move in suggestion.moves]
        note_consultation(rso_ids=moved_ids, object_type=selectors.RSO_TYPE, object_ids=moved_ids)
    subject = next((row for row in standings if row.is_subject), None)
    officer_name = breach.subject_user.display_name if breach.subject_user else ""
    high = subject.high_before if subject else int(breach.detail.get("high", 0))
    total = subject.total_before if subject else int(breach.detail.get("total", 0))
    context = {
        "breach": breach,
        "officer_name": officer_name,
        "high": high,
        "total": total,
        "percent": _percent(high, total),
        "suggestion": suggestion,
        "moves": [
            {
                "move": move,
                "risk_label": RiskLevel(move.risk_level).label,
                "value": f"{move.rso_id}:{move.from_officer_id}:{move.to_officer_id}",
            }
            for move in (suggestion.moves if suggestion else [])
        ],
        "standings": standings,
        "error": error,
        "page_title": f"Over the 20% high-risk limit: {officer_name}",
    }
    return render(request, "caseload/tasks/cap_breach.html", context, status=status)


@require_roles(*OVERSEERS)
@require_GET
def cap_breach(request: HttpRequest, deadline_id: int) -> HttpResponse:
    """Show an officer over the 20% rule and the transfers within the team that fix it."""
    breach = selectors.cap_breach_get_for_user(user=_user(request), deadline_id=deadline_id)
    return _cap_breach_page(request, breach)


def _parse_moves(values: list[str]) -> list[tuple[int, int, int]] | None:
    """Read the posted moves ("rso_id:from_id:to_id"); None if any is malformed or repeated."""
    if not values or len(values) > MAX_MOVES:
        return None
    moves = []
    for value in values:
        match = _MOVE.match(value)
        if match is None:
            return None
        moves.append((int(match[1]), int(match[2]), int(match[3])))
    if len({rso_id for rso_id, _, _ in moves}) != len(moves):
        return None
    return moves


@require_roles(*OVERSEERS)
@require_POST
def cap_breach_apply(request: HttpRequest, deadline_id: int) -> HttpResponse:
    """Apply the suggested transfers in one step through the allocation service."""
    user = _user(request)
    breach = selectors.cap_breach_get_for_user(user=user, deadline_id=deadline_id)
    moves = _parse_moves(request.POST.getlist("move"))
    if moves is None:
        context = {"breach": breach, "page_title": "The transfers could not be read"}
        return render(request, "caseload/tasks/bad_moves.html", context, status=400)
    if not breach.is_open or breach.team is None:
        messages.info(request, "This breach is already resolved: nothing was moved.")
        return redirect("caseload:cap_breach", deadline_id=breach.pk)
    try:
        moved = services.cap_rebalance_apply(team=breach.team, moves=moves, by=user)
    except CapExceeded as refused:
        error = f"Nothing was moved. {refused} Look at the new suggestion."
    except ValidationError as refused:
        error = "Nothing was moved. " + " ".join(refused.messages)
    else:
        loads = selectors.team_loads(team_id=breach.team.pk)
        over = [load.name for load in loads if load.excess > 0]
        cases = f"{len(moved)} case{'' if len(moved) == 1 else 's'} moved"
        if over:
            messages.success(request, f"{cases}; still over the 20% rule: {', '.join(over)}.")
        else:
            messages.success(request, f"{cases}; everyone is within the 20% rule.")
        return redirect("caseload:team_tasks")
    breach = selectors.cap_breach_get_for_user(user=user, deadline_id=breach.pk)
    return _cap_breach_page(request, breach, error=error, status=409)
