"""Supervision writes: keyword-only, typed functions named <entity>_<action>.

Each runs in a transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from arms.choices import Status as ArmsStatus
from arms.models import Plan
from caseload import local_policy
from caseload.choices import CLOSED_STATUSES, DeadlineKind
from caseload.models import RSO
from caseload.services import person_deadline_done, person_deadlines_recompute
from mosovo.accounts.choices import TEAM_ROLES, Role, TrainingCourse, VettingLevel
from mosovo.accounts.models import Team, TrainingRecord, User
from mosovo.audit.choices import Action
from mosovo.audit.services import audit_record

from .choices import RUBRIC_FIELDS, RUBRIC_MAX, AuditState, CriterionScore
from .models import AgreedAction, PlanAudit, SupervisionSession


class ActionInput(TypedDict, total=False):
    """One agreed action as entered: what, by when, and optionally which case."""

    description: str
    due_on: dt.date | None
    rso_id: int | None


def action_key(session_id: int, action_id: int) -> str:
    """The deadline key of an agreed action (``supervision.deadlines`` builds the same)."""
    return f"{DeadlineKind.SUPERVISION_ACTION}:session:{session_id}:action:{action_id}"


def _require_sergeant_of(by: User, team_id: int | None, what: str) -> None:
    if by.role != Role.SERGEANT or team_id is None or by.team_id != team_id:
        raise ValidationError(f"Only a sergeant of the officer's team can {what}.")


@transaction.atomic
def session_record(
    *,
    sergeant: User,
    officer: User,
    held_on: dt.date,
    case_ids: Iterable[int] = (),
    wellbeing_checked: bool = False,
    wellbeing_notes: str = "",
    reflective_notes: str = "",
    actions: Sequence[ActionInput] = (),
) -> SupervisionSession:
    """Record a formal supervision session the sergeant held with one of their officers.

    Every error is reported at once and nothing is saved unless all of it is valid. The
    agreed actions become deadlines in the officer's task inbox in the same transaction.
    """
    _require_sergeant_of(sergeant, officer.team_id, "record a supervision session with them")
    team_id = officer.team_id
    assert team_id is not None  # a sergeant of the officer's team was checked above
    errors: dict[str, str] = {}
    if officer.role not in TEAM_ROLES or officer.pk == sergeant.pk or not officer.is_active:
        errors["officer"] = "Choose an officer of your team."
    today = timezone.localdate()
    if held_on is None:
        errors["held_on"] = "Enter the date the session was held."
    elif held_on > today:
        errors["held_on"] = "The date the session was held cannot be in the future."
    wanted_cases = sorted({int(pk) for pk in case_ids})
    action_cases = {int(rso) for entry in actions if (rso := entry.get("rso_id"))}
    team_cases = set(
        RSO.objects.filter(pk__in={*wanted_cases, *action_cases}, team_id=team_id).values_list("pk", flat=True)
    )
    if not team_cases.issuperset(wanted_cases):
        errors["cases"] = "Choose cases of your team only."
    notes = wellbeing_notes.strip()
    if notes and not wellbeing_checked:
        errors["wellbeing_checked"] = "Tick the wellbeing check if you recorded notes about it."
    cleaned: list[tuple[str, dt.date, int | None]] = []
    for number, entry in enumerate(actions, start=1):
        description = (entry.get("description") or "").strip()
        due_on = entry.get("due_on")
        rso_id = entry.get("rso_id")
        if not description and due_on is None and not rso_id:
            continue  # an empty row of the form
        if not description:
            errors[f"actions-{number}-description"] = f"Say what action {number} is."
        if due_on is None:
            errors[f"actions-{number}-due_on"] = f"Enter a due date for action {number}."
        elif held_on is not None and due_on < held_on:
            errors[f"actions-{number}-due_on"] = f"Action {number} cannot be due before the session was held."
        if rso_id and int(rso_id) not in team_cases:
            errors[f"actions-{number}-rso"] = f"The case of action {number} must be one of your team's."
        if description and due_on is not None:
            cleaned.append((description, due_on, int(rso_id) if rso_id else None))
    if errors:
        raise ValidationError(errors)
    session = SupervisionSession.objects.create(
        team_id=team_id,
        sergeant=sergeant,
        officer=officer,
        held_on=held_on,
        wellbeing_checked=wellbeing_checked,
        wellbeing_notes=notes,
        reflective_notes=reflective_notes.strip(),
    )
    session.cases.set(wanted_cases)
    AgreedAction.objects.bulk_create(
        AgreedAction(session=session, description=d, due_on=due, rso_id=rso, position=i)
        for i, (d, due, rso) in enumerate(cleaned)
    )
    audit_record(
        action=Action.COLLECTION,
        actor=sergeant,
        rso_ids=sorted({*wanted_cases, *(rso for _, _, rso in cleaned if rso)}),
        object_type="supervision.supervisionsession",
        object_ids=[session.pk],
        fields=["held_on", "cases", "wellbeing_checked", "reflective_notes", "actions"]
        + (["wellbeing_notes"] if notes else []),
    )
    person_deadlines_recompute(user_ids=[officer.pk], kinds=[DeadlineKind.SUPERVISION_ACTION])
    return session


@transaction.atomic
def session_acknowledge(*, session: SupervisionSession, by: User) -> SupervisionSession:
    """Record that the officer has read the session's record (once; again is a no-op)."""
    locked = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    if by.pk != locked.officer_id:
        raise ValidationError("Only the officer who was supervised can acknowledge the record.")
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_at"])
        audit_record(
            action=Action.ALTERATION,
            actor=by,
            object_type="supervision.supervisionsession",
            object_ids=[locked.pk],
            fields=["acknowledged_at"],
        )
    return locked


@transaction.atomic
def agreed_action_complete(*, action: AgreedAction, by: User, note: str = "") -> AgreedAction:
    """Mark an agreed action done: its task leaves the officer's inbox at once."""
    locked = AgreedAction.objects.select_for_update().select_related("session").get(pk=action.pk)
    session = locked.session
    is_officer = by.pk == session.officer_id
    is_sergeant = by.role == Role.SERGEANT and by.team_id == session.team_id
    if not (is_officer or is_sergeant):
        raise ValidationError("Only the officer, or a sergeant of the team, can mark this action done.")
    if locked.completed_at is not None:
        raise ValidationError("This action is already done.")
    locked.completed_at = timezone.now()
    locked.completed_by = by
    locked.save(update_fields=["completed_at", "completed_by"])
    person_deadline_done(key=action_key(session.pk, locked.pk), by=by, note=note.strip())
    audit_record(
        action=Action.ALTERATION,
        actor=by,
        rso_ids=[locked.rso_id] if locked.rso_id else [],
        object_type="supervision.agreedaction",
        object_ids=[locked.pk],
        fields=["completed_at", "completed_by"],
    )
    return locked


def _weighted_sample(items: Sequence[tuple[Any, int]], size: int, rng: random.Random) -> list[Any]:
    """Draw ``size`` distinct items, each with probability proportional to its weight at
    every draw (Efraimidis and Spirakis: keep the largest ``u ** (1 / w)``)."""
    keyed = [(rng.random() ** (1.0 / weight), index) for index, (_, weight) in enumerate(items) if weight > 0]
    keyed.sort(reverse=True)
    return [items[index][0] for _, index in keyed[:size]]


@transaction.atomic
def plan_audit_sample(
    *, team: Team, by: User, size: int | None = None, rng: random.Random | None = None
) -> list[PlanAudit]:
    """Pick plans of the team's open cases for audit, at random, weighted towards higher
    risk (policy ``PLAN_AUDIT_SAMPLE_WEIGHTS``).

    The candidates are each case's current approved plan that has not been audited and is
    not already waiting for an audit. Returns the new audits (empty when there is nothing
    left to sample).
    """
    _require_sergeant_of(by, team.pk, "sample plans for audit")
    size = local_policy.plan_audit_sample_size() if size is None else size
    if size < 1:
        raise ValidationError({"size": "Sample at least one plan."})
    rng = rng or random.SystemRandom()
    # Lock the team row so two sergeants sampling at once take turns.
    Team.objects.select_for_update().get(pk=team.pk)
    current = (
        Plan.objects.filter(rso__team=team, status=ArmsStatus.APPROVED)
        .exclude(rso__status__in=CLOSED_STATUSES)
        .order_by("rso_id", "-number")
        .distinct("rso_id")
        .values_list("pk", flat=True)
    )
    audited = PlanAudit.objects.filter(plan_id__in=list(current)).values_list("plan_id", flat=True)
    candidates = list(
        Plan.objects.filter(pk__in=list(current)).exclude(pk__in=list(audited)).select_related("rso").order_by("pk")
    )
    chosen = _weighted_sample(
        [(plan, local_policy.plan_audit_sample_weight(plan.rso.risk_level)) for plan in candidates], size, rng
    )
    audits = PlanAudit.objects.bulk_create(
        PlanAudit(
            plan=plan,
            rso=plan.rso,
            team=team,
            officer_id=plan.rso.allocated_officer_id,
            risk_level=plan.rso.risk_level or "",
            sampled_by=by,
        )
        for plan in sorted(chosen, key=lambda p: p.pk)
    )
    if audits:
        audit_record(
            action=Action.COLLECTION,
            actor=by,
            rso_ids=[a.rso_id for a in audits],
            object_type="supervision.planaudit",
            object_ids=[a.pk for a in audits],
            fields=["plan", "state"],
        )
    return audits


@transaction.atomic
def plan_audit_complete(*, audit: PlanAudit, by: User, scores: Mapping[str, Any], feedback: str) -> PlanAudit:
    """Score a sampled plan on the rubric and give the officer feedback."""
    locked = PlanAudit.objects.select_for_update().get(pk=audit.pk)
    _require_sergeant_of(by, locked.team_id, "audit this plan")
    if locked.state != AuditState.SAMPLED:
        raise ValidationError("This audit is already completed.")
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for field in RUBRIC_FIELDS:
        raw = scores.get(field)
        try:
            value = int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            value = None
        if value not in CriterionScore.values:
            errors[field] = "Choose met, partly met or not met."
        else:
            values[field] = int(value)
    feedback = feedback.strip()
    if not feedback:
        errors["feedback"] = "Write feedback for the officer: what is good and what to improve."
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(locked, field, value)
    locked.score = round(100 * sum(values.values()) / RUBRIC_MAX)
    locked.feedback = feedback
    locked.state = AuditState.COMPLETED
    locked.audited_by = by
    locked.completed_at = timezone.now()
    locked.save()
    audit_record(
        action=Action.ALTERATION,
        actor=by,
        rso_ids=[locked.rso_id],
        object_type="supervision.planaudit",
        object_ids=[locked.pk],
        fields=[*RUBRIC_FIELDS, "score", "feedback", "state"],
    )
    return locked


@transaction.atomic
def plan_audit_seen(*, audit: PlanAudit, by: User) -> PlanAudit:
    """Record that the officer has read the audit's feedback (the first time only)."""
    if by.pk != audit.officer_id or audit.state != AuditState.COMPLETED or audit.seen_by_officer_at is not None:
        return audit
    PlanAudit.objects.filter(pk=audit.pk, seen_by_officer_at__isnull=True).update(seen_by_officer_at=timezone.now())
    audit.refresh_from_db()
    audit_record(
        action=Action.ALTERATION,
        actor=by,
        rso_ids=[audit.rso_id],
        object_type="supervision.planaudit",
        object_ids=[audit.pk],
        fields=["seen_by_officer_at"],
    )
    return audit


def _require_records_keeper(by: User, officer: User) -> None:
    if by.role == Role.ADMIN and (by.force_id is None or by.force_id == officer.force_id):
        return
    if by.role == Role.SERGEANT and by.team_id is not None and by.team_id == officer.team_id:
        return
    raise ValidationError("Only an administrator, or a sergeant of the officer's team, can change this record.")


@transaction.atomic
def officer_vetting_set(*, officer: User, level: str, expires_on: dt.date | None, by: User) -> User:
    """Record an officer's vetting level and expiry (an administrator's task: vetting is
    granted by the force vetting unit). A date in the past suspends casework access."""
    if by.role != Role.ADMIN or (by.force_id is not None and by.force_id != officer.force_id):
        raise ValidationError("Only an administrator of the officer's force can record vetting.")
    errors: dict[str, str] = {}
    if level not in VettingLevel.values:
        errors["vetting_level"] = "Choose a vetting level."
    if level != VettingLevel.NONE and expires_on is None:
        errors["vetting_expires_on"] = "Enter the date the vetting expires."
    if errors:
        raise ValidationError(errors)
    changed = [
        name
        for name, value in (("vetting_level", level), ("vetting_expires_on", expires_on))
        if getattr(officer, name) != value
    ]
    if changed:
        User.objects.filter(pk=officer.pk).update(vetting_level=level, vetting_expires_on=expires_on)
        officer.vetting_level, officer.vetting_expires_on = level, expires_on
        audit_record(
            action=Action.ALTERATION, actor=by, object_type="accounts.user", object_ids=[officer.pk], fields=changed
        )
        person_deadlines_recompute(user_ids=[officer.pk], kinds=[DeadlineKind.VETTING_EXPIRY])
    return officer


@transaction.atomic
def officer_training_record(
    *,
    officer: User,
    course: str,
    completed_on: dt.date | None,
    expires_on: dt.date | None = None,
    by: User,
) -> TrainingRecord:
    """Record a course an officer completed (and when it lapses, if it does)."""
    _require_records_keeper(by, officer)
    errors: dict[str, str] = {}
    if course not in TrainingCourse.values:
        errors["course"] = "Choose a course."
    if completed_on is None:
        errors["completed_on"] = "Enter the date the course was completed."
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "The completion date cannot be in the future."
    if expires_on is not None and completed_on is not None and expires_on <= completed_on:
        errors["expires_on"] = "The expiry date must be after the completion date."
    if errors or completed_on is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            record = TrainingRecord.objects.create(
                user=officer, course=course, completed_on=completed_on, expires_on=expires_on
            )
    except IntegrityError:
        raise ValidationError({"completed_on": "This completion is already recorded."}) from None
    audit_record(
        action=Action.COLLECTION,
        actor=by,
        object_type="accounts.trainingrecord",
        object_ids=[record.pk],
        fields=["course", "completed_on", "expires_on"],
    )
    person_deadlines_recompute(user_ids=[officer.pk], kinds=[DeadlineKind.TRAINING_EXPIRY])
    return record


@transaction.atomic
def officer_training_delete(*, record: TrainingRecord, by: User) -> None:
    """Remove a training record entered in error (the history table keeps what it said)."""
    officer = record.user
    _require_records_keeper(by, officer)
    pk = record.pk
    record.delete()
    audit_record(action=Action.ERASURE, actor=by, object_type="accounts.trainingrecord", object_ids=[pk])
    person_deadlines_recompute(user_ids=[officer.pk], kinds=[DeadlineKind.TRAINING_EXPIRY])


# --- exports ---
# The team caseload CSV and the one-page team summary PDF: each download is a disclosure,
# audited with its reason and recipient in the same transaction as it is produced (no
# audit row, no file). CSV cells are escaped against formula injection.


def _export_reason(reason: str, recipient: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    reason, recipient = reason.strip(), recipient.strip()
    if len(reason) < 10:
        errors["reason"] = "Say in a sentence why the team's figures are being taken out of the system."
    if not recipient:
        errors["recipient"] = "Say who will receive it (name and role or agency)."
    if errors:
        raise ValidationError(errors)
    return reason, recipient


def _require_overseer(by: User, team: Team) -> None:
    own_team = by.role == Role.SERGEANT and by.team_id == team.pk
    own_force = by.role == Role.INSPECTOR and by.force_id == team.force_id
    if not (own_team or own_force):
        raise ValidationError("Only the team's sergeant or an inspector of the force can export its figures.")


@transaction.atomic
def team_caseload_csv(*, team: Team, by: User, reason: str, recipient: str) -> str:
    """Return the team's open caseload as CSV text, recording the disclosure."""
    import io

    from mosovo.audit.choices import Channel
    from mosovo.lib.csv_safety import SafeCsvWriter

    from .selectors import CASELOAD_CSV_COLUMNS, team_caseload

    _require_overseer(by, team)
    reason, recipient = _export_reason(reason, recipient)
    ids, rows = team_caseload(user=by, team=team)
    sink = io.StringIO()
    writer = SafeCsvWriter(sink)
    writer.writerow(CASELOAD_CSV_COLUMNS)
    writer.writerows(rows)
    noun = "case" if len(rows) == 1 else "cases"
    audit_record(
        action=Action.DISCLOSURE,
        actor=by,
        channel=Channel.CSV,
        rso_ids=ids,
        object_type="accounts.team",
        object_ids=[team.pk],
        reason=f"Team caseload CSV of {len(rows)} {noun}: {reason}",
        recipient=recipient[:200],
    )
    return sink.getvalue()


@transaction.atomic
def team_summary_pdf(*, team: Team, by: User, reason: str, recipient: str, context: Mapping[str, Any]) -> bytes:
    """Render the one-page team summary (figures only, no names of cases) as a PDF,
    recording the disclosure. ``context`` is the dashboard as the selectors read it."""
    from mosovo.audit.choices import Channel
    from mosovo.lib.pdf import render_pdf

    _require_overseer(by, team)
    reason, recipient = _export_reason(reason, recipient)
    now = timezone.localtime()
    pdf = render_pdf(
        template="supervision/pdf/team_summary.html",
        context={
            **context,
            "generated_by": by.display_name,
            "generated_at": f"{now:%d %B %Y at %H:%M}",
            "recipient": recipient,
            "reason": reason,
        },
    )
    audit_record(
        action=Action.DISCLOSURE,
        actor=by,
        channel=Channel.PDF,
        object_type="accounts.team",
        object_ids=[team.pk],
        reason=f"Team summary PDF: {reason}",
        recipient=recipient[:200],
    )
    return pdf


# --- end exports ---
