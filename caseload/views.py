"""Caseload HTML views: thin, over the services and selectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, get_for_user, granted_ids, require_roles
from mosovo.accounts.services import break_glass_grant
from mosovo.audit.context import note_denial
from mosovo.audit.selectors import audit_trail_for_rso, can_see_audit_trail

from . import local_policy, photos, selectors, services
from .allocation import CapExceeded
from .forms import (
    AddressForm,
    AliasForm,
    AllocationForm,
    AssociateForm,
    BreakGlassForm,
    CaseloadFilterForm,
    ChangeEventForm,
    ConvictionForm,
    EmploymentForm,
    EndDateForm,
    IdentityDocumentForm,
    ManagementModelForm,
    NotificationForm,
    OrderForm,
    PhotoForm,
    ProfileForm,
    ProhibitionForm,
    ReactiveRequestForm,
    RiskLevelForm,
    SearchForm,
    StaticScoreForm,
    StatusForm,
    TravelNoticeForm,
    VehicleForm,
)
from .models import RSO, Address, Alias, Associate, CivilOrder, Conviction, Employment, IdentityDocument, Vehicle

CASEWORK = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _due_soon_until() -> date:
    """Return the last day on which a visit due counts as due soon (local policy)."""
    return timezone.localdate() + timedelta(days=local_policy.due_soon_days())


@require_roles(*CASEWORK)
@require_GET
def rso_list(request: HttpRequest) -> HttpResponse:
    """List the RSOs the user may see, filtered and sorted, 50 to a page."""
    user = _user(request)
    officers = list(selectors.caseload_officers(user=user))
    data = request.GET.copy()
    if "officer" not in data and user.role == Role.OFFICER:
        data["officer"] = "me"  # an officer's list starts with their own caseload
    form = CaseloadFilterForm(data, officers=officers)
    filters = selectors.CaseloadFilters()
    if form.is_valid():
        filters = selectors.CaseloadFilters(
            officer=form.cleaned_data["officer"] or "",
            risk_level=form.cleaned_data["risk_level"] or "",
            mappa_level=form.cleaned_data["mappa_level"],
            status=form.cleaned_data["status"] or "",
            overdue_only=form.cleaned_data["overdue_only"],
            visit_overdue=form.cleaned_data["visit_overdue"],
            sort=form.cleaned_data["sort"] or "name",
            descending=form.cleaned_data["descending"],
            open_only=form.cleaned_data["open_only"],
            team_id=form.cleaned_data["team"],
            unassessed=form.cleaned_data["unassessed"],
        )
    page = selectors.rso_page(user=user, page=request.GET.get("page", 1), filters=filters)
    return render(
        request,
        "caseload/rso_list.html",
        {
            "page_obj": page,
            "form": form,
            "filters": filters,
            "today": timezone.localdate(),
            "due_soon_until": _due_soon_until(),
            "page_title": "Caseload",
        },
    )


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str


# The record's tabs, in order: (key, label, URL name). A tab appears once its URL exists.
RECORD_TABS = [
    ("profile", "Profile", "caseload:rso_detail"),
    ("addresses", "Addresses", "caseload:rso_addresses"),
    ("convictions", "Convictions", "caseload:rso_convictions"),
    ("notifications", "Notifications", "caseload:rso_notifications"),
    ("travel", "Travel", "caseload:rso_travel"),
    ("orders", "Orders", "caseload:rso_orders"),
    ("risk", "Risk", "caseload:rso_risk"),
    ("changes", "Changes", "caseload:rso_changes"),
    ("audit", "Audit trail", "caseload:rso_audit"),
]
TAB_LABELS = {key: label for key, label, _ in RECORD_TABS}


def register_record_tab(*, key: str, label: str, url_name: str, before: str) -> None:
    """Add a tab from a higher app (it registers in its AppConfig.ready), before another."""
    if key in TAB_LABELS:
        return
    index = next(i for i, (k, _, _) in enumerate(RECORD_TABS) if k == before)
    RECORD_TABS.insert(index, (key, label, url_name))
    TAB_LABELS[key] = label


def record_context(request: HttpRequest, rso: RSO, active_tab: str, **extra: Any) -> dict[str, Any]:
    """Return the context every record tab needs: the RSO, the tabs, break-glass state."""
    user = _user(request)
    tabs = []
    for key, label, url_name in RECORD_TABS:
        if key == "audit" and not can_see_audit_trail(user=user, rso=rso):
            continue
        try:
            tabs.append(Tab(key, label, reverse(url_name, args=[rso.pk])))
        except NoReverseMatch:
            continue
    break_glass = rso.pk in granted_ids(user, selectors.RSO_TYPE) and not (
        RSO.objects.visible_to(user).filter(pk=rso.pk).exists()
    )
    return {
        "rso": rso,
        "tabs": tabs,
        "active_tab": active_tab,
        "break_glass": break_glass,
        "today": timezone.localdate(),
        "due_soon_until": _due_soon_until(),
        "page_title": f"{rso.display_name}: {TAB_LABELS[active_tab]}",
        **extra,
    }


@require_roles(*CASEWORK)
@require_GET
def rso_detail(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show one RSO's record: the profile tab."""
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    return _profile_page(request, rso)


@require_roles(*CASEWORK)
@require_GET
def rso_audit(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show who has seen or changed this record (the team's sergeant and inspectors)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id)
    if not can_see_audit_trail(user=user, rso=rso):
        note_denial(object_type="caseload.rso.audit", object_ids=[rso.pk], reason="only the team's sergeant")
        raise ScopeDenied
    context = record_context(request, rso, "audit", audit_trail=audit_trail_for_rso(user=user, rso=rso))
    return render(request, "caseload/record/audit.html", context)


@require_roles(Role.OFFICER, Role.SERGEANT)
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Open a record outside the user's team, after they give a reason."""
    user = _user(request)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rso = selectors.rso_find_for_break_glass(user=user, reference=form.cleaned_data["reference"])
        if rso is None:
            form.add_error("reference", "No record in your force has that reference")
        elif RSO.objects.visible_to(user).filter(pk=rso.pk).exists():
            return redirect("caseload:rso_detail", rso_id=rso.pk)
        else:
            break_glass_grant(
                request=request,
                object_type=selectors.RSO_TYPE,
                object_id=rso.pk,
                object_label=rso.visor_reference,
                team=rso.team,
                rso_ids=[rso.pk],
                reason_code=form.cleaned_data["reason_code"],
                reason_text=form.cleaned_data["reason_text"],
            )
            messages.warning(
                request,
                "You have opened a record outside your team. This access is recorded and your sergeant sees it.",
            )
            return redirect("caseload:rso_detail", rso_id=rso.pk)
    return render(request, "caseload/break_glass.html", {"form": form, "page_title": "Open a record outside your team"})


@require_roles(Role.SERGEANT, Role.INSPECTOR)
@require_http_methods(["GET", "POST"])
def rso_allocate(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Allocate or transfer an RSO, previewing what it does to the 20% rule first."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    team_officers, other_officers = selectors.allocation_candidates(user=user, rso=rso)
    form = AllocationForm(
        request.POST if request.method == "POST" else None,
        initial={"version": rso.version, "officer": rso.allocated_officer_id},
        team_officers=team_officers,
        other_officers=other_officers,
    )
    context = record_context(request, rso, "profile", form=form, page_title=f"Allocate {rso.display_name}")
    if request.method == "POST" and form.is_valid():
        officer = next((o for o in [*team_officers, *other_officers] if o.pk == form.cleaned_data["officer"]), None)
        if officer is None:
            form.add_error("officer", "Choose an offender manager from the list")
        elif request.POST.get("action") != "confirm":
            context["preview"] = selectors.allocation_preview(rso=rso, officer=officer)
            context["officer"] = officer
        else:
            service = services.case_allocate if officer.team_id == rso.team_id else services.case_transfer
            try:
                rso, _ = service(
                    rso=rso,
                    officer=officer,
                    by=user,
                    override_reason=form.cleaned_data["override_reason"] or None,
                    version=form.cleaned_data["version"],
                )
            except CapExceeded as refused:
                context["preview"] = refused.checks
                context["officer"] = officer
                form.add_error("override_reason", f"{refused} Give a reason to override, or choose someone else.")
            except services.StaleVersion:
                form.add_error(
                    None, "Someone else changed this record while you were looking at it. Check and try again."
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"{rso.display_name} is now managed by {officer.display_name}.")
                if not RSO.objects.visible_to(user).filter(pk=rso.pk).exists():
                    return redirect("caseload:rso_list")  # transferred out of the sergeant's team
                return redirect("caseload:rso_detail", rso_id=rso.pk)
    return render(request, "caseload/allocate.html", context, status=400 if form.errors else 200)


@require_roles(Role.SERGEANT, Role.INSPECTOR)
@require_POST
def cap_override_resolve(request: HttpRequest, override_id: int) -> HttpResponse:
    """Close a 20% override once the officer's caseload is back within the rule."""
    user = _user(request)
    override = selectors.cap_override_get_for_user(user=user, override_id=override_id)
    try:
        services.cap_override_resolve(override=override, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Override resolved.")
    return redirect("home")


@require_roles(*CASEWORK)
@require_http_methods(["GET", "POST"])
def rso_search(request: HttpRequest) -> HttpResponse:
    """Search for an RSO in the user's scope; the terms are posted and kept only in the audit log."""
    form = SearchForm(request.POST if request.method == "POST" else None)
    results: list[RSO] | None = None
    if request.method == "POST" and form.is_valid():
        terms = selectors.SearchTerms(
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            reference=form.cleaned_data["reference"],
            address=form.cleaned_data["address"],
            vehicle=form.cleaned_data["vehicle"],
        )
        results = selectors.rso_search(user=_user(request), terms=terms)
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    context = {"form": form, "results": results, "limit": selectors.SEARCH_LIMIT, "page_title": "Search"}
    return render(request, "caseload/search.html", context, status=status)


# --- Record details (profile, addresses, contacts, identity, photo) ---------------------
# Who may change a record's details: its team's offender managers and sergeant (an
# inspector reads only; break-glass access is read-only).
DETAIL_WRITERS = (Role.OFFICER, Role.SERGEANT)

# The add forms of the profile tab, by context name.
PROFILE_FORMS: dict[str, type[forms.Form]] = {
    "alias_form": AliasForm,
    "vehicle_form": VehicleForm,
    "employment_form": EmploymentForm,
    "associate_form": AssociateForm,
    "document_form": IdentityDocumentForm,
    "photo_form": PhotoForm,
}

ChildT = TypeVar("ChildT", bound=models.Model)


def _show_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form, on the field it names where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _child_for_change(model: type[ChildT], *, user: User, rso: RSO, item_id: int, object_type: str) -> ChildT:
    """Return one row of the RSO's ``model`` the user may change, or 404 (noting why)."""
    queryset = model.objects.filter(rso=rso)  # type: ignore[attr-defined]
    return cast(ChildT, get_for_user(queryset, user=user, pk=item_id, object_type=object_type, for_change=True))


def _end_form(item: Any, what: str, data: Any = None) -> EndDateForm:
    form = EndDateForm(data, prefix=f"end-{what}-{item.pk}")
    form.fields["to_date"].label = f"Date they left {item}" if what == "address" else f"Date they stopped at {item}"
    return form


def _tab_url(rso: RSO, url_name: str, anchor: str) -> str:
    return f"{reverse(url_name, args=[rso.pk])}#{anchor}"


def _profile_page(
    request: HttpRequest,
    rso: RSO,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
    end_form: EndDateForm | None = None,
    end_item_id: int | None = None,
) -> HttpResponse:
    """Render the profile tab; ``bound`` (or ``end_form``, for the job ``end_item_id``)
    puts back the form just posted, with its errors."""
    details = selectors.rso_record_details(rso=rso)
    page_forms: dict[str, forms.Form] = {name: form_class() for name, form_class in PROFILE_FORMS.items()}
    page_forms.update(bound or {})
    error_form = next((form for form in [*(bound or {}).values(), end_form] if form is not None and form.errors), None)
    employment_rows = [
        (job, end_form if end_form is not None and job.pk == end_item_id else _end_form(job, "employment"))
        for job in details.employment
    ]
    context = record_context(
        request, rso, "profile", details=details, employment_rows=employment_rows, error_form=error_form, **page_forms
    )
    context["can_edit"] = _user(request).role in DETAIL_WRITERS and not context["break_glass"]
    return render(request, "caseload/record/profile.html", context, status=status)


def _addresses_page(
    request: HttpRequest,
    rso: RSO,
    *,
    status: int = 200,
    add_form: AddressForm | None = None,
    end_form: EndDateForm | None = None,
    end_item_id: int | None = None,
) -> HttpResponse:
    """Render the addresses tab: current addresses (each with a form to end it), then history."""
    current, past = selectors.rso_addresses(rso=rso)
    rows = [
        (address, end_form if end_form is not None and address.pk == end_item_id else _end_form(address, "address"))
        for address in current
    ]
    form = add_form or AddressForm()
    error_form = next((f for f in (add_form, end_form) if f is not None and f.errors), None)
    context = record_context(
        request, rso, "addresses", current_rows=rows, past=past, address_form=form, error_form=error_form
    )
    context["can_edit"] = _user(request).role in DETAIL_WRITERS and not context["break_glass"]
    return render(request, "caseload/record/addresses.html", context, status=status)


def _add_on_profile(
    request: HttpRequest,
    rso_id: int,
    *,
    form_name: str,
    save: Callable[[RSO, dict[str, Any], User], object],
    success: str,
    anchor: str,
) -> HttpResponse:
    """Validate one of the profile tab's add forms and pass it to its service."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    form = PROFILE_FORMS[form_name](request.POST, request.FILES)
    if form.is_valid():
        try:
            save(rso, form.cleaned_data, user)
        except ValidationError as refused:
            _show_service_errors(form, refused)
        else:
            messages.success(request, success)
            return redirect(_tab_url(rso, "caseload:rso_detail", anchor))
    return _profile_page(request, rso, status=400, bound={form_name: form})


def _remove_on_profile(
    request: HttpRequest,
    rso_id: int,
    item_id: int,
    *,
    model: type[ChildT],
    object_type: str,
    remove: Callable[[ChildT, User], object],
    success: str,
    anchor: str,
) -> HttpResponse:
    """Remove one row shown on the profile tab, through its scoped lookup and service."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    item = _child_for_change(model, user=user, rso=rso, item_id=item_id, object_type=object_type)
    remove(item, user)
    messages.success(request, success)
    return redirect(_tab_url(rso, "caseload:rso_detail", anchor))


def _profile_initial(rso: RSO) -> dict[str, Any]:
    return {name: getattr(rso, name) for name in services.PROFILE_FIELDS} | {"version": rso.version}


@dataclass(frozen=True)
class ConflictRow:
    label: str
    theirs: str
    yours: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.yours


def _profile_display(name: str, value: Any) -> str:
    """Return a profile value as the conflict page shows it."""
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return date_format(value, "j F Y")
    choices = dict(getattr(RSO._meta.get_field(name), "choices", None) or [])
    return str(choices.get(value, value))


def _conflict_page(request: HttpRequest, current: RSO, attempted: dict[str, Any]) -> HttpResponse:
    """Show, side by side, the record as it now is and what the user tried to save."""
    labels = ProfileForm.base_fields
    rows = [
        ConflictRow(
            label=str(labels[name].label),
            theirs=_profile_display(name, getattr(current, name)),
            yours=_profile_display(name, attempted.get(name)),
        )
        for name in services.PROFILE_FIELDS
    ]
    context = record_context(
        request, current, "profile", rows=rows, page_title=f"{current.display_name}: changed by someone else"
    )
    return render(request, "caseload/record/conflict.html", context, status=409)


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_profile_edit(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Change the person's details; a save based on an old version gets the conflict page."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=_profile_initial(rso))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
            try:
                services.rso_update_profile(rso=rso, changes=changes, version=form.cleaned_data["version"], by=user)
            except services.StaleVersion as conflict:
                return _conflict_page(request, conflict.current, changes)
            except ValidationError as refused:
                _show_service_errors(form, refused)
            else:
                messages.success(request, "Profile updated")
                return redirect("caseload:rso_detail", rso_id=rso.pk)
    context = record_context(request, rso, "profile", form=form, page_title=f"{rso.display_name}: change profile")
    return render(request, "caseload/record/profile_edit.html", context, status=status)


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_alias_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Add another name the person uses or has used."""
    return _add_on_profile(
        request,
        rso_id,
        form_name="alias_form",
        save=lambda rso, data, by: services.alias_add(rso=rso, by=by, **data),
        success="Alias added",
        anchor="aliases",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_alias_delete(request: HttpRequest, rso_id: int, item_id: int) -> HttpResponse:
    """Remove an alias."""
    return _remove_on_profile(
        request,
        rso_id,
        item_id,
        model=Alias,
        object_type=services.ALIAS_TYPE,
        remove=lambda alias, by: services.alias_remove(alias=alias, by=by),
        success="Alias removed",
        anchor="aliases",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_vehicle_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Add a vehicle the person owns, uses or has access to."""
    return _add_on_profile(
        request,
        rso_id,
        form_name="vehicle_form",
        save=lambda rso, data, by: services.vehicle_add(rso=rso, by=by, **data),
        success="Vehicle added",
        anchor="vehicles",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_vehicle_delete(request: HttpRequest, rso_id: int, item_id: int) -> HttpResponse:
    """Remove a vehicle."""
    return _remove_on_profile(
        request,
        rso_id,
        item_id,
        model=Vehicle,
        object_type=services.VEHICLE_TYPE,
        remove=lambda vehicle, by: services.vehicle_remove(vehicle=vehicle, by=by),
        success="Vehicle removed",
        anchor="vehicles",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_employment_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Add work the person does or has done."""
    return _add_on_profile(
        request,
        rso_id,
        form_name="employment_form",
        save=lambda rso, data, by: services.employment_add(rso=rso, by=by, **data),
        success="Employment added",
        anchor="employment",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_employment_end(request: HttpRequest, rso_id: int, item_id: int) -> HttpResponse:
    """Record the day the person stopped doing a job."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    job = _child_for_change(Employment, user=user, rso=rso, item_id=item_id, object_type=services.EMPLOYMENT_TYPE)
    form = _end_form(job, "employment", request.POST)
    if form.is_valid():
        try:
            services.employment_end(employment=job, to_date=form.cleaned_data["to_date"], by=user)
        except ValidationError as refused:
            _show_service_errors(form, refused)
        else:
            messages.success(request, "Employment ended")
            return redirect(_tab_url(rso, "caseload:rso_detail", "employment"))
    return _profile_page(request, rso, status=400, end_form=form, end_item_id=job.pk)


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_associate_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Add a person the RSO is connected with."""
    return _add_on_profile(
        request,
        rso_id,
        form_name="associate_form",
        save=lambda rso, data, by: services.associate_add(rso=rso, by=by, **data),
        success="Associate added",
        anchor="associates",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_associate_delete(request: HttpRequest, rso_id: int, item_id: int) -> HttpResponse:
    """Remove an associate."""
    return _remove_on_profile(
        request,
        rso_id,
        item_id,
        model=Associate,
        object_type=services.ASSOCIATE_TYPE,
        remove=lambda associate, by: services.associate_remove(associate=associate, by=by),
        success="Associate removed",
        anchor="associates",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_identity_document_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Add a passport, identity card, bank account or card (its number is masked)."""
    return _add_on_profile(
        request,
        rso_id,
        form_name="document_form",
        save=lambda rso, data, by: services.identity_document_add(rso=rso, by=by, **data),
        success="Identity document added",
        anchor="identity-documents",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_identity_document_delete(request: HttpRequest, rso_id: int, item_id: int) -> HttpResponse:
    """Remove an identity document, account or card."""
    return _remove_on_profile(
        request,
        rso_id,
        item_id,
        model=IdentityDocument,
        object_type=services.IDENTITY_DOCUMENT_TYPE,
        remove=lambda document, by: services.identity_document_remove(document=document, by=by),
        success="Identity document removed",
        anchor="identity-documents",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_photo_upload(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Replace the person's photo (checked and re-encoded by the service)."""
    return _add_on_profile(
        request,
        rso_id,
        form_name="photo_form",
        save=lambda rso, data, by: services.rso_photo_set(rso=rso, photo=data["photo"], by=by),
        success="Photo updated",
        anchor="photo",
    )


@require_roles(*CASEWORK)
@require_GET
def rso_photo(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Send the person's photo: scoped and audited like the record; 204 if there is none.

    (Not 404: a 404 would read as "not in your scope".)
    """
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    data = photos.read(rso.photo)
    response = HttpResponse(status=204) if data is None else HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_roles(*CASEWORK)
@require_GET
def rso_addresses(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show the addresses tab: current addresses, then the history."""
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    return _addresses_page(request, rso)


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_address_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Add an address (home, 7-day address, or place regularly found)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    form = AddressForm(request.POST)
    if form.is_valid():
        try:
            services.address_add(rso=rso, by=user, **form.cleaned_data)
        except ValidationError as refused:
            _show_service_errors(form, refused)
        else:
            messages.success(request, "Address added")
            return redirect("caseload:rso_addresses", rso_id=rso.pk)
    return _addresses_page(request, rso, status=400, add_form=form)


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_address_end(request: HttpRequest, rso_id: int, item_id: int) -> HttpResponse:
    """Record the day the person stopped living or staying at an address."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    address = _child_for_change(Address, user=user, rso=rso, item_id=item_id, object_type=services.ADDRESS_TYPE)
    form = _end_form(address, "address", request.POST)
    if form.is_valid():
        try:
            services.address_end(address=address, to_date=form.cleaned_data["to_date"], by=user)
        except ValidationError as refused:
            _show_service_errors(form, refused)
        else:
            messages.success(request, "Address ended")
            return redirect("caseload:rso_addresses", rso_id=rso.pk)
    return _addresses_page(request, rso, status=400, end_form=form, end_item_id=address.pk)


# --- Notification law: the record tabs ---------------------------------------------------
# Convictions, notifications, travel, orders, risk and significant changes. Each tab is
# read by everyone doing casework (break-glass readers too); its forms are for the
# record team's offender managers and sergeant (DETAIL_WRITERS) on their own team's
# records, each on a page of its own that goes back to the tab once saved.

# The services name a moment (``occurred_at``); the forms ask for its date and time apart.
MOMENT_FIELDS = {"occurred_at": "occurred_on", "notified_at": "notified_on", "departs_at": "departs_on"}
STALE = "Someone else changed this record while you were looking at it. Check the record and try again."


def _show_law_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, a moment on its date."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = MOMENT_FIELDS.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _law_tab(
    request: HttpRequest, rso: RSO, tab: str, template: str, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = record_context(request, rso, tab, today=timezone.localdate(), **extra)
    context["can_edit"] = _user(request).role in DETAIL_WRITERS and not context["break_glass"]
    return render(request, template, context, status=status)


def _law_form(
    request: HttpRequest,
    rso: RSO,
    *,
    tab: str,
    form: forms.Form,
    title: str,
    submit: str,
    save: Callable[[dict[str, Any]], object],
    success: Callable[[], str],
    intro: str = "",
) -> HttpResponse:
    """Show a record form on a page of its own; on a valid POST, save it through ``save``
    (a service) and go back to the tab, else show the form again with its messages."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as refused:
            _show_law_errors(form, refused)
        else:
            messages.success(request, success())
            return redirect(f"caseload:rso_{tab}", rso_id=rso.pk)
    context = record_context(
        request,
        rso,
        tab,
        form=form,
        form_title=title,
        form_intro=intro,
        submit_label=submit,
        cancel_url=reverse(f"caseload:rso_{tab}", args=[rso.pk]),
        page_title=f"{title}: {rso.display_name}",
    )
    return render(request, "caseload/record/law_form.html", context, status=400 if form.errors else 200)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _long_date(value: date | None) -> str:
    return date_format(value, "j F Y") if value else ""


# Convictions ---------------------------------------------------------------------------


def _period_news(rso: RSO) -> str:
    if rso.notification_indefinite:
        return "The notification period is indefinite."
    if rso.notification_ends_on:
        return f"The notification period ends on {_long_date(rso.notification_ends_on)}."
    return ""


@require_roles(*CASEWORK)
@require_GET
def rso_convictions(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show the convictions, each with its notification period, and which one governs."""
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    tab = selectors.rso_convictions(rso=rso, today=timezone.localdate())
    return _law_tab(request, rso, "convictions", "caseload/record/convictions.html", convictions=tab)


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_conviction_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Record a conviction, caution or finding."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    return _law_form(
        request,
        rso,
        tab="convictions",
        form=ConvictionForm(_posted(request)),
        title="Add a conviction, caution or finding",
        submit="Add conviction",
        intro="The age on the relevant date is worked out from the date of birth.",
        save=lambda data: services.conviction_add(rso=rso, by=user, **data),
        success=lambda: f"Conviction added. {_period_news(rso)}",
    )


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_conviction_edit(request: HttpRequest, rso_id: int, item_id: int) -> HttpResponse:
    """Correct a conviction."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    conviction = _child_for_change(
        Conviction, user=user, rso=rso, item_id=item_id, object_type=services.CONVICTION_TYPE
    )
    initial = {name: getattr(conviction, name) for name in ConvictionForm.base_fields}
    return _law_form(
        request,
        rso,
        tab="convictions",
        form=ConvictionForm(_posted(request), initial=initial),
        title=f"Correct {conviction.offence}",
        submit="Save conviction",
        save=lambda data: services.conviction_update(conviction=conviction, by=user, **data),
        success=lambda: f"Conviction saved. {_period_news(RSO.objects.get(pk=rso.pk))}",
    )


# Notifications -------------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def rso_notifications(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show the notifications made, and when the next ones are due."""
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    events = selectors.rso_notifications(rso=rso)
    return _law_tab(request, rso, "notifications", "caseload/record/notifications.html", notifications=events)


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_notification_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Record a notification made in person at a police station."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)

    def save(data: dict[str, Any]) -> object:
        return services.notification_record(
            rso=rso,
            notification_type=data["notification_type"],
            occurred_at=data["occurred_at"],
            police_station=data["police_station"],
            trigger_date=data["trigger_date"],
            details_changed=data["details_changed"],
            by=user,
        )

    def success() -> str:
        due = rso.next_annual_notification_due
        if due:
            return f"Notification recorded. The next annual notification is due by {_long_date(due)}."
        return "Notification recorded."

    return _law_form(
        request,
        rso,
        tab="notifications",
        form=NotificationForm(_posted(request)),
        title="Record a notification",
        submit="Record notification",
        intro="You are recorded as the officer who received it.",
        save=save,
        success=success,
    )


# Foreign travel ------------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def rso_travel(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show the notices of foreign travel, how timely each was and any clash with an order."""
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    notices = selectors.rso_travel_notices(rso=rso)
    return _law_tab(request, rso, "travel", "caseload/record/travel.html", notices=notices)


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_travel_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Record notice of a trip abroad."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    saved: list[Any] = []

    def save(data: dict[str, Any]) -> object:
        notice = services.travel_notice_record(
            rso=rso,
            notified_at=data["notified_at"],
            departs_at=data["departs_at"],
            returns_on=data["returns_on"],
            destinations=data["destinations"],
            carrier=data["carrier"],
            accommodation=data["accommodation"],
            late_reason=data["late_reason"],
            disclosure=data["disclosure"],
            disclosure_notes=data["disclosure_notes"],
            by=user,
        )
        saved.append(notice)
        return notice

    def success() -> str:
        if saved and saved[0].conflicts_with_order:
            return "Travel notice recorded. This trip breaks a foreign travel prohibition in force."
        return "Travel notice recorded."

    now = timezone.localtime()
    return _law_form(
        request,
        rso,
        tab="travel",
        form=TravelNoticeForm(_posted(request), initial={"notified_on": now.date(), "notified_time": now.time()}),
        title="Record a foreign travel notice",
        submit="Record travel notice",
        save=save,
        success=success,
    )


# Civil orders --------------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def rso_orders(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show the civil orders and their prohibitions, in force or ended."""
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    rows = selectors.rso_orders(rso=rso, today=timezone.localdate())
    return _law_tab(request, rso, "orders", "caseload/record/orders.html", orders=rows)


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_order_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Record a civil order (its prohibitions are added next)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    return _law_form(
        request,
        rso,
        tab="orders",
        form=OrderForm(_posted(request)),
        title="Add a civil order",
        submit="Add order",
        save=lambda data: services.order_add(rso=rso, by=user, **data),
        success=lambda: "Order added. Add its prohibitions from the list.",
    )


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_prohibition_add(request: HttpRequest, rso_id: int, item_id: int) -> HttpResponse:
    """Add a prohibition to one of the RSO's orders."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    order = _child_for_change(CivilOrder, user=user, rso=rso, item_id=item_id, object_type=services.ORDER_TYPE)
    return _law_form(
        request,
        rso,
        tab="orders",
        form=ProhibitionForm(_posted(request)),
        title="Add a prohibition",
        intro=f"To the {order.get_order_type_display().lower()} made on {_long_date(order.made_on)} by {order.court}.",
        submit="Add prohibition",
        save=lambda data: services.prohibition_add(order=order, by=user, **data),
        success=lambda: "Prohibition added.",
    )


# Risk ----------------------------------------------------------------------------------


def _risk_page(
    request: HttpRequest,
    rso: RSO,
    *,
    risk_form: RiskLevelForm | None = None,
    status_form: StatusForm | None = None,
    management_form: ManagementModelForm | None = None,
    reactive_form: ReactiveRequestForm | None = None,
    refused: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the risk tab: static scores, the risk level and status, how the case is
    managed (active or reactive), and the forms to change them."""
    risk_form = risk_form or RiskLevelForm(initial={"version": rso.version})
    status_form = status_form or StatusForm(initial={"status": rso.status, "version": rso.version})
    user = _user(request)
    team_sergeant = user.role == Role.SERGEANT and user.team_id == rso.team_id
    management_form = management_form or ManagementModelForm(
        initial={"management_model": rso.management_model, "version": rso.version}
    )
    return _law_tab(
        request,
        rso,
        "risk",
        "caseload/record/risk.html",
        status=status,
        scores=selectors.rso_static_scores(rso=rso),
        risk_form=risk_form,
        status_form=status_form,
        error_form=next(
            (form for form in (risk_form, status_form, management_form, reactive_form) if form and form.errors), None
        ),
        refused=refused or [],
        management_form=management_form if team_sergeant else None,
        reactive_reasons=selectors.reactive_eligibility(rso=rso, today=timezone.localdate()),
        # The team's offender managers ask the sergeant to move the case (approvals queue).
        reactive_request=selectors.reactive_request_open(rso=rso),
        reactive_form=reactive_form or ReactiveRequestForm(),
        # A sergeant of the team may carry a case over the 20% limit, giving a reason.
        show_override=user.role == Role.SERGEANT and bool(refused or risk_form["override_reason"].value()),
    )


@require_roles(*CASEWORK)
@require_GET
def rso_risk(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show the static risk scores and the current risk level."""
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    return _risk_page(request, rso)


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_static_score_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Record a static risk score (OSP/C, OSP/DC, OSP/I, OSP/IIC or RM2000)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    return _law_form(
        request,
        rso,
        tab="risk",
        form=StaticScoreForm(_posted(request)),
        title="Add a static risk score",
        submit="Add score",
        save=lambda data: services.static_score_add(rso=rso, by=user, **data),
        success=lambda: "Static risk score added.",
    )


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_risk_change(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Change the risk level, under the 20% rule (lowering it is the sergeant's decision)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    form = RiskLevelForm(request.POST)
    refused: list[Any] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            rso, _ = services.rso_change_risk_level(
                rso=rso,
                risk_level=data["risk_level"],
                reason=data["reason"],
                by=user,
                override_reason=data["override_reason"] or None,
                version=data["version"],
            )
        except CapExceeded as over:
            refused = over.checks
            if user.role == Role.SERGEANT:
                form.add_error("override_reason", f"{over} Give a reason to go over the limit, or change nothing.")
            else:
                form.add_error(None, f"{over} Ask your sergeant, who can decide to go over the limit.")
        except services.StaleVersion:
            form.add_error(None, STALE)
        except ValidationError as error:
            _show_law_errors(form, error)
        else:
            messages.success(request, f"Risk level changed to {rso.get_risk_level_display().lower()}.")
            return redirect("caseload:rso_risk", rso_id=rso.pk)
    return _risk_page(request, rso, risk_form=form, refused=refused, status=400)


@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_status_change(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Record where the person is now (in the community, in custody, abroad, missing)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            rso = services.rso_change_status(
                rso=rso, status=form.cleaned_data["status"], by=user, version=form.cleaned_data["version"]
            )
        except CapExceeded as over:
            form.add_error(None, str(over))
        except services.StaleVersion:
            form.add_error(None, STALE)
        except ValidationError as error:
            _show_law_errors(form, error)
        else:
            messages.success(request, f"Status changed to {rso.get_status_display().lower()}.")
            return redirect("caseload:rso_risk", rso_id=rso.pk)
    return _risk_page(request, rso, status_form=form, status=400)


@require_roles(Role.SERGEANT)
@require_POST
def rso_management_model(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Move the case to reactive management or back to active (the team's sergeant)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    form = ManagementModelForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rso = services.rso_set_management_model(
                rso=rso,
                management_model=data["management_model"],
                reason=data["reason"],
                by=user,
                version=data["version"],
            )
        except services.StaleVersion:
            form.add_error(None, STALE)
        except ValidationError as error:
            _show_law_errors(form, error)
        else:
            messages.success(request, f"The case is now under {rso.get_management_model_display().lower()} management.")
            return redirect("caseload:rso_risk", rso_id=rso.pk)
    return _risk_page(request, rso, management_form=form, status=400)


# --- approvals queue (issue 8) ---
@require_roles(*DETAIL_WRITERS)
@require_POST
def rso_reactive_request(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Ask the team's sergeant to move the case to reactive management (it waits in the
    sergeant's approvals queue); refused with every reason when the case does not qualify."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    form = ReactiveRequestForm(request.POST)
    if form.is_valid():
        try:
            services.reactive_request_create(rso=rso, reason=form.cleaned_data["reason"], by=user)
        except ValidationError as error:
            _show_law_errors(form, error)
        else:
            messages.success(request, "Your request to move the case to reactive management is with the sergeant.")
            return redirect("caseload:rso_risk", rso_id=rso.pk)
    return _risk_page(request, rso, reactive_form=form, status=400)


# --- end approvals queue ---


# Significant changes -------------------------------------------------------------------


@require_roles(*CASEWORK)
@require_GET
def rso_changes(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show the significant changes and when the ARMS review they open is due."""
    rso = selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
    events = selectors.rso_change_events(rso=rso)
    return _law_tab(request, rso, "changes", "caseload/record/changes.html", events=events)


@require_roles(*DETAIL_WRITERS)
@require_http_methods(["GET", "POST"])
def rso_change_add(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Record a significant change (it makes an ARMS review due)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id, for_change=True)
    saved: list[Any] = []

    def save(data: dict[str, Any]) -> object:
        saved.append(services.change_event_record(rso=rso, by=user, **data))
        return saved[0]

    return _law_form(
        request,
        rso,
        tab="changes",
        form=ChangeEventForm(_posted(request)),
        title="Record a significant change",
        submit="Record change",
        save=save,
        success=lambda: f"Change recorded. An ARMS review is due by {_long_date(saved[0].review_due_on)}.",
    )
