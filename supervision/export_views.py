"""Team exports (issue 8 item 6): the team caseload as CSV and a one-page team summary as
PDF, for the team's sergeant or an inspector. Each download is a disclosure: the page asks
who receives it and why, and the service records both with the download."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caseload.allocation import HIGH_RISK_CAP_DIVISOR
from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User
from mosovo.accounts.scoping import require_roles
from mosovo.lib.forms import show_errors

from . import charts, selectors, services

FORMATS = {"csv": "Team caseload (CSV)", "pdf": "Team summary (PDF)"}


class ExportForm(forms.Form):
    """Who receives the export and why: both kept in the audit log."""

    recipient = forms.CharField(
        label="Who will receive it",
        max_length=200,
        help_text="For example, Inspector Helen Marsh, for the performance meeting.",
        error_messages={"required": "Say who will receive it (name and role or agency)."},
    )
    reason = forms.CharField(
        label="Why are you exporting the team's figures?",
        widget=forms.Textarea,
        max_length=1000,
        help_text="For example, the monthly caseload review with the inspector on 3 June.",
        error_messages={"required": "Say in a sentence why the team's figures are being taken out of the system."},
    )
    format = forms.ChoiceField(choices=list(FORMATS.items()), widget=forms.HiddenInput)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _team(request: HttpRequest, user: User) -> Team:
    wanted = request.POST.get("team") or request.GET.get("team") or user.team_id
    if wanted is None:  # an inspector who has not picked a team: the first of the force
        first = selectors.teams_for_user(user=user).first()
        wanted = first.pk if first else None
    return selectors.team_get_for_user(user=user, team_id=wanted)


def _slug(team: Team) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", team.name).strip("-").lower() or str(team.pk)


def summary_context(*, user: User, team: Team) -> dict[str, Any]:
    """The team summary as the PDF shows it: the dashboard's figures and the trend chart."""
    data = selectors.team_dashboard(user=user, team=team)
    limit = 100 // HIGH_RISK_CAP_DIVISOR
    return {
        "team": team,
        "data": data,
        "limit_percent": limit,
        "trend_chart": charts.trend_chart(
            points=[(f"{m.month:%b %Y}", m.mean, m.count) for m in data.trend],
            title=f"Plan quality in {team.name}: mean audit score by month",
            chart_id="pdf-plan-quality",
            count_label="audits",
            halo=False,
        ),
    }


@require_roles(Role.SERGEANT, Role.INSPECTOR)
@require_http_methods(["GET", "POST"])
def team_export(request: HttpRequest) -> HttpResponse:
    """Ask who receives the export and why, then send the CSV or the PDF."""
    user = _user(request)
    team = _team(request, user)
    chosen = request.POST.get("format") or request.GET.get("format") or "csv"
    form = ExportForm(request.POST if request.method == "POST" else None, initial={"format": chosen})
    if request.method == "POST" and form.is_valid():
        reason, recipient = form.cleaned_data["reason"], form.cleaned_data["recipient"]
        stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
        try:
            if form.cleaned_data["format"] == "pdf":
                body: bytes | str = services.team_summary_pdf(
                    team=team,
                    by=user,
                    reason=reason,
                    recipient=recipient,
                    context=summary_context(user=user, team=team),
                )
                content_type, filename = "application/pdf", f"team-summary-{_slug(team)}-{stamp}.pdf"
            else:
                body = services.team_caseload_csv(team=team, by=user, reason=reason, recipient=recipient)
                content_type, filename = "text/csv; charset=utf-8", f"team-caseload-{_slug(team)}-{stamp}.csv"
        except ValidationError as refused:
            show_errors(form, refused)
        else:
            response = HttpResponse(body, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            response["Cache-Control"] = "no-store"
            return response
    context = {
        "form": form,
        "team": team,
        "format_label": FORMATS.get(chosen, FORMATS["csv"]),
        "page_title": f"Export {team.name}'s figures",
    }
    return render(request, "supervision/exports/form.html", context, status=400 if form.errors else 200)
