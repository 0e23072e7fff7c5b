"""Visits HTML views: thin, over the services and selectors.

Who may do what (the services decide; the pages only show what applies):
- everyone doing casework in scope (offender managers, sergeants, inspectors) reads the
  record's Visits tab and each visit;
- the RSO's team (offender managers and sergeant) plans, cancels, records the safety
  assessment, starts and records a visit, and adds or removes devices;
- a sergeant of the team approves a single-officer visit.
Out of scope, and for admins and auditors, every page is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arms.choices import FactorKind
from caseload import local_policy
from caseload import selectors as caseload_selectors
from caseload.models import RSO
from caseload.views import record_context
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, require_roles
from mosovo.audit.context import note_denial
from mosovo.lib.forms import show_errors

from . import selectors, services
from .choices import ComplianceResult, Outcome, VisitStatus
from .forms import CancelForm, DeviceForm, RecordForm, SafetyForm, VisitPlanForm, moment
from .models import Visit

CASEWORK = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)
WRITERS = (Role.OFFICER, Role.SERGEANT)

# Where visit_problems' keys are put right on the record form.
PROBLEM_FIELDS = {"occurred_at": "occurred_on", "outcome": "outcome", "children_note": "children_note"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _visit_for(request: HttpRequest, visit_id: int, *, for_change: bool = False) -> Visit:
    return selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=for_change)


def _writes(context: dict[str, Any], user: User) -> bool:
    """Tell whether the user may write on this record (break-glass reads only)."""
    return user.role in WRITERS and not context["break_glass"]


def _visit_context(request: HttpRequest, visit: Visit, title: str, **extra: Any) -> dict[str, Any]:
    context = record_context(request, visit.rso, "visits", visit=visit, page_title=f"{visit.rso.display_name}: {title}")
    context["writes"] = _writes(context, _user(request))
    context.update(extra)
    return context


# --- The record's Visits tab -----------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def rso_visits(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show when the next visit is due (and why), the planned visits and the past ones."""
    rso = caseload_selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    visits = selectors.rso_visits(rso=rso)
    today = timezone.localdate()
    interval, source = selectors.visit_interval_source(rso=rso)
    due = rso.next_visit_due_on
    context = record_context(
        request,
        rso,
        "visits",
        planned=[v for v in reversed(visits) if v.status in selectors.OPEN_STATUSES],
        past=[v for v in visits if v.status not in selectors.OPEN_STATUSES],
        interval=interval,
        interval_source=source,
        reactive=rso.management_model == "REACTIVE",
        overdue=due is not None and due < today,
        due_soon=due is not None and today <= due <= today + dt.timedelta(days=local_policy.due_soon_days()),
    )
    context["writes"] = _writes(context, _user(request))
    return render(request, "visits/visit/tab.html", context)


# --- Planning, approval, cancelling ----------------------------------------------------


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def visit_plan(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Plan a visit: its type, when, the lead officer and a second officer (or why one goes alone)."""
    user = _user(request)
    rso = caseload_selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    officers = selectors.team_visiting_officers(rso=rso)
    form = VisitPlanForm(
        request.POST if request.method == "POST" else None, officers=officers, initial={"lead_officer": str(user.pk)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {str(o.pk): o for o in officers}
        try:
            visit = services.visit_plan(
                rso=rso,
                visit_type=data["visit_type"],
                planned_for=moment(data["planned_on"], data["planned_at"]),
                lead_officer=by_id.get(data["lead_officer"]),
                second_officer=by_id.get(data["second_officer"]),
                single_officer_reason=data["single_officer_reason"],
                by=user,
            )
        except ValidationError as refused:
            show_errors(form, refused, {"planned_for": "planned_on"})
        else:
            messages.success(request, f"{visit.get_visit_type_display()} planned for {_when(visit)}.")
            return redirect("visits:visit_detail", visit_id=visit.pk)
    context = record_context(request, rso, "visits", form=form, page_title=f"{rso.display_name}: plan a visit")
    return render(request, "visits/visit/plan.html", context, status=400 if form.errors else 200)


def _when(visit: Visit) -> str:
    return f"{timezone.localtime(visit.planned_for):%-d %B %Y at %H:%M}"


@require_roles(Role.SERGEANT)
@require_POST
def visit_approve_single(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Approve one officer making the visit alone (the team's sergeant)."""
    visit = _visit_for(request, visit_id, for_change=True)
    try:
        services.visit_single_officer_approve(visit=visit, by=_user(request))
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "Single-officer visit approved.")
    return redirect("visits:visit_detail", visit_id=visit.pk)


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def visit_cancel(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Cancel a planned visit, with the reason."""
    visit = _visit_for(request, visit_id, for_change=True)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_cancel(visit=visit, reason=form.cleaned_data["reason"], by=_user(request))
        except ValidationError as refused:
            show_errors(form, refused)
        else:
            messages.success(request, "Visit cancelled.")
            return redirect("visits:rso_visits", rso_id=visit.rso_id)
    context = _visit_context(request, visit, "cancel a visit", form=form)
    return render(request, "visits/visit/cancel.html", context, status=400 if form.errors else 200)


# --- One visit --------------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Show the visit: the plan, safety assessment, record, checklist, devices and changes raised."""
    visit = _visit_for(request, visit_id)
    return _detail_page(request, visit)


def _detail_page(request: HttpRequest, visit: Visit, *, refusal: str = "", status: int = 200) -> HttpResponse:
    user = _user(request)
    view = selectors.visit_view(visit=visit)
    context = _visit_context(request, visit, str(visit), vv=view, refusal=refusal)
    writes = context["writes"]
    planned = visit.status == VisitStatus.PLANNED
    context.update(
        can_start=writes and planned,
        can_cancel=writes and planned,
        can_safety=writes and visit.status in selectors.OPEN_STATUSES,
        can_record=writes and visit.status == VisitStatus.STARTED,
        can_approve=(
            user.role == Role.SERGEANT
            and not context["break_glass"]
            and planned
            and visit.second_officer_id is None
            and visit.single_officer_approved_by_id is None
        ),
        changes_raised=_changes_raised(visit, view),
        observation_rows=[(f, view.observations[f.pk]) for f in view.factors if f.pk in view.observations],
    )
    return render(request, "visits/visit/detail.html", context, status=status)


def _changes_raised(visit: Visit, view: selectors.VisitView) -> list[str]:
    """Return the significant changes completing this visit raised (domain s.5)."""
    if visit.status != VisitStatus.RECORDED:
        return []
    raised = []
    if visit.outcome == Outcome.NOT_RESIDENT:
        raised.append("Not resident at the notified address")
    if view.failed_checks:
        raised.append("Compliance checks failed: " + "; ".join(c.label for c in view.failed_checks))
    return raised


@require_roles(*WRITERS)
@require_POST
def visit_start(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Start recording the visit; refused (with the reason, on the visit page) without the
    safety assessment or without two officers or the sergeant's approval."""
    visit = _visit_for(request, visit_id, for_change=True)
    try:
        services.visit_start(visit=visit, by=_user(request))
    except ValidationError as refused:
        return _detail_page(request, _visit_for(request, visit_id), refusal=" ".join(refused.messages), status=400)
    messages.success(request, "Visit started. The record is saved as a draft as you go.")
    return redirect("visits:visit_record", visit_id=visit.pk)


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def visit_safety(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Record the pre-visit safety assessment, prefilled from the previous one."""
    user = _user(request)
    visit = _visit_for(request, visit_id, for_change=True)
    view = selectors.visit_view(visit=visit)
    shown = view.safety or view.carried
    initial: dict[str, Any] = {name: getattr(shown, name) for name in services.SAFETY_FIELDS} if shown else {}
    initial["version"] = view.safety.version if view.safety else None
    form = SafetyForm(request.POST if request.method == "POST" else None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.safety_assessment_record(
                visit=visit,
                **{name: data[name] for name in services.SAFETY_FIELDS},
                reviewed=data["reviewed"],
                version=data["version"],
                by=user,
            )
        except services.Conflict:
            conflict = True
            form.add_error(
                None, "Someone else changed this safety assessment while you were editing. Nothing was saved."
            )
        except ValidationError as refused:
            show_errors(form, refused)
        else:
            messages.success(request, "Safety assessment recorded.")
            return redirect("visits:visit_detail", visit_id=visit.pk)
    context = _visit_context(request, visit, "safety assessment", form=form, vv=view, shown=shown)
    status = 409 if conflict else 400 if form.errors else 200
    return render(request, "visits/visit/safety.html", context, status=status)


# --- The record -------------------------------------------------------------------------


def _record_initial(visit: Visit, view: selectors.VisitView) -> dict[str, Any]:
    when = timezone.localtime(visit.occurred_at) if visit.occurred_at else None
    initial: dict[str, Any] = {
        "outcome": visit.outcome,
        "occurred_on": when.date() if when else None,
        "occurred_time": when.time().replace(second=0, microsecond=0) if when else None,
        "people_present": visit.people_present,
        "children_present": visit.children_present,
        "children_note": visit.children_note,
        "intelligence_reference": visit.intelligence_reference,
        "follow_up_actions": visit.follow_up_actions,
        "notes": visit.notes,
        "version": visit.version,
    }
    for factor_id, observation in view.observations.items():
        initial[f"obs_{factor_id}"] = observation.note
    for check in view.compliance:
        initial[f"check_{check.pk}"] = check.result if check.result != ComplianceResult.NOT_CHECKED else ""
        initial[f"check_{check.pk}_note"] = check.note
    return initial


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def visit_record(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Fill in the visit record: "Save draft" keeps everything entered; "Complete the
    record" saves it, then completes it (or shows what is missing, nothing lost)."""
    user = _user(request)
    visit = _visit_for(request, visit_id, for_change=True)
    if visit.status != VisitStatus.STARTED:
        messages.error(
            request,
            "Start the visit first (after the safety assessment)."
            if visit.status == VisitStatus.PLANNED
            else f"This visit is {visit.get_status_display().lower()} and cannot be changed.",
        )
        return redirect("visits:visit_detail", visit_id=visit.pk)
    view = selectors.visit_view(visit=visit)
    kwargs: dict[str, Any] = {"factors": view.factors, "checks": view.compliance}
    form = RecordForm(
        request.POST if request.method == "POST" else None, initial=_record_initial(visit, view), **kwargs
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.visit_record_save(
                visit=visit,
                version=data["version"],
                by=user,
                outcome=data["outcome"],
                occurred_at=moment(data["occurred_on"], data["occurred_time"]),
                people_present=data["people_present"],
                children_present=data["children_present"],
                children_note=data["children_note"],
                intelligence_reference=data["intelligence_reference"],
                follow_up_actions=data["follow_up_actions"],
                notes=data["notes"],
                observations=form.observations(),
                compliance=form.compliance(),
            )
        except services.Conflict:
            conflict = True
            form.add_error(None, "Someone else changed this visit while you were recording it. Nothing was saved.")
        except ValidationError as refused:
            show_errors(form, refused, {"occurred_at": "occurred_on"})
        else:
            if "complete" not in request.POST:
                messages.success(request, "Draft saved.")
                return redirect("visits:visit_record", visit_id=visit.pk)
            try:
                services.visit_complete(visit=saved, version=saved.version, by=user)
            except services.Conflict:
                conflict = True
                form.add_error(
                    None, "Someone else changed this visit while you were recording it. It was not completed."
                )
            except ValidationError as refused:
                # The draft is saved: show what is missing on a form carrying the new version.
                form = _rebound(request, form, saved.version, **kwargs)
                first_check = f"check_{view.compliance[0].pk}" if view.compliance else ""
                show_errors(form, refused, PROBLEM_FIELDS | {"compliance": first_check})
            else:
                _completed_message(request, visit.rso_id, saved)
                return redirect("visits:visit_detail", visit_id=visit.pk)
    context = _visit_context(
        request,
        visit,
        "record the visit",
        form=form,
        vv=view,
        risk_rows=form.factor_rows(FactorKind.RISK),
        protective_rows=form.factor_rows(FactorKind.PROTECTIVE),
        check_rows=form.check_rows(),
        conflict=conflict,
    )
    status = 409 if conflict else 400 if form.errors else 200
    return render(request, "visits/visit/record.html", context, status=status)


def _rebound(request: HttpRequest, form: RecordForm, version: int, **kwargs: Any) -> RecordForm:
    data = request.POST.copy()
    data["version"] = str(version)
    rebound = RecordForm(data, **kwargs)
    rebound.is_valid()
    return rebound


def _completed_message(request: HttpRequest, rso_id: int, visit: Visit) -> None:
    rso = RSO.objects.only("next_visit_due_on", "arms_change_review_due_on").get(pk=rso_id)
    due = f"The next visit is due by {rso.next_visit_due_on:%-d %B %Y}." if rso.next_visit_due_on else ""
    messages.success(request, f"Visit record completed. {due}".strip())
    raised = (
        visit.outcome == Outcome.NOT_RESIDENT or visit.compliance.filter(result=ComplianceResult.NOT_COMPLIED).exists()
    )
    if raised and rso.arms_change_review_due_on:
        messages.warning(
            request,
            f"A significant change was recorded: an ARMS review is due by {rso.arms_change_review_due_on:%-d %B %Y}.",
        )


# --- Devices ----------------------------------------------------------------------------


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def device_add(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Record a device examined at the visit (a seizure needs its exhibit reference)."""
    visit = _visit_for(request, visit_id, for_change=True)
    form = DeviceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.device_add(visit=visit, by=_user(request), **form.cleaned_data)
        except ValidationError as refused:
            show_errors(form, refused)
        else:
            messages.success(request, "Device added.")
            return redirect("visits:visit_record", visit_id=visit.pk)
    context = _visit_context(request, visit, "add a device", form=form)
    return render(request, "visits/visit/device_add.html", context, status=400 if form.errors else 200)


@require_roles(*WRITERS)
@require_POST
def device_remove(request: HttpRequest, visit_id: int, device_id: int) -> HttpResponse:
    """Remove a device entered in error."""
    visit = _visit_for(request, visit_id, for_change=True)
    device = selectors.device_get_for_user(user=_user(request), device_id=device_id, for_change=True)
    if device.visit_id != visit.pk:
        note_denial(object_type=services.DEVICE_TYPE, object_ids=[device_id], reason="not a device of this visit")
        raise ScopeDenied
    try:
        services.device_remove(device=device, by=_user(request))
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "Device removed.")
    return redirect("visits:visit_record", visit_id=visit.pk)
