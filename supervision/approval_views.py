"""The sergeant's approvals queue (issue 8 item 2): everything waiting for the team's
sergeant in one list, oldest first, each item actionable in place.

Each action posts to its own URL. With htmx the answer is the row again (the outcome,
or the refusal with the row still actionable); without JavaScript the same POST
redirects back to the queue with a message. Every write goes through the owning app's
service (its transaction and audit event). A stale row (someone else dealt with it)
gets a plain message, never a 500. Inspectors read a team's queue (``?team=<id>``);
the actions are the team sergeant's, so their URLs answer inspectors 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from arms import services as arms_services
from arms.choices import Status as ArmsStatus
from caseload import services as caseload_services
from caseload.allocation import CapExceeded
from caseload.choices import ReactiveDecision
from mosovo.accounts import services as account_services
from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User
from mosovo.accounts.scoping import require_roles
from mosovo.accounts.selectors import team_members
from visits import services as visit_services
from visits.choices import VisitStatus

from . import selectors
from .selectors import APPROVAL_KINDS, ApprovalItem

ROW_TEMPLATE = "supervision/approvals/_row.html"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@dataclass(frozen=True)
class Filters:
    """What the queue is narrowed to: ``?officer=<id>`` and ``?kind=<kind>``."""

    officer_id: int | None = None
    kind: str = ""

    @classmethod
    def read(cls, data: Any) -> Filters:
        kind = str(data.get("kind") or "")
        return cls(officer_id=_int(data.get("officer")), kind=kind if kind in APPROVAL_KINDS else "")

    def query(self, team: Team | None = None) -> str:
        """Return the queue's query string for these filters (and an inspector's team)."""
        params: dict[str, Any] = {}
        if team is not None:
            params["team"] = team.pk
        if self.officer_id:
            params["officer"] = self.officer_id
        if self.kind:
            params["kind"] = self.kind
        return f"?{urlencode(params)}" if params else ""


# --- The queue ---------------------------------------------------------------------------


def _team_for(request: HttpRequest, teams: list[Team]) -> Team | None:
    """Return the team whose queue to show: a sergeant's own; the inspector's choice
    (``?team=<id>``, 404 outside the force), else the first team of the force."""
    user = _user(request)
    wanted = request.GET.get("team")
    if user.role == Role.INSPECTOR and wanted:
        return selectors.team_get_for_user(user=user, team_id=wanted)
    return teams[0] if teams else None


@require_roles(Role.SERGEANT, Role.INSPECTOR)
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """List what waits for the team's sergeant, oldest first, filtered by officer and kind."""
    user = _user(request)
    teams = list(selectors.teams_for_user(user=user))
    team = _team_for(request, teams)
    filters = Filters.read(request.GET)
    items: list[ApprovalItem] = []
    members: list[User] = []
    if team is not None:
        members = list(team_members(team=team))
        items = selectors.approvals_queue(user=user, team=team, officer_id=filters.officer_id, kind=filters.kind)
    context = {
        "page_title": "Approvals",
        "team": team,
        "teams": teams,
        "is_inspector": user.role == Role.INSPECTOR,
        "members": members,
        "filters": filters,
        "kinds": APPROVAL_KINDS,
        "items": items,
        "filtered": bool(filters.officer_id or filters.kind),
    }
    return render(request, "supervision/approvals/queue.html", context)


# --- In-place actions --------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an action did, for the row (and the message without JavaScript)."""

    done: str = ""  # the action happened: the row says so and offers nothing more
    stale: str = ""  # someone else already dealt with it: nothing more to do
    error: str = ""  # refused: the row stays actionable
    field_error: str = ""  # the comments (or note) are missing: the form stays open
    review_url: str = ""  # the 20% rule refused: decide on the full review page


def _messages_of(error: ValidationError) -> tuple[str, str]:
    """Split a service's refusal into (general error, comments/note field error)."""
    if hasattr(error, "error_dict"):
        field = [m for key in ("comments", "decision_note") for m in error.message_dict.get(key, [])]
        rest = [m for key, ms in error.message_dict.items() if key not in ("comments", "decision_note") for m in ms]
        return " ".join(rest), " ".join(field)
    return " ".join(error.messages), ""


def _refused(error: ValidationError) -> Outcome:
    general, field = _messages_of(error)
    return Outcome(error=general, field_error=field)


def _decision(request: HttpRequest, allowed: tuple[str, ...]) -> str:
    decision = str(request.POST.get("decision") or "")
    return decision if decision in allowed else ""


def _comments(request: HttpRequest) -> str:
    return str(request.POST.get("comments") or "").strip()[:5000]


def _who(user: User | None, fallback: str) -> str:
    return user.display_name if user is not None else fallback


def _do_assessment(request: HttpRequest, assessment: Any) -> Outcome:
    if assessment.status != ArmsStatus.SUBMITTED:
        return Outcome(stale=f"Already dealt with: this assessment is {assessment.get_status_display().lower()}.")
    user = _user(request)
    decision = _decision(request, ("approve", "return"))
    try:
        if decision == "approve":
            approved = arms_services.assessment_approve(assessment=assessment, by=user)
            level = approved.get_proposed_risk_level_display().lower()
            return Outcome(done=f"Approved: the risk level is {level}")
        if decision == "return":
            arms_services.assessment_return(assessment=assessment, comments=_comments(request), by=user)
            return Outcome(done=f"Returned to {_who(assessment.submitted_by, 'the assessor')} with your comments")
    except CapExceeded as over:
        return Outcome(
            error=f"{over} Open the full review to record a reason for going over the limit, or return it.",
            review_url=reverse("arms:assessment_review", args=[assessment.pk]),
        )
    except ValidationError as error:
        return _refused(error)
    return Outcome(error="Choose to approve the assessment or to return it with comments.")


def _do_plan(request: HttpRequest, plan: Any) -> Outcome:
    if plan.status != ArmsStatus.SUBMITTED:
        return Outcome(stale=f"Already dealt with: this plan version is {plan.get_status_display().lower()}.")
    user = _user(request)
    decision = _decision(request, ("approve", "return"))
    try:
        if decision == "approve":
            arms_services.plan_approve(plan=plan, by=user)
            return Outcome(done="Approved: it is now the current plan")
        if decision == "return":
            arms_services.plan_return(plan=plan, comments=_comments(request), by=user)
            return Outcome(done=f"Returned to {_who(plan.submitted_by, 'the officer')} with your comments")
    except ValidationError as error:
        return _refused(error)
    return Outcome(error="Choose to approve the plan or to return it with comments.")


def _do_reactive(request: HttpRequest, reactive: Any) -> Outcome:
    if not reactive.is_open:
        return Outcome(stale=caseload_services.reactive_request_decided_message(reactive))
    decision = {"approve": ReactiveDecision.APPROVED, "decline": ReactiveDecision.DECLINED}.get(
        _decision(request, ("approve", "decline")), ""
    )
    if not decision:
        return Outcome(error="Choose to approve or to decline the request.")
    try:
        caseload_services.reactive_request_decide(
            request=reactive, decision=decision, note=_comments(request), by=_user(request)
        )
    except ValidationError as error:
        return _refused(error)
    if decision == ReactiveDecision.APPROVED:
        return Outcome(done="Approved: the case is now under reactive management")
    return Outcome(done="Declined")


def _do_visit(request: HttpRequest, visit: Any) -> Outcome:
    if visit.single_officer_approved_by_id is not None:
        who = _who(visit.single_officer_approved_by, "a sergeant")
        return Outcome(stale=f"Already approved by {who}.")
    if visit.status != VisitStatus.PLANNED:
        return Outcome(stale=f"Nothing to approve: the visit is {visit.get_status_display().lower()}.")
    try:
        visit_services.visit_single_officer_approve(visit=visit, by=_user(request))
    except ValidationError as error:
        return _refused(error)
    return Outcome(done="Approved: one officer may make the visit")


def _do_override(request: HttpRequest, override: Any) -> Outcome:
    if override.resolved_at is not None:
        return Outcome(stale=f"Already resolved by {_who(override.resolved_by, 'someone')}.")
    user = _user(request)
    try:
        resolved = caseload_services.cap_override_resolve(override=override, by=user)
    except ValidationError as error:
        return _refused(error)
    if resolved.resolved_by_id != user.pk:
        return Outcome(stale="Already resolved by someone else.")
    return Outcome(done="Resolved")


def _do_break_glass(request: HttpRequest, grant: Any) -> Outcome:
    if grant.acknowledged_at is not None:
        return Outcome(stale=f"Already acknowledged by {_who(grant.acknowledged_by, 'someone')}.")
    user = _user(request)
    try:
        done = account_services.break_glass_acknowledge(grant=grant, by=user)
    except ValidationError as error:
        return _refused(error)
    if done.acknowledged_by_id != user.pk:
        return Outcome(stale="Already acknowledged by someone else.")
    return Outcome(done="Acknowledged")


ACTIONS: dict[str, Callable[[HttpRequest, Any], Outcome]] = {
    "assessment": _do_assessment,
    "plan": _do_plan,
    "reactive": _do_reactive,
    "visit": _do_visit,
    "override": _do_override,
    "break_glass": _do_break_glass,
}


def _act(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    """Run one row's action and answer with the row (htmx) or a redirect with a message."""
    user = _user(request)
    record = selectors.approval_get_for_user(user=user, kind=kind, item_id=item_id)
    # The row as the sergeant saw it: it stays on the page with the outcome.
    item = selectors.approval_item(user=user, kind=kind, record=record)
    outcome = ACTIONS[kind](request, record)
    filters = Filters.read(request.POST)
    if _is_htmx(request):
        # 200 even when refused: htmx swaps only successful answers, and the refusal
        # belongs in the row.
        context = {"item": item, "outcome": outcome, "filters": filters, "announce": True}
        return render(request, ROW_TEMPLATE, context)
    about = f"{item.label} ({item.rso.display_name if item.rso else item.record_label})"
    if outcome.done:
        messages.success(request, f"{about}: {outcome.done}.")
    elif outcome.stale:
        messages.info(request, f"{about}: {outcome.stale}")
    else:
        problem = " ".join(filter(None, [outcome.error, outcome.field_error]))
        messages.error(request, f"{about}: not done. {problem}")
    return redirect(reverse("supervision:approvals") + filters.query())


@require_roles(Role.SERGEANT)
@require_POST
def approval_assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Approve a submitted ARMS assessment, or return it with comments."""
    return _act(request, "assessment", assessment_id)


@require_roles(Role.SERGEANT)
@require_POST
def approval_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Approve a submitted plan version, or return it with comments."""
    return _act(request, "plan", plan_id)


@require_roles(Role.SERGEANT)
@require_POST
def approval_reactive(request: HttpRequest, reactive_request_id: int) -> HttpResponse:
    """Approve a request to move a case to reactive management, or decline it with a note."""
    return _act(request, "reactive", reactive_request_id)


@require_roles(Role.SERGEANT)
@require_POST
def approval_visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Approve one officer making a visit alone."""
    return _act(request, "visit", visit_id)


@require_roles(Role.SERGEANT)
@require_POST
def approval_override(request: HttpRequest, override_id: int) -> HttpResponse:
    """Resolve a 20% override that is no longer needed."""
    return _act(request, "override", override_id)


@require_roles(Role.SERGEANT)
@require_POST
def approval_break_glass(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Acknowledge a break-glass access to one of the team's records."""
    return _act(request, "break_glass", grant_id)
