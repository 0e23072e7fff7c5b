"""Caseload models: the people managed, what they were convicted of, what they owe, and
who manages them. ``../shared/domain.md`` sections 2, 4 and 7 explain the domain.

Every model that holds casework has a ``ScopedQuerySet`` (``visible_to(user)``) reaching
its team through ``team_path``; reads go through the selectors, writes through the
services, which write the audit event in the same transaction. Field-level history (old
and new values) is kept for every model by django-pghistory.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from mosovo.accounts.models import Team
from mosovo.accounts.scoping import ScopedQuerySet

from .choices import (
    OPEN_DEADLINE_STATES,
    AddressType,
    ChangeEventType,
    DeadlineKind,
    DeadlineState,
    Disposal,
    IdentityDocumentType,
    LeadAgency,
    ManagementModel,
    MappaCategory,
    MappaLevel,
    NotificationType,
    OrderType,
    ProhibitionKind,
    ReactiveDecision,
    RiskLevel,
    RSOStatus,
    Sex,
    StaticTool,
    TravelDisclosure,
    TravelScope,
    TravelTimeliness,
)


class RSOQuerySet(ScopedQuerySet["RSO"]):
    team_path = "team"


class ChildQuerySet(ScopedQuerySet[models.Model]):
    """Rows that belong to one RSO and so to the RSO's team."""

    team_path = "rso__team"


@pghistory.track()
class RSO(models.Model):
    """A registered sex offender (a "nominal"): a person subject to the notification
    requirements of Part 2 of the Sexual Offences Act 2003.

    The RSO belongs to one team (the MOSOVO unit for the area they live in) and is
    allocated to one officer of that team, who manages them. Every read goes through
    ``RSO.objects.visible_to(user)`` or ``rso_get_for_user``. ``version`` guards against
    lost updates: a save based on an older version is refused.

    MAPPA (multi-agency public protection arrangements): the category says why the person
    is managed (1: registered sex offender), the level how intensively (1: ordinary agency
    management; 2 and 3: multi-agency). The lead agency is probation while the person is
    on licence and the police after. Under REACTIVE management (since 2017) there are no
    routine visits.

    The notification fields are computed from the convictions and notifications by the
    policy module (``caseload.policy``) and stored so that lists and the scheduler can
    filter on them; they are recomputed whenever an input changes.
    """

    family_name = models.CharField(max_length=100)
    given_names = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.MALE)
    visor_reference = models.CharField(
        "ViSOR reference",
        max_length=30,
        unique=True,
        help_text="ViSOR nominal reference, for example 'VS-2019-004512'.",
    )
    pnc_id = models.CharField("PNC ID", max_length=20, blank=True, help_text="Police National Computer ID.")
    ni_number = models.CharField("National Insurance number", max_length=13, blank=True)
    photo = models.CharField(max_length=100, blank=True, help_text="Stored name of the re-encoded photo.")
    status = models.CharField(max_length=20, choices=RSOStatus.choices, default=RSOStatus.IN_COMMUNITY)
    mappa_category = models.PositiveSmallIntegerField(choices=MappaCategory.choices, null=True, blank=True)
    mappa_level = models.PositiveSmallIntegerField(choices=MappaLevel.choices, null=True, blank=True)
    lead_agency = models.CharField(max_length=10, choices=LeadAgency.choices, default=LeadAgency.POLICE)
    management_model = models.CharField(max_length=10, choices=ManagementModel.choices, default=ManagementModel.ACTIVE)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    child_household = models.BooleanField(
        "Lives or stays with a child",
        default=False,
        help_text="Lives or stays 12 hours or more in a household with a child under 18.",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="rsos")
    allocated_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="allocated_rsos"
    )
    summary = models.TextField(blank=True, help_text="Case summary: who they are and why they are managed.")

    # Computed by the policy module, stored for filtering (see caseload.services.rso_recompute).
    notification_indefinite = models.BooleanField(default=False)
    notification_period_months = models.PositiveIntegerField(null=True, blank=True)
    notification_ends_on = models.DateField(null=True, blank=True)
    last_notification_on = models.DateField(null=True, blank=True)
    next_annual_notification_due = models.DateField(null=True, blank=True)
    next_weekly_notification_due = models.DateField(null=True, blank=True)
    no_fixed_abode = models.BooleanField(default=False)
    indefinite_review_eligible_on = models.DateField(null=True, blank=True)

    # Kept by the ARMS services (arms.services) and change_event_record: when the last
    # ARMS assessment was approved, when the routine review falls due (by risk level),
    # and the review a significant change opened (28 days), until an assessment that
    # considered the change is approved.
    arms_last_approved_on = models.DateField("Last ARMS approved", null=True, blank=True)
    arms_review_due_on = models.DateField("Routine ARMS review due", null=True, blank=True)
    arms_change_review_due_on = models.DateField("ARMS review after a change due", null=True, blank=True)

    # Kept by the visits app's schedule provider (visits.services.rso_visit_schedule):
    # the last home visit at which the person was seen, and when the next routine visit
    # is due (from the plan's frequency, else policy; none under reactive management).
    last_visit_on = models.DateField(null=True, blank=True)
    next_visit_due_on = models.DateField(null=True, blank=True)
    management_model_since = models.DateField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = RSOQuerySet.as_manager()

    class Meta:
        verbose_name = "RSO"
        verbose_name_plural = "RSOs"
        ordering = ["family_name", "given_names", "id"]
        indexes = [
            models.Index(fields=["team", "allocated_officer"], name="rso_team_officer"),
            models.Index(fields=["next_annual_notification_due"], name="rso_next_annual"),
            models.Index(fields=["next_visit_due_on"], name="rso_next_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names} ({self.visor_reference})"

    @property
    def display_name(self) -> str:
        """Return the name as records show it: family name first, in capitals."""
        return f"{self.family_name.upper()}, {self.given_names}"

    @property
    def arms_review_next_due(self) -> object:
        """Return when the next ARMS review is due (after a change, or routine), if known."""
        dates = [d for d in (self.arms_change_review_due_on, self.arms_review_due_on) if d]
        return min(dates) if dates else None

    @property
    def next_notification_due(self) -> object:
        """Return the earliest notification now owed (weekly or annual), if any."""
        dates = [d for d in (self.next_weekly_notification_due, self.next_annual_notification_due) if d]
        return min(dates) if dates else None


@pghistory.track()
class Alias(models.Model):
    """Another name the person uses or has used. Every name used must be notified."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    notes = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Address(models.Model):
    """An address the person lives at, stays at or is regularly found at, with dates.

    The current addresses are those with no end date; older ones are the history.
    """

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="addresses")
    address_type = models.CharField(max_length=20, choices=AddressType.choices, default=AddressType.HOME)
    line1 = models.CharField("Address line 1", max_length=200)
    line2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10, blank=True)
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-from_date", "id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(to_date__isnull=True) | Q(to_date__gte=models.F("from_date")),
                name="address_ends_after_it_starts",
                violation_error_message="The end date must be the same as or after the start date.",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.town, self.postcode) if p)


@pghistory.track()
class Vehicle(models.Model):
    """A vehicle the person owns, uses or has access to."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="vehicles")
    registration = models.CharField(max_length=12, help_text="Stored in capitals without spaces.")
    make = models.CharField(max_length=50, blank=True)
    model = models.CharField(max_length=50, blank=True)
    colour = models.CharField(max_length=30, blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["registration"]
        indexes = [models.Index(fields=["registration"], name="vehicle_registration")]

    def __str__(self) -> str:
        return self.registration


@pghistory.track()
class Employment(models.Model):
    """Work, paid or unpaid, that the person does or has done (it must be notified)."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="employment")
    employer = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-from_date", "id"]

    def __str__(self) -> str:
        return self.employer


@pghistory.track()
class Associate(models.Model):
    """A person the RSO is connected with: partner, family, friend, co-offender."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="associates")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    notes = models.CharField(max_length=500, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class IdentityDocument(models.Model):
    """A passport, identity card, bank account or payment card. Only the last four
    characters of its number are ever stored."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="identity_documents")
    document_type = models.CharField(max_length=20, choices=IdentityDocumentType.choices)
    masked_number = models.CharField(max_length=8, help_text="Last four characters only, shown as ****1234.")
    issuer = models.CharField(max_length=100, blank=True, help_text="Issuing country or bank.")
    expires_on = models.DateField(null=True, blank=True)
    surrendered = models.BooleanField(default=False, help_text="Surrendered to the police (passports).")

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["document_type", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(masked_number__regex=r"^\*{4}[A-Za-z0-9]{1,4}$"),
                name="identity_document_number_masked",
                violation_error_message="Only the last four characters of a number may be stored.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} {self.masked_number}"


@pghistory.track()
class Conviction(models.Model):
    """A conviction, caution or finding that makes the person subject to notification.

    The notification period (s.82) follows from the disposal, the custody or discharge
    length and the person's age on the relevant date; it is computed by the policy module
    and stored here. The longest-running conviction governs the RSO's end date.
    """

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="convictions")
    offence = models.CharField(max_length=300)
    relevant_date = models.DateField(help_text="Date of conviction, caution or finding.")
    court = models.CharField(max_length=200, blank=True)
    disposal = models.CharField(max_length=30, choices=Disposal.choices)
    custody_months = models.PositiveIntegerField(null=True, blank=True)
    discharge_months = models.PositiveIntegerField(null=True, blank=True)
    age_on_relevant_date = models.PositiveSmallIntegerField()
    notification_indefinite = models.BooleanField(default=False)
    notification_period_months = models.PositiveIntegerField(null=True, blank=True)
    notification_ends_on = models.DateField(null=True, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-relevant_date", "id"]

    def __str__(self) -> str:
        return f"{self.offence} ({self.relevant_date:%d %b %Y})"


@pghistory.track()
class NotificationEvent(models.Model):
    """A notification the person made in person at a police station (initial, change,
    annual, weekly, travel, release). Whether it was in time is derived from the trigger
    date and the deadline rules and stored."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="notifications")
    notification_type = models.CharField(max_length=30, choices=NotificationType.choices)
    occurred_at = models.DateTimeField()
    police_station = models.CharField(max_length=200)
    receiving_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trigger_date = models.DateField(null=True, blank=True, help_text="The day the duty to notify arose.")
    details_changed = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True)
    in_time = models.BooleanField(null=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_notification_type_display()} {self.occurred_at:%d %b %Y}"


@pghistory.track()
class ForeignTravelNotice(models.Model):
    """Notice of a trip abroad: normally 7 days before departure, never less than 12 hours."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="travel_notices")
    notified_at = models.DateTimeField()
    departs_at = models.DateTimeField()
    returns_on = models.DateField(null=True, blank=True)
    destinations = models.CharField(max_length=300)
    carrier = models.CharField(max_length=200, blank=True)
    accommodation = models.CharField(max_length=300, blank=True)
    late_reason = models.TextField(blank=True)
    timeliness = models.CharField(max_length=20, choices=TravelTimeliness.choices)
    conflicts_with_order = models.BooleanField(default=False)
    disclosure = models.CharField(max_length=20, choices=TravelDisclosure.choices, default=TravelDisclosure.NOT_DECIDED)
    disclosure_notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-departs_at", "-id"]

    def __str__(self) -> str:
        return f"{self.destinations} ({self.departs_at:%d %b %Y})"


@pghistory.track()
class CivilOrder(models.Model):
    """A civil order made by a court: SHPO, SRO, their interim forms, a notification
    order, or a legacy order. Its prohibitions each have their own end date."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="orders")
    order_type = models.CharField(max_length=20, choices=OrderType.choices)
    court = models.CharField(max_length=200)
    made_on = models.DateField()
    discharged_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_order_type_display()} ({self.made_on:%d %b %Y})"


class ProhibitionQuerySet(ScopedQuerySet["Prohibition"]):
    team_path = "order__rso__team"


@pghistory.track()
class Prohibition(models.Model):
    """One prohibition of an order, with its own term ("until further order" allowed)."""

    order = models.ForeignKey(CivilOrder, on_delete=models.CASCADE, related_name="prohibitions")
    kind = models.CharField(max_length=20, choices=ProhibitionKind.choices, default=ProhibitionKind.GENERAL)
    text = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: until further order.")
    travel_scope = models.CharField(max_length=20, choices=TravelScope.choices, blank=True)
    countries = models.CharField(max_length=300, blank=True)
    passports_surrendered = models.BooleanField(default=False)

    objects = ProhibitionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return self.text[:60]


@pghistory.track()
class StaticRiskScore(models.Model):
    """A static (actuarial) risk score: OSP/C, OSP/DC, OSP/I, OSP/IIC or legacy RM2000."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="static_scores")
    tool = models.CharField(max_length=10, choices=StaticTool.choices)
    score = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    band = models.CharField(max_length=10, choices=RiskLevel.choices)
    assessed_on = models.DateField()

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_tool_display()}: {self.get_band_display()}"


@pghistory.track()
class SignificantChangeEvent(models.Model):
    """Something that changes the picture of risk (a new relationship, a move, an arrest,
    intelligence). It opens an ARMS review, due within 28 days by policy."""

    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, related_name="change_events")
    event_type = models.CharField(max_length=20, choices=ChangeEventType.choices)
    occurred_on = models.DateField()
    source = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    review_due_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} ({self.occurred_on:%d %b %Y})"


class OfficerCaseload(models.Model):
    """The counts behind the 20% rule, one row per officer, kept by database triggers.

    ``total`` is the officer's active caseload (allocated RSOs not closed) and ``high`` how
    many of them are HIGH or VERY_HIGH risk. A CHECK constraint makes the rule
    (5 x high <= total) hold for any writer unless a sergeant's override is open for the
    officer. The allocation services lock and count first, to refuse with a clear
    message; this is the backstop.
    """

    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="caseload_counts"
    )
    total = models.PositiveIntegerField(default=0)
    high = models.PositiveIntegerField(default=0)
    override_open = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(high__lte=models.F("total")), name="caseload_high_within_total"),
            models.CheckConstraint(
                condition=Q(override_open=True) | Q(total__gte=models.F("high") * 5),
                name="caseload_high_risk_cap",
                violation_error_message="At most 20% of an officer's active caseload may be high risk.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer}: {self.high} of {self.total} high risk"


@pghistory.track()
class CapOverride(models.Model):
    """A sergeant's decision to let an officer carry more than 20% high-risk cases for now.

    Open overrides are listed on the sergeant's dashboard until resolved; while one is
    open for an officer, the database backstop lets their ratio exceed the cap.
    """

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cap_overrides")
    rso = models.ForeignKey(RSO, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Override for {self.officer} ({self.created_at:%d %b %Y})"


class Deadline(models.Model):
    """One obligation with a date: a review, a visit, a notification, an order or vetting
    expiring, an officer over the 20% rule (domain s.6).

    ``key`` names the obligation (``VISIT:rso:12``, ``ORDER_EXPIRY:prohibition:7``,
    ``CAP_BREACH:user:3``). At most one row per key is open, and a key never has two rows
    for the same date, so recomputing (per RSO in the writer's transaction, or the nightly
    sweep) never duplicates. When the obligation is met its row is closed as DONE and the
    next occurrence (the new date) is a new row; when it no longer applies (the case
    closed, the person went reactive) it is CANCELLED. Open states only move forward,
    each transition stamped once: DUE_SOON from the warning period, OVERDUE the day after
    the date, ESCALATED to the team's sergeant when 7 days overdue.

    ``owner`` is the officer who acts (the allocated officer; the person themselves for
    vetting; nobody for a cap breach, which is the sergeant's). ``team`` routes what has
    no owner, and escalations, to the team's sergeants.
    """

    key = models.CharField(max_length=80)
    kind = models.CharField(max_length=30, choices=DeadlineKind.choices)
    rso = models.ForeignKey(RSO, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines")
    prohibition = models.ForeignKey(
        "Prohibition", on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines_about"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="deadlines"
    )
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=DeadlineState.choices, default=DeadlineState.UPCOMING)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    due_soon_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "due_on"], name="deadline_one_row_per_date"),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(state__in=OPEN_DEADLINE_STATES),
                name="deadline_one_open_per_obligation",
            ),
            models.CheckConstraint(
                condition=Q(rso__isnull=False) | Q(subject_user__isnull=False),
                name="deadline_has_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "state", "due_on"], name="deadline_owner_state"),
            models.Index(fields=["team", "state", "due_on"], name="deadline_team_state"),
            models.Index(fields=["rso", "state"], name="deadline_rso_state"),
        ]
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on:%d %b %Y} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_DEADLINE_STATES

    @property
    def subject_reference(self) -> str:
        """Name the subject without personal details: the RSO's ViSOR reference, or the
        officer's collar number (select ``rso`` and ``subject_user`` with the row)."""
        if self.rso_id is not None and self.rso is not None:
            return self.rso.visor_reference
        if self.subject_user is not None:
            return f"officer {self.subject_user.collar_number or self.subject_user.pk}"
        return ""


class DigestSent(models.Model):
    """That a user's daily task digest went out: the unique key that makes it once a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest for user {self.user_id} on {self.day:%d %b %Y}"


# --- approvals queue (issue 8) ---
class ReactiveRequestQuerySet(ScopedQuerySet["ReactiveRequest"]):
    team_path = "rso__team"


@pghistory.track()
class ReactiveRequest(models.Model):
    """An offender manager's request to move a case to reactive management (domain s.5).

    Reactive management (no routine visits, an annual desk review) is the team sergeant's
    decision: the officer asks here, the request waits in the sergeant's approvals queue,
    and approving it moves the case through ``rso_set_management_model`` (which checks
    eligibility again). At most one request per RSO is open (no decision yet) at a time.
    """

    rso = models.ForeignKey(RSO, on_delete=models.PROTECT, related_name="reactive_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=ReactiveDecision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = ReactiveRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rso"], condition=Q(decision=""), name="reactive_request_one_open"),
            models.CheckConstraint(
                condition=Q(decision="", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(decision="") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="reactive_request_decided_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Reactive request for RSO {self.rso_id} ({self.requested_at:%d %b %Y})"

    @property
    def is_open(self) -> bool:
        """Tell whether the request still waits for the sergeant."""
        return not self.decision


# --- end approvals queue ---
