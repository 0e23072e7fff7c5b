"""The team visit calendar and the officer's upcoming visits: thin HTML views over the
visit selectors.

The calendar shows a week (the default) or a month. Switching view or moving between
weeks and months are plain links, so the page works without JavaScript; with htmx the
links swap only the calendar region and push the URL, so the back button and a reload
land on the same view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User
from mosovo.accounts.scoping import ScopeDenied, require_roles

from . import selectors
from .selectors import CalendarDay

CASEWORK = (Role.OFFICER, Role.SERGEANT, Role.INSPECTOR)
VIEWS = ("week", "month")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore (the page is not in htmx's cache) needs the whole page.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


@dataclass(frozen=True)
class Week:
    """One table of the calendar: up to seven consecutive days, Monday first."""

    days: list[CalendarDay]

    @property
    def first(self) -> dt.date:
        return self.days[0].day

    @property
    def last(self) -> dt.date:
        return self.days[-1].day


def _parse_start(value: str | None, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else today
    except ValueError:
        return today


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _period(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """Return (start, end, previous start, next start) of the week or month holding ``anchor``."""
    if view == "month":
        start = anchor.replace(day=1)
        following = _month_after(start)
        previous = (start - dt.timedelta(days=1)).replace(day=1)
        return start, following - dt.timedelta(days=1), previous, following
    start = anchor - dt.timedelta(days=anchor.weekday())
    return start, start + dt.timedelta(days=6), start - dt.timedelta(days=7), start + dt.timedelta(days=7)


def _weeks(days: list[CalendarDay]) -> list[Week]:
    weeks: list[Week] = []
    current: list[CalendarDay] = []
    for day in days:
        if current and day.day.weekday() == 0:
            weeks.append(Week(current))
            current = []
        current.append(day)
    if current:
        weeks.append(Week(current))
    return weeks


def _pick_team(user: User, teams: list[Team], wanted: str | None) -> Team:
    """Return the team asked for (inspectors), else the first: a team out of reach is a 404."""
    if not teams:
        raise ScopeDenied
    if wanted:
        chosen = next((t for t in teams if str(t.pk) == wanted), None)
        if chosen is None:
            raise ScopeDenied
        return chosen
    return teams[0]


@require_roles(*CASEWORK)
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """Show the team's visits for a week or a month (``?view=&start=&team=``)."""
    user = _user(request)
    today = timezone.localdate()
    view = request.GET.get("view", "week")
    if view not in VIEWS:
        view = "week"
    teams = selectors.calendar_teams(user=user)
    team = _pick_team(user, teams, request.GET.get("team") if user.role == Role.INSPECTOR else None)
    start, end, previous, following = _period(view, _parse_start(request.GET.get("start"), today))
    days = selectors.team_calendar(user=user, team=team, start=start, end=end)

    base = reverse("visits:calendar")

    def link(**params: Any) -> str:
        query: dict[str, Any] = {"view": view, "start": start.isoformat()}
        if user.role == Role.INSPECTOR:
            query["team"] = team.pk
        query.update(params)
        return f"{base}?{urlencode(query)}"

    if view == "month":
        heading = f"{start:%B %Y}"
    elif start.month == end.month:
        heading = f"{start.day} to {end.day} {end:%B %Y}"
    else:
        heading = f"{start.day} {start:%B} to {end.day} {end:%B %Y}"
    context = {
        "view": view,
        "team": team,
        "teams": teams if user.role == Role.INSPECTOR else [],
        "weeks": _weeks(days),
        "visit_count": sum(len(d.visits) for d in days),
        "heading": heading,
        "today": today,
        "now": timezone.now(),
        "previous_url": link(start=previous.isoformat()),
        "next_url": link(start=following.isoformat()),
        "today_url": link(start=today.isoformat()),
        # From a month, the week holding today when the month holds it (else its first week).
        "week_url": link(view="week", start=(today if start <= today <= end else start).isoformat()),
        # From a week, the month holding today when the week holds it (a week can span two).
        "month_url": link(view="month", start=(today if start <= today <= end else start).isoformat()),
        "previous_label": "Previous month" if view == "month" else "Previous week",
        "next_label": "Next month" if view == "month" else "Next week",
        "page_title": f"Visit calendar: {team.name}, {heading}",
    }
    template = "visits/calendar/_calendar.html" if _is_htmx(request) else "visits/calendar/calendar.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_roles(*CASEWORK)
@require_GET
def upcoming(request: HttpRequest) -> HttpResponse:
    """Show the visits the officer is going on (overdue ones first) and, for a sergeant,
    the team's single-officer visits awaiting approval."""
    user = _user(request)
    return render(
        request,
        "visits/calendar/upcoming.html",
        {
            "visits": selectors.upcoming_visits(user=user),
            "awaiting": selectors.visits_awaiting_single_officer_approval(user=user),
            "is_sergeant": user.role == Role.SERGEANT,
            "now": timezone.now(),
            "page_title": "Your upcoming visits",
        },
    )
