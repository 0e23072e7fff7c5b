"""Session security: timeouts, the second-factor gate, no caching of authenticated pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from .scoping import BREAK_GLASS_SESSION_KEY

SESSION_STARTED = "auth_started_at"
SESSION_LAST_SEEN = "auth_last_seen_at"
# Write the last-seen time at most this often (seconds), not on every request.
LAST_SEEN_RESOLUTION = 30


class SessionSecurityMiddleware:
    """End sessions idle for too long or older than the absolute limit.

    A disabled user's session ends at their next request without help from here: Django
    no longer loads an inactive user from the session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED)
            last_seen = request.session.get(SESSION_LAST_SEEN, started)
            idle_limit = settings.SESSION_IDLE_MINUTES * 60
            absolute_limit = settings.SESSION_ABSOLUTE_HOURS * 3600
            if started is None:
                request.session[SESSION_STARTED] = now
                request.session[SESSION_LAST_SEEN] = now
            elif now - started > absolute_limit or (last_seen is not None and now - last_seen > idle_limit):
                reason = "for your security" if now - started > absolute_limit else "after a period without activity"
                logout(request)
                messages.info(request, f"You have been signed out {reason}. Sign in again to continue.")
            elif last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[SESSION_LAST_SEEN] = now
            if request.user.is_authenticated:
                user.session_grants = request.session.get(BREAK_GLASS_SESSION_KEY, {})
        return self.get_response(request)


def mfa_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as open to a user who has signed in with a password only."""
    view.mfa_not_required = True  # type: ignore[attr-defined]
    return view


class SecondFactorRequiredMiddleware:
    """Send a signed-in user who has not passed the second factor to verify (or enrol)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user: Any = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if getattr(view_func, "mfa_not_required", False) or getattr(view_func, "login_required", True) is False:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "A verified second factor is required."}, status=403)
        from .mfa import has_confirmed_device

        target = "accounts:mfa_verify" if has_confirmed_device(user) else "accounts:mfa_setup"
        return redirect(target)


class NoStoreMiddleware:
    """Tell browsers and proxies not to keep any page or API answer (they hold police data)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class AdminMethodsMiddleware:
    """Refuse methods other than GET and POST on the admin site (Django's admin ignores them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/") and request.method not in ("GET", "HEAD", "POST", "OPTIONS"):
            return HttpResponseNotAllowed(["GET", "POST"])
        return self.get_response(request)
