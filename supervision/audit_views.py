"""Plan-quality audit pages (issue 8, item 4): the list, sampling plans, scoring one.

A sergeant samples plans of the team (weighted towards higher risk), scores each on the
rubric beside the plan and what the system can see in it, and the officer reads the
score and the feedback. Thin over ``supervision.services`` and ``supervision.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arms import selectors as arms_selectors
from arms.services import PLAN_TYPE
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, require_roles
from mosovo.audit.context import note_consultation, note_denial

from . import selectors, services
from .choices import RUBRIC, RUBRIC_MAX, AuditState, CriterionScore
from .forms import AuditFilterForm, PlanAuditForm
from .models import PlanAudit

AUDIT_ROLES = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refuse(request: HttpRequest, object_id: Any, reason: str) -> ScopeDenied:
    note_denial(object_type=selectors.PLAN_AUDIT_TYPE, object_ids=[object_id], reason=reason)
    return ScopeDenied()


@require_roles(*AUDIT_ROLES)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """List the plan audits the user may see.

    Sergeant and inspector: the audits waiting for the sergeant (oldest first) and those
    completed in the window (newest first; the last 12 months unless ``?months=`` says
    otherwise, so ``?officer=<id>&state=COMPLETED`` lists exactly what the dashboard's
    plan-quality figure counts). Officer: their own completed audits.
    """
    user = _user(request)
    teams = list(selectors.teams_for_user(user=user)) if user.role == Role.INSPECTOR else []
    # The officer choices follow the team chosen (an inspector's filter).
    chosen_team = request.GET.get("team", "")
    team_id = next((team.pk for team in teams if str(team.pk) == chosen_team), None)
    officers = list(selectors.audit_filter_officers(user=user, team_id=team_id))
    form = AuditFilterForm(request.GET, officers=officers, teams=teams)
    state, officer_id, months = "", None, str(selectors.AUDIT_WINDOW_MONTHS)
    if form.is_valid():
        state = form.cleaned_data["state"] or ""
        officer_id = form.cleaned_data["officer"]
        team_id = form.cleaned_data.get("team")
        months = form.cleaned_data["months"] or months
    if user.role == Role.OFFICER:
        state, officer_id, team_id = AuditState.COMPLETED, None, None
    since = None if months == "all" else selectors.audit_completed_since(today=timezone.localdate(), months=int(months))
    page = selectors.audit_page(user=user, state=state, officer_id=officer_id, team_id=team_id, completed_since=since)
    context = {
        "form": form,
        "page": page,
        "state": state,
        "months": months,
        "since": since,
        "show_waiting": user.role != Role.OFFICER and state != AuditState.COMPLETED,
        "show_completed": state != AuditState.SAMPLED,
        "can_sample": user.role == Role.SERGEANT,
        "filtered": bool(officer_id or state or team_id or months != str(selectors.AUDIT_WINDOW_MONTHS)),
        "page_title": "Plan audits" if user.role != Role.OFFICER else "Your plan audits",
    }
    return render(request, "supervision/audits/list.html", context)


@require_roles(Role.SERGEANT)
@require_POST
def audit_sample(request: HttpRequest) -> HttpResponse:
    """Pick plans of the sergeant's team for audit, at random, weighted towards higher risk."""
    user = _user(request)
    team = selectors.team_get_for_user(user=user, team_id=user.team_id)
    try:
        audits = services.plan_audit_sample(team=team, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("supervision:audit_list")
    if audits:
        messages.success(request, f"Sampled {len(audits)} plan{'s' if len(audits) != 1 else ''}")
    else:
        messages.info(request, "No plans left to sample")
    return redirect("supervision:audit_list")


def _scores(audit: PlanAudit) -> list[dict[str, Any]]:
    rows = []
    for name, question, help_text in RUBRIC:
        value = getattr(audit, name)
        rows.append(
            {
                "field": name,
                "question": question,
                "help": help_text,
                "value": value,
                "label": CriterionScore(value).label if value is not None else "Not scored",
            }
        )
    return rows


@require_roles(*AUDIT_ROLES)
@require_http_methods(["GET", "POST"])
def audit_detail(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Show one audit. The team's sergeant scores a waiting one beside the plan (POST
    completes it); a completed one shows the scores and the feedback, which the officer
    whose plan it is reads (officers see only their own completed audits)."""
    user = _user(request)
    audit = selectors.audit_get_for_user(user=user, audit_id=audit_id)
    is_team_sergeant = user.role == Role.SERGEANT and user.team_id == audit.team_id
    if request.method == "POST" and not is_team_sergeant:
        raise _refuse(request, audit_id, "only the team's sergeant scores a plan audit")
    case_visible = selectors.audit_case_visible(user=user, audit=audit)
    waiting = audit.state == AuditState.SAMPLED
    can_audit = is_team_sergeant and waiting and case_visible
    if request.method == "POST" and not can_audit:
        if not waiting:
            messages.info(request, "This audit is already completed")
            return redirect("supervision:audit_detail", audit_id=audit.pk)
        raise _refuse(request, audit_id, "the case is no longer in the team")

    form = PlanAuditForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        scores = {name: form.cleaned_data[name] for name, _, _ in RUBRIC}
        try:
            services.plan_audit_complete(audit=audit, by=user, scores=scores, feedback=form.cleaned_data["feedback"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, "Audit completed: the officer can now read the score and your feedback")
            return redirect("supervision:audit_detail", audit_id=audit.pk)

    context: dict[str, Any] = {
        "audit": audit,
        "case_visible": case_visible,
        "can_audit": can_audit,
        "is_team_sergeant": is_team_sergeant,
        "is_officer": user.pk == audit.officer_id,
        "scores": _scores(audit),
        "points": sum(getattr(audit, name) or 0 for name, _, _ in RUBRIC),
        "rubric_max": RUBRIC_MAX,
        "today": timezone.localdate(),
        "page_title": "Plan audit",
    }
    if can_audit:
        plan = audit.plan
        plan.rso = audit.rso  # the plan view reads the case's risk level
        hints = selectors.plan_audit_hints(plan=plan)
        context.update(
            form=form,
            pv=arms_selectors.plan_view(plan=plan),
            criteria=[(bound, hints[bound.name]) for bound in form.criteria()],
            first_field_id=form.criteria()[0].auto_id + "_0",
        )
        note_consultation(rso_ids=[audit.rso_id], object_type=PLAN_TYPE, object_ids=[audit.plan_id])
    note_consultation(
        rso_ids=[audit.rso_id] if case_visible else [],
        object_type=selectors.PLAN_AUDIT_TYPE,
        object_ids=[audit.pk],
    )
    return render(request, "supervision/audits/detail.html", context)


@require_roles(Role.OFFICER, Role.SERGEANT)
@require_POST
def audit_seen(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Record that the officer whose plan it is has read the audit's feedback."""
    user = _user(request)
    audit = selectors.audit_get_for_user(user=user, audit_id=audit_id)
    if audit.officer_id != user.pk or audit.state != AuditState.COMPLETED:
        raise _refuse(request, audit_id, "only the officer whose plan it is marks the feedback read")
    services.plan_audit_seen(audit=audit, by=user)
    messages.success(request, "Marked as read")
    return redirect("supervision:audit_detail", audit_id=audit.pk)
