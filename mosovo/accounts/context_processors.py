"""Template context for the page shell: service name, navigation by role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    url_name: str
    badge: int | None = None  # a count shown beside the label (what needs attention)
    badge_text: str = ""  # what the count means, for screen readers


# Counts beside navigation items: url name -> (provider(user) -> int | None, meaning).
# Higher apps register them at start-up (AppConfig.ready); accounts imports none of them.
_BADGES: dict[str, tuple[Callable[[Any], int | None], str]] = {}


def register_nav_badge(url_name: str, provider: Callable[[Any], int | None], *, text: str = "need attention") -> None:
    """Show ``provider(user)`` beside the navigation item ``url_name`` (nothing when 0 or None)."""
    _BADGES[url_name] = (provider, text)


# Each role's navigation, in order. Later features add their pages here.
_NAVIGATION: dict[str, list[tuple[str, str]]] = {
    Role.OFFICER: [
        ("Home", "home"),
        ("My tasks", "caseload:tasks"),
        ("Caseload", "caseload:rso_list"),
        ("Visits", "visits:calendar"),
        ("Supervision", "supervision:session_list"),
        ("Search", "caseload:rso_search"),
    ],
    Role.SERGEANT: [
        ("Home", "home"),
        ("Dashboard", "supervision:dashboard"),
        ("My tasks", "caseload:tasks"),
        ("Team tasks", "caseload:team_tasks"),
        ("Approvals", "supervision:approvals"),
        ("Caseload", "caseload:rso_list"),
        ("Visits", "visits:calendar"),
        ("Supervision", "supervision:session_list"),
        ("Search", "caseload:rso_search"),
    ],
    Role.INSPECTOR: [
        ("Home", "home"),
        ("Dashboard", "supervision:dashboard"),
        ("My tasks", "caseload:tasks"),
        ("Team tasks", "caseload:team_tasks"),
        ("Caseload", "caseload:rso_list"),
        ("Visits", "visits:calendar"),
        ("Search", "caseload:rso_search"),
    ],
    Role.ADMIN: [
        ("Home", "home"),
        ("Administration", "admin:index"),
        ("Audit log", "audit:log"),
        ("Task status", "ops_status"),
    ],
    Role.AUDITOR: [("Home", "home"), ("Audit log", "audit:log")],
}


def navigation_for(role: str) -> list[NavItem]:
    """Return the navigation items a role sees."""
    return [NavItem(label, reverse(name), name) for label, name in _NAVIGATION.get(role, [])]


def navigation_with_badges(user: Any) -> list[NavItem]:
    """Return the user's navigation with each registered count filled in (counts only
    once the second factor is verified: a password alone shows no casework figures)."""
    verified = callable(getattr(user, "is_verified", None)) and bool(user.is_verified())
    items = []
    for item in navigation_for(user.role):
        provider, text = _BADGES.get(item.url_name, (None, ""))
        count = provider(user) if provider is not None and verified else None
        items.append(NavItem(item.label, item.url, item.url_name, count or None, text))
    return items


def shell(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    nav: list[NavItem] = []
    if user is not None and user.is_authenticated:
        # Every template rendered in the request runs this: count once per request.
        nav = getattr(request, "_mosovo_navigation", None) or navigation_with_badges(user)
        request._mosovo_navigation = nav  # type: ignore[attr-defined]
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    return {
        "service_name": settings.SERVICE_NAME,
        "service_strapline": settings.SERVICE_STRAPLINE,
        "demo_mode": settings.DEMO_MODE,
        "navigation": nav,
        "current_view": current,
    }
