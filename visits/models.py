"""Home visits: planning, the pre-visit safety assessment, and what was found.

``../shared/domain.md`` section 5 explains the domain. Reads go through the selectors
(scoped by the RSO's team), writes through the services, which write the audit event in
the same transaction. Field-level history is kept by django-pghistory.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from arms.models import Factor
from caseload.models import RSO, Prohibition
from mosovo.accounts.scoping import ScopedQuerySet

from .choices import ComplianceKind, ComplianceResult, DeviceType, Outcome, VisitStatus, VisitType


class VisitQuerySet(ScopedQuerySet["Visit"]):
    team_path = "rso__team"


@pghistory.track()
class Visit(models.Model):
    """A home visit to an RSO, planned, then recorded.

    Two officers attend unless a sergeant records otherwise (``single_officer_*``). A
    visit cannot start before its safety assessment is recorded. Once started, the
    record is saved as a draft as it is filled in (nothing is lost if the officer is
    interrupted) and completed once: completing it moves the RSO's next visit due date
    and raises significant change events for a NOT_RESIDENT outcome or a failed
    compliance check. ``version`` guards the draft against lost updates.
    """

    rso = models.ForeignKey(RSO, on_delete=models.PROTECT, related_name="visits")
    visit_type = models.CharField("Type of visit", max_length=20, choices=VisitType.choices)
    planned_for = models.DateTimeField()
    lead_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    second_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    single_officer_reason = models.TextField(blank=True)
    single_officer_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    single_officer_approved_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    cancelled_reason = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # The record
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    occurred_at = models.DateTimeField("When the visit took place", null=True, blank=True)
    people_present = models.TextField(blank=True)
    children_present = models.BooleanField(default=False)
    children_note = models.TextField("About the children", blank=True)
    intelligence_reference = models.CharField("Intelligence submitted (reference)", max_length=50, blank=True)
    follow_up_actions = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_for", "-id"]
        indexes = [
            models.Index(fields=["rso", "status", "occurred_at"], name="visit_rso_status"),
            models.Index(fields=["planned_for"], name="visit_planned_for"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.RECORDED) | (~Q(outcome="") & Q(occurred_at__isnull=False)),
                name="visit_recorded_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(second_officer__isnull=True) | ~Q(second_officer=models.F("lead_officer")),
                name="visit_two_different_officers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_visit_type_display()} on {self.planned_for:%d %b %Y}"

    @property
    def two_officers_or_approved(self) -> bool:
        """Tell whether the visit may go ahead as staffed (domain s.5)."""
        return self.second_officer_id is not None or self.single_officer_approved_by_id is not None


class SafetyQuerySet(ScopedQuerySet["SafetyAssessment"]):
    team_path = "visit__rso__team"


class ObservationQuerySet(ScopedQuerySet["Observation"]):
    team_path = "visit__rso__team"


class ComplianceQuerySet(ScopedQuerySet["ComplianceCheck"]):
    team_path = "visit__rso__team"


class DeviceQuerySet(ScopedQuerySet["DeviceExamination"]):
    team_path = "visit__rso__team"


@pghistory.track()
class SafetyAssessment(models.Model):
    """The pre-visit safety assessment: known hazards, read before every visit.

    Carried forward from the previous visit's (``carried_forward_from``) for the officer
    to review and update; recording it is what lets the visit start.
    """

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="safety")
    violence_markers = models.TextField("Violence or warning markers", blank=True)
    dogs = models.TextField("Dogs or other animals", blank=True)
    weapons = models.TextField(blank=True)
    other_occupants = models.TextField("Other people at the address", blank=True)
    location_notes = models.TextField("Location and access", blank=True)
    carried_forward_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = SafetyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Safety assessment for {self.visit}"


@pghistory.track()
class Observation(models.Model):
    """What the officer saw bearing on one ARMS factor (evidence for the next assessment)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="observations")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["factor__kind", "factor__position"]
        constraints = [models.UniqueConstraint(fields=["visit", "factor"], name="visit_one_observation_per_factor")]

    def __str__(self) -> str:
        return f"{self.factor}: {self.note[:40]}"


@pghistory.track()
class ComplianceCheck(models.Model):
    """One line of the visit's compliance checklist: a notification requirement, or a
    prohibition of an order in force on the day the visit started."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="compliance")
    kind = models.CharField(max_length=12, choices=ComplianceKind.choices)
    code = models.CharField(max_length=30, blank=True, help_text="The requirement checked (REQUIREMENT only).")
    prohibition = models.ForeignKey(Prohibition, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.TextField()
    result = models.CharField(max_length=12, choices=ComplianceResult.choices, default=ComplianceResult.NOT_CHECKED)
    note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ComplianceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_result_display()}"


@pghistory.track()
class DeviceExamination(models.Model):
    """A device examined at the visit, and whether it was seized under PACE s.19 (with the
    exhibit reference, which a seizure must have)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="devices")
    device_type = models.CharField(max_length=10, choices=DeviceType.choices)
    make_model = models.CharField("Make and model", max_length=200, blank=True)
    what_was_checked = models.TextField()
    tool_used = models.CharField("Tool used", max_length=200, blank=True)
    seized = models.BooleanField("Seized (PACE s.19)", default=False)
    exhibit_reference = models.CharField(max_length=50, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seized=False) | ~Q(exhibit_reference=""), name="visit_seized_device_has_exhibit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_device_type_display()} {self.make_model}".strip()
