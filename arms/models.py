"""ARMS models: the factor catalogue, assessments and risk management plans.

``../shared/domain.md`` section 3 explains the domain. Reads go through the selectors
(scoped by the RSO's team), writes through the services, which write the audit event in
the same transaction. Approved assessments and approved plan versions are immutable: a
database trigger (migration 0002) refuses to change them, whoever writes.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from caseload.choices import RiskLevel
from caseload.models import RSO, StaticRiskScore
from mosovo.accounts.scoping import ScopedQuerySet

from .choices import ActionStatus, ActionType, Agency, Decision, FactorKind, Method, Priority, Rating, Status


class FactorCatalogue(models.Model):
    """One published version of the ARMS factor list.

    Published descriptions of ARMS disagree on the factors and the list will be revised,
    so it is reference data with a version: an assessment records the version it used
    and keeps meaning what it meant when a new version is published. Versions are seeded
    by migrations; the newest is the one new assessments use.
    """

    version = models.PositiveSmallIntegerField(unique=True)
    published_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"ARMS factors, version {self.version}"


class Factor(models.Model):
    """A risk or protective factor of one catalogue version, with guidance for officers."""

    catalogue = models.ForeignKey(FactorCatalogue, on_delete=models.PROTECT, related_name="factors")
    code = models.SlugField(max_length=40, help_text="Stable across catalogue versions.")
    kind = models.CharField(max_length=10, choices=FactorKind.choices)
    name = models.CharField(max_length=100)
    guidance = models.TextField(help_text="What to look for, in plain words, for the assessor.")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["catalogue", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="arms_factor_code_per_catalogue"),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    team_path = "rso__team"


@pghistory.track()
class Assessment(models.Model):
    """An ARMS assessment of one RSO: the assessor's dynamic picture of risk.

    The assessor lists the sources of information used, rates each factor of the
    catalogue HIGH, MEDIUM or LOW with the evidence and the risk management action, sets
    the risk and protective priorities, and proposes an overall risk level, anchored on
    the static band (a reason is required when it differs). For women and under-18s
    ARMS does not apply: the assessment names the other assessment used and why.

    Workflow (domain s.3.1): DRAFT -> SUBMITTED -> APPROVED by a sergeant of the RSO's
    team, or RETURNED with comments (editable again). Approval changes the RSO's risk
    level through the 20% guard. An approved assessment never changes; the next
    approved one supersedes it. ``version`` guards drafts against lost updates.
    """

    rso = models.ForeignKey(RSO, on_delete=models.PROTECT, related_name="arms_assessments")
    catalogue = models.ForeignKey(FactorCatalogue, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.ARMS)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    prefilled_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The approved assessment this draft started from.",
    )

    # Sources
    sources = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    sources_notes = models.TextField("Notes on sources", blank=True)
    interview_dates = ArrayField(models.DateField(), default=list, blank=True)

    # Women and under-18s
    other_assessment = models.CharField("Other assessment used", max_length=200, blank=True)
    other_assessment_reason = models.TextField("Why ARMS was not used", blank=True)
    other_assessment_summary = models.TextField("Findings of the other assessment", blank=True)

    # Summary
    risk_priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    protective_priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    static_score = models.ForeignKey(
        StaticRiskScore,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The static score the level is anchored on (the latest when submitted).",
    )
    proposed_risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    level_reason = models.TextField("Reason for the level", blank=True)
    scenarios = models.TextField(blank=True, help_text="Optional: how and when harm could happen.")

    previous_risk_level = models.CharField(
        max_length=10, choices=RiskLevel.choices, blank=True, help_text="The RSO's level when approved."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open (draft, submitted or returned) assessment per RSO at a time.
            models.UniqueConstraint(
                fields=["rso"], condition=~Q(status=Status.APPROVED), name="arms_one_open_assessment_per_rso"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.APPROVED) | (Q(approved_at__isnull=False) & ~Q(proposed_risk_level="")),
                name="arms_approved_assessment_complete",
            ),
        ]
        indexes = [models.Index(fields=["rso", "status", "approved_at"], name="arms_assessment_rso_status")]

    def __str__(self) -> str:
        return f"ARMS assessment {self.pk} ({self.get_status_display()})"

    @property
    def editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


class RatingQuerySet(ScopedQuerySet["FactorRating"]):
    team_path = "assessment__rso__team"


@pghistory.track()
class FactorRating(models.Model):
    """One factor as rated in an assessment: the rating, the evidence and the action.

    Each carries its own ``version`` so factors can be saved one at a time (htmx) without
    the saves of one factor conflicting with another's.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    evidence = models.TextField(blank=True)
    action = models.TextField("Risk management action", blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["factor__kind", "factor__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="arms_one_rating_per_factor"),
        ]

    def __str__(self) -> str:
        return f"{self.factor}: {self.get_rating_display() or 'not rated'}"


@pghistory.track()
class Review(models.Model):
    """A step of the approval trail of an assessment or a plan version: who submitted,
    returned (with the comments) or approved it, and when. Append-only."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews")
    plan = models.ForeignKey("Plan", on_delete=models.CASCADE, null=True, blank=True, related_name="reviews")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comments = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__isnull=True) ^ Q(plan__isnull=True), name="arms_review_of_one_thing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.by} ({self.at:%d %b %Y})"


class PlanQuerySet(ScopedQuerySet["Plan"]):
    team_path = "rso__team"


@pghistory.track()
class Plan(models.Model):
    """One version of an RSO's risk management plan (domain s.3.3).

    A plan rests on an approved assessment. It holds the actions (each tied to a factor),
    how often the person is visited (defaulting from policy by risk level; a longer
    interval needs a reason and the sergeant's approval, which approving the plan is),
    the contingencies (what to do if a warning sign appears) and what may be shared with
    the person. Versions go through the same workflow as assessments; an approved
    version never changes, except the progress (status) of its actions. A change after
    approval is a new version, copied from the current one.
    """

    rso = models.ForeignKey(RSO, on_delete=models.PROTECT, related_name="arms_plans")
    number = models.PositiveIntegerField(help_text="Version number, from 1 for each RSO.")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visit_interval_months = models.PositiveSmallIntegerField("Visit every (months)")
    visit_interval_reason = models.TextField("Reason for a longer interval", blank=True)
    contingencies = models.TextField(blank=True, help_text="What to do if a warning sign appears.")
    shared_with_person = models.TextField(
        "What the person has been told", blank=True, help_text="The parts of the plan shared with the person."
    )
    change_summary = models.TextField("What changed in this version", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["rso", "number"], name="arms_plan_version_number"),
            models.UniqueConstraint(
                fields=["rso"], condition=~Q(status=Status.APPROVED), name="arms_one_open_plan_per_rso"
            ),
            models.CheckConstraint(condition=Q(visit_interval_months__gte=1), name="arms_plan_visit_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"Risk management plan version {self.number} ({self.get_status_display()})"

    @property
    def editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


class ActionQuerySet(ScopedQuerySet["PlanAction"]):
    team_path = "plan__rso__team"


@pghistory.track()
class PlanAction(models.Model):
    """One action of a plan version, tied to a factor: what will be done, by whom, by when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    action_type = models.CharField("Type", max_length=15, choices=ActionType.choices)
    description = models.TextField()
    agency = models.CharField("Owning agency", max_length=20, choices=Agency.choices)
    owner = models.CharField(max_length=200, help_text="The person responsible, by name or role.")
    due_on = models.DateField("Due date", null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    shareable = models.BooleanField("May be shared with the person", default=False)
    position = models.PositiveIntegerField(default=0)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_type_display()}: {self.description[:40]}"
