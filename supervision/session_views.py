"""Formal supervision sessions (issue 8 item 3): the list, recording a session, the
record itself, the officer's acknowledgement and marking agreed actions done.

Thin over ``supervision.services`` and ``supervision.selectors``. The wellbeing check is
private to the sergeant who held the session, the officer and their inspector
(``selectors.session_wellbeing_visible``); agreed actions are tasks in the officer's
inbox (``supervision.deadlines``) until marked done here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.models import RSO
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, require_roles
from mosovo.audit.context import note_consultation, note_denial

from . import selectors, services
from .forms import SESSION_ACTION_PREFIX, AgreedActionForm, AgreedActionFormSet, SupervisionSessionForm
from .models import SupervisionSession

CASEWORK = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)
PAGE_SIZE = 25
RSO_TYPE = "caseload.rso"
SESSION_TYPE = "supervision.supervisionsession"
MAX_ACTIONS = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


# --- The list ----------------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """List the supervision sessions the user may see, newest first, 25 to a page: an
    officer their own, a sergeant the team's, an inspector the force's (with filters)."""
    user = _user(request)
    is_officer = user.role == Role.OFFICER
    team_id = _int(request.GET.get("team")) if user.role == Role.INSPECTOR else None
    officer_id = None if is_officer else _int(request.GET.get("officer"))
    teams = list(selectors.teams_for_user(user=user)) if user.role == Role.INSPECTOR else []
    officers = [] if is_officer else list(selectors.session_filter_officers(user=user, team_id=team_id))
    rows = selectors.session_rows(user=user, officer_id=officer_id, team_id=team_id)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    note_consultation(rso_ids=[], object_type=SESSION_TYPE, object_ids=[s.pk for s in page.object_list])
    chosen = next((o for o in officers if o.pk == officer_id), None)
    create_url = reverse("supervision:session_create")
    if chosen is not None:
        create_url += f"?officer={chosen.pk}"
    context = {
        "page_obj": page,
        "teams": teams,
        "officers": officers,
        "team_id": team_id,
        "officer_id": officer_id,
        "chosen_officer": chosen,
        "filtered": officer_id is not None or team_id is not None,
        "may_record": user.role == Role.SERGEANT,
        "create_url": create_url,
        "page_title": "Supervision sessions" if chosen is None else f"Supervision sessions: {chosen.display_name}",
    }
    return render(request, "supervision/sessions/list.html", context)


# --- Recording a session -----------------------------------------------------------------


@dataclass(frozen=True)
class CaseOption:
    pk: int
    label: str
    checked: bool


@dataclass(frozen=True)
class ErrorLink:
    anchor: str
    message: str


def _team_officers(user: User) -> list[User]:
    if user.team_id is None:
        raise ScopeDenied
    return list(selectors.team_officers(team=user.team))  # type: ignore[arg-type]


def _chosen(officers: list[User], raw: Any) -> User | None:
    wanted = _int(raw)
    return next((o for o in officers if o.pk == wanted), None)


def _quiet(form: forms.Form) -> None:
    """Show a bound form as typed, without validating it (a re-render, not a submission)."""
    form._errors = ErrorDict()  # type: ignore[attr-defined]


def _case_options(cases: list[RSO], selected: list[str]) -> list[CaseOption]:
    chosen = set(selected)
    return [CaseOption(c.pk, f"{c.display_name} ({c.visor_reference})", str(c.pk) in chosen) for c in cases]


def _error_links(form: SupervisionSessionForm, formset: Any) -> list[ErrorLink]:
    """Every error of the page in order, each linking to its field (the first box of a
    date, the first checkbox of the cases)."""
    links = [ErrorLink("officer-field", str(e)) for e in form.non_field_errors()]
    links += [ErrorLink("actions", str(e)) for e in formset.non_form_errors()]
    multi = {"held_on", "due_on", "cases"}
    for bound_form in [form, *formset.forms]:
        for bound in bound_form:
            for error in bound.errors:
                anchor = bound.auto_id
                if bound.name in multi:
                    anchor = "cases" if bound.name == "cases" else f"{anchor}_0"
                links.append(ErrorLink(anchor, str(error)))
        for error in bound_form.non_field_errors() if bound_form is not form else []:
            links.append(ErrorLink(f"action-row-{bound_form.prefix}", str(error)))
    return links


def _show_service_errors(form: SupervisionSessionForm, formset: Any, refused: ValidationError) -> None:
    """Put the service's refusal on the fields it names: ``actions-<n>-<field>`` is the
    n-th action row (from 1), the rest are the session form's fields."""
    if not hasattr(refused, "error_dict"):
        form.add_error(None, refused)
        return
    for key, errors in refused.error_dict.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == SESSION_ACTION_PREFIX and parts[1].isdigit():
            index = int(parts[1]) - 1
            if 0 <= index < len(formset.forms):
                row = formset.forms[index]
                row.add_error(parts[2] if parts[2] in row.fields else None, errors)
                continue
        form.add_error(key if key in form.fields else None, errors)


def _actions_input(formset: Any) -> list[services.ActionInput]:
    actions: list[services.ActionInput] = []
    for row in formset.forms:
        data = row.cleaned_data
        actions.append(
            {"description": data.get("description") or "", "due_on": data.get("due_on"), "rso_id": data.get("rso")}
        )
    return actions


def _with_one_more_action(data: QueryDict) -> QueryDict:
    more = data.copy()
    total = _int(data.get(f"{SESSION_ACTION_PREFIX}-TOTAL_FORMS")) or 0
    more[f"{SESSION_ACTION_PREFIX}-TOTAL_FORMS"] = str(min(total + 1, MAX_ACTIONS))
    return more


@require_roles(Role.SERGEANT)
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    """Record a supervision session with one of the sergeant's officers.

    Without JavaScript, "Show cases" and "Add another action" post the form back and it
    comes back as typed (with the chosen officer's cases, or one more action row); with
    htmx the cases follow the officer select and the new row is swapped in place.
    """
    user = _user(request)
    officers = _team_officers(user)
    data: QueryDict | None = request.POST if request.method == "POST" else None
    rerender = data is not None and ("show_cases" in data or "add_action" in data)
    if data is not None and "add_action" in data:
        data = _with_one_more_action(data)
    officer = _chosen(officers, data.get("officer") if data is not None else request.GET.get("officer"))
    cases = list(selectors.officer_open_cases(user=user, officer=officer)) if officer else []
    initial = {"held_on": timezone.localdate(), "officer": officer.pk if officer else ""}
    form = SupervisionSessionForm(data, officers=officers, cases=cases, initial=initial)
    formset = AgreedActionFormSet(data, prefix=SESSION_ACTION_PREFIX, form_kwargs={"cases": cases})
    if rerender:
        _quiet(form)
        for row in formset.forms:
            _quiet(row)
        formset._errors = []  # type: ignore[attr-defined]
        formset._non_form_errors = ErrorList()  # type: ignore[attr-defined]
    elif data is not None:
        form_valid = form.is_valid()
        if form_valid and formset.is_valid():
            assert officer is not None  # the officer field only takes the team's officers
            try:
                session = services.session_record(
                    sergeant=user,
                    officer=officer,
                    held_on=form.cleaned_data["held_on"],
                    case_ids=form.cleaned_data["cases"],
                    wellbeing_checked=form.cleaned_data["wellbeing_checked"],
                    wellbeing_notes=form.cleaned_data["wellbeing_notes"],
                    reflective_notes=form.cleaned_data["reflective_notes"],
                    actions=_actions_input(formset),
                )
            except ValidationError as refused:
                _show_service_errors(form, formset, refused)
            else:
                count = session.actions.count()
                messages.success(
                    request,
                    f"Supervision session with {officer.display_name} recorded"
                    + (f", with {count} agreed action{'' if count == 1 else 's'} in their tasks." if count else "."),
                )
                return redirect("supervision:session_detail", session_id=session.pk)
        else:
            formset.is_valid()  # collect the rows' errors too: every problem is shown at once
    note_consultation(rso_ids=[c.pk for c in cases], object_type=RSO_TYPE, object_ids=[c.pk for c in cases])
    errors = [] if rerender or data is None else _error_links(form, formset)
    context = {
        "form": form,
        "formset": formset,
        "officer": officer,
        "case_options": _case_options(cases, [str(v) for v in form["cases"].value() or []]),
        "error_links": errors,
        "page_title": ("Error: " if errors else "") + "Record a supervision session",
    }
    return render(request, "supervision/sessions/create.html", context, status=400 if errors else 200)


@require_roles(Role.SERGEANT)
@require_GET
def session_cases(request: HttpRequest) -> HttpResponse:
    """The chosen officer's open cases as checkboxes (htmx partial of the session form),
    and each action row's case list to match. Cases still listed stay ticked."""
    user = _user(request)
    officers = _team_officers(user)
    raw = request.GET.get("officer")
    officer = _chosen(officers, raw)
    if raw and officer is None:
        note_denial(object_type="accounts.user", object_ids=[raw], reason="not an officer of the sergeant's team")
        raise ScopeDenied
    cases = list(selectors.officer_open_cases(user=user, officer=officer)) if officer else []
    total = min(_int(request.GET.get(f"{SESSION_ACTION_PREFIX}-TOTAL_FORMS")) or 0, MAX_ACTIONS)
    rows = []
    for index in range(total):
        row = AgreedActionForm(request.GET, prefix=f"{SESSION_ACTION_PREFIX}-{index}", cases=cases)
        _quiet(row)
        rows.append(row)
    note_consultation(rso_ids=[c.pk for c in cases], object_type=RSO_TYPE, object_ids=[c.pk for c in cases])
    context = {
        "officer": officer,
        "case_options": _case_options(cases, request.GET.getlist("cases")),
        "case_errors": [],
        "rows": rows,
    }
    return render(request, "supervision/sessions/_cases_partial.html", context)


# --- The record --------------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """Show a supervision session as recorded: the wellbeing check only to the sergeant
    who held it, the officer and their inspector."""
    user = _user(request)
    session = selectors.session_get_for_user(user=user, session_id=session_id)
    visible = selectors.session_visible_rso_ids(user=user, session=session)
    all_cases = list(session.cases.all())
    cases = sorted((c for c in all_cases if c.pk in visible), key=lambda c: (c.family_name, c.given_names, c.pk))
    actions = list(session.actions.all())
    shown = sorted({c.pk for c in cases} | {a.rso_id for a in actions if a.rso_id in visible})
    note_consultation(rso_ids=shown, object_type=SESSION_TYPE, object_ids=[session.pk])
    context = {
        "session": session,
        "cases": cases,
        "hidden_cases": len(all_cases) - len(cases),
        "actions": actions,
        "visible_rso_ids": visible,
        "today": timezone.localdate(),
        "wellbeing_visible": selectors.session_wellbeing_visible(user=user, session=session),
        "may_complete": selectors.session_may_complete_actions(user=user, session=session),
        "may_acknowledge": user.pk == session.officer_id and session.acknowledged_at is None,
        "is_officer": user.pk == session.officer_id,
        "page_title": f"Supervision session with {session.officer.display_name}, {session.held_on:%-d %B %Y}",
    }
    return render(request, "supervision/sessions/detail.html", context)


def _back_to(session: SupervisionSession, anchor: str = "") -> HttpResponse:
    url = reverse("supervision:session_detail", args=[session.pk])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@require_roles(Role.OFFICER)
@require_POST
def session_acknowledge(request: HttpRequest, session_id: int) -> HttpResponse:
    """Record that the officer has read the session's record."""
    user = _user(request)
    session = selectors.session_get_for_user(user=user, session_id=session_id)
    if session.officer_id != user.pk:
        raise ScopeDenied
    try:
        services.session_acknowledge(session=session, by=user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "You have acknowledged the supervision record.")
    return _back_to(session)


@require_roles(Role.OFFICER, Role.SERGEANT)
@require_POST
def action_complete(request: HttpRequest, agreed_action_id: int) -> HttpResponse:
    """Mark an agreed action done: it leaves the officer's task inbox at once."""
    user = _user(request)
    action = selectors.agreed_action_get_for_user(user=user, action_id=agreed_action_id)
    if not selectors.session_may_complete_actions(user=user, session=action.session):
        note_denial(
            object_type="supervision.agreedaction", object_ids=[action.pk], reason="not the officer or sergeant"
        )
        raise ScopeDenied
    try:
        services.agreed_action_complete(action=action, by=user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Action marked as done: {action.description[:80]}")
    return _back_to(action.session, f"action-{action.pk}")
