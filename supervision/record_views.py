"""Officer record pages (issue 8, item 5): vetting and training.

An officer (or sergeant) sees their own record, even while their vetting has lapsed (the
record is what tells them why their casework access is suspended); the team's sergeant,
the force's inspectors and administrators see an officer's. Administrators record
vetting; administrators and the team's sergeant record training.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caseload import local_policy
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, require_roles
from mosovo.audit.context import note_consultation, note_denial
from mosovo.lib.forms import show_errors

from . import selectors, services
from .forms import TrainingForm, VettingForm

USER_TYPE = "accounts.user"
# Who has an own record page: the people whose vetting and training the deadline engine
# tracks and whose "My tasks" link to it.
OWN_RECORD_ROLES = frozenset({Role.OFFICER, Role.SERGEANT, Role.INSPECTOR})


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _may_record_training(user: User, officer: User) -> bool:
    if user.role == Role.ADMIN:
        return user.force_id is None or user.force_id == officer.force_id
    return user.role == Role.SERGEANT and user.team_id is not None and user.team_id == officer.team_id


def _record_page(request: HttpRequest, *, officer: User, own: bool) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    record = selectors.officer_record(officer=officer, today=today)
    note_consultation(rso_ids=[], object_type=USER_TYPE, object_ids=[officer.pk])
    context = {
        "record": record,
        "officer": officer,
        "own": own,
        "today": today,
        "warn_days": local_policy.officer_record_warn_days(),
        "can_edit_vetting": user.role == Role.ADMIN,
        "can_edit_training": _may_record_training(user, officer),
        "page_title": "Your record" if own else f"{officer.display_name}: record",
    }
    return render(request, "supervision/records/record.html", context)


@require_GET
def my_record(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's own vetting and training.

    Not behind ``require_roles``: a user whose vetting has lapsed must still reach it.
    """
    user = _user(request)
    if not (user.is_authenticated and user.is_active and user.role in OWN_RECORD_ROLES):
        note_denial(object_type="view", object_ids=["supervision:my_record"], reason="no officer record")
        raise ScopeDenied
    return _record_page(request, officer=user, own=True)


@require_roles(Role.SERGEANT, Role.INSPECTOR, Role.ADMIN)
@require_GET
def officer_record(request: HttpRequest, officer_id: int) -> HttpResponse:
    """Show an officer's vetting and training (team's sergeant, force's inspectors and
    administrators)."""
    user = _user(request)
    officer = selectors.officer_get_for_user(user=user, officer_id=officer_id)
    return _record_page(request, officer=officer, own=officer.pk == user.pk)


def _back(user: User, officer: User) -> str:
    if officer.pk == user.pk and user.role != Role.ADMIN:
        return reverse("supervision:my_record")
    return reverse("supervision:officer_record", args=[officer.pk])


@require_roles(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def vetting_edit(request: HttpRequest, officer_id: int) -> HttpResponse:
    """Record an officer's vetting level and expiry (administrators)."""
    user = _user(request)
    officer = selectors.officer_get_for_user(user=user, officer_id=officer_id)
    if request.method == "POST":
        form = VettingForm(request.POST)
        if form.is_valid():
            try:
                services.officer_vetting_set(
                    officer=officer,
                    level=form.cleaned_data["vetting_level"],
                    expires_on=form.cleaned_data["vetting_expires_on"],
                    by=user,
                )
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, f"Vetting recorded for {officer.display_name}")
                return redirect("supervision:officer_record", officer_id=officer.pk)
    else:
        form = VettingForm(
            initial={"vetting_level": officer.vetting_level, "vetting_expires_on": officer.vetting_expires_on}
        )
    context: dict[str, Any] = {
        "form": form,
        "officer": officer,
        "back": _back(user, officer),
        "today": timezone.localdate(),
        "page_title": f"Vetting: {officer.display_name}",
    }
    return render(request, "supervision/records/vetting_form.html", context)


@require_roles(Role.ADMIN, Role.SERGEANT)
@require_http_methods(["GET", "POST"])
def training_add(request: HttpRequest, officer_id: int) -> HttpResponse:
    """Record a course an officer completed (administrators, the team's sergeant)."""
    user = _user(request)
    officer = selectors.officer_get_for_user(user=user, officer_id=officer_id)
    if not _may_record_training(user, officer):
        note_denial(object_type=USER_TYPE, object_ids=[officer.pk], reason="only the team's sergeant or an admin")
        raise ScopeDenied
    form = TrainingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.officer_training_record(
                officer=officer,
                course=form.cleaned_data["course"],
                completed_on=form.cleaned_data["completed_on"],
                expires_on=form.cleaned_data["expires_on"],
                by=user,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{record.get_course_display()} recorded for {officer.display_name}")
            return redirect(_back(user, officer))
    context: dict[str, Any] = {
        "form": form,
        "officer": officer,
        "back": _back(user, officer),
        "page_title": f"Add training: {officer.display_name}",
    }
    return render(request, "supervision/records/training_form.html", context)


@require_roles(Role.ADMIN, Role.SERGEANT)
@require_http_methods(["GET", "POST"])
def training_delete(request: HttpRequest, record_id: int) -> HttpResponse:
    """Remove a training record entered in error: GET asks to confirm, POST removes it."""
    user = _user(request)
    record = selectors.training_record_get_for_user(user=user, record_id=record_id)
    officer = record.user
    if not _may_record_training(user, officer):
        note_denial(object_type="accounts.trainingrecord", object_ids=[record.pk], reason="only the team's sergeant")
        raise ScopeDenied
    back = _back(user, officer)
    if request.method == "POST":
        label = str(record)
        services.officer_training_delete(record=record, by=user)
        messages.success(request, f"Removed {label} from {officer.display_name}'s record")
        return redirect(back)
    context: dict[str, Any] = {
        "record": record,
        "officer": officer,
        "back": back,
        "page_title": f"Remove training: {officer.display_name}",
    }
    return render(request, "supervision/records/training_delete.html", context)
