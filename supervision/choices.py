"""Supervision enumerations (TextChoices)."""

from django.db import models


class AuditState(models.TextChoices):
    """A plan-quality audit is sampled first, then scored by the sergeant."""

    SAMPLED = "SAMPLED", "Sampled, awaiting the audit"
    COMPLETED = "COMPLETED", "Completed"


class CriterionScore(models.IntegerChoices):
    """How far a plan meets one criterion of the quality rubric."""

    NOT_MET = 0, "Not met"
    PARTLY = 1, "Partly met"
    MET = 2, "Met"


# The rubric (issue 8, domain s.8): field name on PlanAudit, the question the sergeant
# answers, and the help shown under it. Each criterion scores 0, 1 or 2; the audit's score
# is the percentage of the maximum.
RUBRIC: tuple[tuple[str, str, str], ...] = (
    (
        "evidence_score",
        "Each factor rated has evidence",
        "Every risk and protective factor the assessment rates says what the rating rests on.",
    ),
    (
        "high_risk_actions_score",
        "Every HIGH risk factor has an action",
        "Each risk factor rated HIGH has at least one plan action tied to it.",
    ),
    (
        "support_actions_score",
        "Protective factors have SUPPORT actions",
        "The plan builds protective factors with SUPPORT actions, not control alone.",
    ),
    (
        "owners_dates_score",
        "Actions have owners and dates",
        "Each action names the person responsible and a date it is due.",
    ),
    (
        "contingencies_score",
        "Contingencies are present",
        "The plan says what to do if a warning sign appears.",
    ),
    (
        "shareable_score",
        "Shareable parts are identified",
        "The plan records what has been shared with the person and marks shareable actions.",
    ),
)
RUBRIC_FIELDS: tuple[str, ...] = tuple(field for field, _, _ in RUBRIC)
RUBRIC_MAX = len(RUBRIC) * int(CriterionScore.MET)
