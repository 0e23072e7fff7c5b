"""Visit reads: every function that takes ids takes the acting user and scopes by it.

Each read that shows RSO data notes the RSO ids in the request's audit context (one
consultation event per request).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from arms.models import Factor
from arms.services import catalogue_current
from caseload.models import RSO
from caseload.selectors import get_in_rso_scope
from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User
from mosovo.audit.context import note_consultation

from .choices import VisitStatus
from .models import ComplianceCheck, DeviceExamination, Observation, SafetyAssessment, Visit
from .services import DEVICE_TYPE, VISIT_TYPE, previous_safety, visit_problems

OPEN_STATUSES = (VisitStatus.PLANNED, VisitStatus.STARTED)


def _visits() -> QuerySet[Visit]:
    return Visit.objects.select_related(
        "rso__team",
        "rso__allocated_officer",
        "lead_officer",
        "second_officer",
        "single_officer_approved_by",
        "started_by",
        "recorded_by",
        "created_by",
    )


def _note(visits: list[Visit]) -> None:
    note_consultation(
        rso_ids=sorted({v.rso_id for v in visits}), object_type=VISIT_TYPE, object_ids=[v.pk for v in visits]
    )


def visit_get_for_user(*, user: User, visit_id: Any, for_change: bool = False) -> Visit:
    """Return one visit the user may open (its RSO in scope), or 404."""
    visit: Visit = get_in_rso_scope(
        _visits(), user=user, pk=visit_id, object_type=VISIT_TYPE, rso_path="rso", for_change=for_change
    )
    _note([visit])
    return visit


def device_get_for_user(*, user: User, device_id: Any, for_change: bool = False) -> DeviceExamination:
    """Return one examined device the user may open, or 404."""
    device: DeviceExamination = get_in_rso_scope(
        DeviceExamination.objects.select_related("visit__rso"),
        user=user,
        pk=device_id,
        object_type=DEVICE_TYPE,
        rso_path="visit__rso",
        for_change=for_change,
    )
    _note([device.visit])
    return device


def rso_visits(*, rso: RSO) -> list[Visit]:
    """Return the RSO's visits, newest first (the caller has opened the RSO)."""
    rows = list(
        Visit.objects.filter(rso=rso)
        .select_related("lead_officer", "second_officer", "recorded_by")
        .order_by("-planned_for", "-id")
    )
    note_consultation(rso_ids=[rso.pk], object_type=VISIT_TYPE, object_ids=[v.pk for v in rows])
    return rows


@dataclass
class VisitView:
    """A visit as its pages show it: the safety assessment, the record and its lists."""

    visit: Visit
    safety: SafetyAssessment | None
    carried: SafetyAssessment | None
    observations: dict[int, Observation]
    compliance: list[ComplianceCheck]
    devices: list[DeviceExamination]
    factors: list[Factor]
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def failed_checks(self) -> list[ComplianceCheck]:
        return [c for c in self.compliance if c.result == "NOT_COMPLIED"]


def visit_view(*, visit: Visit) -> VisitView:
    """Return everything one visit's pages show, in a fixed number of queries."""
    safety = SafetyAssessment.objects.filter(visit=visit).select_related("updated_by", "carried_forward_from").first()
    return VisitView(
        visit=visit,
        safety=safety,
        carried=None if safety else previous_safety(visit.rso, excluding=visit),
        observations={o.factor_id: o for o in Observation.objects.filter(visit=visit)},
        compliance=list(ComplianceCheck.objects.filter(visit=visit).select_related("prohibition")),
        devices=list(DeviceExamination.objects.filter(visit=visit)),
        factors=list(Factor.objects.filter(catalogue=catalogue_current()).order_by("kind", "position")),
        problems=visit_problems(visit) if visit.status == VisitStatus.STARTED else {},
    )


def upcoming_visits(*, user: User, days: int = 28) -> list[Visit]:
    """Return the visits the user is going on (lead or second officer) that are planned
    or being recorded, from overdue ones to ``days`` ahead, soonest first."""
    until = timezone.now() + dt.timedelta(days=days)
    rows = list(
        _visits()
        .filter(Q(lead_officer=user) | Q(second_officer=user), status__in=OPEN_STATUSES, planned_for__lte=until)
        .filter(rso__in=RSO.objects.visible_to(user))
        .order_by("planned_for", "id")
    )
    _note(rows)
    return rows


def visits_awaiting_single_officer_approval(*, user: User) -> list[Visit]:
    """Return the team's planned visits with one officer waiting for the sergeant."""
    if user.role != Role.SERGEANT:
        return []
    rows = list(
        _visits()
        .filter(
            rso__in=RSO.objects.visible_to(user),
            status=VisitStatus.PLANNED,
            second_officer__isnull=True,
            single_officer_approved_by__isnull=True,
        )
        .order_by("planned_for", "id")
    )
    _note(rows)
    return rows


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    visits: list[Visit]
    in_month: bool = True


def calendar_teams(*, user: User) -> list[Team]:
    """Return the teams whose calendar the user may see (their own; an inspector's force)."""
    if user.role == Role.INSPECTOR:
        return list(Team.objects.filter(force_id=user.force_id or 0).order_by("name"))
    if user.team_id is None:
        return []
    return list(Team.objects.filter(pk=user.team_id))


def team_calendar(*, user: User, team: Team, start: dt.date, end: dt.date) -> list[CalendarDay]:
    """Return the team's visits (not cancelled) from ``start`` to ``end`` inclusive, day
    by day: one query, whatever the number of visits or days."""
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = list(
        _visits()
        .filter(rso__in=RSO.objects.visible_to(user).filter(team=team))
        .exclude(status=VisitStatus.CANCELLED)
        .filter(planned_for__gte=first, planned_for__lt=last)
        .order_by("planned_for", "id")
    )
    _note(rows)
    by_day: dict[dt.date, list[Visit]] = {}
    for visit in rows:
        by_day.setdefault(timezone.localtime(visit.planned_for).date(), []).append(visit)
    days = []
    day = start
    while day <= end:
        days.append(CalendarDay(day, by_day.get(day, [])))
        day += dt.timedelta(days=1)
    return days


# --- Added for the visit pages (helper E) ----------------------------------------------


def team_visiting_officers(*, rso: RSO) -> list[User]:
    """Return the active offender managers and sergeants of the RSO's team: who may go on its visits."""
    return list(
        User.objects.filter(team_id=rso.team_id, is_active=True, role__in=(Role.OFFICER, Role.SERGEANT)).order_by(
            "last_name", "first_name", "id"
        )
    )


def visit_interval_source(*, rso: RSO) -> tuple[int, str]:
    """Return the months between visits for this person and where they come from ("plan" or "policy")."""
    from arms.services import current_plan
    from caseload import local_policy

    plan = current_plan(rso)
    if plan is not None:
        return plan.visit_interval_months, "plan"
    return local_policy.visit_interval_months(rso.risk_level), "policy"
