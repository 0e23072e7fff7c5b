"""Sign-in, sign-out, password change and each role's home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from .choices import Role
from .forms import SignInForm

HOME_TEMPLATES = {
    Role.OFFICER: "home/officer.html",
    Role.SERGEANT: "home/sergeant.html",
    Role.INSPECTOR: "home/inspector.html",
    Role.ADMIN: "home/admin.html",
    Role.AUDITOR: "home/auditor.html",
}


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only): the server-side session is deleted."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's home page for their role."""
    template = HOME_TEMPLATES[Role(request.user.role)]  # type: ignore[union-attr]
    return render(request, template, {"page_title": "Home"})
