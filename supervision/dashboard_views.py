"""The sergeant's team dashboard (issue 8 item 1): one screen that shows where the risk
and the workload are, headed by plan quality rather than visit counts (domain s.8).

A sergeant sees their own team; an inspector picks any team of the force (``?team=<id>``)
and also gets the force roll-up, one row per team. Every figure links to the list behind
it, filtered so that the list shows exactly that many items (``tests/supervision/
test_dashboard.py`` follows each link). Thin over ``selectors.team_dashboard`` and
``selectors.force_rollup``; the links are built here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from caseload.allocation import HIGH_RISK_CAP_DIVISOR
from caseload.choices import MAPPA_NONE, RISK_HIGH_OR_ABOVE, DeadlineKind
from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User
from mosovo.accounts.scoping import require_roles

from . import charts, selectors

LIMIT_PERCENT = 100 // HIGH_RISK_CAP_DIVISOR  # the 20% rule (domain s.7)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _url(name: str, *args: Any, **query: Any) -> str:
    """Reverse a URL name and add the query (None values left out)."""
    params = {key: value for key, value in query.items() if value is not None}
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


@dataclass(frozen=True)
class Figure:
    """A count on the dashboard and the list that shows exactly that many items.

    ``context`` completes the link's text for screen readers ("overdue home visits of
    Jo Bloggs"), which a table cell alone does not say."""

    value: int
    url: str
    context: str


class Links:
    """The filtered lists behind the figures, for one team (and one officer or the team)."""

    def __init__(self, team: Team) -> None:
        self.team = team.pk

    def cases(self, officer: int | None = None, **extra: Any) -> str:
        return _url("caseload:rso_list", officer=officer, team=self.team, open_only=1, **extra)

    def high(self, officer: int | None = None) -> str:
        return self.cases(officer, risk_level=RISK_HIGH_OR_ABOVE)

    def tasks(self, kinds: tuple[str, ...], officer: int | None = None, *, late: bool = True) -> str:
        return _url(
            "caseload:team_tasks", officer=officer, kind=",".join(kinds), late=1 if late else None, team=self.team
        )

    def approvals(self, kind: str, officer: int | None = None) -> str:
        return _url("supervision:approvals", officer=officer, kind=kind, team=self.team)

    def audits(self, officer: int | None = None) -> str:
        return _url("supervision:audit_list", officer=officer, state="COMPLETED", team=self.team)

    def sessions(self, officer: int | None = None) -> str:
        return _url("supervision:session_list", officer=officer, team=self.team)


@dataclass(frozen=True)
class OfficerRow:
    figures: selectors.OfficerFigures
    name: str
    caseload: Figure
    high: Figure
    overdue_visits: Figure
    overdue_reviews: Figure
    overdue_notifications: Figure
    awaiting_approval: Figure
    overrides: Figure
    cap_breaches: Figure
    expiring: Figure
    record_url: str
    sessions_url: str
    audits: Figure


@dataclass(frozen=True)
class TotalsRow:
    totals: selectors.TeamTotals
    caseload: Figure
    high: Figure
    overdue_visits: Figure
    overdue_reviews: Figure
    overdue_notifications: Figure
    awaiting_approval: Figure
    overrides: Figure
    cap_breaches: Figure
    audits: Figure


def _late(links: Links, totals: Any, officer: int | None, whose: str) -> dict[str, Figure]:
    kinds = selectors.LATE_KINDS
    return {
        "overdue_visits": Figure(
            totals.overdue_visits, links.tasks(kinds["overdue_visits"], officer), f"overdue home visits {whose}"
        ),
        "overdue_reviews": Figure(
            totals.overdue_reviews, links.tasks(kinds["overdue_reviews"], officer), f"overdue ARMS reviews {whose}"
        ),
        "overdue_notifications": Figure(
            totals.overdue_notifications,
            links.tasks(kinds["overdue_notifications"], officer),
            f"overdue notifications {whose}",
        ),
        "awaiting_approval": Figure(
            totals.awaiting_approval,
            links.approvals("arms", officer),
            f"ARMS assessments and plans awaiting approval {whose}",
        ),
        "overrides": Figure(totals.overrides, links.approvals("override", officer), f"open 20% overrides {whose}"),
        "cap_breaches": Figure(
            totals.cap_breaches,
            links.tasks((DeadlineKind.CAP_BREACH,), officer, late=False),
            f"open breaches of the 20% rule {whose}",
        ),
        "audits": Figure(totals.audits, links.audits(officer), f"plan audits completed {whose}"),
    }


def _officer_row(links: Links, figures: selectors.OfficerFigures) -> OfficerRow:
    officer = figures.officer
    name = officer.display_name
    whose = f"for {name}"
    return OfficerRow(
        figures=figures,
        name=name,
        caseload=Figure(figures.caseload, links.cases(officer.pk), f"open cases of {name}"),
        high=Figure(figures.high, links.high(officer.pk), f"high or very high risk cases of {name}"),
        expiring=Figure(
            len(figures.expiring),
            reverse("supervision:officer_record", args=[officer.pk]),
            f"vetting and training items expired or expiring for {name}",
        ),
        record_url=reverse("supervision:officer_record", args=[officer.pk]),
        sessions_url=links.sessions(officer.pk),
        **_late(links, figures, officer.pk, whose),
    )


def _totals_row(links: Links, totals: selectors.TeamTotals, team: Team) -> TotalsRow:
    whose = f"in {team.name}"
    return TotalsRow(
        totals=totals,
        caseload=Figure(totals.caseload, links.cases(), f"open cases {whose}"),
        high=Figure(totals.high, links.high(), f"high or very high risk cases {whose}"),
        **_late(links, totals, None, whose),
    )


def _mix_rows(links: Links, data: selectors.TeamDashboard) -> tuple[list[Figure], Figure, list[Figure]]:
    risk = [Figure(row.count, links.cases(risk_level=row.key), f"{row.label} risk open cases") for row in data.risk_mix]
    unassessed = Figure(data.unassessed, links.cases(unassessed=1), "open cases not yet assessed under ARMS")
    mappa = [
        Figure(
            row.count,
            links.cases(mappa_level=MAPPA_NONE if row.key == selectors.MAPPA_NONE_KEY else row.key),
            f"open cases at {row.label}" if row.key != selectors.MAPPA_NONE_KEY else "open cases with no MAPPA level",
        )
        for row in data.mappa_mix
    ]
    return risk, unassessed, mappa


def _rollup_rows(user: User) -> list[tuple[selectors.TeamRollup, str, TotalsRow]]:
    rows = []
    for rollup in selectors.force_rollup(user=user):
        links = Links(rollup.team)
        rows.append(
            (rollup, _url("supervision:dashboard", team=rollup.team.pk), _totals_row(links, rollup.totals, rollup.team))
        )
    return rows


def _month(day: Any) -> str:
    return f"{day:%b %Y}"


@require_roles(Role.SERGEANT, Role.INSPECTOR)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show a team's dashboard: plan quality first, then each officer's caseload, the 20%
    line, late work, approvals, records and supervision, and the risk and MAPPA mix."""
    user = _user(request)
    is_inspector = user.role == Role.INSPECTOR
    teams = list(selectors.teams_for_user(user=user))
    wanted = request.GET.get("team") or (str(user.team_id) if user.team_id else "")
    team = next((t for t in teams if str(t.pk) == wanted), None)
    if team is None and wanted and request.GET.get("team"):
        team = selectors.team_get_for_user(user=user, team_id=wanted)  # notes the denial, 404
    if team is None and teams:
        team = teams[0]
    context: dict[str, Any] = {
        "teams": teams,
        "team": team,
        "is_inspector": is_inspector,
        "limit_percent": LIMIT_PERCENT,
        "page_title": f"Team dashboard: {team.name}" if team else "Team dashboard",
    }
    if is_inspector:
        context["rollup"] = _rollup_rows(user)
    if team is None:
        return render(request, "supervision/dashboard/dashboard.html", context)

    data = selectors.team_dashboard(user=user, team=team)
    links = Links(team)
    officers = [_officer_row(links, figures) for figures in data.officers]
    risk, unassessed, mappa = _mix_rows(links, data)
    context.update(
        data=data,
        officers=officers,
        totals=_totals_row(links, data.totals, team),
        over_line=[row for row in officers if row.figures.over_line],
        behind=[
            row
            for row in officers
            if row.overdue_visits.value or row.overdue_reviews.value or row.overdue_notifications.value
        ],
        supervision_due=[row for row in officers if row.figures.session_overdue],
        weak_plans=[
            row
            for row in officers
            if row.figures.audit_mean is not None
            and data.totals.audit_mean is not None
            and row.figures.audit_mean < data.totals.audit_mean
        ],
        risk=list(zip(data.risk_mix, risk, strict=True)),
        unassessed=unassessed,
        mappa=list(zip(data.mappa_mix, mappa, strict=True)),
        trend=[(_month(month.month), month) for month in data.trend],
        trend_chart=charts.trend_chart(
            points=[(_month(m.month), m.mean, m.count) for m in data.trend],
            title=f"Plan quality in {team.name}: mean audit score by month",
            chart_id="chart-plan-quality",
            count_label="audits",
        ),
        share_chart=charts.share_chart(
            rows=[(row.name, row.figures.high, row.figures.caseload) for row in officers],
            limit_percent=LIMIT_PERCENT,
            title=f"Share of each officer's caseload that is high or very high risk, {team.name}",
            chart_id="chart-high-risk-share",
        ),
        risk_chart=charts.bar_chart(
            bars=[(row.label, row.count) for row in data.risk_mix],
            title=f"Open cases by risk level, {team.name}",
            chart_id="chart-risk-mix",
        ),
        mappa_chart=charts.bar_chart(
            bars=[(row.label, row.count) for row in data.mappa_mix],
            title=f"Open cases by MAPPA level, {team.name}",
            chart_id="chart-mappa-mix",
        ),
        audits_url=links.audits(),
    )
    return render(request, "supervision/dashboard/dashboard.html", context)
