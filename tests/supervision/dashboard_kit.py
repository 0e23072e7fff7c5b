"""Shared steps for the team dashboard tests and benchmark: a team with believable
casework (mixed risk, late work swept by the deadline engine, submissions, an override,
sessions, audits, expiring training), and how to count the items a list page shows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from arms import services as arms_services
from arms.choices import ActionStatus, ActionType, Agency
from arms.models import Assessment, Plan
from caseload import services as caseload_services
from caseload.choices import RiskLevel, RSOStatus
from caseload.models import RSO
from caseload.services import static_score_add
from mosovo.accounts.choices import TrainingCourse
from mosovo.accounts.models import Team, TrainingRecord, User
from supervision.models import SupervisionSession
from tests.arms.kit import approved_assessment, fill_assessment
from tests.factories import OfficerFactory, RSOFactory
from tests.supervision.audit_kit import audit_of, plan_for


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    """The day ``n`` days from today (negative: in the past)."""
    return today() + dt.timedelta(days=n)


def cases(officer: User | None, team: Team, n: int, **fields: Any) -> list[RSO]:
    """Give ``officer`` (None: nobody) ``n`` cases of the team."""
    return [RSOFactory.create(team=team, allocated_officer=officer, **fields) for _ in range(n)]


def late(rsos: Sequence[RSO], **dates: dt.date) -> None:
    """Store past due dates on the cases; the next sweep makes their tasks overdue."""
    RSO.objects.filter(pk__in=[r.pk for r in rsos]).update(**dates)


def submitted_assessment(rso: RSO, *, officer: User) -> Assessment:
    """Take a new ARMS assessment of the case to SUBMITTED, as the officer does."""
    if not rso.static_scores.exists():
        static_score_add(rso=rso, tool="OSP_C", band=rso.risk_level, assessed_on=today(), by=officer)
    assessment = arms_services.assessment_start(rso=rso, by=officer)
    assessment = fill_assessment(assessment, by=officer, level=rso.risk_level)
    return arms_services.assessment_submit(assessment=assessment, version=assessment.version, by=officer)


def submitted_plan(rso: RSO, *, officer: User, sergeant: User) -> Plan:
    """Give the case an approved assessment and a plan version SUBMITTED by the officer."""
    approved_assessment(rso, officer=officer, sergeant=sergeant, level=rso.risk_level)
    plan = arms_services.plan_start(rso=rso, by=officer)
    factor = plan.assessment.catalogue.factors.first()
    assert factor is not None
    arms_services.plan_action_add(
        plan=plan,
        factor_id=factor.pk,
        action_type=ActionType.SUPPORT,
        description="Fictional support step.",
        agency=Agency.POLICE,
        owner="PC Test",
        due_on=days(30),
        status=ActionStatus.NOT_STARTED,
        shareable=True,
        by=officer,
    )
    plan.refresh_from_db()
    plan = arms_services.plan_update(
        plan=plan,
        visit_interval_months=plan.visit_interval_months,
        contingencies="If he is seen near a school, call the duty sergeant.",
        shared_with_person="He knows about the visits.",
        change_summary="",
        version=plan.version,
        by=officer,
    )
    return arms_services.plan_submit(plan=plan, version=plan.version, by=officer)


def over_the_line(officer: User, rso: RSO, *, sergeant: User) -> None:
    """Raise one of the officer's cases to HIGH under the sergeant's override, putting
    them over the 20% line (an open override and a cap breach follow)."""
    caseload_services.rso_change_risk_level(
        rso=rso,
        risk_level=RiskLevel.HIGH,
        reason="New intelligence",
        by=sergeant,
        override_reason="Nobody else can take this case this week",
    )


def session(officer: User, sergeant: User, held_on: dt.date) -> SupervisionSession:
    assert officer.team is not None
    return SupervisionSession.objects.create(team=officer.team, sergeant=sergeant, officer=officer, held_on=held_on)


def completed_audits(rso: RSO, *, sergeant: User, scores: Sequence[int], ago_days: Sequence[int]) -> None:
    """Audit a plan version of the case per score (0 to 2), completed ``ago_days`` ago."""
    assert rso.allocated_officer is not None
    for score, ago in zip(scores, ago_days, strict=True):
        plan = plan_for(rso, by=rso.allocated_officer)
        audit_of(plan, sergeant=sergeant, completed=True, score=score, completed_at=timezone.now() - dt.timedelta(ago))


def training(officer: User, course: str, *, completed: dt.date, expires: dt.date | None) -> TrainingRecord:
    return TrainingRecord.objects.create(user=officer, course=course, completed_on=completed, expires_on=expires)


@dataclass
class Team3:
    """Three officers of team A with everything the dashboard counts (see ``build``)."""

    steady: User  # within the line, late work, submissions, expiring vetting
    over: User  # over the 20% line under an override, expired training
    quiet: User  # no cases; a recent session; audits
    extra: dict[str, Any] = field(default_factory=dict)


def build(team: Team, sergeant: User, steady: User) -> Team3:
    """Make team A's casework for the dashboard tests, then run the nightly sweep."""
    over = OfficerFactory.create(team=team, last_name="Overton")
    quiet = OfficerFactory.create(team=team, last_name="Quayle")

    # steady: 10 open cases with the persona's own (exactly 20% high: on the line, not
    # over it); one closed case (not counted); MAPPA levels on some.
    lows = cases(steady, team, 6)
    mediums = cases(steady, team, 1, risk_level=RiskLevel.MEDIUM, mappa_level=2)
    highs = cases(steady, team, 2, risk_level=RiskLevel.HIGH, mappa_level=3)
    cases(steady, team, 1, status=RSOStatus.NOTIFICATION_ENDED)
    late(lows[:2], next_visit_due_on=days(-3))  # overdue
    late(lows[2:3], next_visit_due_on=days(-10))  # escalated (7+ days)
    late(lows[3:4], arms_review_due_on=days(-5))
    late(lows[4:5], arms_change_review_due_on=days(-12))
    late(lows[5:6], next_annual_notification_due=days(-2), next_visit_due_on=days(+20))  # the visit is not late
    submitted_assessment(mediums[0], officer=steady)
    submitted_plan(highs[0], officer=steady, sergeant=sergeant)
    User.objects.filter(pk=steady.pk).update(vetting_expires_on=days(40))
    session(steady, sergeant, days(-70))  # over 8 weeks ago: due

    # over: 1 of 2 high under an override (50%), an expired course and an expiring one.
    over_cases = cases(over, team, 2)
    over_the_line(over, over_cases[0], sergeant=sergeant)
    late(over_cases[1:], next_weekly_notification_due=days(-4))
    training(over, TrainingCourse.ARMS, completed=days(-800), expires=days(-5))
    training(over, TrainingCourse.MAPPA, completed=days(-700), expires=days(-400))  # replaced below
    training(over, TrainingCourse.MAPPA, completed=days(-300), expires=days(60))
    training(over, TrainingCourse.VISOR, completed=days(-100), expires=days(400))  # not yet

    # quiet: a recent session, and audits of a case now with steady (by whom the plan is).
    session(quiet, sergeant, days(-10))
    audited = cases(quiet, team, 1)[0]
    completed_audits(audited, sergeant=sergeant, scores=[2, 1, 0], ago_days=[5, 40, 500])  # last one too old
    completed_audits(lows[0], sergeant=sergeant, scores=[1], ago_days=[3])

    # Nobody's: an unallocated case with an overdue visit (counted in the team's row only).
    nobody = cases(None, team, 1, risk_level=RiskLevel.MEDIUM)
    late(nobody, next_visit_due_on=days(-4))

    caseload_services.deadlines_sweep()
    return Team3(steady=steady, over=over, quiet=quiet)


# --- Counting what a list page shows ------------------------------------------------------

_TBODY = re.compile(r"<tbody[^>]*>(.*?)</tbody>", re.S)
_ROW = re.compile(r"<tr[\s>]")
_FIGURE = re.compile(r'<a class="govuk-link" href="([^"]+)" data-count="(\d+)">')
_EXPIRY_TAG = re.compile(r'<strong class="govuk-tag govuk-tag--(?:red|orange|yellow)">(?:Expired|Expires)')


def figures(html: str) -> list[tuple[str, int]]:
    """Return every (link, count) figure the dashboard renders."""
    return [(url.replace("&amp;", "&"), int(count)) for url, count in _FIGURE.findall(html)]


def main(html: str) -> str:
    start = html.index('<main class="govuk-main-wrapper"')
    return html[start : html.index("</main>", start)]


def table_rows(html: str) -> int:
    """Count the body rows of every table in the page's main content."""
    return sum(len(_ROW.findall(body)) for body in _TBODY.findall(main(html)))


def items_shown(client: Client, url: str) -> int:
    """Open a figure's link and count the items the list shows, the way a reader would:
    rows of its tables; on an officer's record, the items marked expired or expiring."""
    answer = client.get(url)
    assert answer.status_code == 200, f"{url} answered {answer.status_code}"
    html = answer.content.decode()
    view = resolve(url.split("?")[0]).view_name
    if view == "caseload:rso_list":
        # 50 to a page: the caption says how many in all, the first page shows up to 50.
        caption = re.search(r'id="caseload-caption">(\d+) (?:person|people)', html)
        total = int(caption.group(1)) if caption else 0
        assert table_rows(html) == min(total, 50), f"{url}: the caption disagrees with the rows"
        return total
    if view in ("caseload:team_tasks", "supervision:approvals", "supervision:audit_list"):
        return table_rows(html)
    if view == "supervision:officer_record":
        section = main(html)
        end = section.find('id="history-heading"')
        return len(_EXPIRY_TAG.findall(section if end < 0 else section[:end]))
    raise AssertionError(f"The dashboard links to {view}, which the test cannot count: add it to items_shown")


def page_queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def officers_with_cases(team: Team, n: int) -> QuerySet[User]:
    """Add ``n`` officers to the team, each with 5 open cases (one high), a late visit,
    a session, an expiring course, a completed audit and a submitted assessment, as
    direct writes (the query count must not grow with any of them)."""
    from arms.choices import Status
    from arms.models import FactorCatalogue

    catalogue = FactorCatalogue.objects.order_by("-version").first()
    sergeant = User.objects.filter(team=team, role="SERGEANT").first()
    assert catalogue is not None
    assert sergeant is not None
    for _ in range(n):
        officer = OfficerFactory.create(team=team)
        rsos = cases(officer, team, 4) + cases(officer, team, 1, risk_level=RiskLevel.HIGH)
        late(rsos[:1], next_visit_due_on=days(-3))
        session(officer, sergeant, days(-20))
        training(officer, TrainingCourse.OSP, completed=days(-300), expires=days(30))
        completed_audits(rsos[1], sergeant=sergeant, scores=[2], ago_days=[10])
        Assessment.objects.create(
            rso=rsos[2],
            catalogue=catalogue,
            created_by=officer,
            status=Status.SUBMITTED,
            submitted_by=officer,
            submitted_at=timezone.now(),
        )
    caseload_services.deadlines_sweep()
    return User.objects.filter(team=team, role="OFFICER")
