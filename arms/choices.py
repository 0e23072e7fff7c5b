"""ARMS enumerations (TextChoices). ``../shared/domain.md`` section 3."""

from django.db import models


class FactorKind(models.TextChoices):
    RISK = "RISK", "Risk factor"
    PROTECTIVE = "PROTECTIVE", "Protective factor"


class Rating(models.TextChoices):
    """How strongly a factor is present (risk) or established (protective)."""

    HIGH = "HIGH", "High"
    MEDIUM = "MEDIUM", "Medium"
    LOW = "LOW", "Low"


class Priority(models.TextChoices):
    """ARMS yields a risk priority and a protective priority, not a label."""

    HIGH = "HIGH", "High"
    MEDIUM = "MEDIUM", "Medium"
    LOW = "LOW", "Low"


class Method(models.TextChoices):
    """ARMS applies to adult men; for women and under-18s another assessment is used."""

    ARMS = "ARMS", "ARMS"
    OTHER = "OTHER", "Another assessment (woman or under 18)"


class Source(models.TextChoices):
    """Where the assessor's information came from (domain s.3)."""

    INTERVIEW = "INTERVIEW", "Interview with the person"
    OFFENDING_HISTORY = "OFFENDING_HISTORY", "Offending history"
    CASE_FILES = "CASE_FILES", "Police case files"
    COURT_DOCUMENTS = "COURT_DOCUMENTS", "Court documents"
    PRISON_RECORDS = "PRISON_RECORDS", "Prison records"
    PROBATION_RECORDS = "PROBATION_RECORDS", "Probation records"
    PROGRAMME_REPORTS = "PROGRAMME_REPORTS", "Programme (treatment) reports"
    INTELLIGENCE = "INTELLIGENCE", "Intelligence"
    HOME_VISITS = "HOME_VISITS", "Home visits"
    PARTNER_AGENCIES = "PARTNER_AGENCIES", "Partner agencies"


class Status(models.TextChoices):
    """Where an assessment or a plan version is in its approval workflow (domain s.3.1).

    DRAFT and RETURNED may be edited; SUBMITTED waits for a sergeant; APPROVED is final.
    """

    DRAFT = "DRAFT", "Draft"
    SUBMITTED = "SUBMITTED", "Awaiting approval"
    RETURNED = "RETURNED", "Returned for changes"
    APPROVED = "APPROVED", "Approved"


EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})
OPEN_STATUSES = frozenset({Status.DRAFT, Status.RETURNED, Status.SUBMITTED})


class Decision(models.TextChoices):
    """A step in the approval trail."""

    SUBMITTED = "SUBMITTED", "Submitted"
    RETURNED = "RETURNED", "Returned"
    APPROVED = "APPROVED", "Approved"


class ActionType(models.TextChoices):
    """What a plan action does (domain s.3.3)."""

    CONTROL = "CONTROL", "Control (restrict)"
    MONITOR = "MONITOR", "Monitor"
    INTERVENE = "INTERVENE", "Intervene (treatment, rehabilitation)"
    SUPPORT = "SUPPORT", "Support (build a protective factor)"
    VICTIM_SAFETY = "VICTIM_SAFETY", "Victim safety"


class Agency(models.TextChoices):
    POLICE = "POLICE", "Police"
    PROBATION = "PROBATION", "Probation"
    CHILDRENS_SERVICES = "CHILDRENS_SERVICES", "Children's services"
    HEALTH = "HEALTH", "Health"
    HOUSING = "HOUSING", "Housing"
    OTHER = "OTHER", "Other"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "NOT_STARTED", "Not started"
    IN_PROGRESS = "IN_PROGRESS", "In progress"
    DONE = "DONE", "Done"
    CANCELLED = "CANCELLED", "Cancelled"
