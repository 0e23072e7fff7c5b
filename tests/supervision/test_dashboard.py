"""The team dashboard: every figure matches the list behind its link, the query count
does not grow with the team, who may open it, and who is flagged over the 20% line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from caseload.choices import RiskLevel
from mosovo.accounts.models import User
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from supervision import selectors
from tests.conftest import CANARY, CANARY_OTHER_FORCE, Casework, Personas, verified_login
from tests.factories import ForceFactory, SergeantFactory, TeamFactory
from tests.supervision import dashboard_kit as kit

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("supervision:dashboard")


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def row_of(html: str, officer: User) -> str:
    start = html.index(f'id="officer-{officer.pk}"')
    return html[start : html.index("</tr>", start)]


def cell_figures(row: str) -> list[int]:
    return [count for _url, count in kit.figures(row)]


@pytest.fixture
def team(personas: Personas, casework: Casework) -> kit.Team3:
    return kit.build(personas.team_a, personas.sergeant_a, personas.officer_a)


# --- (a) every figure matches the list behind its link ------------------------------------


def test_every_figure_on_the_sergeants_dashboard_is_the_number_of_items_its_link_lists(
    personas: Personas, team: kit.Team3
) -> None:
    client = signed_in(personas.sergeant_a)
    html = client.get(DASHBOARD).content.decode()
    shown = kit.figures(html)
    # 10 per officer (3), 9 on the team's row, the headline's audits, 4 + 2 risk mix, 4 MAPPA.
    assert len(shown) == 3 * 10 + 9 + 1 + 6 + 4
    mismatches = [(url, count, kit.items_shown(client, url)) for url, count in shown]
    assert [m for m in mismatches if m[1] != m[2]] == []
    # The data make most figures non-zero, so the test proves something.
    assert sum(1 for _url, count in shown if count) >= 30


def test_every_figure_on_an_inspectors_dashboard_and_roll_up_matches_its_list(
    personas: Personas, team: kit.Team3
) -> None:
    client = signed_in(personas.inspector)
    html = client.get(DASHBOARD, {"team": personas.team_a.pk}).content.decode()
    shown = kit.figures(html)
    # The team A dashboard as the sergeant's, and 9 figures per team of the roll-up (A, B).
    assert len(shown) == 3 * 10 + 9 + 1 + 6 + 4 + 2 * 9
    mismatches = [(url, count, kit.items_shown(client, url)) for url, count in shown]
    assert [m for m in mismatches if m[1] != m[2]] == []


def test_every_number_in_the_officers_table_is_a_link_to_its_list(personas: Personas, team: kit.Team3) -> None:
    html = signed_in(personas.sergeant_a).get(DASHBOARD).content.decode()
    table = html[html.index('id="officers-table"') : html.index("</table>", html.index('id="officers-table"'))]
    cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>', table, re.S)
    assert cells
    assert all("data-count=" in cell for cell in cells)


def test_the_figures_say_what_the_team_carries(personas: Personas, team: kit.Team3) -> None:
    html = signed_in(personas.sergeant_a).get(DASHBOARD).content.decode()
    # steady: cases, high, visits, reviews, notifications, awaiting, overrides, breaches,
    # vetting/training, audits.
    assert cell_figures(row_of(html, team.steady)) == [10, 2, 3, 2, 1, 2, 0, 0, 1, 1]
    assert cell_figures(row_of(html, team.over)) == [2, 1, 0, 0, 1, 0, 1, 1, 2, 0]
    assert cell_figures(row_of(html, team.quiet)) == [1, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    # The team's row: 14 open cases (the unallocated one too), its overdue visit too.
    totals = html[html.index('id="team-totals"') : html.index("</tr>", html.index('id="team-totals"'))]
    assert cell_figures(totals) == [14, 3, 4, 2, 2, 2, 1, 1, 3]
    # Plan quality: (50 + 100 + 50) / 3 audits in the last 12 months; the 500-day-old one is out.
    assert re.search(r'id="team-plan-quality">67%<', html)
    assert "Never" in row_of(html, team.over)
    assert "70 days ago" in row_of(html, team.steady)


def test_team_b_and_the_other_force_never_show(personas: Personas, team: kit.Team3) -> None:
    html = signed_in(personas.sergeant_a).get(DASHBOARD).content.decode()
    assert CANARY not in html
    assert CANARY_OTHER_FORCE not in html
    assert personas.officer_b.display_name not in html


# --- (b) the query count does not grow with the team ------------------------------------


def test_the_dashboard_costs_the_same_queries_for_3_and_30_officers(personas: Personas) -> None:
    team = TeamFactory.create(force=personas.force, name="Team C")
    sergeant = SergeantFactory.create(team=team)
    client = signed_in(sergeant)
    kit.officers_with_cases(team, 3)
    client.get(DASHBOARD)  # warm the session
    # 21 today: session, user, second factor; the teams; the officers, their training,
    # open cases, late tasks, assessments and plans submitted, overrides, last sessions,
    # audits by officer and by month (selectors.team_dashboard); the navigation counts
    # (tasks, approvals); the page header's team; the audit event (savepoint, insert,
    # release). None of them per officer or per case.
    three = kit.page_queries(client, DASHBOARD)
    kit.officers_with_cases(team, 27)
    thirty = kit.page_queries(client, DASHBOARD)
    assert thirty == three
    assert three <= 25


def test_the_inspectors_roll_up_costs_the_same_queries_for_more_teams(personas: Personas) -> None:
    client = signed_in(personas.inspector)
    kit.officers_with_cases(personas.team_a, 2)
    client.get(DASHBOARD)
    before = kit.page_queries(client, DASHBOARD)
    for n in range(3):
        team = TeamFactory.create(force=personas.force, name=f"Team {n + 3}")
        SergeantFactory.create(team=team)
        kit.officers_with_cases(team, 2)
    assert kit.page_queries(client, DASHBOARD) == before


# --- (c) who may open it ----------------------------------------------------------------


def test_an_inspector_picks_any_team_of_the_force_and_sees_the_roll_up(personas: Personas, team: kit.Team3) -> None:
    client = signed_in(personas.inspector)
    page = client.get(DASHBOARD, {"team": personas.team_b.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="team-picker"' in html
    assert f'<option value="{personas.team_b.pk}" selected>' in html
    assert "Team dashboard: Team B" in html
    rollup = html[html.index('id="rollup-table"') :]
    assert f'id="rollup-team-{personas.team_a.pk}"' in rollup
    assert f'id="rollup-team-{personas.team_b.pk}"' in rollup
    assert f'href="{DASHBOARD}?team={personas.team_a.pk}"' in rollup


def test_a_sergeant_sees_their_own_team_without_picker_or_roll_up(personas: Personas, team: kit.Team3) -> None:
    html = signed_in(personas.sergeant_a).get(DASHBOARD).content.decode()
    assert "Team dashboard: Team A" in html
    assert 'id="team-picker"' not in html
    assert 'id="force-rollup"' not in html


@pytest.mark.parametrize("who", ["sergeant_a", "inspector"])
def test_another_forces_team_answers_404(personas: Personas, casework: Casework, who: str) -> None:
    other = TeamFactory.create(force=ForceFactory.create(name="Far Constabulary", code="FC"), name="Far team")
    answer = signed_in(getattr(personas, who)).get(DASHBOARD, {"team": other.pk})
    assert answer.status_code == 404
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_ids=[str(other.pk)]).exists()


def test_a_sergeant_cannot_open_another_teams_dashboard(personas: Personas) -> None:
    assert signed_in(personas.sergeant_a).get(DASHBOARD, {"team": personas.team_b.pk}).status_code == 404


@pytest.mark.parametrize("who", ["officer_a", "admin", "auditor"])
def test_other_roles_get_404(personas: Personas, who: str) -> None:
    assert signed_in(getattr(personas, who)).get(DASHBOARD).status_code == 404


def test_the_navigation_has_the_dashboard_for_sergeants_and_inspectors_only(personas: Personas) -> None:
    for user, shown in ((personas.sergeant_a, True), (personas.inspector, True), (personas.officer_a, False)):
        html = signed_in(user).get(reverse("home")).content.decode()
        assert (f'href="{DASHBOARD}"' in html.split("</nav>")[0]) is shown


def test_opening_the_dashboard_records_one_consultation_of_the_team(personas: Personas, team: kit.Team3) -> None:
    signed_in(personas.sergeant_a).get(DASHBOARD)
    (event,) = AuditEvent.objects.filter(action=Action.CONSULTATION, path=DASHBOARD)
    assert event.object_type == "accounts.team"
    assert event.object_ids == [str(personas.team_a.pk)]
    assert event.rso_ids == []  # counts only: no case is named


# --- (d) who is over the line -----------------------------------------------------------


def test_an_officer_over_the_20_percent_line_is_flagged_in_words(personas: Personas, team: kit.Team3) -> None:
    html = signed_in(personas.sergeant_a).get(DASHBOARD).content.decode()
    assert "Over 20%" in row_of(html, team.over)
    assert "Over 20%" not in row_of(html, team.steady)  # 2 of 10 is on the line, not over it
    glance = html[html.index('id="glance-over-line"') : html.index('id="glance-behind"')]
    assert team.over.display_name in glance
    assert team.steady.display_name not in glance
    assert "1 of 2 cases high risk (50%)" in glance
    chart = html[
        html.index('id="chart-high-risk-share"') : html.index("</svg>", html.index('id="chart-high-risk-share"'))
    ]
    assert "over the limit" in chart
    assert "20% limit" in chart


def test_the_headline_is_plan_quality_before_any_count_of_visits(personas: Personas, team: kit.Team3) -> None:
    html = signed_in(personas.sergeant_a).get(DASHBOARD).content.decode()
    assert html.index('id="plan-quality"') < html.index("Overdue visits")
    assert 'id="chart-plan-quality"' in html
    assert 'id="plan-quality-table"' in html


def test_the_mix_charts_have_their_figures_in_tables(personas: Personas, team: kit.Team3) -> None:
    html = signed_in(personas.sergeant_a).get(DASHBOARD).content.decode()
    for chart, table in (("chart-risk-mix", "risk-mix-table"), ("chart-mappa-mix", "mappa-mix-table")):
        assert html.index(f'id="{chart}"') < html.index(f'id="{table}"')
    risk = html[html.index('id="risk-mix-table"') : html.index("</table>", html.index('id="risk-mix-table"'))]
    # Very high, high, medium, low, all, not assessed (one case has an approved assessment).
    assert cell_figures(risk) == [0, 3, 2, 9, 14, 13]


def test_the_selector_counts_the_same_as_the_page(personas: Personas, team: kit.Team3) -> None:
    data = selectors.team_dashboard(user=personas.sergeant_a, team=personas.team_a)
    by_officer: dict[int, Any] = {row.officer.pk: row for row in data.officers}
    assert by_officer[team.over.pk].over_line
    assert not by_officer[team.steady.pk].over_line
    assert [row.count for row in data.risk_mix] == [0, 3, 2, 9]
    assert {row.label: row.count for row in data.mappa_mix}["No MAPPA level"] == 14 - 3
    assert by_officer[team.quiet.pk].audits == 2
    assert by_officer[team.quiet.pk].audit_mean == 75
    assert sum(month.count for month in data.trend) == data.totals.audits == 3
    assert data.totals.caseload == sum(row.count for row in data.risk_mix)
    assert RiskLevel.HIGH in {row.key for row in data.risk_mix}
