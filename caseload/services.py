"""Caseload writes: keyword-only, typed functions named <entity>_<action>.

Each runs in a transaction with its audit event. Changes that move an officer's
high-risk ratio (allocation, transfer, closing, deallocation, risk level) all pass
through ``_apply_case_change``, the one guard of the 20% rule.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User
from mosovo.audit.choices import Action
from mosovo.audit.services import audit_record

from .allocation import (
    HIGH_RISK_CAP_DIVISOR,
    CapCheck,
    CapExceeded,
    CaseState,
    cap_checks,
    current_counts,
    lock_officers,
)
from .choices import CLOSED_STATUSES, RISK_ORDER, RiskLevel, RSOStatus
from .models import RSO, CapOverride
from .selectors import RSO_TYPE


class StaleVersion(Exception):
    """The record changed since the user loaded it; nothing was saved."""

    def __init__(self, current: RSO) -> None:
        super().__init__("This record was changed by someone else since you opened it.")
        self.current = current


def _audit_change(*, rso: RSO, by: User, fields: list[str], reason: str = "") -> None:
    audit_record(
        action=Action.ALTERATION,
        actor=by,
        rso_ids=[rso.pk],
        object_type=RSO_TYPE,
        object_ids=[rso.pk],
        fields=fields,
        reason=reason,
    )


def _lock_rso(rso: RSO, version: int | None) -> RSO:
    """Lock the RSO's row and check the version the user saw, if given."""
    locked = RSO.objects.select_for_update().get(pk=rso.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(locked)
    return locked


@transaction.atomic
def rso_update_summary(*, rso: RSO, summary: str, version: int, by: User) -> RSO:
    """Change an RSO's case summary, if nobody else changed the record since ``version``."""
    updated = RSO.objects.filter(pk=rso.pk, version=version).update(
        summary=summary, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleVersion(RSO.objects.get(pk=rso.pk))
    _audit_change(rso=rso, by=by, fields=["summary"])
    rso.refresh_from_db()
    return rso


# --- The 20% guard -----------------------------------------------------------------------


def _require_sergeant_of(by: User, team_id: int, what: str) -> None:
    if not (by.role == Role.SERGEANT and by.team_id == team_id) and by.role != Role.INSPECTOR:
        raise ValidationError(f"Only a sergeant of the team (or an inspector) can {what}.")


def _apply_case_change(
    *,
    rso: RSO,
    by: User,
    officer: User | None,
    status: str,
    risk_level: str,
    team: Team,
    fields: list[str],
    override_reason: str | None,
    audit_reason: str = "",
) -> tuple[RSO, list[CapCheck]]:
    """Change who has a case, its status or its risk, under the 20% rule.

    Locks the officers touched (in id order), counts, and refuses with the numbers if an
    officer would go over 20% high risk, unless a sergeant gives an override reason, in
    which case the override is recorded (and listed until resolved). Returns the RSO and
    every officer's before/after figures.
    """
    before = CaseState.of(officer_id=rso.allocated_officer_id, status=rso.status, risk_level=rso.risk_level)
    after = CaseState.of(officer_id=officer.pk if officer else None, status=status, risk_level=risk_level)
    lock_officers([i for i in (before.officer_id, after.officer_id) if i is not None])
    checks = cap_checks([(before, after)])
    refused = [check for check in checks if check.refused]
    if refused:
        reason = (override_reason or "").strip()
        if not reason:
            raise CapExceeded(refused)
        _require_sergeant_of(by, rso.team_id, "override the 20% high-risk limit")
        for check in refused:
            override = CapOverride.objects.create(officer_id=check.officer_id, rso=rso, reason=reason, created_by=by)
            audit_record(
                action=Action.COLLECTION,
                actor=by,
                rso_ids=[rso.pk],
                object_type="caseload.capoverride",
                object_ids=[override.pk],
                reason=f"20% limit overridden: {reason}",
                flagged=True,
            )
    RSO.objects.filter(pk=rso.pk).update(
        allocated_officer=officer,
        status=status,
        risk_level=risk_level,
        team=team,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    rso.refresh_from_db()
    _audit_change(rso=rso, by=by, fields=fields, reason=audit_reason)
    return rso, checks


def _officer_of_team(officer: User, team_id: int) -> None:
    if officer.role not in (Role.OFFICER, Role.SERGEANT) or not officer.is_active:
        raise ValidationError({"officer": "Choose an active offender manager."})
    if officer.team_id != team_id:
        raise ValidationError({"officer": "Choose an offender manager of the record's team."})


@transaction.atomic
def case_allocate(
    *, rso: RSO, officer: User, by: User, override_reason: str | None = None, version: int | None = None
) -> tuple[RSO, list[CapCheck]]:
    """Allocate (or reallocate within the team) an RSO to an offender manager."""
    rso = _lock_rso(rso, version)
    _require_sergeant_of(by, rso.team_id, "allocate cases")
    _officer_of_team(officer, rso.team_id)
    if rso.status in CLOSED_STATUSES:
        raise ValidationError("A closed case cannot be allocated.")
    return _apply_case_change(
        rso=rso,
        by=by,
        officer=officer,
        status=rso.status,
        risk_level=rso.risk_level,
        team=rso.team,
        fields=["allocated_officer"],
        override_reason=override_reason,
    )


@transaction.atomic
def case_transfer(
    *,
    rso: RSO,
    officer: User,
    by: User,
    override_reason: str | None = None,
    version: int | None = None,
) -> tuple[RSO, list[CapCheck]]:
    """Move an RSO to an officer of another team (the case's team changes with it)."""
    rso = _lock_rso(rso, version)
    _require_sergeant_of(by, rso.team_id, "transfer cases")
    if officer.team_id is None or officer.team_id == rso.team_id:
        raise ValidationError({"officer": "Choose an offender manager of another team (or allocate within the team)."})
    if by.role == Role.INSPECTOR and officer.team is not None and officer.team.force_id != by.force_id:
        raise ValidationError({"officer": "Choose an offender manager of your force."})
    _officer_of_team(officer, officer.team_id)
    return _apply_case_change(
        rso=rso,
        by=by,
        officer=officer,
        status=rso.status,
        risk_level=rso.risk_level,
        team=officer.team,  # type: ignore[arg-type]
        fields=["allocated_officer", "team"],
        override_reason=override_reason,
    )


@transaction.atomic
def case_deallocate(
    *, rso: RSO, by: User, override_reason: str | None = None, version: int | None = None
) -> tuple[RSO, list[CapCheck]]:
    """Take an RSO off its officer's caseload, leaving it unallocated in the team."""
    rso = _lock_rso(rso, version)
    _require_sergeant_of(by, rso.team_id, "deallocate cases")
    return _apply_case_change(
        rso=rso,
        by=by,
        officer=None,
        status=rso.status,
        risk_level=rso.risk_level,
        team=rso.team,
        fields=["allocated_officer"],
        override_reason=override_reason,
    )


@transaction.atomic
def case_close(
    *, rso: RSO, status: str, reason: str, by: User, override_reason: str | None = None, version: int | None = None
) -> tuple[RSO, list[CapCheck]]:
    """Close a case (deceased, or notification ended): it leaves the officer's caseload."""
    if status not in CLOSED_STATUSES:
        raise ValidationError({"status": "Choose why the case is closing."})
    if not reason.strip():
        raise ValidationError({"reason": "Explain why the case is closing."})
    rso = _lock_rso(rso, version)
    _require_sergeant_of(by, rso.team_id, "close cases")
    return _apply_case_change(
        rso=rso,
        by=by,
        officer=rso.allocated_officer,
        status=status,
        risk_level=rso.risk_level,
        team=rso.team,
        fields=["status"],
        override_reason=override_reason,
        audit_reason=reason.strip(),
    )


@transaction.atomic
def rso_change_status(*, rso: RSO, status: str, by: User, version: int | None = None) -> RSO:
    """Record an open case's whereabouts (in the community, in custody, abroad, missing)."""
    if status in CLOSED_STATUSES or status not in RSOStatus.values:
        raise ValidationError({"status": "Choose where the person is now."})
    rso = _lock_rso(rso, version)
    if rso.status in CLOSED_STATUSES:
        raise ValidationError({"status": "This case is closed."})
    rso, _ = _apply_case_change(
        rso=rso,
        by=by,
        officer=rso.allocated_officer,
        status=status,
        risk_level=rso.risk_level,
        team=rso.team,
        fields=["status"],
        override_reason=None,
    )
    return rso


@transaction.atomic
def rso_change_risk_level(
    *,
    rso: RSO,
    risk_level: str,
    reason: str,
    by: User,
    override_reason: str | None = None,
    version: int | None = None,
) -> tuple[RSO, list[CapCheck]]:
    """Change an RSO's risk level. Anyone managing the case may raise it; lowering it is
    a sergeant's decision (domain s.3.2)."""
    if risk_level not in RiskLevel.values:
        raise ValidationError({"risk_level": "Choose a risk level."})
    if not reason.strip():
        raise ValidationError({"reason": "Explain why the risk level is changing."})
    rso = _lock_rso(rso, version)
    if RISK_ORDER[RiskLevel(risk_level)] < RISK_ORDER[RiskLevel(rso.risk_level)]:
        _require_sergeant_of(by, rso.team_id, "lower a risk level")
    return _apply_case_change(
        rso=rso,
        by=by,
        officer=rso.allocated_officer,
        status=rso.status,
        risk_level=risk_level,
        team=rso.team,
        fields=["risk_level"],
        override_reason=override_reason,
        audit_reason=reason.strip(),
    )


@transaction.atomic
def cap_override_resolve(*, override: CapOverride, by: User) -> CapOverride:
    """Close an override once the officer's caseload is back within the 20% rule."""
    locked = CapOverride.objects.select_for_update().get(pk=override.pk)
    officer = User.objects.get(pk=locked.officer_id)
    if officer.team_id is not None:
        _require_sergeant_of(by, officer.team_id, "resolve an override")
    if locked.resolved_at is not None:
        return locked
    lock_officers([officer.pk])
    still_open = CapOverride.objects.filter(officer=officer, resolved_at__isnull=True).exclude(pk=locked.pk).exists()
    if not still_open:
        total, high = current_counts([officer.pk])[officer.pk]
        if HIGH_RISK_CAP_DIVISOR * high > total:
            raise ValidationError(
                f"{officer.display_name} still has {high} of {total} cases high risk; "
                "rebalance the caseload before resolving the override."
            )
    locked.resolved_at = timezone.now()
    locked.resolved_by = by
    locked.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        action=Action.ALTERATION,
        actor=by,
        object_type="caseload.capoverride",
        object_ids=[locked.pk],
        fields=["resolved_at", "resolved_by"],
    )
    return locked
