"""Supervision reads: every function takes the acting user and scopes by it.

Who sees what:
- a supervision session: the sergeants of its team, the officer supervised, and the
  force's inspectors; the wellbeing notes only the sergeant who held it, the officer and
  an inspector (``session_wellbeing_visible``);
- a plan audit: the team's sergeants, the force's inspectors, and the officer whose plan
  it is (completed audits only: the score and the feedback);
- an officer's record (vetting, training): the officer, the team's sergeants, the force's
  inspectors and administrators.
Out of scope answers 404 (``ScopeDenied``), as everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Avg,
    Count,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone

from arms.choices import ActionType, FactorKind, Rating
from arms.choices import Status as ArmsStatus
from arms.models import Assessment, FactorRating, Plan, PlanAction
from arms.services import default_visit_interval
from caseload import local_policy
from caseload import selectors as caseload_selectors
from caseload.allocation import HIGH_RISK_CAP_DIVISOR
from caseload.choices import (
    CLOSED_STATUSES,
    HIGH_RISK_LEVELS,
    RISK_ORDER,
    DeadlineKind,
    DeadlineState,
    MappaLevel,
    RiskLevel,
)
from caseload.models import RSO, CapOverride, Deadline, ReactiveRequest
from caseload.selectors import RSO_TYPE
from mosovo.accounts.choices import TEAM_ROLES, Role, TrainingCourse
from mosovo.accounts.models import BreakGlassGrant, Team, TrainingRecord, User
from mosovo.accounts.scoping import ScopeDenied, can_do_casework
from mosovo.audit import context as audit_context
from mosovo.audit.context import note_consultation
from visits.choices import VisitStatus
from visits.models import Visit

from .choices import AuditState
from .models import AgreedAction, PlanAudit, SupervisionSession


def _deny(object_type: str, pk: Any) -> ScopeDenied:
    audit_context.note_denial(object_type=object_type, object_ids=[pk], reason="outside the user's scope")
    return ScopeDenied()


def teams_for_user(*, user: User) -> QuerySet[Team]:
    """Return the teams whose supervision the user may see: a sergeant's own team, every
    team of an inspector's force; none for anyone else."""
    if not can_do_casework(user):
        return Team.objects.none()
    if user.role == Role.INSPECTOR:
        return Team.objects.filter(Q(force_id=user.force_id)).order_by("name")
    if user.role == Role.SERGEANT:
        return Team.objects.filter(Q(pk=user.team_id))
    return Team.objects.none()


def team_get_for_user(*, user: User, team_id: Any) -> Team:
    """Return one team the user may supervise, or raise ScopeDenied (404)."""
    try:
        return teams_for_user(user=user).get(pk=int(team_id))
    except (Team.DoesNotExist, TypeError, ValueError):
        raise _deny("accounts.team", team_id) from None


def team_officers(*, team: Team) -> QuerySet[User]:
    """Return the active officers of a team (the people a sergeant supervises)."""
    return User.objects.filter(team=team, role=Role.OFFICER, is_active=True).order_by("last_name", "first_name", "pk")


def sessions_visible_to(*, user: User) -> QuerySet[SupervisionSession]:
    """Return the supervision sessions the user may see (see the module docstring)."""
    if not can_do_casework(user):
        return SupervisionSession.objects.none()
    if user.role == Role.INSPECTOR:
        scope = Q(team__force_id=user.force_id)
    elif user.role == Role.SERGEANT:
        scope = Q(team_id=user.team_id) | Q(officer=user)
    else:
        scope = Q(officer=user)
    return SupervisionSession.objects.filter(scope)


def session_get_for_user(*, user: User, session_id: Any) -> SupervisionSession:
    """Return one session with its cases and actions, or raise ScopeDenied (404)."""
    try:
        return (
            sessions_visible_to(user=user)
            .select_related("sergeant", "officer", "team")
            .prefetch_related(
                "cases",
                Prefetch("actions", queryset=AgreedAction.objects.select_related("rso", "completed_by")),
            )
            .get(pk=int(session_id))
        )
    except (SupervisionSession.DoesNotExist, TypeError, ValueError):
        raise _deny("supervision.supervisionsession", session_id) from None


def session_wellbeing_visible(*, user: User, session: SupervisionSession) -> bool:
    """Tell whether the user may read the session's wellbeing check: the sergeant who held
    it, the officer, or an inspector of the force."""
    if user.pk in (session.sergeant_id, session.officer_id):
        return True
    return user.role == Role.INSPECTOR and can_do_casework(user) and session.team.force_id == user.force_id


def agreed_action_get_for_user(*, user: User, action_id: Any) -> AgreedAction:
    """Return one agreed action of a session the user may see, or raise ScopeDenied."""
    try:
        return (
            AgreedAction.objects.select_related("session")
            .filter(session__in=sessions_visible_to(user=user))
            .get(pk=int(action_id))
        )
    except (AgreedAction.DoesNotExist, TypeError, ValueError):
        raise _deny("supervision.agreedaction", action_id) from None


def audits_visible_to(*, user: User) -> QuerySet[PlanAudit]:
    """Return the plan audits the user may see (officers: their completed audits only)."""
    if not can_do_casework(user):
        return PlanAudit.objects.none()
    if user.role == Role.INSPECTOR:
        return PlanAudit.objects.filter(Q(team__force_id=user.force_id))
    if user.role == Role.SERGEANT:
        return PlanAudit.objects.filter(Q(team_id=user.team_id))
    return PlanAudit.objects.filter(Q(officer=user, state=AuditState.COMPLETED) & Q(team_id=user.team_id))


def audit_list(*, user: User, state: str | None = None, officer_id: int | None = None) -> QuerySet[PlanAudit]:
    """Return the audits the user may see, open ones oldest first, then completed newest first."""
    audits = audits_visible_to(user=user).select_related("rso", "plan", "officer", "audited_by")
    if state:
        audits = audits.filter(state=state)
    if officer_id is not None:
        audits = audits.filter(officer_id=officer_id)
    return audits.order_by("-state", "-completed_at", "sampled_at", "pk")


def audit_get_for_user(*, user: User, audit_id: Any) -> PlanAudit:
    """Return one plan audit, or raise ScopeDenied (404)."""
    try:
        return (
            audits_visible_to(user=user)
            .select_related("rso", "plan", "plan__assessment", "officer", "audited_by", "sampled_by")
            .get(pk=int(audit_id))
        )
    except (PlanAudit.DoesNotExist, TypeError, ValueError):
        raise _deny("supervision.planaudit", audit_id) from None


def officer_get_for_user(*, user: User, officer_id: Any) -> User:
    """Return an officer or sergeant whose record (vetting, training) the user may see:
    themselves, their team's people for a sergeant, the force's for an inspector or an
    administrator. Otherwise ScopeDenied (404)."""
    people = User.objects.filter(role__in=TEAM_ROLES)
    if user.role == Role.SERGEANT and can_do_casework(user):
        people = people.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    elif user.role in (Role.INSPECTOR, Role.ADMIN) and (user.role == Role.ADMIN or can_do_casework(user)):
        people = people.filter(force_id=user.force_id) if user.force_id else people
    else:
        people = people.filter(pk=user.pk)
    try:
        return people.select_related("team").get(pk=int(officer_id))
    except (User.DoesNotExist, TypeError, ValueError):
        raise _deny("accounts.user", officer_id) from None


def training_record_get_for_user(*, user: User, record_id: Any) -> TrainingRecord:
    """Return a training record of a person whose record the user may see (else 404)."""
    try:
        record = TrainingRecord.objects.select_related("user").get(pk=int(record_id))
    except (TrainingRecord.DoesNotExist, TypeError, ValueError):
        raise _deny("accounts.trainingrecord", record_id) from None
    officer_get_for_user(user=user, officer_id=record.user_id)
    return record


# --- sessions pages ---


def session_rows(
    *, user: User, officer_id: int | None = None, team_id: int | None = None
) -> QuerySet[SupervisionSession]:
    """Return the sessions the user may see, newest first, with what the list shows of each:
    the people, the number of cases discussed and of actions open and done."""
    sessions = sessions_visible_to(user=user).select_related("sergeant", "officer", "team")
    if officer_id is not None:
        sessions = sessions.filter(officer_id=officer_id)
    if team_id is not None:
        sessions = sessions.filter(team_id=team_id)
    return sessions.annotate(
        case_count=Count("cases", distinct=True),
        actions_open=Count("actions", filter=Q(actions__completed_at__isnull=True), distinct=True),
        actions_done=Count("actions", filter=Q(actions__completed_at__isnull=False), distinct=True),
    ).order_by("-held_on", "-id")


def session_filter_officers(*, user: User, team_id: int | None = None) -> QuerySet[User]:
    """Return the officers the user may filter the session list by: a sergeant's team's,
    the force's for an inspector (one team's when ``team_id`` is given); none otherwise."""
    if not can_do_casework(user) or user.role not in (Role.SERGEANT, Role.INSPECTOR):
        return User.objects.none()
    teams = teams_for_user(user=user)
    if team_id is not None:
        teams = teams.filter(pk=team_id)
    return User.objects.filter(team__in=teams, role=Role.OFFICER).order_by("last_name", "first_name", "pk")


def officer_open_cases(*, user: User, officer: User) -> QuerySet[RSO]:
    """Return the open cases allocated to ``officer`` that the user may see, by name (the
    cases a sergeant may note as discussed in a session with them)."""
    return (
        RSO.objects.visible_to(user)
        .filter(allocated_officer=officer)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("family_name", "given_names", "pk")
    )


def session_visible_rso_ids(*, user: User, session: SupervisionSession) -> set[int]:
    """Return the ids of the session's cases (discussed, or named on an action) the user
    may see now: a case since moved out of the user's scope is not named to them."""
    ids = {c.pk for c in session.cases.all()} | {a.rso_id for a in session.actions.all() if a.rso_id}
    if not ids:
        return set()
    return set(RSO.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def session_may_complete_actions(*, user: User, session: SupervisionSession) -> bool:
    """Tell whether the user may mark the session's actions done: the officer, or a
    sergeant of the team (as ``services.agreed_action_complete`` allows)."""
    if not can_do_casework(user):
        return False
    return user.pk == session.officer_id or (user.role == Role.SERGEANT and user.team_id == session.team_id)


def sessions_to_acknowledge(*, user: User) -> QuerySet[SupervisionSession]:
    """Return the sessions held with the user that they have not yet acknowledged, oldest first."""
    return (
        sessions_visible_to(user=user)
        .filter(officer=user, acknowledged_at__isnull=True)
        .select_related("sergeant")
        .order_by("held_on", "id")
    )


def open_agreed_actions(*, user: User) -> QuerySet[AgreedAction]:
    """Return the open actions agreed in the user's own sessions, soonest due first."""
    return (
        AgreedAction.objects.filter(
            session__in=sessions_visible_to(user=user).filter(officer=user), completed_at__isnull=True
        )
        .select_related("session")
        .order_by("due_on", "pk")
    )


# --- end sessions pages ---


# --- audits and officer records ---
# Imports of this block live here so that edits of the shared header do not collide; it
# also uses the header's dt, dataclass, timezone, Plan, RiskLevel and RSO.


PLAN_AUDIT_TYPE = "supervision.planaudit"
# "Completed in the last 12 months": the window of the audit list and of the dashboard's
# plan-quality figures (both use ``audit_completed_since`` so their counts agree).
AUDIT_WINDOW_MONTHS = 12


def months_before(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def audit_completed_since(*, today: dt.date, months: int = AUDIT_WINDOW_MONTHS) -> dt.datetime:
    """Return when the window "completed in the last ``months`` months" starts: local
    midnight of the same day ``months`` months before ``today``."""
    return timezone.make_aware(dt.datetime.combine(months_before(today, months), dt.time.min))


@dataclass
class AuditPage:
    """The audit list as a page shows it: the audits waiting for a sergeant, oldest
    first, and those completed in the window, newest first. ``visible_rso_ids`` are the
    cases the user may still see (a case that moved team is shown without its name)."""

    waiting: list[PlanAudit]
    completed: list[PlanAudit]
    visible_rso_ids: frozenset[int]


def audit_page(
    *,
    user: User,
    state: str | None = None,
    officer_id: int | None = None,
    team_id: int | None = None,
    completed_since: dt.datetime | None = None,
) -> AuditPage:
    """Return the audits the user may see for the list page, filtered, and note the cases
    shown as consulted. ``completed_since`` limits completed audits (None: all of them).

    Queries: the audits (with case, officer and auditor), the cases still in scope: two.
    """
    audits = audit_list(user=user, state=state or None, officer_id=officer_id)
    if team_id is not None:
        audits = audits.filter(team_id=team_id)
    if completed_since is not None:
        audits = audits.filter(Q(state=AuditState.SAMPLED) | Q(completed_at__gte=completed_since))
    rows = list(audits.select_related("team"))
    waiting = sorted((a for a in rows if a.state == AuditState.SAMPLED), key=lambda a: (a.sampled_at, a.pk))
    completed = [a for a in rows if a.state == AuditState.COMPLETED]
    completed.sort(key=lambda a: (a.completed_at or a.sampled_at, a.pk), reverse=True)
    for audit in rows:
        audit.risk_label = RiskLevel(audit.risk_level).label if audit.risk_level in RiskLevel.values else "Not recorded"  # type: ignore[attr-defined]
    rso_ids = {a.rso_id for a in rows}
    visible = frozenset(RSO.objects.visible_to(user).filter(pk__in=rso_ids).values_list("pk", flat=True))
    shown = [a for a in rows if a.rso_id in visible]
    note_consultation(
        rso_ids=sorted({a.rso_id for a in shown}), object_type=PLAN_AUDIT_TYPE, object_ids=[a.pk for a in rows]
    )
    return AuditPage(waiting=waiting, completed=completed, visible_rso_ids=visible)


def audit_filter_officers(*, user: User, team_id: int | None = None) -> QuerySet[User]:
    """Return the officers the audit list may be filtered by: a sergeant's team's, the
    force's (or one team's) for an inspector; none for anyone else."""
    if user.role not in (Role.SERGEANT, Role.INSPECTOR):
        return User.objects.none()
    teams = teams_for_user(user=user)
    if team_id is not None:
        teams = teams.filter(pk=team_id)
    return User.objects.filter(team__in=teams, role__in=TEAM_ROLES).order_by("last_name", "first_name", "pk")


def audits_unread(*, user: User) -> list[PlanAudit]:
    """Return the officer's completed audits whose feedback they have not yet marked as
    read, newest first (their home page lists them)."""
    rows = list(
        audits_visible_to(user=user)
        .filter(officer=user, state=AuditState.COMPLETED, seen_by_officer_at__isnull=True)
        .select_related("rso")
        .order_by("-completed_at", "-pk")
    )
    visible = set(RSO.objects.visible_to(user).filter(pk__in={a.rso_id for a in rows}).values_list("pk", flat=True))
    for audit in rows:
        audit.case_visible = audit.rso_id in visible  # type: ignore[attr-defined]
    if rows:  # a home page with nothing to read consults nothing
        note_consultation(rso_ids=sorted(visible), object_type=PLAN_AUDIT_TYPE, object_ids=[a.pk for a in rows])
    return rows


def audit_case_visible(*, user: User, audit: PlanAudit) -> bool:
    """Tell whether the user may still see the audited case (it may have moved team)."""
    return RSO.objects.visible_to(user).filter(pk=audit.rso_id).exists()


@dataclass(frozen=True)
class AuditHint:
    """What the system can see in a plan for one rubric criterion: one line per finding;
    ``concern`` when something the criterion asks for looks missing. A hint for the
    sergeant's judgement, never a score."""

    field: str
    concern: bool
    lines: tuple[str, ...]


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _names(ratings: Iterable[FactorRating]) -> str:
    return ", ".join(f"'{r.factor.name}'" for r in ratings)


def _evidence_hint(ratings: list[FactorRating]) -> AuditHint:
    rated = [r for r in ratings if r.rating]
    unrated = [r for r in ratings if not r.rating]
    bare = [r for r in rated if not r.evidence.strip()]
    lines: list[str] = []
    if not rated:
        lines.append("No factor is rated.")
    elif bare:
        verb = "has" if len(bare) == 1 else "have"
        lines.append(
            f"{len(bare)} of {_plural(len(rated), 'rated factor', 'rated factors')} {verb} no evidence: {_names(bare)}."
        )
    else:
        lines.append(f"All {_plural(len(rated), 'rated factor has', 'rated factors have')} evidence.")
    if unrated:
        verb = "is" if len(unrated) == 1 else "are"
        lines.append(f"{_plural(len(unrated), 'factor', 'factors')} {verb} not rated: {_names(unrated)}.")
    return AuditHint("evidence_score", bool(bare or unrated or not rated), tuple(lines))


def _high_risk_hint(ratings: list[FactorRating], actions: list[PlanAction]) -> AuditHint:
    addressed = {a.factor_id for a in actions}
    high = [r for r in ratings if r.factor.kind == FactorKind.RISK and r.rating == Rating.HIGH]
    bare = [r for r in high if r.factor_id not in addressed]
    if not high:
        return AuditHint("high_risk_actions_score", False, ("No risk factor is rated HIGH.",))
    if not bare:
        return AuditHint(
            "high_risk_actions_score",
            False,
            (f"Every HIGH risk factor has an action ({_plural(len(high), 'factor', 'factors')}).",),
        )
    return AuditHint(
        "high_risk_actions_score", True, tuple(f"HIGH risk factor '{r.factor.name}' has no action." for r in bare)
    )


def _support_hint(ratings: list[FactorRating], actions: list[PlanAction]) -> AuditHint:
    support = [a for a in actions if a.action_type == ActionType.SUPPORT]
    supported = {a.factor_id for a in support}
    protective = [r for r in ratings if r.factor.kind == FactorKind.PROTECTIVE]
    unsupported = [r for r in protective if r.factor_id not in supported]
    lines: list[str] = []
    if not support:
        lines.append("No SUPPORT actions.")
    else:
        lines.append(f"{_plural(len(support), 'SUPPORT action', 'SUPPORT actions')} of {len(actions)}.")
    if support and unsupported:
        verb = "has" if len(unsupported) == 1 else "have"
        lines.append(
            f"{len(unsupported)} of {_plural(len(protective), 'protective factor', 'protective factors')} "
            f"{verb} no SUPPORT action: {_names(unsupported)}."
        )
    return AuditHint("support_actions_score", bool(not support or unsupported), tuple(lines))


def _owners_dates_hint(actions: list[PlanAction]) -> AuditHint:
    if not actions:
        return AuditHint("owners_dates_score", True, ("The plan has no actions.",))
    no_date = sum(1 for a in actions if a.due_on is None)
    no_owner = sum(1 for a in actions if not a.owner.strip())
    lines: list[str] = []
    if no_date:
        lines.append(f"{_plural(no_date, 'action has', 'actions have')} no due date.")
    if no_owner:
        lines.append(f"{_plural(no_owner, 'action has', 'actions have')} no owner.")
    if not lines:
        lines.append(f"All {_plural(len(actions), 'action has', 'actions have')} an owner and a due date.")
    return AuditHint("owners_dates_score", bool(no_date or no_owner), tuple(lines))


def _shareable_hint(plan: Plan, actions: list[PlanAction]) -> AuditHint:
    shareable = sum(1 for a in actions if a.shareable)
    told = bool(plan.shared_with_person.strip())
    lines = [
        f"{shareable} of {_plural(len(actions), 'action', 'actions')} marked shareable."
        if shareable
        else "No action marked shareable.",
        "What the person has been told is recorded."
        if told
        else "Nothing recorded about what the person has been told.",
    ]
    return AuditHint("shareable_score", not (shareable and told), tuple(lines))


def plan_audit_hints(*, plan: Plan) -> dict[str, AuditHint]:
    """Return, for each rubric criterion (by field name), what the system can see in the
    plan: factors rated without evidence, HIGH risk factors without an action, SUPPORT
    actions, actions without an owner or a date, contingencies, shareable parts.

    Queries: the assessment's ratings (with factor), the plan's actions: two, whatever
    the plan's size.
    """
    ratings = list(
        FactorRating.objects.filter(assessment_id=plan.assessment_id)
        .select_related("factor")
        .order_by("factor__kind", "factor__position")
    )
    actions = list(PlanAction.objects.filter(plan_id=plan.pk).order_by("position", "pk"))
    contingencies = (
        AuditHint("contingencies_score", False, ("Contingencies written.",))
        if plan.contingencies.strip()
        else AuditHint("contingencies_score", True, ("Contingencies empty.",))
    )
    hints = [
        _evidence_hint(ratings),
        _high_risk_hint(ratings, actions),
        _support_hint(ratings, actions),
        _owners_dates_hint(actions),
        contingencies,
        _shareable_hint(plan, actions),
    ]
    return {hint.field: hint for hint in hints}


@dataclass(frozen=True)
class ExpiringItem:
    """Vetting, or a course's latest completion, that has expired or expires within the
    warning period (``local_policy.officer_record_warn_days``)."""

    key: str  # "VETTING" or the course
    label: str
    expires_on: dt.date
    days_left: int  # negative once expired

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def latest_training(records: Iterable[TrainingRecord]) -> dict[str, TrainingRecord]:
    """Return each course's latest completion (as the deadline engine decides it)."""
    latest: dict[str, TrainingRecord] = {}
    for record in records:
        current = latest.get(record.course)
        if current is None or (record.completed_on, record.pk) > (current.completed_on, current.pk):
            latest[record.course] = record
    return latest


def _expiring(key: str, label: str, expires_on: dt.date | None, today: dt.date) -> ExpiringItem | None:
    if expires_on is None or expires_on > today + dt.timedelta(days=local_policy.officer_record_warn_days()):
        return None
    return ExpiringItem(key, label, expires_on, (expires_on - today).days)


def officer_expiring_items(*, officer: User, today: dt.date) -> list[ExpiringItem]:
    """Return the officer's vetting (if expired or expiring) and each course whose latest
    completion is expired or expiring: what the officer record page counts as "N items
    expired or expiring" and the dashboard's figure.

    Reads ``officer.training.all()``: prefetch ``training`` to use it for many officers
    without a query each.
    """
    items: list[ExpiringItem] = []
    vetting = _expiring("VETTING", "Vetting", officer.vetting_expires_on, today)
    if vetting is not None:
        items.append(vetting)
    latest = latest_training(officer.training.all())
    for course in TrainingCourse:
        record = latest.get(course.value)
        item = _expiring(course.value, course.label, record.expires_on, today) if record else None
        if item is not None:
            items.append(item)
    return items


@dataclass(frozen=True)
class CourseRow:
    """One course of the catalogue on an officer's record, with its latest completion."""

    course: str
    label: str
    latest: TrainingRecord | None
    expiring: ExpiringItem | None


@dataclass
class OfficerRecord:
    """An officer's record as the page shows it: vetting, each course, the history."""

    officer: User
    vetting: ExpiringItem | None
    courses: list[CourseRow]
    history: list[TrainingRecord]
    expiring: list[ExpiringItem] = field(default_factory=list)


def officer_record(*, officer: User, today: dt.date) -> OfficerRecord:
    """Return an officer's vetting and training as their record page shows it (one query:
    the training records)."""
    prefetch_related_objects([officer], "training")
    records = list(officer.training.all())
    latest = latest_training(records)
    expiring = officer_expiring_items(officer=officer, today=today)
    by_key = {item.key: item for item in expiring}
    courses = [
        CourseRow(course.value, course.label, latest.get(course.value), by_key.get(course.value))
        for course in TrainingCourse
    ]
    history = sorted(records, key=lambda r: (r.completed_on, r.pk), reverse=True)
    return OfficerRecord(
        officer=officer, vetting=by_key.get("VETTING"), courses=courses, history=history, expiring=expiring
    )


# --- end audits and officer records ---


# --- approvals queue ---
# Everything waiting for a team's sergeant, in one list, oldest first (issue 8 item 2).
# A fixed number of queries whatever the number of items: one per kind shown. The
# ``?kind=`` filter values are APPROVAL_KINDS; the row kinds are ITEM_KINDS.

APPROVAL_KINDS: Final = {
    "arms": "ARMS assessments and plans",
    "reactive": "Moves to reactive management",
    "visit": "Single-officer visits",
    "override": "20% overrides",
    "break_glass": "Access from outside the team",
}
# Row kind -> the filter it falls under.
ITEM_KINDS: Final = {
    "assessment": "arms",
    "plan": "arms",
    "reactive": "reactive",
    "visit": "visit",
    "override": "override",
    "break_glass": "break_glass",
}
_KIND_ORDER: Final = {kind: n for n, kind in enumerate(ITEM_KINDS)}
READ_ONLY_NOTE: Final = "Read only: the team's sergeant decides."


@dataclass(frozen=True)
class ApprovalItem:
    """One thing waiting for the team's sergeant, as the approvals queue shows it."""

    kind: str  # a key of ITEM_KINDS
    pk: int
    submitted_at: dt.datetime
    label: str
    url: str  # the full record
    actions: tuple[str, ...] = ()  # approve, return, decline, resolve, acknowledge
    rso: RSO | None = None
    rso_id: int | None = None
    record_label: str = ""  # the record's reference when there is no RSO object
    asked_by: User | None = None
    detail: str = ""  # the reason given, or what approving changes
    note: str = ""  # why an action is not offered

    @property
    def key(self) -> str:
        """Return the row's id on the page."""
        return f"{self.kind}-{self.pk}"

    @property
    def action_url(self) -> str:
        """Return where the row's in-place actions post."""
        return reverse(f"supervision:approval_{self.kind}", args=[self.pk])


def _may_read_queue(user: User, team: Team) -> bool:
    if not can_do_casework(user):
        return False
    if user.role == Role.SERGEANT:
        return user.team_id == team.pk
    return user.role == Role.INSPECTOR and user.force_id == team.force_id


def _may_act(user: User, team: Team) -> bool:
    return user.role == Role.SERGEANT and user.team_id == team.pk and can_do_casework(user)


def _arms_actions(submitted_by_id: int | None, user: User, act: bool, what: str) -> tuple[tuple[str, ...], str]:
    if not act:
        return (), READ_ONLY_NOTE
    if submitted_by_id == user.pk:
        # Four eyes: the services refuse a sergeant's approval of their own submission.
        return ("return",), f"You submitted this {what}: another sergeant of the team approves it."
    return ("approve", "return"), ""


def _assessment_item(assessment: Assessment, *, user: User, act: bool) -> ApprovalItem:
    rso = assessment.rso
    current = RiskLevel(rso.risk_level)
    proposed = RiskLevel(assessment.proposed_risk_level) if assessment.proposed_risk_level else current
    if RISK_ORDER[proposed] < RISK_ORDER[current]:
        # A decrease needs the sergeant's approval (domain s.3.2).
        label = f"Risk level decrease: {current.label} to {proposed.label}"
    else:
        label = "ARMS assessment"
    detail = (
        f"Proposed risk level {proposed.label.lower()}"
        + (" (unchanged)." if proposed == current else f" (now {current.label.lower()}).")
        + (f" {assessment.level_reason}" if assessment.level_reason else "")
    )
    actions, note = _arms_actions(assessment.submitted_by_id, user, act, "assessment")
    assert assessment.submitted_at is not None  # a submitted assessment has a submission time
    return ApprovalItem(
        kind="assessment",
        pk=assessment.pk,
        submitted_at=assessment.submitted_at,
        label=label,
        url=reverse("arms:assessment_review", args=[assessment.pk]),
        actions=actions,
        rso=rso,
        rso_id=rso.pk,
        asked_by=assessment.submitted_by,
        detail=detail,
        note=note,
    )


def _plan_item(plan: Plan, *, user: User, act: bool) -> ApprovalItem:
    default = default_visit_interval(plan.rso)
    if plan.visit_interval_months > default:
        # A longer interval than the policy's needs the sergeant's approval (domain s.5).
        label = f"Longer visit interval: every {plan.visit_interval_months} months (policy {default})"
        detail = plan.visit_interval_reason
    else:
        label = f"Risk management plan, version {plan.number}"
        detail = plan.change_summary
    actions, note = _arms_actions(plan.submitted_by_id, user, act, "plan")
    assert plan.submitted_at is not None  # a submitted plan has a submission time
    return ApprovalItem(
        kind="plan",
        pk=plan.pk,
        submitted_at=plan.submitted_at,
        label=label,
        url=reverse("arms:plan_review", args=[plan.pk]),
        actions=actions,
        rso=plan.rso,
        rso_id=plan.rso_id,
        asked_by=plan.submitted_by,
        detail=detail,
        note=note,
    )


def _reactive_item(request: ReactiveRequest, *, act: bool) -> ApprovalItem:
    return ApprovalItem(
        kind="reactive",
        pk=request.pk,
        submitted_at=request.requested_at,
        label="Move to reactive management",
        url=reverse("caseload:rso_risk", args=[request.rso_id]) + "#management",
        actions=("approve", "decline") if act else (),
        rso=request.rso,
        rso_id=request.rso_id,
        asked_by=request.requested_by,
        detail=request.reason,
        note="" if act else READ_ONLY_NOTE,
    )


def _visit_item(visit: Visit, *, act: bool) -> ApprovalItem:
    when = timezone.localtime(visit.planned_for)
    return ApprovalItem(
        kind="visit",
        pk=visit.pk,
        submitted_at=visit.created_at,
        label=f"Single-officer visit: {visit.lead_officer.display_name}, {when:%-d %B %Y at %H:%M}",
        url=reverse("visits:visit_detail", args=[visit.pk]),
        actions=("approve",) if act else (),
        rso=visit.rso,
        rso_id=visit.rso_id,
        asked_by=visit.created_by,
        detail=visit.single_officer_reason,
        note="" if act else READ_ONLY_NOTE,
    )


def _override_item(override: CapOverride, *, act: bool) -> ApprovalItem:
    return ApprovalItem(
        kind="override",
        pk=override.pk,
        submitted_at=override.created_at,
        label=f"20% override: {override.officer.display_name} over the high-risk limit",
        url=reverse("caseload:rso_list") + f"?officer={override.officer_id}",
        actions=("resolve",) if act else (),
        rso=override.rso,
        rso_id=override.rso_id,
        asked_by=override.created_by,
        detail=override.reason,
        note="" if act else READ_ONLY_NOTE,
    )


def _break_glass_item(grant: BreakGlassGrant, *, act: bool) -> ApprovalItem:
    on_rso = grant.object_type == RSO_TYPE
    return ApprovalItem(
        kind="break_glass",
        pk=grant.pk,
        submitted_at=grant.created_at,
        label=f"Record opened from outside the team by {grant.user.display_name}",
        url=reverse("caseload:rso_detail", args=[grant.object_id]) if on_rso else "",
        actions=("acknowledge",) if act else (),
        rso_id=grant.object_id if on_rso else None,
        record_label=grant.object_label,
        asked_by=grant.user,
        detail=grant.reason_text,
        note="" if act else READ_ONLY_NOTE,
    )


def _pending_assessments(user: User, team: Team) -> QuerySet[Assessment]:
    return (
        Assessment.objects.visible_to(user)
        .filter(rso__team_id=team.pk, status=ArmsStatus.SUBMITTED)
        .select_related("rso", "submitted_by")
    )


def _pending_plans(user: User, team: Team) -> QuerySet[Plan]:
    return (
        Plan.objects.visible_to(user)
        .filter(rso__team_id=team.pk, status=ArmsStatus.SUBMITTED)
        .select_related("rso", "submitted_by")
    )


def _pending_reactive(user: User, team: Team) -> QuerySet[ReactiveRequest]:
    return (
        ReactiveRequest.objects.visible_to(user)
        .filter(rso__team_id=team.pk, decision="")
        .select_related("rso", "requested_by")
    )


def _pending_visits(user: User, team: Team) -> QuerySet[Visit]:
    # Only a planned visit can be approved (visit_single_officer_approve); a visit
    # cannot start without the approval.
    return (
        Visit.objects.visible_to(user)
        .filter(
            rso__team_id=team.pk,
            status=VisitStatus.PLANNED,
            second_officer__isnull=True,
            single_officer_approved_by__isnull=True,
        )
        .exclude(single_officer_reason="")
        .select_related("rso", "lead_officer", "created_by")
    )


def _open_overrides(team: Team) -> QuerySet[CapOverride]:
    return CapOverride.objects.filter(officer__team_id=team.pk, resolved_at__isnull=True).select_related(
        "officer", "created_by", "rso"
    )


def _grants_to_acknowledge(team: Team) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(team_id=team.pk, acknowledged_at__isnull=True).select_related("user")


def approvals_queue(
    *, user: User, team: Team, officer_id: int | None = None, kind: str | None = None
) -> list[ApprovalItem]:
    """Return what waits for the team's sergeant, oldest first: ARMS assessments and plan
    versions submitted, requests to move a case to reactive management, single-officer
    visits, open 20% overrides and break-glass accesses to acknowledge.

    ``officer_id`` keeps the items submitted by or about that officer (assessments and
    plans: who submitted them; reactive requests: who asked; visits: the visit's officer;
    overrides: the officer over the rule; break-glass: who opened the record); ``kind``
    one of APPROVAL_KINDS. The team's sergeant gets the actions; an inspector of the
    force reads. Notes every RSO shown for the page's consultation event. One query per
    kind, whatever the number of items.
    """
    if not _may_read_queue(user, team) or (kind and kind not in APPROVAL_KINDS):
        return []
    act = _may_act(user, team)
    items: list[ApprovalItem] = []
    if kind in (None, "", "arms"):
        assessments = _pending_assessments(user, team)
        plans = _pending_plans(user, team)
        if officer_id is not None:
            assessments = assessments.filter(submitted_by_id=officer_id)
            plans = plans.filter(submitted_by_id=officer_id)
        items += [_assessment_item(a, user=user, act=act) for a in assessments]
        items += [_plan_item(p, user=user, act=act) for p in plans]
    if kind in (None, "", "reactive"):
        requests = _pending_reactive(user, team)
        if officer_id is not None:
            requests = requests.filter(requested_by_id=officer_id)
        items += [_reactive_item(r, act=act) for r in requests]
    if kind in (None, "", "visit"):
        visits = _pending_visits(user, team)
        if officer_id is not None:
            visits = visits.filter(lead_officer_id=officer_id)
        items += [_visit_item(v, act=act) for v in visits]
    if kind in (None, "", "override"):
        overrides = _open_overrides(team)
        if officer_id is not None:
            overrides = overrides.filter(officer_id=officer_id)
        items += [_override_item(o, act=act) for o in overrides]
    if kind in (None, "", "break_glass"):
        grants = _grants_to_acknowledge(team)
        if officer_id is not None:
            grants = grants.filter(user_id=officer_id)
        items += [_break_glass_item(g, act=act) for g in grants]
    items.sort(key=lambda item: (item.submitted_at, _KIND_ORDER[item.kind], item.pk))
    _note_items(items)
    return items


def _note_items(items: list[ApprovalItem]) -> None:
    """Note the RSOs the rows show, and the rows as "<kind>-<id>" (one consultation
    event for the request, whatever the mix of kinds)."""
    if not items:
        return
    audit_context.note_consultation(
        rso_ids=[item.rso_id for item in items if item.rso_id is not None],
        object_type=APPROVAL_OBJECT_TYPE,
        object_ids=[item.key for item in items],
    )


APPROVAL_OBJECT_TYPE: Final = "supervision.approval"
_OBJECT_TYPES: Final = {
    "assessment": "arms.assessment",
    "plan": "arms.plan",
    "reactive": "caseload.reactiverequest",
    "visit": "visits.visit",
    "override": "caseload.capoverride",
    "break_glass": "accounts.breakglassgrant",
}


def approvals_count(*, user: User) -> int:
    """Return how many items wait in the sergeant's approvals queue (the navigation
    count): one query, and nothing noted for the audit (no RSO is shown)."""
    if user.role != Role.SERGEANT or user.team_id is None or not can_do_casework(user):
        return 0
    team = Team(pk=user.team_id)

    def count(queryset: QuerySet[Any]) -> Subquery:
        return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])

    querysets = [
        _pending_assessments(user, team),
        _pending_plans(user, team),
        _pending_reactive(user, team),
        _pending_visits(user, team),
        _open_overrides(team),
        _grants_to_acknowledge(team),
    ]
    row = (
        Team.objects.filter(pk=team.pk)
        .annotate(**{f"n{i}": count(qs.select_related(None)) for i, qs in enumerate(querysets)})
        .values_list(*(f"n{i}" for i in range(len(querysets))))
        .first()
    )
    return sum(n or 0 for n in row) if row else 0


def approval_get_for_user(*, user: User, kind: str, item_id: Any) -> Any:
    """Return the record behind one row of the sergeant's queue, whatever its state now
    (a stale row gets the service's answer, not a 404), or raise ScopeDenied (404)
    outside the sergeant's team."""
    models: dict[str, tuple[Any, str]] = {
        "assessment": (Assessment.objects.select_related("rso", "submitted_by"), "rso__team_id"),
        "plan": (Plan.objects.select_related("rso", "submitted_by"), "rso__team_id"),
        "reactive": (ReactiveRequest.objects.select_related("rso", "requested_by", "decided_by"), "rso__team_id"),
        "visit": (
            Visit.objects.select_related("rso", "lead_officer", "created_by", "single_officer_approved_by"),
            "rso__team_id",
        ),
        "override": (
            CapOverride.objects.select_related("officer", "created_by", "rso", "resolved_by"),
            "officer__team_id",
        ),
        "break_glass": (BreakGlassGrant.objects.select_related("user", "acknowledged_by"), "team_id"),
    }
    if kind not in models or user.role != Role.SERGEANT or user.team_id is None or not can_do_casework(user):
        raise _deny(_OBJECT_TYPES.get(kind, "supervision.approval"), item_id)
    queryset, team_path = models[kind]
    try:
        found = queryset.filter(**{team_path: user.team_id}).get(pk=int(item_id))
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise _deny(_OBJECT_TYPES[kind], item_id) from None
    on_rso = kind != "break_glass" or found.object_type == RSO_TYPE
    rso_id = (found.object_id if kind == "break_glass" else found.rso_id) if on_rso else None
    audit_context.note_consultation(
        rso_ids=[rso_id] if rso_id else [], object_type=_OBJECT_TYPES[kind], object_ids=[found.pk]
    )
    return found


def approval_item(*, user: User, kind: str, record: Any) -> ApprovalItem:
    """Return one record as the queue's row shows it (after an action, for the new row)."""
    act = user.role == Role.SERGEANT and user.team_id is not None and can_do_casework(user)
    if kind == "assessment":
        return _assessment_item(record, user=user, act=act)
    if kind == "plan":
        return _plan_item(record, user=user, act=act)
    if kind == "reactive":
        return _reactive_item(record, act=act)
    if kind == "visit":
        return _visit_item(record, act=act)
    if kind == "override":
        return _override_item(record, act=act)
    return _break_glass_item(record, act=act)


# --- end approvals queue ---


# --- team dashboard ---
# The sergeant's team dashboard (issue 8 item 1): per officer, what their caseload
# carries, what is late, what waits for approval, their record and supervision, and the
# quality of their plans; the team's totals, risk and MAPPA mix and plan-quality trend;
# for inspectors one row per team of the force. A fixed number of GROUP BY queries,
# whatever the team's size or caseload. Every figure counts exactly what the list behind
# its link shows (the filters are named on each field); tests follow every link.


_LATE_STATES: Final = (DeadlineState.OVERDUE, DeadlineState.ESCALATED)
# The late-work columns: figure name -> the deadline kinds it counts.
LATE_KINDS: Final[dict[str, tuple[str, ...]]] = {
    "overdue_visits": (DeadlineKind.VISIT,),
    "overdue_reviews": (DeadlineKind.ARMS_REVIEW, DeadlineKind.ARMS_CHANGE_REVIEW),
    "overdue_notifications": (DeadlineKind.ANNUAL_NOTIFICATION, DeadlineKind.WEEKLY_NOTIFICATION),
}
# The risk mix, highest first (the chart's order), and the MAPPA levels then none.
RISK_MIX_ORDER: Final = (RiskLevel.VERY_HIGH, RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)
MAPPA_NONE_KEY: Final = 0


@dataclass(frozen=True)
class OfficerFigures:
    """One officer's row of the dashboard. The lists behind the figures:

    - ``caseload``, ``high``: their open cases of the team (not closed: the active
      caseload the 20% rule counts), all and HIGH or VERY_HIGH (``caseload:rso_list``
      ``?officer=&team=&open_only=1[&risk_level=HIGH_PLUS]``);
    - ``overdue_*``: open tasks they own, overdue or escalated, by kind
      (``caseload:team_tasks?officer=&kind=&late=1``);
    - ``awaiting_approval``: ARMS assessments and plans they submitted, not yet decided
      (``supervision:approvals?officer=&kind=arms``);
    - ``overrides``: open 20% overrides for them (``supervision:approvals?officer=&kind=override``);
      ``cap_breaches``: open breaches of the 20% rule about them (``team_tasks?officer=&kind=CAP_BREACH``);
    - ``expiring``: vetting and each course's latest training expired or expiring within
      the warning period (``supervision:officer_record``);
    - ``audits``, ``audit_mean``: their plan audits completed in the last 12 months and
      the mean score (``supervision:audit_list?officer=&state=COMPLETED``).
    """

    officer: User
    caseload: int
    high: int
    overdue_visits: int
    overdue_reviews: int
    overdue_notifications: int
    awaiting_approval: int
    overrides: int
    cap_breaches: int
    expiring: list[ExpiringItem]
    last_session_on: dt.date | None
    days_since_session: int | None
    session_overdue: bool
    audits: int
    audit_mean: float | None

    @property
    def over_line(self) -> bool:
        """Over the 20% rule: 5 x high > total (domain s.7)."""
        return HIGH_RISK_CAP_DIVISOR * self.high > self.caseload

    @property
    def high_percent(self) -> int:
        return round(100 * self.high / self.caseload) if self.caseload else 0

    @property
    def expired(self) -> int:
        return sum(1 for item in self.expiring if item.expired)

    @property
    def vetting_missing(self) -> bool:
        return self.officer.vetting_expires_on is None


@dataclass(frozen=True)
class TeamTotals:
    """The team's figures. Case and task figures count the whole team (unallocated cases
    and tasks included), as the team-wide lists show them; so they can exceed the sum of
    the officers' rows. The rest sum or summarise the officers' rows."""

    officers: int
    caseload: int
    high: int
    officers_over_line: int
    overdue_visits: int
    overdue_reviews: int
    overdue_notifications: int
    awaiting_approval: int
    overrides: int
    cap_breaches: int
    expiring: int
    sessions_overdue: int
    audits: int
    audit_mean: float | None

    @property
    def high_percent(self) -> int:
        return round(100 * self.high / self.caseload) if self.caseload else 0


@dataclass(frozen=True)
class MixRow:
    """One category of a mix: a risk level or a MAPPA level, and how many open cases."""

    key: str | int
    label: str
    count: int


@dataclass(frozen=True)
class TrendMonth:
    """One month of the plan-quality trend: the mean score of the audits completed in it."""

    month: dt.date
    mean: float | None
    count: int


@dataclass(frozen=True)
class TeamDashboard:
    team: Team
    today: dt.date
    officers: list[OfficerFigures]
    totals: TeamTotals
    risk_mix: list[MixRow]
    unassessed: int  # open cases with no approved ARMS assessment (any level above)
    mappa_mix: list[MixRow]
    trend: list[TrendMonth]
    audits_since: dt.datetime
    session_interval_weeks: int
    warn_days: int


@dataclass(frozen=True)
class TeamRollup:
    """One team's totals for an inspector's force roll-up (see ``TeamTotals``)."""

    team: Team
    totals: TeamTotals


def _open_team_cases(user: User, team_ids: list[int]) -> QuerySet[RSO]:
    """The open cases (not closed) of the teams that the user may see."""
    return RSO.objects.visible_to(user).filter(team_id__in=team_ids).exclude(status__in=sorted(CLOSED_STATUSES))


def _case_counts(user: User, team_ids: list[int], *group: str) -> list[dict[str, Any]]:
    """Count open cases by ``group`` (e.g. team and officer): all, high, each risk level,
    not assessed, each MAPPA level and none. One query."""
    counts: dict[str, Any] = {
        "total": Count("id"),
        "high": Count("id", filter=Q(risk_level__in=sorted(HIGH_RISK_LEVELS))),
        "unassessed": Count("id", filter=Q(arms_last_approved_on__isnull=True)),
        f"mappa_{MAPPA_NONE_KEY}": Count("id", filter=Q(mappa_level__isnull=True)),
    }
    counts.update({f"risk_{level}": Count("id", filter=Q(risk_level=level)) for level in RiskLevel.values})
    counts.update({f"mappa_{level}": Count("id", filter=Q(mappa_level=level)) for level in MappaLevel.values})
    return list(_open_team_cases(user, team_ids).values(*group).annotate(**counts).order_by())


def _late_counts(user: User, team_ids: list[int], *group: str) -> list[dict[str, Any]]:
    """Count open tasks of the teams by ``group``: overdue or escalated by late-work
    column, and open cap breaches. One query, over what the team tasks page lists."""
    late_kinds = [kind for kinds in LATE_KINDS.values() for kind in kinds]
    counts: dict[str, Any] = {
        name: Count("id", filter=Q(state__in=_LATE_STATES, kind__in=kinds)) for name, kinds in LATE_KINDS.items()
    }
    counts["cap_breaches"] = Count("id", filter=Q(kind=DeadlineKind.CAP_BREACH))
    return list(
        caseload_selectors.team_open_deadlines(user=user)
        .filter(team_id__in=team_ids)
        .filter(Q(state__in=_LATE_STATES, kind__in=late_kinds) | Q(kind=DeadlineKind.CAP_BREACH))
        .values(*group)
        .annotate(**counts)
        .order_by()
    )


def _awaiting_counts(user: User, team_ids: list[int], group: str) -> dict[Any, int]:
    """Count ARMS assessments and plans submitted and not yet decided, by ``group``
    (``submitted_by_id`` or ``rso__team_id``): two queries, as the approvals queue."""
    result: dict[Any, int] = defaultdict(int)
    for model in (Assessment, Plan):
        rows = (
            model.objects.visible_to(user)
            .filter(rso__team_id__in=team_ids, status=ArmsStatus.SUBMITTED)
            .values(group)
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            result[row[group]] += row["n"]
    return result


def _override_counts(team_ids: list[int], group: str) -> dict[Any, int]:
    """Count open 20% overrides of the teams' officers by ``group`` (``officer_id`` or
    ``officer__team_id``), as the approvals queue lists them. One query."""
    rows = (
        CapOverride.objects.filter(officer__team_id__in=team_ids, resolved_at__isnull=True)
        .values(group)
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row[group]: row["n"] for row in rows}


def _completed_audits(user: User, team_ids: list[int], since: dt.datetime) -> QuerySet[PlanAudit]:
    return audits_visible_to(user=user).filter(
        team_id__in=team_ids, state=AuditState.COMPLETED, completed_at__gte=since
    )


def _audit_counts(user: User, team_ids: list[int], since: dt.datetime, group: str) -> dict[Any, tuple[int, float]]:
    """Count the plan audits completed since ``since`` and their mean score by ``group``."""
    rows = _completed_audits(user, team_ids, since).values(group).annotate(n=Count("id"), mean=Avg("score")).order_by()
    return {row[group]: (row["n"], float(row["mean"] or 0)) for row in rows}


def _weighted_mean(parts: Iterable[tuple[int, float]]) -> tuple[int, float | None]:
    parts = list(parts)
    count = sum(n for n, _ in parts)
    return count, (sum(n * mean for n, mean in parts) / count if count else None)


def _last_sessions(user: User, officer_ids: list[int]) -> dict[int, dt.date]:
    """The date of each officer's last supervision session the user may see. One query."""
    rows = (
        sessions_visible_to(user=user)
        .filter(officer_id__in=officer_ids)
        .values("officer_id")
        .annotate(last=Max("held_on"))
        .order_by()
    )
    return {row["officer_id"]: row["last"] for row in rows}


def _session_overdue(last: dt.date | None, today: dt.date) -> bool:
    """No session within the policy interval (at least every 8 weeks), or none at all."""
    return last is None or (today - last).days > 7 * local_policy.supervision_interval_weeks()


def _sum(rows: Iterable[dict[str, Any]], name: str) -> int:
    return sum(int(row[name]) for row in rows)


def _trend(user: User, team: Team, since: dt.datetime, today: dt.date) -> list[TrendMonth]:
    """The mean completed-audit score per month, from the window's first month to this one."""
    rows = (
        _completed_audits(user, [team.pk], since)
        .annotate(month=TruncMonth("completed_at"))
        .values("month")
        .annotate(n=Count("id"), mean=Avg("score"))
        .order_by()
    )
    by_month = {timezone.localtime(row["month"]).date(): (row["n"], float(row["mean"] or 0)) for row in rows}
    start = timezone.localtime(since).date().replace(day=1)
    months: list[TrendMonth] = []
    month = start
    while month <= today:
        count, mean = by_month.get(month, (0, 0.0))
        months.append(TrendMonth(month=month, mean=mean if count else None, count=count))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def team_dashboard(*, user: User, team: Team, today: dt.date | None = None) -> TeamDashboard:
    """Return the team dashboard's figures for a team the user may supervise (fetch it
    with ``team_get_for_user``). Ten queries whatever the team's size and caseload: the
    officers, their training, open cases, late tasks, assessments and plans submitted,
    overrides, last sessions, audits by officer, audits by month.

    Notes the team as consulted (the page shows counts, not cases).
    """
    today = today or timezone.localdate()
    since = audit_completed_since(today=today)
    officers = list(team_officers(team=team).prefetch_related("training"))
    ids = [officer.pk for officer in officers]
    cases = _case_counts(user, [team.pk], "allocated_officer_id")
    late = _late_counts(user, [team.pk], "owner_id", "subject_user_id")
    awaiting = _awaiting_counts(user, [team.pk], "submitted_by_id")
    overrides = _override_counts([team.pk], "officer_id")
    sessions = _last_sessions(user, ids)
    audits = _audit_counts(user, [team.pk], since, "officer_id")

    cases_by_officer = {row["allocated_officer_id"]: row for row in cases}
    rows: list[OfficerFigures] = []
    for officer in officers:
        mine = cases_by_officer.get(officer.pk, {})
        # The team tasks filter ``officer=`` keeps tasks the officer owns or that are about them.
        theirs = [row for row in late if officer.pk in (row["owner_id"], row["subject_user_id"])]
        last = sessions.get(officer.pk)
        count, mean = audits.get(officer.pk, (0, 0.0))
        rows.append(
            OfficerFigures(
                officer=officer,
                caseload=int(mine.get("total", 0)),
                high=int(mine.get("high", 0)),
                overdue_visits=_sum(theirs, "overdue_visits"),
                overdue_reviews=_sum(theirs, "overdue_reviews"),
                overdue_notifications=_sum(theirs, "overdue_notifications"),
                awaiting_approval=awaiting.get(officer.pk, 0),
                overrides=overrides.get(officer.pk, 0),
                cap_breaches=_sum(theirs, "cap_breaches"),
                expiring=officer_expiring_items(officer=officer, today=today),
                last_session_on=last,
                days_since_session=(today - last).days if last else None,
                session_overdue=_session_overdue(last, today),
                audits=count,
                audit_mean=mean if count else None,
            )
        )
    audit_count, audit_mean = _weighted_mean(audits.values())
    totals = TeamTotals(
        officers=len(rows),
        caseload=_sum(cases, "total"),
        high=_sum(cases, "high"),
        officers_over_line=sum(1 for row in rows if row.over_line),
        overdue_visits=_sum(late, "overdue_visits"),
        overdue_reviews=_sum(late, "overdue_reviews"),
        overdue_notifications=_sum(late, "overdue_notifications"),
        awaiting_approval=sum(awaiting.values()),
        overrides=sum(overrides.values()),
        cap_breaches=_sum(late, "cap_breaches"),
        expiring=sum(len(row.expiring) for row in rows),
        sessions_overdue=sum(1 for row in rows if row.session_overdue),
        audits=audit_count,
        audit_mean=audit_mean,
    )
    risk_mix = [MixRow(level.value, str(level.label), _sum(cases, f"risk_{level.value}")) for level in RISK_MIX_ORDER]
    mappa_mix = [MixRow(level.value, str(level.label), _sum(cases, f"mappa_{level.value}")) for level in MappaLevel]
    mappa_mix.append(MixRow(MAPPA_NONE_KEY, "No MAPPA level", _sum(cases, f"mappa_{MAPPA_NONE_KEY}")))
    note_consultation(rso_ids=[], object_type="accounts.team", object_ids=[team.pk], reason="team dashboard")
    return TeamDashboard(
        team=team,
        today=today,
        officers=rows,
        totals=totals,
        risk_mix=risk_mix,
        unassessed=_sum(cases, "unassessed"),
        mappa_mix=mappa_mix,
        trend=_trend(user, team, since, today),
        audits_since=since,
        session_interval_weeks=local_policy.supervision_interval_weeks(),
        warn_days=local_policy.officer_record_warn_days(),
    )


def force_rollup(*, user: User, today: dt.date | None = None) -> list[TeamRollup]:
    """Return one row per team of the inspector's force with the team's totals (as the
    team dashboard's totals row). Ten queries whatever the number of teams, officers and
    cases; nothing for anyone but an inspector."""
    if user.role != Role.INSPECTOR or not can_do_casework(user):
        return []
    today = today or timezone.localdate()
    since = audit_completed_since(today=today)
    teams = list(teams_for_user(user=user))
    team_ids = [team.pk for team in teams]
    officers = list(
        User.objects.filter(team_id__in=team_ids, role=Role.OFFICER, is_active=True).prefetch_related("training")
    )
    cases = _case_counts(user, team_ids, "team_id", "allocated_officer_id")
    late = _late_counts(user, team_ids, "team_id")
    awaiting = _awaiting_counts(user, team_ids, "rso__team_id")
    overrides = _override_counts(team_ids, "officer__team_id")
    sessions = _last_sessions(user, [officer.pk for officer in officers])
    audits = _audit_counts(user, team_ids, since, "team_id")

    officers_by_team: dict[int, list[User]] = defaultdict(list)
    for officer in officers:
        assert officer.team_id is not None  # officers belong to a team (a CHECK constraint)
        officers_by_team[officer.team_id].append(officer)
    cases_by_team: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in cases:
        cases_by_team[row["team_id"]].append(row)
    late_by_team = {row["team_id"]: row for row in late}
    result = []
    for team in teams:
        members = officers_by_team.get(team.pk, [])
        team_cases = cases_by_team.get(team.pk, [])
        loads = {row["allocated_officer_id"]: row for row in team_cases}
        over = sum(
            1
            for officer in members
            if HIGH_RISK_CAP_DIVISOR * int(loads.get(officer.pk, {}).get("high", 0))
            > int(loads.get(officer.pk, {}).get("total", 0))
        )
        tasks = late_by_team.get(team.pk, {})
        count, mean = audits.get(team.pk, (0, 0.0))
        totals = TeamTotals(
            officers=len(members),
            caseload=_sum(team_cases, "total"),
            high=_sum(team_cases, "high"),
            officers_over_line=over,
            overdue_visits=int(tasks.get("overdue_visits", 0)),
            overdue_reviews=int(tasks.get("overdue_reviews", 0)),
            overdue_notifications=int(tasks.get("overdue_notifications", 0)),
            awaiting_approval=awaiting.get(team.pk, 0),
            overrides=overrides.get(team.pk, 0),
            cap_breaches=int(tasks.get("cap_breaches", 0)),
            expiring=sum(len(officer_expiring_items(officer=officer, today=today)) for officer in members),
            sessions_overdue=sum(1 for officer in members if _session_overdue(sessions.get(officer.pk), today)),
            audits=count,
            audit_mean=mean if count else None,
        )
        result.append(TeamRollup(team=team, totals=totals))
    note_consultation(rso_ids=[], object_type="accounts.team", object_ids=team_ids, reason="force roll-up")
    return result


# --- end team dashboard ---


# --- exports ---
# The team caseload CSV: the team's open cases, one row each, with their late tasks.


CASELOAD_CSV_COLUMNS: Final = (
    "ViSOR reference",
    "PNC ID",
    "Family name",
    "Given names",
    "Officer",
    "Risk level",
    "Management",
    "Status",
    "MAPPA category",
    "MAPPA level",
    "Next home visit due",
    "ARMS review due",
    "Next notification due",
    "Late tasks",
)


def team_caseload(*, user: User, team: Team) -> tuple[list[int], list[tuple[object, ...]]]:
    """Return the ids and the CSV rows (``CASELOAD_CSV_COLUMNS``) of the team's open
    cases, by officer then name, through the user's scope. One query whatever the size."""
    late = (
        Deadline.objects.filter(rso_id=OuterRef("pk"), state__in=(DeadlineState.OVERDUE, DeadlineState.ESCALATED))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")[:1]
    )
    cases = (
        RSO.objects.visible_to(user)
        .filter(team=team)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("allocated_officer")
        .annotate(late_tasks=Coalesce(Subquery(late), 0))
        .order_by("allocated_officer__last_name", "allocated_officer__first_name", "family_name", "given_names", "pk")
    )
    ids: list[int] = []
    rows: list[tuple[object, ...]] = []
    for rso in cases:
        ids.append(rso.pk)
        rows.append(
            (
                rso.visor_reference,
                rso.pnc_id,
                rso.family_name,
                rso.given_names,
                rso.allocated_officer.display_name if rso.allocated_officer else "Unallocated",
                rso.get_risk_level_display(),
                rso.get_management_model_display(),
                rso.get_status_display(),
                rso.mappa_category or "",
                rso.mappa_level or "",
                rso.next_visit_due_on or "",
                rso.arms_review_next_due or "",
                rso.next_notification_due or "",
                rso.late_tasks,
            )
        )
    return ids, rows


# --- end exports ---
