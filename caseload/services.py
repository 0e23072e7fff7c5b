"""Caseload writes: keyword-only, typed functions named <entity>_<action>.

Each runs in a transaction with its audit event. Changes that move an officer's
high-risk ratio (allocation, transfer, closing, deallocation, risk level) all pass
through ``_apply_case_change``, the one guard of the 20% rule.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User
from mosovo.audit.choices import Action
from mosovo.audit.services import audit_record

from . import deadlines, local_policy, photos, policy
from .allocation import (
    HIGH_RISK_CAP_DIVISOR,
    CapCheck,
    CapExceeded,
    CaseState,
    cap_checks,
    current_counts,
    lock_officers,
)
from .choices import (
    CLOSED_STATUSES,
    MANUALLY_CLOSED_KINDS,
    OPEN_DEADLINE_STATES,
    RISK_ORDER,
    TOOL_BANDS,
    AddressType,
    ChangeEventType,
    DeadlineState,
    Disposal,
    IdentityDocumentType,
    ManagementModel,
    NotificationType,
    OrderType,
    ProhibitionKind,
    ReactiveDecision,
    RiskLevel,
    RSOStatus,
    StaticTool,
    TravelDisclosure,
    TravelScope,
)
from .models import (
    RSO,
    Address,
    Alias,
    Associate,
    CapOverride,
    CivilOrder,
    Conviction,
    Deadline,
    DigestSent,
    Employment,
    ForeignTravelNotice,
    IdentityDocument,
    NotificationEvent,
    Prohibition,
    ReactiveRequest,
    SignificantChangeEvent,
    StaticRiskScore,
    Vehicle,
)
from .policy import add_months
from .schedule import schedule_recompute
from .selectors import (
    CONVICTION_ORDER,
    RSO_TYPE,
    conviction_facts,
    governing_conviction,
    normalise_registration,
    reactive_eligibility,
)


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
    judged: bool = False,
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
    # ``judged``: the caller locked every officer and judged a batch of changes as a whole.
    checks = [] if judged else cap_checks([(before, after)])
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
    # Who acts on the case's deadlines, whether it has any, and the officers' standing
    # against the 20% rule may all have changed.
    schedule_recompute(rso=rso)
    touched = [i for i in (before.officer_id, after.officer_id) if i is not None]
    if touched:
        deadlines.recompute_caps(today=timezone.localdate(), now=timezone.now(), officer_ids=touched)
    rso.refresh_from_db()
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
    # Custody and absence abroad bear on the notification deadlines (s.85(3)).
    return rso_recompute(rso=rso)


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
    changed = _apply_case_change(
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
    return changed  # the schedule (visit frequency, review interval) followed the level


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


# --- Record details (profile, addresses, contacts, identity, photo) ---------------------
#
# The person's own details and the rows that hang off the record (aliases, addresses,
# vehicles, employment, associates, identity documents, the photo). Each write checks
# its input, saves, and writes its audit event (field names, never values) in the same
# transaction; the pghistory triggers keep the old and new values.

# What the profile form may change. Team, officer, risk level, status and management
# model are not here: they move through the allocation and risk services above.
PROFILE_FIELDS: Final = (
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "pnc_id",
    "ni_number",
    "mappa_category",
    "mappa_level",
    "lead_agency",
    "child_household",
    "summary",
)
EARLIEST_BIRTH_DATE: Final = date(1900, 1, 1)
# Children and Young Persons Act 1933 s.50: no one under 10 can be convicted, so no RSO
# is younger.
MIN_AGE_YEARS: Final = 10
# HMRC National Insurance Manual NIM39110: two prefix letters (not D, F, I, Q, U or V),
# six digits, a suffix letter A to D. Checked after removing spaces and upper-casing.
NI_NUMBER_RE: Final = re.compile(r"^[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]$")
VEHICLE_REGISTRATION_RE: Final = re.compile(r"^[A-Z0-9-]{1,12}$")
# Passport, licence, card and account numbers (an IBAN has at most 34 characters).
IDENTITY_NUMBER_RE: Final = re.compile(r"^[A-Z0-9]{4,34}$")

ALIAS_TYPE: Final = "caseload.alias"
ADDRESS_TYPE: Final = "caseload.address"
VEHICLE_TYPE: Final = "caseload.vehicle"
EMPLOYMENT_TYPE: Final = "caseload.employment"
ASSOCIATE_TYPE: Final = "caseload.associate"
IDENTITY_DOCUMENT_TYPE: Final = "caseload.identitydocument"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _as_date(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: "Enter a real date"}) from None


def _as_optional_int(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: "Select an option from the list"}) from None


def _audit_child(
    *, action: Action, rso_id: int, by: User, object_type: str, object_id: int, fields: list[str] | None = None
) -> None:
    audit_record(
        action=action,
        actor=by,
        rso_ids=[rso_id],
        object_type=object_type,
        object_ids=[object_id],
        fields=fields or [],
    )


def _check_model_rules(obj: Any) -> None:
    """Backstop the explicit checks with the model's own field rules (lengths, choices)."""
    obj.full_clean(exclude=["rso"], validate_unique=False, validate_constraints=False)


def _filled(obj: Any, names: list[str]) -> list[str]:
    """Return the names of the fields given a value (what the audit event says was collected)."""
    return [name for name in names if getattr(obj, name) not in (None, "", False)]


def _date_order_errors(from_date: date | None, to_date: date | None) -> dict[str, str]:
    if from_date is not None and to_date is not None and to_date < from_date:
        return {"to_date": "The end date must be the same as or after the start date"}
    return {}


def _end_date_errors(to_date: date | None, from_date: date | None, *, already_ended: bool, what: str) -> dict[str, str]:
    if already_ended:
        return {"to_date": f"This {what} has already ended"}
    if to_date is None:
        return {"to_date": "Enter the end date"}
    if to_date > timezone.localdate():
        return {"to_date": "The end date must be today or in the past"}
    return _date_order_errors(from_date, to_date)


def _remove_child(obj: Any, *, object_type: str, by: User) -> None:
    rso_id, pk = obj.rso_id, obj.pk
    deleted, _ = type(obj).objects.filter(pk=pk).delete()
    if deleted:  # someone else may have removed it a moment ago: nothing more to record
        _audit_child(action=Action.ERASURE, rso_id=rso_id, by=by, object_type=object_type, object_id=pk)


# Profile -----------------------------------------------------------------------------


def _profile_values(changes: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("mappa_category", "mappa_level"):
            values[name] = _as_optional_int(value, name)
        elif name == "date_of_birth":
            values[name] = _as_date(value, name)
        elif name == "child_household":
            values[name] = bool(value)
        elif name == "ni_number":
            values[name] = re.sub(r"\s+", "", _text(value)).upper()
        else:
            values[name] = _text(value)
    return values


def _profile_errors(values: dict[str, Any], *, current: RSO) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "family_name" in values and not values["family_name"]:
        errors["family_name"] = "Enter the family name"
    if "given_names" in values and not values["given_names"]:
        errors["given_names"] = "Enter the given names"
    if "date_of_birth" in values:
        born = values["date_of_birth"]
        today = timezone.localdate()
        if born is None:
            errors["date_of_birth"] = "Enter the date of birth"
        elif born > today:
            errors["date_of_birth"] = "The date of birth must be in the past"
        elif born < EARLIEST_BIRTH_DATE:
            errors["date_of_birth"] = "The date of birth must be on or after 1 January 1900"
        elif add_months(born, MIN_AGE_YEARS * 12) > today:
            errors["date_of_birth"] = f"The person must be at least {MIN_AGE_YEARS} years old"
    if values.get("ni_number") and not NI_NUMBER_RE.match(values["ni_number"]):
        errors["ni_number"] = "Enter a National Insurance number in the correct format, like AB 12 34 56 C"
    category = values.get("mappa_category", current.mappa_category)
    level = values.get("mappa_level", current.mappa_level)
    if level is not None and category is None:
        errors["mappa_category"] = "Select the MAPPA category: a MAPPA level needs one"
    return errors


@transaction.atomic
def rso_update_profile(*, rso: RSO, changes: dict[str, Any], version: int, by: User) -> RSO:
    """Change an RSO's personal and MAPPA details, unless someone changed the record since
    ``version`` (then raise ``StaleVersion`` and save nothing).

    Only ``PROFILE_FIELDS`` may be changed. Only the fields whose value differs are saved;
    the version goes up by one and one alteration event names the changed fields.
    """
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here"))
    values = _profile_values(changes)
    locked = _lock_rso(rso, version)
    errors = _profile_errors(values, current=locked)
    if errors:
        raise ValidationError(errors)
    changed: list[str] = [name for name in PROFILE_FIELDS if name in values and getattr(locked, name) != values[name]]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, values[name])
    locked.clean_fields(exclude=[field.name for field in RSO._meta.concrete_fields if field.name not in changed])
    locked.version += 1
    locked.save(update_fields=[*changed, "version", "updated_at"])
    _audit_change(rso=locked, by=by, fields=changed)
    return locked


# Aliases -----------------------------------------------------------------------------


@transaction.atomic
def alias_add(*, rso: RSO, name: str, notes: str = "", by: User) -> Alias:
    """Record another name the person uses or has used."""
    alias = Alias(rso=rso, name=_text(name), notes=_text(notes))
    if not alias.name:
        raise ValidationError({"name": "Enter the name"})
    _check_model_rules(alias)
    alias.save()
    _audit_child(
        action=Action.COLLECTION,
        rso_id=rso.pk,
        by=by,
        object_type=ALIAS_TYPE,
        object_id=alias.pk,
        fields=_filled(alias, ["name", "notes"]),
    )
    return alias


@transaction.atomic
def alias_remove(*, alias: Alias, by: User) -> None:
    """Remove a name recorded in error."""
    _remove_child(alias, object_type=ALIAS_TYPE, by=by)


# Addresses ---------------------------------------------------------------------------


@transaction.atomic
def rso_refresh_no_fixed_abode(*, rso: RSO, by: User | None = None) -> bool:
    """Set ``rso.no_fixed_abode`` from the current addresses and return it.

    The person has no fixed abode when no current address is a home but one is a place
    they are regularly found (they then notify weekly: SOA 2003 s.85(5)(a)).
    """
    current = set(Address.objects.filter(rso_id=rso.pk, to_date__isnull=True).values_list("address_type", flat=True))
    flag = AddressType.HOME not in current and AddressType.REGULARLY_FOUND in current
    updated = (
        RSO.objects.filter(pk=rso.pk)
        .exclude(no_fixed_abode=flag)
        .update(no_fixed_abode=flag, updated_at=timezone.now())
    )
    rso.no_fixed_abode = flag
    if updated:
        audit_record(
            action=Action.ALTERATION,
            actor=by,
            rso_ids=[rso.pk],
            object_type=RSO_TYPE,
            object_ids=[rso.pk],
            fields=["no_fixed_abode"],
        )
        # Weekly notifications start or stop with a fixed abode: the due dates follow.
        rso_recompute(rso=rso)
    return flag


@transaction.atomic
def address_add(
    *,
    rso: RSO,
    address_type: str,
    line1: str,
    town: str,
    from_date: date | None,
    line2: str = "",
    postcode: str = "",
    to_date: date | None = None,
    notes: str = "",
    by: User,
) -> Address:
    """Record an address the person lives at, stays at or is regularly found at."""
    line1, town = _text(line1), _text(town)
    errors: dict[str, str] = {}
    if address_type not in AddressType.values:
        errors["address_type"] = "Select the type of address"
    if not line1:
        errors["line1"] = "Enter address line 1, typically the building and street"
    if not town:
        errors["town"] = "Enter the town or city"
    today = timezone.localdate()
    if from_date is None:
        errors["from_date"] = "Enter the date they started living or staying there"
    elif from_date > today:
        errors["from_date"] = "The start date must be today or in the past"
    if to_date is not None and to_date > today:
        errors["to_date"] = "The end date must be today or in the past"
    errors = _date_order_errors(from_date, to_date) | errors
    if errors or from_date is None:
        raise ValidationError(errors)
    address = Address(
        rso=rso,
        address_type=address_type,
        line1=line1,
        line2=_text(line2),
        town=town,
        postcode=" ".join(_text(postcode).upper().split()),
        from_date=from_date,
        to_date=to_date,
        notes=_text(notes),
    )
    _check_model_rules(address)
    locked = _lock_rso(rso, None)  # one address change at a time decides the flag
    address.save()
    _audit_child(
        action=Action.COLLECTION,
        rso_id=rso.pk,
        by=by,
        object_type=ADDRESS_TYPE,
        object_id=address.pk,
        fields=_filled(
            address, ["address_type", "line1", "line2", "town", "postcode", "from_date", "to_date", "notes"]
        ),
    )
    rso.no_fixed_abode = rso_refresh_no_fixed_abode(rso=locked, by=by)
    return address


@transaction.atomic
def address_end(*, address: Address, to_date: date | None, by: User) -> Address:
    """Record the day the person stopped living or staying at an address."""
    locked_rso = _lock_rso(address.rso, None)
    locked = cast(Address, Address.objects.select_for_update().get(pk=address.pk))
    errors = _end_date_errors(to_date, locked.from_date, already_ended=locked.to_date is not None, what="address")
    if errors:
        raise ValidationError(errors)
    locked.to_date = to_date
    locked.save(update_fields=["to_date"])
    _audit_child(
        action=Action.ALTERATION,
        rso_id=locked.rso_id,
        by=by,
        object_type=ADDRESS_TYPE,
        object_id=locked.pk,
        fields=["to_date"],
    )
    rso_refresh_no_fixed_abode(rso=locked_rso, by=by)
    return locked


# Vehicles ----------------------------------------------------------------------------


@transaction.atomic
def vehicle_add(
    *,
    rso: RSO,
    registration: str,
    make: str = "",
    model: str = "",
    colour: str = "",
    from_date: date | None = None,
    to_date: date | None = None,
    by: User,
) -> Vehicle:
    """Record a vehicle the person owns, uses or has access to."""
    vehicle = Vehicle(
        rso=rso,
        registration=normalise_registration(registration or ""),
        make=_text(make),
        model=_text(model),
        colour=_text(colour),
        from_date=from_date,
        to_date=to_date,
    )
    errors = _date_order_errors(from_date, to_date)
    if not vehicle.registration:
        errors["registration"] = "Enter the registration number"
    elif not VEHICLE_REGISTRATION_RE.match(vehicle.registration):
        errors["registration"] = "Enter a registration number of up to 12 letters and numbers"
    if errors:
        raise ValidationError(errors)
    _check_model_rules(vehicle)
    vehicle.save()
    _audit_child(
        action=Action.COLLECTION,
        rso_id=rso.pk,
        by=by,
        object_type=VEHICLE_TYPE,
        object_id=vehicle.pk,
        fields=_filled(vehicle, ["registration", "make", "model", "colour", "from_date", "to_date"]),
    )
    return vehicle


@transaction.atomic
def vehicle_remove(*, vehicle: Vehicle, by: User) -> None:
    """Remove a vehicle from the record."""
    _remove_child(vehicle, object_type=VEHICLE_TYPE, by=by)


# Employment --------------------------------------------------------------------------


@transaction.atomic
def employment_add(
    *,
    rso: RSO,
    employer: str,
    role: str = "",
    from_date: date | None = None,
    to_date: date | None = None,
    notes: str = "",
    by: User,
) -> Employment:
    """Record work, paid or unpaid, that the person does or has done."""
    employment = Employment(
        rso=rso, employer=_text(employer), role=_text(role), from_date=from_date, to_date=to_date, notes=_text(notes)
    )
    errors = _date_order_errors(from_date, to_date)
    if not employment.employer:
        errors["employer"] = "Enter the employer, or the kind of work if self-employed"
    if errors:
        raise ValidationError(errors)
    _check_model_rules(employment)
    employment.save()
    _audit_child(
        action=Action.COLLECTION,
        rso_id=rso.pk,
        by=by,
        object_type=EMPLOYMENT_TYPE,
        object_id=employment.pk,
        fields=_filled(employment, ["employer", "role", "from_date", "to_date", "notes"]),
    )
    return employment


@transaction.atomic
def employment_end(*, employment: Employment, to_date: date | None, by: User) -> Employment:
    """Record the day the person stopped doing a job."""
    locked = cast(Employment, Employment.objects.select_for_update().get(pk=employment.pk))
    errors = _end_date_errors(to_date, locked.from_date, already_ended=locked.to_date is not None, what="employment")
    if errors:
        raise ValidationError(errors)
    locked.to_date = to_date
    locked.save(update_fields=["to_date"])
    _audit_child(
        action=Action.ALTERATION,
        rso_id=locked.rso_id,
        by=by,
        object_type=EMPLOYMENT_TYPE,
        object_id=locked.pk,
        fields=["to_date"],
    )
    return locked


# Associates --------------------------------------------------------------------------


@transaction.atomic
def associate_add(*, rso: RSO, name: str, relationship: str, notes: str = "", by: User) -> Associate:
    """Record a person the RSO is connected with."""
    associate = Associate(rso=rso, name=_text(name), relationship=_text(relationship), notes=_text(notes))
    errors: dict[str, str] = {}
    if not associate.name:
        errors["name"] = "Enter the associate's name"
    if not associate.relationship:
        errors["relationship"] = "Enter how they are connected, for example partner or brother"
    if errors:
        raise ValidationError(errors)
    _check_model_rules(associate)
    associate.save()
    _audit_child(
        action=Action.COLLECTION,
        rso_id=rso.pk,
        by=by,
        object_type=ASSOCIATE_TYPE,
        object_id=associate.pk,
        fields=_filled(associate, ["name", "relationship", "notes"]),
    )
    return associate


@transaction.atomic
def associate_remove(*, associate: Associate, by: User) -> None:
    """Remove an associate from the record."""
    _remove_child(associate, object_type=ASSOCIATE_TYPE, by=by)


# Identity documents ------------------------------------------------------------------


def mask_number(number: str) -> str:
    """Return a document or account number as stored: its last four characters, as ****1234.

    The full number is never stored, logged or put in an error message.
    """
    cleaned = re.sub(r"[\s-]+", "", number or "").upper()
    if not IDENTITY_NUMBER_RE.match(cleaned):
        raise ValidationError({"number": "Enter the number using letters and numbers only (at least 4)"})
    return f"****{cleaned[-4:]}"


@transaction.atomic
def identity_document_add(
    *,
    rso: RSO,
    document_type: str,
    number: str,
    issuer: str = "",
    expires_on: date | None = None,
    surrendered: bool = False,
    by: User,
) -> IdentityDocument:
    """Record a passport, identity card, bank account or payment card, keeping only the
    last four characters of its number."""
    errors: dict[str, str] = {}
    if document_type not in IdentityDocumentType.values:
        errors["document_type"] = "Select the type of document"
    elif surrendered and document_type != IdentityDocumentType.PASSPORT:
        errors["surrendered"] = "Only a passport can be recorded as surrendered"
    masked = ""
    try:
        masked = mask_number(number)
    except ValidationError as invalid:
        errors |= {field: messages[0] for field, messages in invalid.message_dict.items()}
    if errors:
        raise ValidationError(errors)
    document = IdentityDocument(
        rso=rso,
        document_type=document_type,
        masked_number=masked,
        issuer=_text(issuer),
        expires_on=expires_on,
        surrendered=bool(surrendered),
    )
    _check_model_rules(document)
    document.save()
    _audit_child(
        action=Action.COLLECTION,
        rso_id=rso.pk,
        by=by,
        object_type=IDENTITY_DOCUMENT_TYPE,
        object_id=document.pk,
        fields=_filled(document, ["document_type", "masked_number", "issuer", "expires_on", "surrendered"]),
    )
    return document


@transaction.atomic
def identity_document_remove(*, document: IdentityDocument, by: User) -> None:
    """Remove an identity document, account or card from the record."""
    _remove_child(document, object_type=IDENTITY_DOCUMENT_TYPE, by=by)


# Photo -------------------------------------------------------------------------------


@transaction.atomic
def rso_photo_set(*, rso: RSO, photo: UploadedFile[bytes], by: User) -> RSO:
    """Check, re-encode (stripping all metadata) and store a new photo of the person.

    The old file is deleted once the new one is saved and committed.
    """
    if photo.size is not None and photo.size > photos.PHOTO_MAX_BYTES:
        raise ValidationError({"photo": photos.TOO_LARGE})
    photo.seek(0)
    jpeg = photos.reencode(photo.read(photos.PHOTO_MAX_BYTES + 1))
    locked = _lock_rso(rso, None)
    old = locked.photo
    name = photos.store(jpeg)
    try:
        RSO.objects.filter(pk=locked.pk).update(photo=name, updated_at=timezone.now())
        _audit_change(rso=locked, by=by, fields=["photo"])
    except BaseException:
        photos.remove(name)
        raise
    if old:
        transaction.on_commit(lambda: photos.remove(old), robust=True)
    locked.photo = rso.photo = name
    return locked


# --- Notification law: recompute and record tabs ---------------------------------------
#
# The law itself is caseload.policy (pure functions over dates). These services feed it
# the record's facts, store what it works out (``rso_recompute``) and write the rows of
# the record's law tabs: convictions, notifications, foreign travel, civil orders and
# their prohibitions, static risk scores and significant changes. A service that changes
# an input of the law locks the RSO row first, so that two writers recompute one after
# the other, and recomputes in the same transaction.

CONVICTION_TYPE: Final = "caseload.conviction"
NOTIFICATION_TYPE: Final = "caseload.notificationevent"
TRAVEL_NOTICE_TYPE: Final = "caseload.foreigntravelnotice"
ORDER_TYPE: Final = "caseload.civilorder"
PROHIBITION_TYPE: Final = "caseload.prohibition"
STATIC_SCORE_TYPE: Final = "caseload.staticriskscore"
CHANGE_EVENT_TYPE: Final = "caseload.significantchangeevent"

# SOA 2003 s.85(1)-(2): the year for the annual notification runs again from each
# initial, change or annual notification.
ANNUAL_RESTARTING_TYPES: Final = (NotificationType.INITIAL, NotificationType.CHANGE, NotificationType.ANNUAL)
# SOA 2003 s.91B(2): the qualifying years run from the first notification after the
# relevant date (or after release from custody for the offence).
REVIEW_STARTING_TYPES: Final = (NotificationType.INITIAL, NotificationType.RELEASE)
# Notifications owed within 3 days of a dated event, so recorded with that event's date:
# the initial notification (s.83(1)) and changes (s.84(1)), release and living with a child among them.
INITIAL_DUTY_TYPES: Final = frozenset({NotificationType.INITIAL})
CHANGE_DUTY_TYPES: Final = frozenset(
    {NotificationType.CHANGE, NotificationType.RELEASE, NotificationType.CHILD_HOUSEHOLD}
)
# Changes may be notified before they happen (s.84(2)), so their date may be ahead.
ADVANCE_NOTICE_TYPES: Final = frozenset({NotificationType.CHANGE, NotificationType.CHILD_HOUSEHOLD})

# The RSO's notification fields: worked out by rso_recompute, never typed in.
RSO_LAW_FIELDS: Final = (
    "notification_indefinite",
    "notification_period_months",
    "notification_ends_on",
    "last_notification_on",
    "next_annual_notification_due",
    "next_weekly_notification_due",
    "indefinite_review_eligible_on",
)
CONVICTION_FIELDS: Final = [
    "offence",
    "relevant_date",
    "court",
    "disposal",
    "custody_months",
    "discharge_months",
    "age_on_relevant_date",
]


def arms_review_after_change_days() -> int:
    """Return the days from a significant change to the ARMS review (policy, 28: domain s.6)."""
    return local_policy.arms_review_after_change_days()


def age_on(born: date, on: date) -> int:
    """Return the age in whole years on a date (a 29 February birthday comes on 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=policy.LONDON)


def _refuse(errors: dict[str, str]) -> None:
    """Refuse with a message per field, if there is any: nothing has been saved."""
    if errors:
        raise ValidationError(errors)


def _audit_law_row(
    *, action: Action, rso_id: int, by: User, object_type: str, object_id: int, fields: list[str]
) -> None:
    audit_record(
        action=action, actor=by, rso_ids=[rso_id], object_type=object_type, object_ids=[object_id], fields=fields
    )


def _lock_rso_by_id(rso_id: int) -> RSO:
    return RSO.objects.select_for_update().get(pk=rso_id)


# Recompute -----------------------------------------------------------------------------


def _conviction_period_values(conviction: Conviction) -> dict[str, Any]:
    """Return the conviction's s.82 period and end date as stored (empty where the table cannot apply)."""
    try:
        period = policy.notification_period(conviction_facts(conviction))
    except ValueError:  # only rows written around the services can hold such facts
        return {"notification_indefinite": False, "notification_period_months": None, "notification_ends_on": None}
    return {
        "notification_indefinite": period.indefinite,
        "notification_period_months": period.months,
        "notification_ends_on": period.ends_on(conviction.relevant_date),
    }


def _review_eligible_on(*, rso_id: int, relevant_date: date, under_18: bool) -> date | None:
    """Return when an indefinite notification may first be reviewed (s.91B), if the first
    initial or release notification on or after the governing relevant date is recorded."""
    first = NotificationEvent.objects.filter(
        rso_id=rso_id, notification_type__in=REVIEW_STARTING_TYPES, occurred_at__gte=_london_midnight(relevant_date)
    ).aggregate(first=Min("occurred_at"))["first"]
    if first is None:
        return None
    return policy.indefinite_review_eligible_on(
        first_notification_after_release=policy.london_date(first), under_18_on_relevant_date=under_18
    )


@transaction.atomic
def rso_recompute(*, rso: RSO) -> RSO:
    """Work out and store what the notification law makes of an RSO's record.

    On each conviction: its s.82 period and end date. On the RSO: the governing period
    and end date (none without convictions), the date of the last initial, change or
    annual notification (in London), the next annual notification due, the next weekly
    one (only with no fixed abode: 7 days from the latest notification of any type) and,
    when the period is indefinite, the date a review may first be sought (s.91B).

    Writes with ``update()`` and only what changed, so the record's ``version`` (which
    guards what users edit) does not move and user-edited fields are untouched. Sets the
    same values on ``rso`` and returns it. Days in custody or abroad are not yet taken
    off the annual and weekly deadlines (s.85(3)): the record does not hold when an
    absence began.
    """
    convictions = cast("list[Conviction]", list(Conviction.objects.filter(rso_id=rso.pk).order_by(*CONVICTION_ORDER)))
    for conviction in convictions:
        period_values = _conviction_period_values(conviction)
        if any(getattr(conviction, name) != value for name, value in period_values.items()):
            Conviction.objects.filter(pk=conviction.pk).update(**period_values)
            for name, value in period_values.items():
                setattr(conviction, name, value)

    current = RSO.objects.filter(pk=rso.pk).values(*RSO_LAW_FIELDS, "no_fixed_abode").get()
    values: dict[str, Any] = {
        "notification_indefinite": False,
        "notification_period_months": None,
        "notification_ends_on": None,
        "indefinite_review_eligible_on": None,
    }
    governing = governing_conviction(convictions)
    if governing is not None:
        conviction, period = governing
        values["notification_indefinite"] = period.indefinite
        values["notification_period_months"] = period.period.months
        values["notification_ends_on"] = period.ends_on
        if period.indefinite:
            values["indefinite_review_eligible_on"] = _review_eligible_on(
                rso_id=rso.pk, relevant_date=conviction.relevant_date, under_18=period.facts.under_18
            )

    seen = NotificationEvent.objects.filter(rso_id=rso.pk).aggregate(
        last_restarting=Max("occurred_at", filter=Q(notification_type__in=ANNUAL_RESTARTING_TYPES)),
        last_any=Max("occurred_at"),
    )
    last = policy.london_date(seen["last_restarting"]) if seen["last_restarting"] else None
    values["last_notification_on"] = last
    values["next_annual_notification_due"] = policy.annual_notification_due(last) if last else None
    values["next_weekly_notification_due"] = (
        policy.weekly_notification_due(policy.london_date(seen["last_any"]))
        if current["no_fixed_abode"] and seen["last_any"]
        else None
    )

    changed = {name: value for name, value in values.items() if current[name] != value}
    if changed:
        RSO.objects.filter(pk=rso.pk).update(**changed)
    for name, value in values.items():
        setattr(rso, name, value)
    rso.no_fixed_abode = current["no_fixed_abode"]
    schedule_recompute(rso=rso)  # notification, order and period deadlines follow
    return rso


# Convictions ---------------------------------------------------------------------------


def _conviction_values(
    *,
    rso: RSO,
    offence: str,
    relevant_date: date | None,
    court: str,
    disposal: str,
    custody_months: int | None,
    discharge_months: int | None,
) -> dict[str, Any]:
    """Check a conviction as the s.82 table needs it; return its values with the age worked out."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not _text(offence):
        errors["offence"] = "Enter the offence"
    if relevant_date is None:
        errors["relevant_date"] = "Enter the relevant date: the date of the conviction, caution or finding"
        # The disposal can still be checked, on a stand-in date and age.
        checked_date, age = today, policy.ADULT_AGE
    else:
        checked_date, age = relevant_date, age_on(rso.date_of_birth, relevant_date)
        if relevant_date < rso.date_of_birth:
            errors["relevant_date"] = "The relevant date cannot be before the person's date of birth"
        elif age < MIN_AGE_YEARS:
            errors["relevant_date"] = (
                f"The person was {age} on that date: no one under {MIN_AGE_YEARS} can be convicted or cautioned"
            )
    facts = policy.ConvictionFacts(
        relevant_date=checked_date,
        disposal=cast(Disposal, disposal),  # the policy checks it is one of the list
        custody_months=custody_months,
        discharge_months=discharge_months,
        age_on_relevant_date=age,
    )
    for field, message in policy.validate_conviction(facts, today=today).items():
        # The age is worked out from the relevant date, so a bad age is a bad date.
        errors.setdefault("relevant_date" if field == "age_on_relevant_date" else field, message)
    _refuse(errors)
    return {
        "offence": _text(offence),
        "relevant_date": relevant_date,
        "court": _text(court),
        "disposal": disposal,
        "custody_months": custody_months,
        "discharge_months": discharge_months,
        "age_on_relevant_date": age,
    }


@transaction.atomic
def conviction_add(
    *,
    rso: RSO,
    offence: str,
    relevant_date: date | None,
    court: str = "",
    disposal: str,
    custody_months: int | None = None,
    discharge_months: int | None = None,
    by: User,
) -> Conviction:
    """Record a conviction, caution or finding; its notification period follows (s.82)."""
    locked = _lock_rso(rso, None)
    values = _conviction_values(
        rso=locked,
        offence=offence,
        relevant_date=relevant_date,
        court=court,
        disposal=disposal,
        custody_months=custody_months,
        discharge_months=discharge_months,
    )
    conviction = Conviction(rso=locked, **values)
    for name, value in _conviction_period_values(conviction).items():
        setattr(conviction, name, value)
    _check_model_rules(conviction)
    conviction.save()
    _audit_law_row(
        action=Action.COLLECTION,
        rso_id=locked.pk,
        by=by,
        object_type=CONVICTION_TYPE,
        object_id=conviction.pk,
        fields=_filled(conviction, CONVICTION_FIELDS),
    )
    rso_recompute(rso=rso)
    return conviction


@transaction.atomic
def conviction_update(
    *,
    conviction: Conviction,
    offence: str,
    relevant_date: date | None,
    court: str = "",
    disposal: str,
    custody_months: int | None = None,
    discharge_months: int | None = None,
    by: User,
) -> Conviction:
    """Correct a conviction; the notification period and the RSO's dates follow."""
    locked = _lock_rso_by_id(conviction.rso_id)
    current = cast(Conviction, Conviction.objects.select_for_update().get(pk=conviction.pk))
    values = _conviction_values(
        rso=locked,
        offence=offence,
        relevant_date=relevant_date,
        court=court,
        disposal=disposal,
        custody_months=custody_months,
        discharge_months=discharge_months,
    )
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if not changed:
        return current
    for name, value in values.items():
        setattr(current, name, value)
    for name, value in _conviction_period_values(current).items():
        setattr(current, name, value)
    _check_model_rules(current)
    current.save()
    _audit_law_row(
        action=Action.ALTERATION,
        rso_id=locked.pk,
        by=by,
        object_type=CONVICTION_TYPE,
        object_id=current.pk,
        fields=changed,
    )
    rso_recompute(rso=locked)
    return current


# Notifications -------------------------------------------------------------------------


def _notification_due(kind: NotificationType, *, trigger_date: date | None, rso: RSO) -> date | None:
    """Return the last day this notification was owed by (None when no deadline applies)."""
    if trigger_date is not None and kind in INITIAL_DUTY_TYPES:
        return policy.initial_notification_due(trigger_date)
    if trigger_date is not None and kind in CHANGE_DUTY_TYPES:
        return policy.change_notification_due(trigger_date)
    if kind == NotificationType.ANNUAL:
        return rso.next_annual_notification_due
    if kind == NotificationType.WEEKLY_NO_FIXED_ABODE:
        return rso.next_weekly_notification_due
    return None


@transaction.atomic
def notification_record(
    *,
    rso: RSO,
    notification_type: str,
    occurred_at: datetime | None,
    police_station: str,
    trigger_date: date | None = None,
    details_changed: str = "",
    by: User,
    receiving_officer: User | None = None,
) -> NotificationEvent:
    """Record a notification made in person; whether it was in time is worked out and the
    RSO's next due dates move (for an annual or weekly notification, the one it meets is
    the RSO's next due date before it, worked out afresh)."""
    locked = rso_recompute(rso=_lock_rso(rso, None))
    errors: dict[str, str] = {}
    if notification_type not in NotificationType.values:
        errors["notification_type"] = "Select the type of notification"
    if occurred_at is None or timezone.is_naive(occurred_at):
        errors["occurred_at"] = "Enter the date and time of the notification"
    elif occurred_at > timezone.now():
        errors["occurred_at"] = "The date and time of the notification cannot be in the future"
    if not _text(police_station):
        errors["police_station"] = "Enter the police station where the notification was made"
    if notification_type in INITIAL_DUTY_TYPES | CHANGE_DUTY_TYPES:
        if trigger_date is None:
            errors["trigger_date"] = "Enter the date the duty to notify arose (the relevant date, release or change)"
        elif trigger_date > timezone.localdate() and notification_type not in ADVANCE_NOTICE_TYPES:
            errors["trigger_date"] = "The date the duty to notify arose cannot be in the future"
    _refuse(errors)
    assert occurred_at is not None  # checked above
    kind = NotificationType(notification_type)
    due_on = _notification_due(kind, trigger_date=trigger_date, rso=locked)
    event = NotificationEvent(
        rso=locked,
        notification_type=kind,
        occurred_at=occurred_at,
        police_station=_text(police_station),
        receiving_officer=receiving_officer or by,
        trigger_date=trigger_date,
        details_changed=_text(details_changed),
        due_on=due_on,
        in_time=None if due_on is None else policy.london_date(occurred_at) <= due_on,
        recorded_by=by,
    )
    # ``in_time`` may be None (no deadline), which the model's own check calls blank.
    not_checked = ["rso", "in_time", "receiving_officer", "recorded_by"]
    event.full_clean(exclude=not_checked, validate_unique=False, validate_constraints=False)
    event.save()
    _audit_law_row(
        action=Action.COLLECTION,
        rso_id=locked.pk,
        by=by,
        object_type=NOTIFICATION_TYPE,
        object_id=event.pk,
        fields=_filled(
            event,
            [
                "notification_type",
                "occurred_at",
                "police_station",
                "receiving_officer",
                "trigger_date",
                "details_changed",
            ],
        ),
    )
    rso_recompute(rso=rso)
    return event


# Foreign travel ------------------------------------------------------------------------


def _countries(text: str) -> set[str]:
    """Return the countries in a list typed with commas, semicolons or new lines, case-folded."""
    return {part.strip().casefold() for part in re.split(r"[,;\n]+", text) if part.strip()}


def travel_conflicts_with_order(*, rso: RSO, departs_on: date, destinations: str) -> bool:
    """Tell whether a trip breaks a foreign travel prohibition in force on the departure date.

    A ban on all countries always does; a ban on named countries when a destination is
    one of them; a ban on all countries except those named when a destination is not.
    """
    prohibitions = (
        Prohibition.objects.filter(order__rso_id=rso.pk, kind=ProhibitionKind.FOREIGN_TRAVEL, starts_on__lte=departs_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=departs_on))
        .filter(Q(order__discharged_on__isnull=True) | Q(order__discharged_on__gt=departs_on))
        .values_list("travel_scope", "countries")
    )
    going = _countries(destinations)
    for scope, countries in prohibitions:
        named = _countries(countries)
        if scope == TravelScope.ALL_COUNTRIES:
            return True
        if scope == TravelScope.NAMED_COUNTRIES and going & named:
            return True
        if scope == TravelScope.ALL_EXCEPT_NAMED and going - named:
            return True
    return False


@transaction.atomic
def travel_notice_record(
    *,
    rso: RSO,
    notified_at: datetime | None,
    departs_at: datetime | None,
    returns_on: date | None = None,
    destinations: str,
    carrier: str = "",
    accommodation: str = "",
    late_reason: str = "",
    disclosure: str = TravelDisclosure.NOT_DECIDED,
    disclosure_notes: str = "",
    by: User,
) -> ForeignTravelNotice:
    """Record notice of a trip abroad, with how timely it was and whether an order forbids it."""
    locked = _lock_rso(rso, None)
    errors: dict[str, str] = {}
    if not _countries(destinations):
        errors["destinations"] = "Enter the countries they are going to"
    if notified_at is None or timezone.is_naive(notified_at):
        errors["notified_at"] = "Enter the date and time the notice was given"
    elif notified_at > timezone.now():
        errors["notified_at"] = "The date and time the notice was given cannot be in the future"
    if departs_at is None or timezone.is_naive(departs_at):
        errors["departs_at"] = "Enter the date and time of departure"
    if disclosure not in TravelDisclosure.values:
        errors["disclosure"] = "Select the disclosure decision"
    if notified_at is not None and departs_at is not None and not {"notified_at", "departs_at"} & errors.keys():
        for field, message in policy.validate_travel(
            notified_at=notified_at, departs_at=departs_at, returns_on=returns_on, late_reason=late_reason
        ).items():
            errors.setdefault(field, message)
    _refuse(errors)
    assert notified_at is not None  # checked above
    assert departs_at is not None
    notice = ForeignTravelNotice(
        rso=locked,
        notified_at=notified_at,
        departs_at=departs_at,
        returns_on=returns_on,
        destinations=_text(destinations),
        carrier=_text(carrier),
        accommodation=_text(accommodation),
        late_reason=_text(late_reason),
        timeliness=policy.travel_timeliness(notified_at=notified_at, departs_at=departs_at, late_reason=late_reason),
        conflicts_with_order=travel_conflicts_with_order(
            rso=locked, departs_on=policy.london_date(departs_at), destinations=destinations
        ),
        disclosure=disclosure,
        disclosure_notes=_text(disclosure_notes),
        recorded_by=by,
    )
    _check_model_rules(notice)
    notice.save()
    _audit_law_row(
        action=Action.COLLECTION,
        rso_id=locked.pk,
        by=by,
        object_type=TRAVEL_NOTICE_TYPE,
        object_id=notice.pk,
        fields=_filled(
            notice,
            [
                "notified_at",
                "departs_at",
                "returns_on",
                "destinations",
                "carrier",
                "accommodation",
                "late_reason",
                "disclosure",
                "disclosure_notes",
            ],
        ),
    )
    rso_recompute(rso=rso)
    return notice


# Civil orders --------------------------------------------------------------------------


@transaction.atomic
def order_add(
    *,
    rso: RSO,
    order_type: str,
    court: str,
    made_on: date | None,
    discharged_on: date | None = None,
    notes: str = "",
    by: User,
) -> CivilOrder:
    """Record a civil order made by a court (its prohibitions are added one by one)."""
    locked = _lock_rso(rso, None)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if order_type not in OrderType.values:
        errors["order_type"] = "Select the type of order"
    if not _text(court):
        errors["court"] = "Enter the court that made the order"
    if made_on is None:
        errors["made_on"] = "Enter the date the order was made"
    elif made_on > today:
        errors["made_on"] = "The date the order was made cannot be in the future"
    if discharged_on is not None:
        if discharged_on > today:
            errors["discharged_on"] = "The date the order was discharged cannot be in the future"
        elif made_on is not None and discharged_on < made_on:
            errors["discharged_on"] = "The order cannot be discharged before it was made"
    _refuse(errors)
    assert made_on is not None  # checked above
    order = CivilOrder(
        rso=locked,
        order_type=order_type,
        court=_text(court),
        made_on=made_on,
        discharged_on=discharged_on,
        notes=_text(notes),
    )
    _check_model_rules(order)
    order.save()
    _audit_law_row(
        action=Action.COLLECTION,
        rso_id=locked.pk,
        by=by,
        object_type=ORDER_TYPE,
        object_id=order.pk,
        fields=_filled(order, ["order_type", "court", "made_on", "discharged_on", "notes"]),
    )
    rso_recompute(rso=rso)
    return order


@transaction.atomic
def prohibition_add(
    *,
    order: CivilOrder,
    kind: str,
    text: str,
    starts_on: date | None,
    ends_on: date | None = None,
    travel_scope: str = "",
    countries: str = "",
    passports_surrendered: bool = False,
    by: User,
) -> Prohibition:
    """Add one prohibition to an order, within the terms the law allows (``ends_on=None``:
    until further order)."""
    locked = _lock_rso_by_id(order.rso_id)
    errors: dict[str, str] = {}
    if kind not in ProhibitionKind.values:
        errors["kind"] = "Select the kind of prohibition"
    if not _text(text):
        errors["text"] = "Enter the words of the prohibition"
    if travel_scope and travel_scope not in TravelScope.values:
        errors["travel_scope"] = "Select which countries the prohibition covers"
    if starts_on is None:
        errors["starts_on"] = "Enter the date the prohibition starts"
    elif starts_on < order.made_on:
        errors["starts_on"] = "A prohibition cannot start before the order was made"
    scope = TravelScope(travel_scope) if travel_scope in TravelScope.values else None
    if scope in (TravelScope.NAMED_COUNTRIES, TravelScope.ALL_EXCEPT_NAMED) and not _countries(countries):
        errors["countries"] = "Enter the countries the order names"
    elif scope not in (TravelScope.NAMED_COUNTRIES, TravelScope.ALL_EXCEPT_NAMED) and _countries(countries):
        errors["countries"] = "Name countries only for a prohibition on named countries, or on all but named ones"
    if starts_on is not None and "kind" not in errors and "travel_scope" not in errors:
        for field, message in policy.validate_prohibition(
            order_type=OrderType(order.order_type),
            kind=ProhibitionKind(kind),
            starts_on=starts_on,
            ends_on=ends_on,
            travel_scope=scope,
            passports_surrendered=passports_surrendered,
        ).items():
            # The order's type is not on the prohibition's form: its message is the form's.
            errors.setdefault(NON_FIELD_ERRORS if field == "order_type" else field, message)
    _refuse(errors)
    assert starts_on is not None  # checked above
    prohibition = Prohibition(
        order=order,
        kind=kind,
        text=_text(text),
        starts_on=starts_on,
        ends_on=ends_on,
        travel_scope=travel_scope,
        countries=_text(countries),
        passports_surrendered=passports_surrendered,
    )
    prohibition.full_clean(exclude=["order"], validate_unique=False, validate_constraints=False)
    prohibition.save()
    _audit_law_row(
        action=Action.COLLECTION,
        rso_id=locked.pk,
        by=by,
        object_type=PROHIBITION_TYPE,
        object_id=prohibition.pk,
        fields=_filled(
            prohibition, ["kind", "text", "starts_on", "ends_on", "travel_scope", "countries", "passports_surrendered"]
        ),
    )
    rso_recompute(rso=locked)
    return prohibition


# Static risk scores --------------------------------------------------------------------


@transaction.atomic
def static_score_add(
    *, rso: RSO, tool: str, score: Decimal | None = None, band: str, assessed_on: date | None, by: User
) -> StaticRiskScore:
    """Record a static (actuarial) risk score; the band must be one the tool gives."""
    errors: dict[str, str] = {}
    if tool not in StaticTool.values:
        errors["tool"] = "Select the tool"
    elif band not in TOOL_BANDS[StaticTool(tool)]:
        allowed = ", ".join(RiskLevel(level).label.lower() for level in TOOL_BANDS[StaticTool(tool)])
        errors["band"] = f"{StaticTool(tool).label} gives a band of {allowed}"
    if score is not None and score < 0:
        errors["score"] = "The score cannot be negative"
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment"
    elif assessed_on > timezone.localdate():
        errors["assessed_on"] = "The date of the assessment cannot be in the future"
    _refuse(errors)
    assert assessed_on is not None  # checked above
    static_score = StaticRiskScore(rso=rso, tool=tool, score=score, band=band, assessed_on=assessed_on)
    _check_model_rules(static_score)
    static_score.save()
    _audit_law_row(
        action=Action.COLLECTION,
        rso_id=rso.pk,
        by=by,
        object_type=STATIC_SCORE_TYPE,
        object_id=static_score.pk,
        fields=_filled(static_score, ["tool", "score", "band", "assessed_on"]),
    )
    return static_score


# Significant changes -------------------------------------------------------------------


@transaction.atomic
def change_event_record(
    *, rso: RSO, event_type: str, occurred_on: date | None, source: str, note: str = "", by: User
) -> SignificantChangeEvent:
    """Record a significant change; it makes an ARMS review due within the policy's days."""
    errors: dict[str, str] = {}
    if event_type not in ChangeEventType.values:
        errors["event_type"] = "Select the type of change"
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the change"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date of the change cannot be in the future"
    if not _text(source):
        errors["source"] = "Enter where the information came from"
    _refuse(errors)
    assert occurred_on is not None  # checked above
    event = SignificantChangeEvent(
        rso=rso,
        event_type=event_type,
        occurred_on=occurred_on,
        source=_text(source),
        note=_text(note),
        review_due_on=occurred_on + timedelta(days=arms_review_after_change_days()),
        recorded_by=by,
    )
    _check_model_rules(event)
    event.save()
    # The change opens an ARMS review (or brings an open one forward).
    RSO.objects.filter(pk=rso.pk).update(
        arms_change_review_due_on=Least(
            Coalesce(F("arms_change_review_due_on"), Value(event.review_due_on)), Value(event.review_due_on)
        )
    )
    # Any significant change returns a reactive case to active management (domain s.5).
    returned = RSO.objects.filter(pk=rso.pk, management_model=ManagementModel.REACTIVE).update(
        management_model=ManagementModel.ACTIVE,
        management_model_since=timezone.localdate(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if returned:
        _audit_change(rso=rso, by=by, fields=["management_model"], reason="significant change: back to active")
        schedule_recompute(rso=RSO.objects.get(pk=rso.pk))
    _audit_law_row(
        action=Action.COLLECTION,
        rso_id=rso.pk,
        by=by,
        object_type=CHANGE_EVENT_TYPE,
        object_id=event.pk,
        fields=_filled(event, ["event_type", "occurred_on", "source", "note"]),
    )
    return event


@transaction.atomic
def rso_arms_reviewed(*, rso: RSO, approved_on: date, considered_before: datetime, by: User) -> RSO:
    """Record that an ARMS assessment was approved: the routine review moves on by the
    risk level's interval, and the review opened by significant changes closes, except
    for changes recorded after ``considered_before`` (when the assessment was submitted),
    which the assessment could not have taken into account."""
    locked = _lock_rso(rso, None)
    still_open = SignificantChangeEvent.objects.filter(rso=locked, created_at__gt=considered_before).aggregate(
        due=Min("review_due_on")
    )["due"]
    RSO.objects.filter(pk=locked.pk).update(
        arms_last_approved_on=approved_on,
        arms_change_review_due_on=still_open,
        updated_at=timezone.now(),
    )
    _audit_change(
        rso=locked,
        by=by,
        fields=["arms_last_approved_on", "arms_review_due_on", "arms_change_review_due_on"],
    )
    # The routine review date (rso_arms_review_schedule) and the rest follow from here.
    schedule_recompute(rso=locked)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def rso_set_management_model(
    *, rso: RSO, management_model: str, reason: str, by: User, version: int | None = None
) -> RSO:
    """Move a case between active and reactive management: the sergeant's decision.

    Reactive (no routine visits, an annual desk review) only when the case qualifies
    (``selectors.reactive_eligibility``): the refusal lists every reason.
    """
    if management_model not in ManagementModel.values:
        raise ValidationError({"management_model": "Choose active or reactive management."})
    if not (by.is_active and by.role == Role.SERGEANT and by.team_id == rso.team_id):
        raise ValidationError("Only a sergeant of the person's team can change how the case is managed.")
    if not reason.strip():
        raise ValidationError({"reason": "Explain the decision."})
    locked = _lock_rso(rso, version)
    if locked.management_model == management_model:
        raise ValidationError({"management_model": f"The case is already under {management_model.lower()} management."})
    if management_model == ManagementModel.REACTIVE:
        refusals = reactive_eligibility(rso=locked, today=timezone.localdate())
        if refusals:
            raise ValidationError({"management_model": refusals})
    RSO.objects.filter(pk=locked.pk).update(
        management_model=management_model,
        management_model_since=timezone.localdate(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    _audit_change(rso=locked, by=by, fields=["management_model"], reason=reason.strip())
    locked.refresh_from_db()
    schedule_recompute(rso=locked)
    locked.refresh_from_db()
    return locked


def rso_arms_review_schedule(*, rso: RSO) -> None:
    """Schedule provider: the routine ARMS review follows the risk level and management
    model (reactive: an annual desk review) from the last approved assessment."""
    current = (
        RSO.objects.filter(pk=rso.pk)
        .values_list("arms_last_approved_on", "risk_level", "management_model", "arms_review_due_on")
        .first()
    )
    if current is None:
        return
    last, level, model, due = current
    if last is None:
        return
    wanted = add_months(last, local_policy.arms_review_interval_months(level, model))
    if wanted != due:
        RSO.objects.filter(pk=rso.pk).update(arms_review_due_on=wanted)


# --- Deadlines --------------------------------------------------------------------------


def deadlines_sweep(
    *, today: date | None = None, chunk_size: int | None = None, pause_seconds: float | None = None
) -> dict[str, int]:
    """Recompute every deadline (the nightly sweep) and return what changed, by name.

    Set-based SQL over id ranges of RSOs, one transaction per range (``chunk_size``,
    setting ``DEADLINE_SWEEP_CHUNK_SIZE``), then officers' vetting and the 20% rule. A
    sweep stopped part way (the worker killed) leaves finished ranges committed and the
    rest untouched; run again, it finishes the work and duplicates nothing.
    """
    import time as clock

    from django.conf import settings

    today = today or timezone.localdate()
    size = chunk_size or int(settings.DEADLINE_SWEEP_CHUNK_SIZE)
    pause = float(settings.DEADLINE_SWEEP_PAUSE_SECONDS if pause_seconds is None else pause_seconds)
    counts: dict[str, int] = {}
    low, high = deadlines.rso_id_bounds()
    for start in range(low, high, size):
        with transaction.atomic():
            deadlines.merge_counts(
                counts, deadlines.recompute_rsos(today=today, now=timezone.now(), lo=start, hi=start + size)
            )
        counts["ranges"] = counts.get("ranges", 0) + 1
        if pause:
            clock.sleep(pause)  # a test hook: lets a test stop the worker part way
    with transaction.atomic():
        deadlines.merge_counts(counts, deadlines.recompute_people(today=today, now=timezone.now()))
        deadlines.merge_counts(counts, deadlines.recompute_caps(today=today, now=timezone.now()))
    counts["rsos"] = max(0, high - low)
    return counts


@transaction.atomic
def deadline_close(*, deadline: Deadline, note: str, by: User) -> Deadline:
    """Record that an officer dealt with a deadline nothing else in the record closes
    (an order prohibition ending, the end of the notification period, eligibility for
    review): the row is DONE with the officer's note."""
    locked = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if locked.kind not in MANUALLY_CLOSED_KINDS:
        raise ValidationError("This task closes itself when the record shows it was done.")
    if not note.strip():
        raise ValidationError({"note": "Say what was decided or done."})
    if locked.state not in OPEN_DEADLINE_STATES:
        raise ValidationError("This task is already closed.")
    is_owner = locked.owner_id == by.pk
    is_sergeant = by.role == Role.SERGEANT and locked.team_id == by.team_id
    if not (is_owner or is_sergeant):
        raise ValidationError("Only the officer who has the case, or the team's sergeant, can close this task.")
    now = timezone.now()
    Deadline.objects.filter(pk=locked.pk).update(
        state=DeadlineState.DONE, closed_at=now, closed_by=by, closed_note=note.strip(), updated_at=now
    )
    audit_record(
        action=Action.ALTERATION,
        actor=by,
        rso_ids=[locked.rso_id] if locked.rso_id else [],
        object_type="caseload.deadline",
        object_ids=[locked.pk],
        fields=["state", "closed_note"],
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def cap_rebalance_apply(*, team: Team, moves: list[tuple[int, int, int]], by: User) -> list[RSO]:
    """Apply a suggested rebalancing in one step: moves ``(rso_id, from_officer_id,
    to_officer_id)`` within the team, in the order given.

    The officers are locked and the batch is judged as a whole by the 20% guard (refused
    if it leaves anyone over who was not, or worse than before); each move is then an
    allocation with its audit event. Overrides of officers back within the rule are
    resolved and cap breaches closed. Receiving officers are told by email once the
    change is committed (references only).
    """
    _require_sergeant_of(by, team.pk, "rebalance caseloads")
    if not moves:
        raise ValidationError("There is nothing to move.")
    officer_ids = sorted({officer_id for _, from_id, to_id in moves for officer_id in (from_id, to_id)})
    lock_officers(officer_ids)
    stale = ValidationError(
        "The team's caseloads have changed since this suggestion was made; look at the new suggestion."
    )
    rsos = {rso.pk: rso for rso in RSO.objects.select_for_update().filter(pk__in=[m[0] for m in moves], team=team)}
    officers = {
        officer.pk: officer
        for officer in User.objects.filter(pk__in=officer_ids, team=team, is_active=True).exclude(
            role__in=[Role.ADMIN, Role.AUDITOR, Role.INSPECTOR]
        )
    }
    if len(rsos) != len(moves) or len(officers) != len(officer_ids):
        raise stale
    changes = []
    for rso_id, from_id, to_id in moves:
        rso = rsos[rso_id]
        if rso.allocated_officer_id != from_id or rso.status in CLOSED_STATUSES:
            raise stale
        changes.append(
            (
                CaseState.of(officer_id=from_id, status=rso.status, risk_level=rso.risk_level),
                CaseState.of(officer_id=to_id, status=rso.status, risk_level=rso.risk_level),
            )
        )
    refused = [check for check in cap_checks(changes) if check.refused]
    if refused:
        raise CapExceeded(refused)
    moved: list[RSO] = []
    try:
        with transaction.atomic():
            for rso_id, _from_id, to_id in moves:
                rso, _ = _apply_case_change(
                    rso=rsos[rso_id],
                    by=by,
                    officer=officers[to_id],
                    status=rsos[rso_id].status,
                    risk_level=rsos[rso_id].risk_level,
                    team=team,
                    fields=["allocated_officer"],
                    override_reason=None,
                    audit_reason="Rebalanced under the 20% rule",
                    judged=True,
                )
                moved.append(rso)
    except IntegrityError:
        # The database backstop: a step on the way would break the rule for someone.
        raise ValidationError(
            "These transfers cannot be applied in this order without breaking the 20% rule on the way; "
            "move the cases one by one."
        ) from None
    for override in CapOverride.objects.filter(officer_id__in=officer_ids, resolved_at__isnull=True):
        total, high = current_counts([override.officer_id])[override.officer_id]
        if HIGH_RISK_CAP_DIVISOR * high <= total:
            cap_override_resolve(override=override, by=by)
    deadlines.recompute_caps(today=timezone.localdate(), now=timezone.now(), officer_ids=officer_ids)
    from .tasks import cases_moved_notify, send_on_commit

    received: dict[int, list[int]] = {}
    for rso_id, _from, to_id in moves:
        received.setdefault(to_id, []).append(rso_id)
    for officer_id, rso_ids in sorted(received.items()):
        send_on_commit(cases_moved_notify, officer_id, rso_ids)
    return moved


def digest_send(*, user_id: int, day: date) -> bool:
    """Email a user the day's digest of their tasks, once a day however often it is asked.

    Lists kinds, RSO references and due dates only, no personal details. The claim on
    (user, day) and the email share a transaction: if sending fails nothing is claimed
    and a retry sends it; if the worker dies after sending but before committing, a
    retry may send it again (at least once, never silently lost).
    """
    from django.core.mail import send_mail

    from .selectors import digest_items

    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.email:
            return False
        try:
            with transaction.atomic():
                claim = DigestSent.objects.create(user=user, day=day)
        except IntegrityError:
            return False  # already sent today (or being sent by another worker)
        items = digest_items(user=user, today=day)
        if not items:
            return False
        DigestSent.objects.filter(pk=claim.pk).update(items=len(items))
        lines = [
            f"- {item.get_kind_display()}: {item.subject_reference}, due {item.due_on:%d %b %Y} "
            f"({item.get_state_display().lower()})"
            for item in items
        ]
        send_mail(
            subject=f"mosovo: {len(items)} task(s) need attention",
            message=(
                f"Your tasks on {day:%d %B %Y}:\n\n" + "\n".join(lines) + "\n\nSign in to mosovo to act on them.\n"
            ),
            from_email=None,
            recipient_list=[user.email],
        )
    return True


def cases_moved_notify(*, officer_id: int, rso_ids: list[int]) -> bool:
    """Email an officer the references of cases moved to them (no personal details)."""
    from django.core.mail import send_mail

    officer = User.objects.filter(pk=officer_id, is_active=True).first()
    if officer is None or not officer.email:
        return False
    references = list(
        RSO.objects.filter(pk__in=rso_ids).order_by("visor_reference").values_list("visor_reference", flat=True)
    )
    if not references:
        return False
    send_mail(
        subject=f"mosovo: {len(references)} case(s) allocated to you",
        message="Your sergeant rebalanced the team's caseloads. Allocated to you:\n\n"
        + "\n".join(f"- {reference}" for reference in references)
        + "\n\nSign in to mosovo to see them.\n",
        from_email=None,
        recipient_list=[officer.email],
    )
    return True


def person_deadlines_recompute(*, user_ids: list[int], kinds: list[str] | None = None) -> dict[str, int]:
    """Recompute some people's deadlines (vetting, training, registered sources such as
    agreed supervision actions) inside the caller's transaction."""
    return deadlines.recompute_people(today=timezone.localdate(), now=timezone.now(), user_ids=user_ids, kinds=kinds)


def person_deadline_done(*, key: str, by: User, note: str = "") -> int:
    """Close the open deadline with ``key`` as DONE by ``by`` (its owner did the thing);
    return how many rows closed (0 or 1). Call inside the writer's transaction."""
    now = timezone.now()
    return Deadline.objects.filter(key=key, state__in=OPEN_DEADLINE_STATES).update(
        state=DeadlineState.DONE, closed_at=now, closed_by=by, closed_note=note, updated_at=now
    )


# --- approvals queue (issue 8) ---
# Reactive management is the team sergeant's decision (domain s.5): an offender manager
# asks, the request waits in the sergeant's approvals queue, and approving it moves the
# case through ``rso_set_management_model`` in the same transaction.

REACTIVE_REQUEST_TYPE: Final = "caseload.reactiverequest"


def _audit_reactive_request(
    *, request: ReactiveRequest, by: User, action: Action, fields: list[str], reason: str = ""
) -> None:
    audit_record(
        action=action,
        actor=by,
        rso_ids=[request.rso_id],
        object_type=REACTIVE_REQUEST_TYPE,
        object_ids=[request.pk],
        fields=fields,
        reason=reason,
    )


@transaction.atomic
def reactive_request_create(*, rso: RSO, reason: str, by: User) -> ReactiveRequest:
    """Ask the team's sergeant to move a case to reactive management.

    The case's officer or anyone of its team (offender managers and sergeant) may ask.
    Refused, with every reason, when the case does not qualify now
    (``selectors.reactive_eligibility``), or when a request is already open.
    """
    if not (by.is_active and by.role in (Role.OFFICER, Role.SERGEANT) and by.team_id == rso.team_id):
        raise ValidationError("Only the offender managers and sergeant of the person's team can ask for this.")
    if not _text(reason):
        raise ValidationError({"reason": "Explain why the case should move to reactive management"})
    locked = _lock_rso(rso, None)  # one request at a time per case
    open_one = ReactiveRequest.objects.filter(rso=locked, decision="").select_related("requested_by").first()
    if open_one is not None:
        asked_on = timezone.localtime(open_one.requested_at)
        raise ValidationError(
            f"{open_one.requested_by.display_name} already asked on {asked_on:%-d %B %Y}: "
            "the request is waiting for the sergeant."
        )
    refusals = reactive_eligibility(rso=locked, today=timezone.localdate())
    if refusals:
        raise ValidationError({"management_model": refusals})
    request = ReactiveRequest.objects.create(rso=locked, requested_by=by, reason=_text(reason))
    _audit_reactive_request(request=request, by=by, action=Action.COLLECTION, fields=["reason"])
    return request


def reactive_request_decided_message(request: ReactiveRequest) -> str:
    """Say who decided the request and when (for a stale approval)."""
    who = request.decided_by.display_name if request.decided_by else "someone"
    when = f" on {timezone.localtime(request.decided_at):%-d %B %Y}" if request.decided_at else ""
    return f"This request was already {request.get_decision_display().lower()} by {who}{when}."


@transaction.atomic
def reactive_request_decide(*, request: ReactiveRequest, decision: str, by: User, note: str = "") -> ReactiveRequest:
    """Approve or decline a request to move a case to reactive management (the team's
    sergeant). Approving moves the case (eligibility is checked again, in the same
    transaction: a refusal there refuses the approval); declining needs a note."""
    if decision not in ReactiveDecision.values:
        raise ValidationError({"decision": "Choose to approve or to decline the request"})
    locked = (
        ReactiveRequest.objects.select_for_update(of=("self",)).select_related("rso", "decided_by").get(pk=request.pk)
    )
    rso = locked.rso
    if not (by.is_active and by.role == Role.SERGEANT and by.team_id == rso.team_id):
        raise ValidationError("Only a sergeant of the person's team can decide this request.")
    if not locked.is_open:
        raise ValidationError(reactive_request_decided_message(locked))
    note = _text(note)
    if decision == ReactiveDecision.DECLINED and not note:
        raise ValidationError({"decision_note": "Say why the request is declined"})
    if decision == ReactiveDecision.APPROVED:
        reason = f"Reactive request {locked.pk} approved. {note or locked.reason}".strip()
        rso_set_management_model(rso=rso, management_model=ManagementModel.REACTIVE, reason=reason, by=by)
    locked.decision = decision
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    _audit_reactive_request(
        request=locked,
        by=by,
        action=Action.ALTERATION,
        fields=["decision", "decided_by", "decided_at", *(["decision_note"] if note else [])],
        reason=f"reactive request {decision.lower()}",
    )
    return locked


# --- end approvals queue ---
