"""Template context for the page shell: service name, navigation by role."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    url_name: str


# Each role's navigation, in order. Later features add their pages here.
_NAVIGATION: dict[str, list[tuple[str, str]]] = {
    Role.OFFICER: [
        ("Home", "home"),
        ("Caseload", "caseload:rso_list"),
        ("Visits", "visits:calendar"),
        ("Search", "caseload:rso_search"),
    ],
    Role.SERGEANT: [
        ("Home", "home"),
        ("Caseload", "caseload:rso_list"),
        ("Visits", "visits:calendar"),
        ("Search", "caseload:rso_search"),
    ],
    Role.INSPECTOR: [
        ("Home", "home"),
        ("Caseload", "caseload:rso_list"),
        ("Visits", "visits:calendar"),
        ("Search", "caseload:rso_search"),
    ],
    Role.ADMIN: [("Home", "home"), ("Administration", "admin:index"), ("Audit log", "audit:log")],
    Role.AUDITOR: [("Home", "home"), ("Audit log", "audit:log")],
}


def navigation_for(role: str) -> list[NavItem]:
    """Return the navigation items a role sees."""
    return [NavItem(label, reverse(name), name) for label, name in _NAVIGATION.get(role, [])]


def shell(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    nav: list[NavItem] = []
    if user is not None and user.is_authenticated:
        nav = navigation_for(user.role)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    return {
        "service_name": settings.SERVICE_NAME,
        "service_strapline": settings.SERVICE_STRAPLINE,
        "demo_mode": settings.DEMO_MODE,
        "navigation": nav,
        "current_view": current,
    }
