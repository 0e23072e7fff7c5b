"""ARMS assessment pages: thin HTML views over the services and selectors.

An assessment is drafted section by section, each saved explicitly: sources, then the
factor ratings (ARMS) or the other assessment used (women and under-18s), then the
summary; then check and submit. A sergeant of the team approves or returns it.

- Reading (the record's ARMS tab, an assessment in full): everyone doing casework in
  scope, break-glass readers included.
- Writing (start, the sections, submit): the offender managers and sergeant of the RSO's
  team (``for_change=True``: break-glass access is read-only). An inspector gets 404.
- Reviewing: a sergeant of the team only.

Every form carries the version it was based on; a stale save changes nothing and shows
the current values beside what the user tried to save. The edit pages of an assessment
that is no longer editable (submitted or approved) send the user to its read-only page
with a message saying why, whichever the method (an htmx request gets a client redirect).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from caseload.allocation import CapExceeded
from caseload.choices import RISK_ORDER, RiskLevel
from caseload.models import RSO, StaticRiskScore
from caseload.selectors import rso_get_for_user
from caseload.views import record_context
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, require_roles

from . import selectors, services
from .choices import Method, Source, Status
from .forms import (
    ApproveForm,
    FactorForm,
    OtherAssessmentForm,
    ReturnForm,
    SourcesForm,
    SubmitForm,
    SummaryForm,
)
from .models import Assessment, Factor, FactorRating

CASEWORK = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)
WRITERS = (Role.OFFICER, Role.SERGEANT)
FIRST_SECTION = "arms:assessment_sources"
CONFLICT = "Someone else changed this assessment while you were working on it. Nothing was saved."


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _may_write(user: User, rso: RSO) -> bool:
    """Tell whether the user drafts this RSO's assessments (its team's officers and sergeant)."""
    return user.role in WRITERS and user.team_id == rso.team_id


def _may_review(user: User, rso: RSO) -> bool:
    return user.role == Role.SERGEANT and user.team_id == rso.team_id


def _long_date(value: date | None) -> str:
    return date_format(value, "j F Y") if value else ""


def static_band_label(score: StaticRiskScore | None) -> str:
    """Say a static score as the pages show it: "Medium (OSP/C, 3 March 2025)"."""
    if score is None:
        return "No static score recorded"
    tool = score.get_tool_display().split(" (")[0]
    return f"{score.get_band_display()} ({tool}, {_long_date(score.assessed_on)})"


def _source_labels(sources: Iterable[str]) -> list[str]:
    return [Source(s).label if s in Source.values else s for s in sources]


@dataclass(frozen=True)
class FactorGroup:
    """The risk or the protective factors of an assessment, as rows to show."""

    key: str
    title: str
    rows: list[selectors.RatingRow]


def _factor_groups(view: selectors.AssessmentView) -> list[FactorGroup]:
    return [
        FactorGroup("risk", "Risk factors", view.risk),
        FactorGroup("protective", "Protective factors", view.protective),
    ]


@dataclass(frozen=True)
class ComparisonRow:
    """One item of the summary, in this assessment and in the previous approved one."""

    label: str
    now: str
    before: str
    changed: bool


# The summary items the review page compares, with their labels.
COMPARED = {
    "sources": "Sources used",
    "risk_priority": "Risk priority",
    "protective_priority": "Protective priority",
    "other_assessment": "Other assessment used",
    "proposed_risk_level": "Proposed risk level",
    "level_reason": "Reason for the level",
    "scenarios": "Scenarios",
}


def _summary_comparison(view: selectors.AssessmentView) -> list[ComparisonRow]:
    """Return the summary items beside the previous approved assessment's, changes marked."""
    now, before = view.assessment, view.previous
    changed = set(view.changed_fields)

    def shown(item: Assessment | None, name: str) -> str:
        if item is None:
            return ""
        if name == "sources":
            return ", ".join(_source_labels(item.sources))
        display = getattr(item, f"get_{name}_display", None)
        return str(display() if display else getattr(item, name))

    names = ["sources", "risk_priority", "protective_priority", "proposed_risk_level", "level_reason", "scenarios"]
    if now.method != Method.ARMS:
        names = ["sources", "other_assessment", "proposed_risk_level", "level_reason", "scenarios"]
    return [ComparisonRow(COMPARED[name], shown(now, name), shown(before, name), name in changed) for name in names]


def _show_service_errors(form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: on the field it names (or its alias here)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = (aliases or {}).get(name, name)
        form.add_error(field if field in form.fields else None, errors)


# --- Sections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One entry of the assessment's step navigation."""

    key: str
    label: str
    url: str
    done: bool


def _section_of(problem: str) -> str:
    """Name the section a problem (a key of ``services.assessment_problems``) belongs to."""
    if problem in ("sources", "interview_dates"):
        return "sources"
    if problem.startswith("factor-"):
        return "factors"
    if problem.startswith("other_"):
        return "other"
    return "summary"


# Where each problem is fixed: the id of its field on its section's page (a factor's
# problem goes to the factor's block, whose id is the problem's key).
PROBLEM_ANCHORS = {
    "sources": "id_sources_0",
    "interview_dates": "id_interview_date_1",
    "other_assessment": "id_other_assessment",
    "other_assessment_reason": "id_other_assessment_reason",
    "other_assessment_summary": "id_other_assessment_summary",
    "risk_priority": "id_risk_priority_0",
    "protective_priority": "id_protective_priority_0",
    "proposed_risk_level": "id_proposed_risk_level_0",
    "level_reason": "id_level_reason",
}


@dataclass(frozen=True)
class Problem:
    key: str
    message: str
    section: str
    url: str


def _problems(assessment: Assessment, found: dict[str, str] | None = None) -> list[Problem]:
    """Return what stops the assessment being submitted, each with a link to fix it."""
    found = services.assessment_problems(assessment) if found is None else found
    rows = []
    for key, message in found.items():
        section = _section_of(key)
        anchor = key if key.startswith("factor-") else PROBLEM_ANCHORS.get(key, "main-content")
        url = f"{reverse(f'arms:assessment_{section}', args=[assessment.pk])}#{anchor}"
        rows.append(Problem(key, message, section, url))
    return rows


def _steps(assessment: Assessment, problems: list[Problem]) -> list[Step]:
    ratings_step = ("factors", "Factor ratings") if assessment.method == Method.ARMS else ("other", "Other assessment")
    sections = [("sources", "Sources of information"), ratings_step, ("summary", "Summary and risk level")]
    open_sections = {p.section for p in problems}
    steps = [
        Step(key, label, reverse(f"arms:assessment_{key}", args=[assessment.pk]), key not in open_sections)
        for key, label in sections
    ]
    steps.append(Step("submit", "Check and submit", reverse("arms:assessment_submit", args=[assessment.pk]), False))
    return steps


def _next_section(assessment: Assessment, section: str) -> str:
    order = ["sources", "factors" if assessment.method == Method.ARMS else "other", "summary", "submit"]
    return order[order.index(section) + 1]


def _not_editable(request: HttpRequest, assessment: Assessment) -> HttpResponse | None:
    """Send the user to the read-only page if the assessment can no longer be changed."""
    if assessment.editable:
        return None
    messages.info(request, f"This assessment is {assessment.get_status_display().lower()} and cannot be changed.")
    url = reverse("arms:assessment_detail", args=[assessment.pk])
    return HttpResponseClientRedirect(url) if _is_htmx(request) else redirect(url)


@dataclass(frozen=True)
class AttemptedValue:
    label: str
    value: str


def _attempted(form: forms.Form) -> list[AttemptedValue]:
    """Return what the user tried to save, as the conflict message shows it (so nothing
    they typed is lost)."""
    rows = []
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput) or name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        choices = dict(getattr(field, "choices", None) or [])
        if isinstance(value, list):
            shown = ", ".join(str(choices.get(v, v)) for v in value)
        elif isinstance(value, date):
            shown = _long_date(value)
        else:
            shown = str(choices.get(value, value) if value not in (None, "") else "")
        rows.append(AttemptedValue(str(field.label), shown or "(empty)"))
    return rows


def _section_page(
    request: HttpRequest,
    assessment: Assessment,
    section: str,
    template: str,
    *,
    title: str,
    status: int = 200,
    problems: list[Problem] | None = None,
    **extra: Any,
) -> HttpResponse:
    """Render a section of a draft: the record's ARMS tab, the step navigation, the
    status, the prefill notice, the returned comments and what is still to do here."""
    problems = _problems(assessment) if problems is None else problems
    context = record_context(
        request,
        assessment.rso,
        "arms",
        assessment=assessment,
        section=section,
        steps=_steps(assessment, problems),
        section_problems=[p for p in problems if p.section == section],
        returned=selectors.assessment_latest_return(assessment=assessment),
        section_title=title,
        problems=problems,
        page_title=f"{title}: ARMS assessment of {assessment.rso.display_name}",
        **extra,
    )
    return render(request, template, context, status=status)


def _save_section(
    request: HttpRequest,
    assessment: Assessment,
    form: forms.Form,
    *,
    section: str,
    save: Callable[[dict[str, Any]], Assessment],
    fresh: Callable[[Assessment], forms.Form],
    success: str,
    aliases: dict[str, str] | None = None,
) -> tuple[HttpResponse | None, forms.Form, dict[str, Any], int]:
    """Validate a section's form and save it through ``save`` (a service).

    Returns a redirect once saved; otherwise the form to show, extra context and the
    status: 400 with the messages, or 409 with the current values when the save was
    stale (nothing saved; what the user typed is shown beside them).
    """
    if request.method != "POST":
        return None, form, {}, 200
    if not form.is_valid():
        return None, form, {}, 400
    try:
        saved = save(form.cleaned_data)
    except services.Conflict as conflict:
        current: Assessment = conflict.current
        return None, fresh(current), {"conflict": _attempted(form)}, 409
    except ValidationError as refused:
        _show_service_errors(form, refused, aliases)
        return None, form, {}, 400
    messages.success(request, success)
    following = _next_section(saved, section)
    return redirect(f"arms:assessment_{following}", assessment_id=saved.pk), form, {}, 302


def _assessment_for_change(request: HttpRequest, assessment_id: int) -> Assessment:
    return selectors.assessment_get_for_user(user=_user(request), assessment_id=assessment_id, for_change=True)


# --- The record's ARMS tab ------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def rso_assessments(request: HttpRequest, rso_id: int) -> HttpResponse:
    """List the RSO's assessments, newest first, with the ARMS review dates."""
    user = _user(request)
    rso = rso_get_for_user(user=user, rso_id=rso_id)
    rows = selectors.rso_assessments(rso=rso)
    approved = [a for a in rows if a.status == Status.APPROVED and a.approved_at]
    context = record_context(
        request,
        rso,
        "arms",
        assessments=rows,
        open_assessment=next((a for a in rows if a.status != Status.APPROVED), None),
        current=max(approved, key=lambda a: (a.approved_at, a.pk)) if approved else None,
    )
    context["can_edit"] = _may_write(user, rso) and not context["break_glass"]
    context["can_review"] = _may_review(user, rso)
    return render(request, "arms/assessment/list.html", context)


@require_roles(*WRITERS)
@require_POST
def assessment_start(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Open a draft assessment (prefilled from the last approved one) and go to its first section."""
    user = _user(request)
    rso = rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    try:
        assessment = services.assessment_start(rso=rso, by=user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("arms:rso_assessments", rso_id=rso.pk)
    if assessment.prefilled_from_id:
        messages.success(request, "Assessment started from the last approved one: check every section.")
    else:
        messages.success(request, "Assessment started.")
    return redirect(FIRST_SECTION, assessment_id=assessment.pk)


# --- One assessment, read-only --------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Show an assessment in full, whatever its status, with its approval trail."""
    user = _user(request)
    assessment = selectors.assessment_get_for_user(user=user, assessment_id=assessment_id)
    view = selectors.assessment_view(assessment=assessment)
    context = record_context(
        request,
        assessment.rso,
        "arms",
        assessment=assessment,
        view=view,
        factor_groups=_factor_groups(view),
        static_band=static_band_label(assessment.static_score),
        source_labels=_source_labels(assessment.sources),
        page_title=f"ARMS assessment of {assessment.rso.display_name}",
    )
    writable = _may_write(user, assessment.rso) and not context["break_glass"]
    context["can_edit"] = writable and assessment.editable
    context["can_review"] = _may_review(user, assessment.rso) and assessment.status == Status.SUBMITTED
    context["first_section_url"] = reverse(FIRST_SECTION, args=[assessment.pk])
    return render(request, "arms/assessment/detail.html", context)


# --- Section 1: sources -------------------------------------------------------------------


def _sources_form(assessment: Assessment, data: Any = None) -> SourcesForm:
    return SourcesForm(data, initial=SourcesForm.initial_for(assessment), slots=len(assessment.interview_dates))


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def assessment_sources(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Section 1: the sources of information used, notes, and the interview dates."""
    user = _user(request)
    assessment = _assessment_for_change(request, assessment_id)
    if (refusal := _not_editable(request, assessment)) is not None:
        return refusal
    form = _sources_form(assessment, _posted(request))
    done, shown, extra, status = _save_section(
        request,
        assessment,
        form,
        section="sources",
        save=lambda data: services.assessment_update_sources(
            assessment=assessment,
            sources=data["sources"],
            sources_notes=data["sources_notes"],
            interview_dates=form.interview_dates(),
            version=data["version"],
            by=user,
        ),
        fresh=_sources_form,
        success="Sources saved.",
        aliases={"interview_dates": "interview_date_1"},
    )
    if done is not None:
        return done
    return _section_page(
        request,
        assessment,
        "sources",
        "arms/assessment/sources.html",
        title="Sources of information",
        status=status,
        form=shown,
        **extra,
    )


# --- Section 2: factors (ARMS) -------------------------------------------------------------


@dataclass
class FactorBlock:
    """One factor's form as the factors page shows it; ``url`` is where it posts."""

    form: FactorForm
    url: str
    saved: bool = False
    conflict: list[AttemptedValue] | None = None

    @property
    def factor(self) -> Factor:
        return self.form.factor

    @property
    def anchor(self) -> str:
        return self.form.anchor


def _block(assessment: Assessment, rating: FactorRating, data: Any = None, **extra: Any) -> FactorBlock:
    url = reverse("arms:assessment_factor", args=[assessment.pk, rating.pk])
    return FactorBlock(FactorForm(data, rating=rating), url, **extra)


def _wrong_method(request: HttpRequest, assessment: Assessment, wanted: str) -> HttpResponse | None:
    """Send the user to the section their assessment's method uses, if this is not it."""
    if assessment.method == wanted:
        return None
    section = "factors" if assessment.method == Method.ARMS else "other"
    url = reverse(f"arms:assessment_{section}", args=[assessment.pk])
    return HttpResponseClientRedirect(url) if _is_htmx(request) else redirect(url)


@require_roles(*WRITERS)
@require_GET
def assessment_factors(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Section 2: every factor with its own form, risk and protective factors alike."""
    assessment = _assessment_for_change(request, assessment_id)
    if (refusal := _not_editable(request, assessment) or _wrong_method(request, assessment, Method.ARMS)) is not None:
        return refusal
    view = selectors.assessment_view(assessment=assessment, compare=False)
    risk = [_block(assessment, row.rating) for row in view.risk if row.rating is not None]
    protective = [_block(assessment, row.rating) for row in view.protective if row.rating is not None]
    return _section_page(
        request,
        assessment,
        "factors",
        "arms/assessment/factors.html",
        title="Factor ratings",
        risk_blocks=risk,
        protective_blocks=protective,
    )


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def assessment_factor(request: HttpRequest, assessment_id: int, rating_id: int) -> HttpResponse:
    """One factor: with htmx, its block of the factors page (saved on its own); without,
    a page of its own that goes back to the factors page, at the factor, once saved."""
    user = _user(request)
    assessment = _assessment_for_change(request, assessment_id)
    rating = selectors.rating_get_for_user(user=user, rating_id=rating_id, for_change=True)
    if rating.assessment_id != assessment.pk:
        raise ScopeDenied
    if (refusal := _not_editable(request, assessment) or _wrong_method(request, assessment, Method.ARMS)) is not None:
        return refusal
    block = _block(assessment, rating, _posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        form = block.form
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.factor_rating_update(
                    rating=rating,
                    value=data["rating"],
                    evidence=data["evidence"],
                    action=data["action"],
                    version=data["version"],
                    by=user,
                )
            except services.Conflict as conflict:
                block = _block(assessment, conflict.current, conflict=_attempted(form))
                status = 409
            except ValidationError as refused:
                _show_service_errors(form, refused)
            else:
                if not _is_htmx(request):
                    messages.success(request, f"{saved.factor.name} saved.")
                    return redirect(f"{reverse('arms:assessment_factors', args=[assessment.pk])}#{block.anchor}")
                block = _block(assessment, saved, saved=True)
                status = 200
    if _is_htmx(request):
        # htmx swaps only 2xx answers: messages and conflicts come back as 200 too.
        # ``announce``: the outcome also goes to the page's live region (out of band).
        context = {"entry": block, "assessment": assessment, "announce": True}
        return render(request, "arms/assessment/_factor.html", context)
    return _section_page(
        request,
        assessment,
        "factors",
        "arms/assessment/factor.html",
        title=f"Factor ratings: {rating.factor.name}",
        status=status,
        entry=block,
    )


# --- Section 2: another assessment (women and under-18s) ----------------------------------


def _other_form(assessment: Assessment, data: Any = None) -> OtherAssessmentForm:
    return OtherAssessmentForm(data, initial=OtherAssessmentForm.initial_for(assessment))


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def assessment_other(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Section 2 for women and under-18s: the other assessment used, why, and what it found."""
    user = _user(request)
    assessment = _assessment_for_change(request, assessment_id)
    if (refusal := _not_editable(request, assessment) or _wrong_method(request, assessment, Method.OTHER)) is not None:
        return refusal
    form = _other_form(assessment, _posted(request))
    done, shown, extra, status = _save_section(
        request,
        assessment,
        form,
        section="other",
        save=lambda data: services.assessment_update_other(
            assessment=assessment,
            other_assessment=data["other_assessment"],
            other_assessment_reason=data["other_assessment_reason"],
            other_assessment_summary=data["other_assessment_summary"],
            version=data["version"],
            by=user,
        ),
        fresh=_other_form,
        success="Other assessment saved.",
    )
    if done is not None:
        return done
    return _section_page(
        request,
        assessment,
        "other",
        "arms/assessment/other.html",
        title="Other assessment",
        status=status,
        form=shown,
        **extra,
    )


# --- Section 3: summary ------------------------------------------------------------------


def _summary_form(assessment: Assessment, data: Any = None) -> SummaryForm:
    return SummaryForm(data, initial=SummaryForm.initial_for(assessment), method=assessment.method)


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def assessment_summary(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Section 3: the priorities, the proposed risk level beside the static band, scenarios."""
    user = _user(request)
    assessment = _assessment_for_change(request, assessment_id)
    if (refusal := _not_editable(request, assessment)) is not None:
        return refusal
    form = _summary_form(assessment, _posted(request))

    def save(data: dict[str, Any]) -> Assessment:
        return services.assessment_update_summary(
            assessment=assessment,
            # Another assessment yields no ARMS priorities: keep what is there.
            risk_priority=data.get("risk_priority", assessment.risk_priority),
            protective_priority=data.get("protective_priority", assessment.protective_priority),
            proposed_risk_level=data["proposed_risk_level"],
            level_reason=data["level_reason"],
            scenarios=data["scenarios"],
            version=data["version"],
            by=user,
        )

    done, shown, extra, status = _save_section(
        request,
        assessment,
        form,
        section="summary",
        save=save,
        fresh=_summary_form,
        success="Summary saved.",
    )
    if done is not None:
        return done
    view = selectors.assessment_view(assessment=assessment, compare=False)
    return _section_page(
        request,
        assessment,
        "summary",
        "arms/assessment/summary.html",
        title="Summary and risk level",
        status=status,
        form=shown,
        view=view,
        static_band=static_band_label(services.latest_static_score(assessment.rso)),
        **extra,
    )


# --- Check and submit ----------------------------------------------------------------------


@require_roles(*WRITERS)
@require_http_methods(["GET", "POST"])
def assessment_submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Check every section (what is missing links to where to fix it), then submit."""
    user = _user(request)
    assessment = _assessment_for_change(request, assessment_id)
    if (refusal := _not_editable(request, assessment)) is not None:
        return refusal
    form = SubmitForm(_posted(request), initial={"version": assessment.version})
    status = 200
    conflict = False
    refused: dict[str, str] | None = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                submitted = services.assessment_submit(
                    assessment=assessment, version=form.cleaned_data["version"], by=user
                )
            except services.Conflict:
                conflict = True
                status = 409
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    refused = {key: " ".join(messages_) for key, messages_ in error.message_dict.items()}
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, "Assessment submitted. The team's sergeant will approve it or return it.")
                return redirect("arms:rso_assessments", rso_id=submitted.rso_id)
    if request.method == "POST":
        # The service refused after locking: show the assessment as it is now.
        assessment = _assessment_for_change(request, assessment.pk)
        if conflict:
            form = SubmitForm(initial={"version": assessment.version})
    view = selectors.assessment_view(assessment=assessment, compare=False)
    problems = _problems(assessment, refused)
    return _section_page(
        request,
        assessment,
        "submit",
        "arms/assessment/submit.html",
        title="Check and submit",
        status=status,
        form=form,
        view=view,
        factor_groups=_factor_groups(view),
        problems=problems,
        refused=refused is not None,
        conflict_message=CONFLICT if conflict else "",
        source_labels=_source_labels(assessment.sources),
        static_band=static_band_label(services.latest_static_score(assessment.rso)),
    )


# --- Review (sergeant) ----------------------------------------------------------------------


def _level_change(assessment: Assessment) -> str:
    """Say what approval does to the RSO's risk level."""
    current, proposed = assessment.rso.risk_level, assessment.proposed_risk_level
    if not proposed or proposed == current:
        return "Approving keeps the risk level as it is."
    if RISK_ORDER[RiskLevel(proposed)] < RISK_ORDER[RiskLevel(current)]:
        return "Approving lowers the risk level: a fall in level needs a sergeant's approval, and this is it."
    return "Approving raises the risk level: the 20% rule is checked against the offender manager's caseload."


def _review_page(
    request: HttpRequest,
    assessment: Assessment,
    *,
    approve_form: ApproveForm,
    return_form: ReturnForm,
    refused: Iterable[Any] = (),
    status: int = 200,
) -> HttpResponse:
    view = selectors.assessment_view(assessment=assessment)
    refused = list(refused)
    error_form = next((f for f in (approve_form, return_form) if f.errors), None)
    context = record_context(
        request,
        assessment.rso,
        "arms",
        assessment=assessment,
        view=view,
        approve_form=approve_form,
        return_form=return_form,
        error_form=error_form,
        refused=refused,
        show_override=bool(refused or approve_form["override_reason"].value()),
        static_band=static_band_label(assessment.static_score),
        level_change=_level_change(assessment),
        own_submission=assessment.submitted_by_id == _user(request).pk,
        source_labels=_source_labels(assessment.sources),
        factor_groups=_factor_groups(view),
        comparison=_summary_comparison(view),
        page_title=f"Review the ARMS assessment of {assessment.rso.display_name}",
    )
    return render(request, "arms/assessment/review.html", context, status=status)


@require_roles(Role.SERGEANT)
@require_http_methods(["GET", "POST"])
def assessment_review(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """A sergeant of the team approves a submitted assessment or returns it with comments,
    seeing it beside the previous approved one."""
    user = _user(request)
    assessment = _assessment_for_change(request, assessment_id)
    if assessment.status != Status.SUBMITTED:
        messages.info(
            request, f"This assessment is {assessment.get_status_display().lower()}: there is nothing to review."
        )
        return redirect("arms:assessment_detail", assessment_id=assessment.pk)
    decision = request.POST.get("decision") if request.method == "POST" else None
    approve_form = ApproveForm(request.POST if decision == "approve" else None, prefix="approve")
    return_form = ReturnForm(request.POST if decision == "return" else None, prefix="return")
    if request.method != "POST":
        return _review_page(request, assessment, approve_form=approve_form, return_form=return_form)
    refused: list[Any] = []
    if decision == "return" and return_form.is_valid():
        try:
            services.assessment_return(assessment=assessment, comments=return_form.cleaned_data["comments"], by=user)
        except ValidationError as error:
            _show_service_errors(return_form, error)
        else:
            author = assessment.submitted_by.display_name if assessment.submitted_by else "the assessor"
            messages.success(request, f"Assessment returned to {author} with your comments.")
            return redirect("arms:rso_assessments", rso_id=assessment.rso_id)
    elif decision == "approve" and approve_form.is_valid():
        data = approve_form.cleaned_data
        try:
            approved = services.assessment_approve(
                assessment=assessment,
                by=user,
                comments=data["comments"],
                override_reason=data["override_reason"] or None,
            )
        except CapExceeded as over:
            refused = over.checks
            approve_form.add_error(
                "override_reason", f"{over} Give a reason to go over the limit, or return the assessment."
            )
        except ValidationError as error:
            _show_service_errors(approve_form, error)
        else:
            level = RiskLevel(approved.proposed_risk_level).label.lower()
            messages.success(request, f"Assessment approved. The risk level is {level}.")
            return redirect("arms:rso_assessments", rso_id=approved.rso_id)
    elif decision not in ("approve", "return"):
        approve_form = ApproveForm({}, prefix="approve")
        approve_form.is_valid()  # bound and cleaned, so it can carry the error
        approve_form.add_error(None, "Choose to approve the assessment or to return it")
    # The service may have refused after locking: show the assessment as it is now.
    assessment = _assessment_for_change(request, assessment.pk)
    return _review_page(
        request, assessment, approve_form=approve_form, return_form=return_form, refused=refused, status=400
    )
