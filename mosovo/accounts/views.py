"""Sign-in, the second factor, sign-out, password change and each role's home page."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from mosovo.ops.selectors import open_alerts

from . import mfa, selectors, services
from .choices import Role
from .forms import CodeForm, SignInForm
from .home import home_cap_overrides, home_sections
from .middleware import mfa_not_required
from .models import User
from .scoping import CASEWORK_ROLES, require_roles, vetting_lapsed

HOME_TEMPLATES = {
    Role.OFFICER: "home/officer.html",
    Role.SERGEANT: "home/sergeant.html",
    Role.INSPECTOR: "home/inspector.html",
    Role.ADMIN: "home/admin.html",
    Role.AUDITOR: "home/auditor.html",
}
SETUP_DEVICE_SESSION_KEY = "mfa_setup_device"
BACKUP_CODES_SESSION_KEY = "mfa_new_backup_codes"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    http_method_names = ["get", "post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Refuse other methods before LoginView redirects a signed-in user.
        if request.method is None or request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


@method_decorator(mfa_not_required, name="dispatch")
class SignOutView(auth_views.LogoutView):
    """Sign out (POST only): the server-side session is deleted."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")
    http_method_names = ["get", "post"]


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
    http_method_names = ["get"]


@login_not_required
@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    """Confirm that the user has signed out."""
    return render(request, "accounts/signed_out.html", {"page_title": "You have signed out"})


@mfa_not_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code from the user's authenticator (or a backup code)."""
    user = _user(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect("home")
    if not mfa.has_confirmed_device(user):
        return redirect("accounts:mfa_setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if mfa.second_factor_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(request.GET.get("next") or "home")
        form.add_error("code", "The security code is not right, or has been used already. Wait for a new code.")
    return render(request, "accounts/mfa_verify.html", {"form": form, "page_title": "Enter your security code"})


@mfa_not_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app at first sign-in: scan, then confirm with a code."""
    user = _user(request)
    if mfa.has_confirmed_device(user):
        return redirect("home" if user.is_verified() else "accounts:mfa_verify")  # type: ignore[attr-defined]
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=request.session.get(SETUP_DEVICE_SESSION_KEY)
    ).first()
    if device is None:
        device = mfa.totp_device_start(user=user)
        request.session[SETUP_DEVICE_SESSION_KEY] = device.pk
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.totp_device_confirm(request=request, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(SETUP_DEVICE_SESSION_KEY, None)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect("accounts:mfa_backup_codes")
        form.add_error("code", "The security code is not right. Check the app shows mosovo and try the newest code.")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "secret": mfa.base32_secret(device),
            "qr_svg": qr.svg_data_uri(scale=5, dark="#0b0c0c"),
            "page_title": "Set up your security codes",
        },
    )


@require_GET
def mfa_backup_codes(request: HttpRequest) -> HttpResponse:
    """Show newly issued backup codes, once."""
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("home")
    return render(request, "accounts/mfa_backup_codes.html", {"codes": codes, "page_title": "Your backup codes"})


@login_not_required
def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """Tell a locked-out user what happened (django-axes calls this), without detail."""
    return render(request, "accounts/locked_out.html", {"page_title": "Sign-in locked"}, status=429)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's home page for their role."""
    user = _user(request)
    context: dict[str, Any] = {"page_title": "Home"}
    if user.role in CASEWORK_ROLES and vetting_lapsed(user):
        context.update(vetting_lapsed=True, sections=[])
        return render(request, HOME_TEMPLATES[Role(user.role)], context)
    if user.role == Role.SERGEANT:
        context["break_glass_grants"] = selectors.break_glass_to_acknowledge(user=user)
    if user.role in (Role.SERGEANT, Role.INSPECTOR):
        context["cap_overrides"] = list(home_cap_overrides(user=user))
    if user.role in (Role.ADMIN, Role.AUDITOR):
        context["alerts"] = list(open_alerts())
    context["sections"] = home_sections(user=user)
    return render(request, HOME_TEMPLATES[Role(user.role)], context)


@require_roles(Role.SERGEANT)
@require_POST
def break_glass_acknowledge(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Acknowledge a break-glass access to one of the team's records."""
    grant = selectors.break_glass_get_for_sergeant(user=_user(request), grant_id=grant_id)
    try:
        services.break_glass_acknowledge(grant=grant, by=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Acknowledged {grant.user.display_name}'s access to {grant.object_label}.")
    return redirect("home")
