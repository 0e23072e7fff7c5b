"""Visit writes: planning, the safety assessment, recording (``../shared/domain.md`` s.5).

Keyword-only, typed functions named <entity>_<action>; each runs in one transaction
with its audit event. Bad input is refused with a ``ValidationError`` naming each field
and nothing is saved. The draft record carries a ``version``: a save based on an older
version raises ``Conflict``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from arms.models import Factor
from arms.services import catalogue_current, current_plan
from caseload import local_policy
from caseload.choices import CLOSED_STATUSES, ChangeEventType, ManagementModel
from caseload.models import RSO, Prohibition
from caseload.policy import add_months
from caseload.schedule import schedule_recompute
from caseload.services import change_event_record
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.audit.choices import Action
from mosovo.audit.services import audit_record

from .choices import (
    COUNTING_OUTCOMES,
    REQUIREMENTS,
    ComplianceKind,
    ComplianceResult,
    DeviceType,
    Outcome,
    VisitStatus,
    VisitType,
)
from .models import ComplianceCheck, DeviceExamination, Observation, SafetyAssessment, Visit

VISIT_TYPE: Final = "visits.visit"
SAFETY_TYPE: Final = "visits.safetyassessment"
DEVICE_TYPE: Final = "visits.deviceexamination"
SAFETY_FIELDS: Final = ["violence_markers", "dogs", "weapons", "other_occupants", "location_notes"]
RECORD_FIELDS: Final = [
    "outcome",
    "occurred_at",
    "people_present",
    "children_present",
    "children_note",
    "intelligence_reference",
    "follow_up_actions",
    "notes",
]


class Conflict(Exception):
    """The visit record changed since the user loaded it; nothing was saved."""

    def __init__(self, current: Any) -> None:
        super().__init__("Someone else changed this visit while you were recording it. Nothing was saved.")
        self.current = current


def _text(value: Any) -> str:
    return str(value or "").strip()


def _refuse(errors: Mapping[str, str | list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _audit(
    *,
    action: Action,
    by: User,
    visit: Visit,
    object_type: str = VISIT_TYPE,
    object_id: int | None = None,
    fields: Iterable[str] = (),
    reason: str = "",
) -> None:
    audit_record(
        action=action,
        actor=by,
        rso_ids=[visit.rso_id],
        object_type=object_type,
        object_ids=[object_id or visit.pk],
        fields=list(fields),
        reason=reason,
    )


def _team_member(user: User | None, rso: RSO) -> bool:
    return bool(
        user is not None
        and user.is_active
        and user.role in (Role.OFFICER, Role.SERGEANT)
        and user.team_id == rso.team_id
    )


def _require_team(by: User, rso: RSO) -> None:
    if not _team_member(by, rso):
        raise ValidationError("Only the offender managers and sergeant of the person's team can do this.")


def _lock(visit: Visit, version: int | None = None) -> Visit:
    locked = Visit.objects.select_for_update().select_related("rso").get(pk=visit.pk)
    if version is not None and locked.version != version:
        raise Conflict(locked)
    return locked


def _bump(visit: Visit, fields: list[str]) -> None:
    visit.version = F("version") + 1
    visit.save(update_fields=[*fields, "version", "updated_at"])
    visit.refresh_from_db()


# --- Planning ---------------------------------------------------------------------------


@transaction.atomic
def visit_plan(
    *,
    rso: RSO,
    visit_type: str,
    planned_for: datetime | None,
    lead_officer: User | None,
    second_officer: User | None = None,
    single_officer_reason: str = "",
    by: User,
) -> Visit:
    """Plan a visit: two officers of the team, or one with a reason a sergeant approves
    (at once when the planner is the team's sergeant)."""
    _require_team(by, rso)
    errors: dict[str, str] = {}
    if rso.status in CLOSED_STATUSES:
        errors["rso"] = "This case is closed: no visits are planned."
    if visit_type not in VisitType.values:
        errors["visit_type"] = "Choose the type of visit"
    if planned_for is None:
        errors["planned_for"] = "Enter the date and time of the visit"
    if not _team_member(lead_officer, rso):
        errors["lead_officer"] = "Choose an officer of the person's team to lead the visit"
    if second_officer is not None:
        if not _team_member(second_officer, rso):
            errors["second_officer"] = "The second officer must be an offender manager or sergeant of the same team"
        elif lead_officer is not None and second_officer.pk == lead_officer.pk:
            errors["second_officer"] = "Choose a different officer from the lead officer"
    elif not _text(single_officer_reason):
        errors["single_officer_reason"] = (
            "Two officers attend a home visit: choose a second officer, or give the reason one officer will go "
            "(a sergeant must approve it)"
        )
    _refuse(errors)
    assert lead_officer is not None  # checked above
    assert planned_for is not None
    approved = second_officer is None and by.role == Role.SERGEANT
    visit = Visit.objects.create(
        rso=rso,
        visit_type=visit_type,
        planned_for=planned_for,
        lead_officer=lead_officer,
        second_officer=second_officer,
        single_officer_reason="" if second_officer else _text(single_officer_reason),
        single_officer_approved_by=by if approved else None,
        single_officer_approved_at=timezone.now() if approved else None,
        created_by=by,
    )
    _audit(
        action=Action.COLLECTION,
        by=by,
        visit=visit,
        fields=[
            "visit_type",
            "planned_for",
            "lead_officer",
            "second_officer" if second_officer else "single_officer_reason",
        ],
    )
    return visit


@transaction.atomic
def visit_single_officer_approve(*, visit: Visit, by: User) -> Visit:
    """Record the sergeant's approval for one officer to make the visit alone."""
    visit = _lock(visit)
    if not (by.is_active and by.role == Role.SERGEANT and by.team_id == visit.rso.team_id):
        raise ValidationError("Only a sergeant of the person's team can approve a single-officer visit.")
    if visit.second_officer_id is not None or visit.single_officer_approved_by_id is not None:
        raise ValidationError("This visit needs no approval.")
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError("Only a planned visit can be approved.")
    visit.single_officer_approved_by = by
    visit.single_officer_approved_at = timezone.now()
    _bump(visit, ["single_officer_approved_by", "single_officer_approved_at"])
    _audit(
        action=Action.ALTERATION,
        by=by,
        visit=visit,
        fields=["single_officer_approved_by"],
        reason="single-officer visit approved",
    )
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, reason: str, by: User) -> Visit:
    """Cancel a planned visit, with the reason."""
    visit = _lock(visit)
    _require_team(by, visit.rso)
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError("Only a planned visit can be cancelled.")
    if not _text(reason):
        raise ValidationError({"reason": "Say why the visit is cancelled"})
    visit.status = VisitStatus.CANCELLED
    visit.cancelled_reason = _text(reason)
    _bump(visit, ["status", "cancelled_reason"])
    _audit(action=Action.ALTERATION, by=by, visit=visit, fields=["status"], reason="cancelled")
    return visit


# --- Safety assessment ------------------------------------------------------------------


def previous_safety(rso: RSO, *, excluding: Visit | None = None) -> SafetyAssessment | None:
    """Return the RSO's most recent safety assessment (carried forward to the next visit)."""
    rows = SafetyAssessment.objects.filter(visit__rso=rso)
    if excluding is not None:
        rows = rows.exclude(visit=excluding)
    found: SafetyAssessment | None = rows.order_by("-updated_at", "-id").first()
    return found


@transaction.atomic
def safety_assessment_record(
    *,
    visit: Visit,
    violence_markers: str = "",
    dogs: str = "",
    weapons: str = "",
    other_occupants: str = "",
    location_notes: str = "",
    reviewed: bool,
    version: int | None = None,
    by: User,
) -> SafetyAssessment:
    """Record (or update) the pre-visit safety assessment; the officer confirms having
    reviewed the hazards carried forward from the last visit."""
    visit = _lock(visit)
    _require_team(by, visit.rso)
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.STARTED):
        raise ValidationError("The safety assessment of a recorded or cancelled visit cannot change.")
    if not reviewed:
        raise ValidationError(
            {
                "reviewed": "Confirm you have read and reviewed the known hazards "
                "(write 'None known' where there are none)"
            }
        )
    values = {
        "violence_markers": _text(violence_markers),
        "dogs": _text(dogs),
        "weapons": _text(weapons),
        "other_occupants": _text(other_occupants),
        "location_notes": _text(location_notes),
    }
    existing = SafetyAssessment.objects.select_for_update().filter(visit=visit).first()
    if existing is None:
        safety = SafetyAssessment.objects.create(
            visit=visit, carried_forward_from=previous_safety(visit.rso, excluding=visit), updated_by=by, **values
        )
        _audit(
            action=Action.COLLECTION,
            by=by,
            visit=visit,
            object_type=SAFETY_TYPE,
            object_id=safety.pk,
            fields=[k for k, v in values.items() if v],
        )
        return safety
    if version is not None and existing.version != version:
        raise Conflict(existing)
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    for name, value in values.items():
        setattr(existing, name, value)
    existing.updated_by = by
    existing.version = F("version") + 1
    existing.save(update_fields=[*changed, "updated_by", "updated_at", "version"])
    existing.refresh_from_db()
    _audit(
        action=Action.ALTERATION,
        by=by,
        visit=visit,
        object_type=SAFETY_TYPE,
        object_id=existing.pk,
        fields=changed or ["reviewed"],
    )
    return existing


# --- Recording --------------------------------------------------------------------------


NO_SAFETY = (
    "Record the pre-visit safety assessment before the visit starts: the visiting officers must read the known "
    "hazards first."
)


def prohibitions_in_force(rso: RSO, on: Any) -> list[Prohibition]:
    """Return the prohibitions of the RSO's orders in force on a day."""
    return list(
        Prohibition.objects.filter(order__rso=rso, order__discharged_on__isnull=True, starts_on__lte=on)
        .exclude(ends_on__lt=on)
        .select_related("order")
        .order_by("order__made_on", "id")
    )


@transaction.atomic
def visit_start(*, visit: Visit, by: User) -> Visit:
    """Start recording a visit: only after the safety assessment, and with two officers
    or a sergeant's approval. Draws up the compliance checklist from the notification
    requirements and each order prohibition in force."""
    visit = _lock(visit)
    _require_team(by, visit.rso)
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError(f"This visit is {visit.get_status_display().lower()}: it cannot be started again.")
    if not SafetyAssessment.objects.filter(visit=visit).exists():
        raise ValidationError(NO_SAFETY)
    if not visit.two_officers_or_approved:
        raise ValidationError(
            "One officer alone may not make this visit until a sergeant approves it. Ask your sergeant, or add a "
            "second officer."
        )
    today = timezone.localdate()
    checks = [
        ComplianceCheck(visit=visit, kind=ComplianceKind.REQUIREMENT, code=code, label=label, position=n)
        for n, (code, label) in enumerate(REQUIREMENTS)
    ]
    for n, prohibition in enumerate(prohibitions_in_force(visit.rso, today), start=len(checks)):
        checks.append(
            ComplianceCheck(
                visit=visit,
                kind=ComplianceKind.PROHIBITION,
                prohibition=prohibition,
                label=f"{prohibition.order.get_order_type_display()}: {prohibition.text}",
                position=n,
            )
        )
    ComplianceCheck.objects.bulk_create(checks)
    visit.status = VisitStatus.STARTED
    visit.started_at = timezone.now()
    visit.started_by = by
    _bump(visit, ["status", "started_at", "started_by"])
    _audit(action=Action.ALTERATION, by=by, visit=visit, fields=["status"], reason="visit started")
    return visit


def _recording(visit: Visit) -> None:
    if visit.status == VisitStatus.PLANNED:
        raise ValidationError("Start the visit first (after the safety assessment).")
    if visit.status != VisitStatus.STARTED:
        raise ValidationError(f"This visit is {visit.get_status_display().lower()} and cannot be changed.")


@transaction.atomic
def visit_record_save(
    *,
    visit: Visit,
    version: int,
    by: User,
    outcome: str = "",
    occurred_at: datetime | None = None,
    people_present: str = "",
    children_present: bool = False,
    children_note: str = "",
    intelligence_reference: str = "",
    follow_up_actions: str = "",
    notes: str = "",
    observations: Mapping[int, str] | None = None,
    compliance: Mapping[int, tuple[str, str]] | None = None,
) -> Visit:
    """Save the visit record as a draft (nothing is lost if the officer is interrupted).

    ``observations`` maps factor ids to notes (an empty note removes it); ``compliance``
    maps checklist ids to (result, note). Completing the record is ``visit_complete``.
    """
    visit = _lock(visit, version)
    _require_team(by, visit.rso)
    _recording(visit)
    errors: dict[str, str] = {}
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = "Choose the outcome"
    if occurred_at is not None and occurred_at > timezone.now():
        errors["occurred_at"] = "The visit cannot have taken place in the future"
    observations = dict(observations or {})
    factors = {f.pk: f for f in Factor.objects.filter(catalogue=catalogue_current())}
    if any(factor_id not in factors for factor_id in observations):
        errors["observations"] = "Observations must be about a factor of the current ARMS catalogue"
    compliance = dict(compliance or {})
    checks = {c.pk: c for c in ComplianceCheck.objects.filter(visit=visit)}
    if any(check_id not in checks for check_id in compliance):
        errors["compliance"] = "Answer the checks of this visit's checklist only"
    elif any(result not in ComplianceResult.values for result, _ in compliance.values()):
        errors["compliance"] = "Choose complied, not complied or not checked for each check"
    _refuse(errors)
    values: dict[str, Any] = {
        "outcome": outcome,
        "occurred_at": occurred_at,
        "people_present": _text(people_present),
        "children_present": bool(children_present),
        "children_note": _text(children_note),
        "intelligence_reference": _text(intelligence_reference)[:50],
        "follow_up_actions": _text(follow_up_actions),
        "notes": _text(notes),
    }
    fields = [name for name, value in values.items() if getattr(visit, name) != value]
    for name, value in values.items():
        setattr(visit, name, value)
    existing = {o.factor_id: o for o in Observation.objects.filter(visit=visit)}
    for factor_id, note in observations.items():
        note = _text(note)
        current = existing.get(factor_id)
        if current is None and note:
            Observation.objects.create(visit=visit, factor=factors[factor_id], note=note)
        elif current is not None and not note:
            current.delete()
        elif current is not None and current.note != note:
            current.note = note
            current.save(update_fields=["note"])
        else:
            continue
        if "observations" not in fields:
            fields.append("observations")
    for check_id, (result, note) in compliance.items():
        check = checks[check_id]
        if (check.result, check.note) != (result, _text(note)):
            check.result, check.note = result, _text(note)
            check.save(update_fields=["result", "note"])
            if "compliance" not in fields:
                fields.append("compliance")
    _bump(visit, [f for f in fields if f in RECORD_FIELDS])
    if fields:
        _audit(action=Action.ALTERATION, by=by, visit=visit, fields=fields)
    return visit


@transaction.atomic
def device_add(
    *,
    visit: Visit,
    device_type: str,
    what_was_checked: str,
    make_model: str = "",
    tool_used: str = "",
    seized: bool = False,
    exhibit_reference: str = "",
    by: User,
) -> DeviceExamination:
    """Record a device examined at the visit; a seized device needs its exhibit reference."""
    visit = _lock(visit)
    _require_team(by, visit.rso)
    _recording(visit)
    errors: dict[str, str] = {}
    if device_type not in DeviceType.values:
        errors["device_type"] = "Choose the type of device"
    if not _text(what_was_checked):
        errors["what_was_checked"] = "Say what was checked on the device"
    if seized and not _text(exhibit_reference):
        errors["exhibit_reference"] = "A device seized under PACE s.19 needs its exhibit reference"
    _refuse(errors)
    device = DeviceExamination.objects.create(
        visit=visit,
        device_type=device_type,
        make_model=_text(make_model)[:200],
        what_was_checked=_text(what_was_checked),
        tool_used=_text(tool_used)[:200],
        seized=bool(seized),
        exhibit_reference=_text(exhibit_reference)[:50] if seized else "",
        added_by=by,
    )
    Visit.objects.filter(pk=visit.pk).update(version=F("version") + 1, updated_at=timezone.now())
    _audit(
        action=Action.COLLECTION,
        by=by,
        visit=visit,
        object_type=DEVICE_TYPE,
        object_id=device.pk,
        fields=["device_type", "what_was_checked", *(["seized", "exhibit_reference"] if seized else [])],
    )
    return device


@transaction.atomic
def device_remove(*, device: DeviceExamination, by: User) -> None:
    """Remove a device entered in error, while the visit is being recorded."""
    visit = _lock(device.visit)
    _require_team(by, visit.rso)
    _recording(visit)
    device_id = device.pk
    DeviceExamination.objects.filter(pk=device_id).delete()
    Visit.objects.filter(pk=visit.pk).update(version=F("version") + 1, updated_at=timezone.now())
    _audit(action=Action.ERASURE, by=by, visit=visit, object_type=DEVICE_TYPE, object_id=device_id)


def visit_problems(visit: Visit) -> dict[str, str]:
    """Return what must be done before the visit record can be completed."""
    errors: dict[str, str] = {}
    if not SafetyAssessment.objects.filter(visit=visit).exists():
        errors["safety"] = NO_SAFETY
    if not visit.outcome:
        errors["outcome"] = "Choose the outcome of the visit"
    if visit.occurred_at is None:
        errors["occurred_at"] = "Enter when the visit took place"
    elif visit.occurred_at > timezone.now():
        errors["occurred_at"] = "The visit cannot have taken place in the future"
    if (
        visit.outcome == Outcome.SEEN
        and ComplianceCheck.objects.filter(visit=visit, result=ComplianceResult.NOT_CHECKED).exists()
    ):
        errors["compliance"] = "Answer every compliance check, or record the visit as partly completed"
    if visit.children_present and not visit.children_note:
        errors["children_note"] = "Say who the children were and why they were there"
    if DeviceExamination.objects.filter(visit=visit, seized=True, exhibit_reference="").exists():
        errors["devices"] = "A device seized under PACE s.19 needs its exhibit reference"
    return errors


@transaction.atomic
def visit_complete(*, visit: Visit, version: int, by: User) -> Visit:
    """Complete the visit record. A NOT_RESIDENT outcome and any failed compliance check
    each raise a significant change event (which opens an ARMS review); a visit at
    which the person was seen moves the next visit due date."""
    visit = _lock(visit, version)
    _require_team(by, visit.rso)
    _recording(visit)
    _refuse(visit_problems(visit))
    assert visit.occurred_at is not None  # checked above
    visit.status = VisitStatus.RECORDED
    visit.recorded_by = by
    visit.recorded_at = timezone.now()
    _bump(visit, ["status", "recorded_by", "recorded_at"])
    _audit(action=Action.ALTERATION, by=by, visit=visit, fields=["status"], reason="visit recorded")
    day = timezone.localtime(visit.occurred_at).date()
    source = f"Home visit on {day:%-d %B %Y}"
    if visit.outcome == Outcome.NOT_RESIDENT:
        change_event_record(
            rso=visit.rso,
            event_type=ChangeEventType.NOT_RESIDENT,
            occurred_on=day,
            source=source,
            note="Not resident at the notified address when visited.",
            by=by,
        )
    failed = list(ComplianceCheck.objects.filter(visit=visit, result=ComplianceResult.NOT_COMPLIED))
    if failed:
        change_event_record(
            rso=visit.rso,
            event_type=ChangeEventType.BREACH,
            occurred_on=day,
            source=source,
            note="Compliance checks failed: "
            + "; ".join(f"{check.label}{' (' + check.note + ')' if check.note else ''}" for check in failed),
            by=by,
        )
    schedule_recompute(rso=visit.rso)
    return visit


# --- The visit schedule (a caseload schedule provider) ----------------------------------


def visit_interval_for(rso: RSO) -> int:
    """Return the months between visits for this person: the current plan's, else policy."""
    plan = current_plan(rso)
    return plan.visit_interval_months if plan else local_policy.visit_interval_months(rso.risk_level)


def rso_visit_schedule(*, rso: RSO) -> None:
    """Store the RSO's last visit (seen) and next visit due date.

    Due: the last visit at which the person was seen plus the plan's frequency (else the
    policy's for the risk level); with no such visit, the initial visit is due from the
    day the record was created. Reactive and closed cases have no routine visit due.
    """
    current = RSO.objects.get(pk=rso.pk)
    last_at = Visit.objects.filter(
        rso_id=rso.pk, status=VisitStatus.RECORDED, outcome__in=list(COUNTING_OUTCOMES)
    ).aggregate(last=Max("occurred_at"))["last"]
    last = timezone.localtime(last_at).date() if last_at else None
    if current.management_model == ManagementModel.REACTIVE or current.status in CLOSED_STATUSES:
        due = None
    elif last is None:
        due = timezone.localtime(current.created_at).date()
    else:
        due = add_months(last, visit_interval_for(current))
    if (current.last_visit_on, current.next_visit_due_on) != (last, due):
        RSO.objects.filter(pk=rso.pk).update(last_visit_on=last, next_visit_due_on=due)
