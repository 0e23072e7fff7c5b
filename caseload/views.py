"""Caseload HTML views: thin, over the services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import granted_ids, require_roles
from mosovo.accounts.services import break_glass_grant
from mosovo.audit.selectors import audit_trail_for_rso

from . import selectors
from .forms import BreakGlassForm
from .models import RSO

CASEWORK = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_roles(*CASEWORK)
@require_GET
def rso_list(request: HttpRequest) -> HttpResponse:
    """List the RSOs the user may see, 50 to a page."""
    page = selectors.rso_page(user=_user(request), page=request.GET.get("page", 1))
    return render(request, "caseload/rso_list.html", {"page_obj": page, "page_title": "Caseload"})


@require_roles(*CASEWORK)
@require_GET
def rso_detail(request: HttpRequest, rso_id: int) -> HttpResponse:
    """Show one RSO's record (and, for its sergeant, who has looked at it)."""
    user = _user(request)
    rso = selectors.rso_get_for_user(user=user, rso_id=rso_id)
    break_glass = (
        rso.pk in granted_ids(user, selectors.RSO_TYPE) and not RSO.objects.visible_to(user).filter(pk=rso.pk).exists()
    )
    return render(
        request,
        "caseload/rso_detail.html",
        {
            "rso": rso,
            "page_title": rso.display_name,
            "audit_trail": audit_trail_for_rso(user=user, rso=rso),
            "break_glass": break_glass,
        },
    )


@require_roles(Role.OFFICER, Role.SERGEANT)
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Open a record outside the user's team, after they give a reason."""
    user = _user(request)
    form = BreakGlassForm(request.POST or None)
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
