"""Local policy: the intervals a force sets for itself (``../shared/domain.md`` s.5 and s.6).

These are not law (the law is in ``caseload.policy``) but national defaults a force may
change. Each value has a default here and may be overridden with the ``MOSOVO_POLICY``
setting, a dict keyed by the names below (for example
``MOSOVO_POLICY = {"VISIT_INTERVAL_MONTHS": {"LOW": 24}}``). Nothing else in the code
holds these numbers.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings

from .choices import ManagementModel, RiskLevel

DEFAULTS: Final[dict[str, Any]] = {
    # Home visits when the plan sets no frequency (pre-2017 national practice, domain s.5).
    "VISIT_INTERVAL_MONTHS": {
        RiskLevel.VERY_HIGH: 1,
        RiskLevel.HIGH: 3,
        RiskLevel.MEDIUM: 6,
        RiskLevel.LOW: 12,
    },
    # Routine ARMS review by risk level (domain s.6).
    "ARMS_REVIEW_INTERVAL_MONTHS": {
        RiskLevel.VERY_HIGH: 3,
        RiskLevel.HIGH: 6,
        RiskLevel.MEDIUM: 12,
        RiskLevel.LOW: 12,
    },
    # Reactive cases: a desk review at the annual notification (domain s.6).
    "REACTIVE_ARMS_REVIEW_MONTHS": 12,
    # ARMS review after a significant change (domain s.6).
    "ARMS_REVIEW_AFTER_CHANGE_DAYS": 28,
    # Reactive management: eligible after this many years continuously at LOW risk with
    # no significant change (domain s.5, since 2017).
    "REACTIVE_ELIGIBLE_AFTER_YEARS": 3,
    # Warn ahead of a visit or review falling due (domain s.6).
    "DUE_SOON_DAYS": 14,
    # The deadline engine (domain s.6): how many days before its date each kind of
    # deadline shows as due soon. Kinds not named here use DUE_SOON_DAYS. Order
    # prohibitions and officer vetting warn 90 days ahead (domain s.6); the end of a
    # notification period and eligibility for review of an indefinite one are local
    # choices, given the same 90 days so an application can be prepared.
    "DEADLINE_WARN_DAYS": {
        "ORDER_EXPIRY": 90,
        "VETTING_EXPIRY": 90,
        "TRAINING_EXPIRY": 90,
        "NOTIFICATION_END": 90,
        "INDEFINITE_REVIEW_ELIGIBLE": 90,
    },
    # A deadline is overdue the day after its date and escalated to the team's sergeant
    # when this many days overdue (domain s.6).
    "ESCALATE_AFTER_DAYS_OVERDUE": 7,
    # Supervision (domain s.8, local practice): a formal session with each officer at
    # least this often; the dashboard flags officers past it.
    "SUPERVISION_INTERVAL_WEEKS": 8,
    # Plan-quality audits: how many plans "sample plans for audit" picks, and the weight
    # each risk level gets in the draw (higher risk is likelier to be picked).
    "PLAN_AUDIT_SAMPLE_SIZE": 5,
    "PLAN_AUDIT_SAMPLE_WEIGHTS": {
        RiskLevel.VERY_HIGH: 8,
        RiskLevel.HIGH: 4,
        RiskLevel.MEDIUM: 2,
        RiskLevel.LOW: 1,
    },
    # The dashboard's "expiring" column: vetting or training lapsing within this many days.
    "OFFICER_RECORD_WARN_DAYS": 90,
}


def _value(name: str) -> Any:
    overrides: dict[str, Any] = getattr(settings, "MOSOVO_POLICY", {}) or {}
    default = DEFAULTS[name]
    value = overrides.get(name, default)
    if isinstance(default, dict) and isinstance(value, dict):
        return {**default, **value}
    return value


def visit_interval_months(risk_level: str) -> int:
    """Return the default months between home visits at a risk level."""
    return int(_value("VISIT_INTERVAL_MONTHS")[risk_level])


def arms_review_interval_months(risk_level: str, management_model: str = ManagementModel.ACTIVE) -> int:
    """Return the months from an approved ARMS assessment to the next routine review."""
    if management_model == ManagementModel.REACTIVE:
        return int(_value("REACTIVE_ARMS_REVIEW_MONTHS"))
    return int(_value("ARMS_REVIEW_INTERVAL_MONTHS")[risk_level])


def arms_review_after_change_days() -> int:
    """Return the days from a significant change to the ARMS review it opens."""
    return int(_value("ARMS_REVIEW_AFTER_CHANGE_DAYS"))


def reactive_eligible_after_years() -> int:
    """Return the years at LOW risk, with no significant change, before reactive management."""
    return int(_value("REACTIVE_ELIGIBLE_AFTER_YEARS"))


def due_soon_days() -> int:
    """Return how many days ahead a visit or review shows as due soon."""
    return int(_value("DUE_SOON_DAYS"))


def deadline_warn_days(kind: str) -> int:
    """Return how many days before its date a deadline of ``kind`` shows as due soon."""
    return int(_value("DEADLINE_WARN_DAYS").get(kind, due_soon_days()))


def deadline_warn_kinds() -> set[str]:
    """Return the kinds of deadline with a warning period of their own."""
    return set(_value("DEADLINE_WARN_DAYS"))


def escalate_after_days_overdue() -> int:
    """Return how many days overdue a deadline is escalated to the team's sergeant."""
    return int(_value("ESCALATE_AFTER_DAYS_OVERDUE"))


def supervision_interval_weeks() -> int:
    """Return the longest a policy allows between formal supervision sessions."""
    return int(_value("SUPERVISION_INTERVAL_WEEKS"))


def plan_audit_sample_size() -> int:
    """Return how many plans one "sample plans for audit" picks."""
    return int(_value("PLAN_AUDIT_SAMPLE_SIZE"))


def plan_audit_sample_weight(risk_level: str) -> int:
    """Return the weight a plan of a case at this risk level gets in the audit draw."""
    return int(_value("PLAN_AUDIT_SAMPLE_WEIGHTS").get(risk_level, 1))


def officer_record_warn_days() -> int:
    """Return how many days ahead vetting or training counts as expiring."""
    return int(_value("OFFICER_RECORD_WARN_DAYS"))
