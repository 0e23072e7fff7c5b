"""Risk management plan pages and the PDF export: thin HTML views over the services and selectors.

Who may do what (the services decide; the pages only show what applies):
- everyone doing casework in scope reads the plan tab, the versions and the history;
- the RSO's team (offender managers and sergeant) edits a draft or returned version,
  submits it, and records progress on the actions of the current approved version;
- a sergeant of the team approves or returns a submitted version;
- the team's sergeant, an inspector of the force and the allocated officer export an
  approved version as a PDF (a disclosure, audited with its reason and recipient).
Break-glass access is read-only.
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload import selectors as caseload_selectors
from caseload.views import record_context
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, require_roles
from mosovo.audit.context import note_denial
from mosovo.lib.forms import show_errors

from . import selectors, services
from .choices import ActionStatus, ActionType, Status
from .models import Plan, PlanAction
from .plan_forms import (
    ActionForm,
    ActionStatusForm,
    ApproveForm,
    PdfForm,
    PlanForm,
    ReturnForm,
    SubmitForm,
    action_initial,
)

CASEWORK = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)
WRITERS = (Role.OFFICER, Role.SERGEANT)
STALE = "Someone else changed this plan version while you were working on it. Nothing was saved."

# Where each of plan_problems' keys is put right: a field of the plan form, or the actions.
PROBLEM_ANCHORS = {
    "actions": "add-action",
    "contingencies": "id_contingencies",
    "visit_interval_months": "id_visit_interval_months",
    "visit_interval_reason": "id_visit_interval_reason",
    "change_summary": "id_change_summary",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _writes(context: dict[str, Any], user: User) -> bool:
    """Tell whether the user may write on this record (break-glass reads only)."""
    return user.role in WRITERS and not context["break_glass"]


@dataclass(frozen=True)
class TypeRow:
    """One action type's group as the pages show it, with a short name for the counts."""

    group: selectors.ActionGroup
    name: str

    @property
    def count(self) -> int:
        return len(self.group.actions)


def _type_rows(view: selectors.PlanView) -> list[TypeRow]:
    """Return the action groups, control and support first, named for "3 control, 2 support..."."""
    return [TypeRow(group, ActionType(group.action_type).name.replace("_", " ").lower()) for group in view.groups]


def _plan_for(request: HttpRequest, plan_id: int, *, for_change: bool = False) -> Plan:
    return selectors.plan_get_for_user(user=_user(request), plan_id=plan_id, for_change=for_change)


def _action_of(request: HttpRequest, plan: Plan, action_id: int) -> PlanAction:
    """Return one action of this plan version the user may change, or 404 (noting why)."""
    action = selectors.action_get_for_user(user=_user(request), action_id=action_id, for_change=True)
    if action.plan_id != plan.pk:
        note_denial(object_type=services.ACTION_TYPE, object_ids=[action_id], reason="not an action of this plan")
        raise ScopeDenied
    return action


def _problems(plan: Plan, error: ValidationError | dict[str, str]) -> list[tuple[str, str]]:
    """Return a refusal (or ``plan_problems``) as (message, link) pairs for an error summary."""
    edit = reverse("arms:plan_edit", args=[plan.pk])
    if isinstance(error, dict):
        items = list(error.items())
    elif hasattr(error, "error_dict"):
        items = [(field, message) for field, msgs in error.message_dict.items() for message in msgs]
    else:
        items = [("", message) for message in error.messages]
    rows = []
    for field, message in items:
        anchor = PROBLEM_ANCHORS.get(field, "")
        if field == "actions":
            href = "#add-action"
        elif anchor:
            href = f"{edit}#{anchor}"
        else:
            href = "#plan"
        rows.append((message, href))
    return rows


def _plan_page_context(
    request: HttpRequest, plan: Plan, view: selectors.PlanView, *, is_current: bool | None = None, **extra: Any
) -> dict[str, Any]:
    """Return what a page showing one plan version needs (record context included).

    ``is_current`` says whether the version is the current approved plan, when the
    caller knows; otherwise it is looked up.
    """
    user = _user(request)
    rso = plan.rso
    context = record_context(request, rso, "plan", **extra)
    writes = _writes(context, user)
    if is_current is None:
        current = services.current_plan(rso) if plan.status == Status.APPROVED else None
        is_current = current is not None and current.pk == plan.pk
    context.update(
        plan=plan,
        pv=view,
        type_rows=_type_rows(view),
        interval_longer=plan.visit_interval_months > view.default_interval,
        is_current=is_current,
        status_choices=ActionStatus.choices,
        can_edit=writes and plan.editable,
        can_progress=writes and is_current,
        can_review=(
            user.role == Role.SERGEANT
            and not context["break_glass"]
            and plan.status == Status.SUBMITTED
            and plan.submitted_by_id != user.pk
        ),
        can_export=plan.status == Status.APPROVED and services.may_export_plan(user=user, plan=plan),
    )
    if context["can_edit"] and "problems" not in extra:
        context["todo"] = _problems(plan, services.plan_problems(plan))
    return context


# --- The record's plan tab, history, versions -----------------------------------------


@require_roles(*CASEWORK)
@require_GET
def rso_plan(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show the current approved plan (or that there is none yet) and any open version."""
    user = _user(request)
    rso = caseload_selectors.rso_get_for_user(user=user, rso_id=rso_id)
    versions = selectors.rso_plans(rso=rso)
    for plan in versions:
        plan.rso = rso
    current = next((p for p in versions if p.status == Status.APPROVED), None)
    open_plan = next((p for p in versions if p.status != Status.APPROVED), None)
    if current is not None:
        context = _plan_page_context(request, current, selectors.plan_view(plan=current), is_current=True, back="tab")
    else:
        context = record_context(request, rso, "plan")
        context["has_assessment"] = services.last_approved_assessment(rso) is not None
    context.update(
        current=current,
        open_plan=open_plan,
        version_count=len(versions),
        writes=_writes(context, user),
        can_start=_writes(context, user) and open_plan is None,
        page_title=f"{rso.display_name}: plan",
    )
    return render(request, "arms/plan/tab.html", context)


@require_roles(*WRITERS)
@require_POST
def plan_start(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Open a new plan version (a copy of the current one) and go to it."""
    user = _user(request)
    rso = caseload_selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    try:
        plan = services.plan_start(rso=rso, by=user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("arms:rso_plan", rso_id=rso.pk)
    messages.success(request, f"Version {plan.number} of the plan started. Change it, then submit it for approval.")
    return redirect("arms:plan_detail", plan_id=plan.pk)


@require_roles(*CASEWORK)
@require_GET
def plan_history(request: HttpRequest, rso_id: int) -> HttpResponse:
    """List every version of the RSO's plan, newest first."""
    rso = caseload_selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    versions = selectors.rso_plans(rso=rso)
    context = record_context(request, rso, "plan", versions=versions, page_title=f"{rso.display_name}: plan history")
    return render(request, "arms/plan/history.html", context)


@require_roles(*CASEWORK)
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Show one version of the plan, with what can be done to it."""
    plan = _plan_for(request, plan_id)
    context = _plan_page_context(
        request, plan, selectors.plan_view(plan=plan), back="detail", page_title=_title(plan, "")
    )
    return render(request, "arms/plan/detail.html", context)


def _title(plan: Plan, what: str) -> str:
    return f"{plan.rso.display_name}: plan version {plan.number}{what}"


def _not_editable(request: HttpRequest, plan: Plan) -> HttpResponse:
    messages.error(
        request,
        f"Version {plan.number} is {plan.get_status_display().lower()}: it cannot be changed. Start a new version.",
    )
    return redirect("arms:plan_detail", plan_id=plan.pk)


# --- Editing a draft version -----------------------------------------------------------

PLAN_FIELDS = [
    "visit_interval_months",
    "visit_interval_reason",
    "contingencies",
    "shared_with_person",
    "change_summary",
]


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Change the version's visit interval, contingencies and what is shared with the person."""
    user = _user(request)
    plan = _plan_for(request, plan_id, for_change=True)
    if not plan.editable:
        return _not_editable(request, plan)
    initial = {name: getattr(plan, name) for name in PLAN_FIELDS} | {"version": plan.version}
    form = PlanForm(
        request.POST if request.method == "POST" else None, initial=initial, ask_change_summary=plan.number > 1
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                plan=plan,
                visit_interval_months=data["visit_interval_months"],
                visit_interval_reason=data["visit_interval_reason"],
                contingencies=data["contingencies"],
                shared_with_person=data["shared_with_person"],
                change_summary=data.get("change_summary", ""),
                version=data["version"],
                by=user,
            )
        except services.Conflict as conflict:
            return _conflict_page(request, conflict.current, data)
        except ValidationError as refused:
            show_errors(form, refused)
        else:
            messages.success(request, f"Version {plan.number} of the plan saved.")
            return redirect("arms:plan_detail", plan_id=plan.pk)
    default = services.default_visit_interval(plan.rso)
    context = record_context(
        request,
        plan.rso,
        "plan",
        plan=plan,
        form=form,
        interval_hint=(
            f"The policy for {plan.rso.get_risk_level_display().lower()} risk is a visit every {default} months. "
            "A longer interval needs a reason, which the sergeant approves with the plan."
        ),
        page_title=_title(plan, ": change the plan"),
    )
    return render(request, "arms/plan/edit.html", context, status=400 if form.errors else 200)


def _conflict_page(request: HttpRequest, current: Plan, attempted: dict[str, Any]) -> HttpResponse:
    """Show the version as it now is beside what the user tried to save (409): nothing was saved."""
    labels = PlanForm.base_fields
    rows = [
        (str(labels[name].label), str(getattr(current, name)), str(attempted.get(name, "")))
        for name in PLAN_FIELDS
        if name in attempted
    ]
    plan = _plan_for(request, current.pk)
    context = record_context(request, plan.rso, "plan", plan=plan, rows=rows, page_title=_title(plan, ": conflict"))
    return render(request, "arms/plan/conflict.html", context, status=409)


def _action_page(
    request: HttpRequest, plan: Plan, form: ActionForm, *, action: PlanAction | None = None
) -> HttpResponse:
    title = "Change an action" if action else "Add an action"
    context = record_context(
        request,
        plan.rso,
        "plan",
        plan=plan,
        form=form,
        action=action,
        form_title=title,
        page_title=_title(plan, f": {title.lower()}"),
    )
    return render(request, "arms/plan/action_form.html", context, status=400 if form.errors else 200)


def _action_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "factor_id": data["factor"],
        "action_type": data["action_type"],
        "description": data["description"],
        "agency": data["agency"],
        "owner": data["owner"],
        "due_on": data["due_on"],
        "status": data["status"],
        "shareable": data["shareable"],
    }


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def plan_action_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Add an action, tied to a factor of the assessment, to a draft version."""
    user = _user(request)
    plan = _plan_for(request, plan_id, for_change=True)
    if not plan.editable:
        return _not_editable(request, plan)
    form = ActionForm(request.POST if request.method == "POST" else None, factors=selectors.factors_for_plan(plan=plan))
    if request.method == "POST" and form.is_valid():
        try:
            action = services.plan_action_add(plan=plan, by=user, **_action_values(form.cleaned_data))
        except ValidationError as refused:
            show_errors(form, refused)
        else:
            messages.success(request, "Action added.")
            return redirect(f"{reverse('arms:plan_detail', args=[plan.pk])}#action-{action.pk}")
    return _action_page(request, plan, form)


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def plan_action_edit(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    """Change an action of a draft version."""
    user = _user(request)
    plan = _plan_for(request, plan_id, for_change=True)
    action = _action_of(request, plan, action_id)
    if not plan.editable:
        return _not_editable(request, plan)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        initial=action_initial(action),
        factors=selectors.factors_for_plan(plan=plan),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_action_update(action=action, by=user, **_action_values(form.cleaned_data))
        except ValidationError as refused:
            show_errors(form, refused)
        else:
            messages.success(request, "Action saved.")
            return redirect(f"{reverse('arms:plan_detail', args=[plan.pk])}#action-{action.pk}")
    return _action_page(request, plan, form, action=action)


@require_roles(*WRITERS)
@require_POST
def plan_action_remove(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    """Remove an action from a draft version."""
    user = _user(request)
    plan = _plan_for(request, plan_id, for_change=True)
    action = _action_of(request, plan, action_id)
    try:
        services.plan_action_remove(action=action, by=user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "Action removed.")
    return redirect(f"{reverse('arms:plan_detail', args=[plan.pk])}#actions")


@require_roles(*WRITERS)
@require_POST
def plan_action_status(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    """Record progress on an action; with htmx, answer with the row's form only."""
    user = _user(request)
    plan = _plan_for(request, plan_id, for_change=True)
    action = _action_of(request, plan, action_id)
    form = ActionStatusForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            action = services.plan_action_set_status(action=action, status=form.cleaned_data["status"], by=user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    back = form.cleaned_data.get("back") if form.is_valid() else request.POST.get("back")
    if _is_htmx(request):
        # 200 even when refused: htmx swaps only successful responses, and the refusal
        # belongs in the row.
        context = {
            "action": action,
            "plan": plan,
            "back": back or "detail",
            "saved": not error,
            "announce": True,
            "error": error,
            "status_choices": ActionStatus.choices,
        }
        return render(request, "arms/plan/_action_status.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Status changed to {action.get_status_display().lower()}.")
    target = (
        reverse("arms:rso_plan", args=[plan.rso_id]) if back == "tab" else reverse("arms:plan_detail", args=[plan.pk])
    )
    return redirect(f"{target}#action-{action.pk}")


@require_roles(*WRITERS)
@require_POST
def plan_submit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Send a draft version to the team's sergeant; what is missing comes back as an error summary."""
    user = _user(request)
    plan = _plan_for(request, plan_id, for_change=True)
    form = SubmitForm(request.POST)
    problems: list[tuple[str, str]] = []
    status = 400
    if not form.is_valid():
        problems = [("The form was incomplete: reload the page and try again.", "#plan")]
    else:
        try:
            services.plan_submit(plan=plan, version=form.cleaned_data["version"], by=user)
        except services.Conflict:
            problems, status = [(STALE + " Check the plan and submit again.", "#plan")], 409
        except ValidationError as refused:
            problems = _problems(plan, refused)
        else:
            messages.success(request, f"Version {plan.number} of the plan sent to the sergeant for approval.")
            return redirect("arms:plan_detail", plan_id=plan.pk)
    plan = _plan_for(request, plan.pk)
    context = _plan_page_context(
        request, plan, selectors.plan_view(plan=plan), back="detail", problems=problems, page_title=_title(plan, "")
    )
    return render(request, "arms/plan/detail.html", context, status=status)


@require_roles(Role.SERGEANT)
@require_http_methods(["GET", "POST"])
def plan_review(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Approve a submitted version, or return it with comments (the team's sergeant)."""
    user = _user(request)
    plan = _plan_for(request, plan_id, for_change=True)
    if plan.status != Status.SUBMITTED:
        messages.error(request, f"Version {plan.number} is {plan.get_status_display().lower()}: nothing to review.")
        return redirect("arms:plan_detail", plan_id=plan.pk)
    approve_form = ApproveForm(request.POST if request.POST.get("decision") == "approve" else None)
    return_form = ReturnForm(request.POST if request.POST.get("decision") == "return" else None)
    errors: list[str] = []
    if request.method == "POST":
        decision = request.POST.get("decision")
        form: forms.Form = approve_form if decision == "approve" else return_form
        if decision not in ("approve", "return"):
            errors.append("Choose to approve or to return the plan")
        elif form.is_valid():
            try:
                if decision == "approve":
                    services.plan_approve(plan=plan, by=user, comments=form.cleaned_data["comments"])
                else:
                    services.plan_return(plan=plan, comments=form.cleaned_data["comments"], by=user)
            except ValidationError as refused:
                show_errors(form, refused)
            else:
                done = (
                    "approved: it is now the current plan" if decision == "approve" else "returned with your comments"
                )
                messages.success(request, f"Version {plan.number} of the plan {done}.")
                return redirect("arms:rso_plan", rso_id=plan.rso_id)
    context = _plan_page_context(
        request,
        plan,
        selectors.plan_view(plan=plan),
        back="detail",
        approve_form=approve_form,
        return_form=return_form,
        error_form=next((f for f in (approve_form, return_form) if f.errors), None),
        review_errors=errors,
        page_title=_title(plan, ": review"),
    )
    status = 400 if errors or approve_form.errors or return_form.errors else 200
    return render(request, "arms/plan/review.html", context, status=status)


# --- PDF ------------------------------------------------------------------------------


def _pdf_filename(plan: Plan) -> str:
    reference = re.sub(r"[^A-Za-z0-9_-]+", "-", plan.rso.visor_reference).strip("-") or str(plan.rso_id)
    return f"plan-{reference}-v{plan.number}.pdf"


def pdf_context(plan: Plan, *, reason: str) -> dict[str, Any]:
    """Return what the PDF template shows (the service adds who, when and the recipient)."""
    view = selectors.plan_view(plan=plan)
    return {
        "plan": plan,
        "rso": plan.rso,
        "assessment": plan.assessment,
        "pv": view,
        "type_rows": _type_rows(view),
        "interval_longer": plan.visit_interval_months > view.default_interval,
        "reason": reason,
    }


@require_roles(*CASEWORK)
@require_http_methods(["GET", "POST"])
def plan_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Ask why and to whom the plan is disclosed, then send the PDF (an audited disclosure)."""
    user = _user(request)
    plan = _plan_for(request, plan_id, for_change=True)
    if plan.status != Status.APPROVED or not services.may_export_plan(user=user, plan=plan):
        note_denial(
            object_type=f"{services.PLAN_TYPE}.pdf",
            object_ids=[plan.pk],
            reason="only approved versions, for the team's sergeant, an inspector or the allocated officer",
        )
        raise ScopeDenied
    form = PdfForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reason, recipient = form.cleaned_data["reason"], form.cleaned_data["recipient"]
        try:
            pdf = services.plan_export_pdf(
                plan=plan, reason=reason, recipient=recipient, by=user, context=pdf_context(plan, reason=reason)
            )
        except ValidationError as refused:
            show_errors(form, refused)
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{_pdf_filename(plan)}"'
            response["Cache-Control"] = "no-store"
            response["X-Content-Type-Options"] = "nosniff"
            return response
    context = record_context(
        request, plan.rso, "plan", plan=plan, form=form, page_title=_title(plan, ": download as PDF")
    )
    return render(request, "arms/plan/pdf_form.html", context, status=400 if form.errors else 200)
