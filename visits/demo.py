"""Demo home visits: two years of visit history, the next four weeks' plans, and a few
cases under reactive management.

For each demo team with no visits yet, most RSOs in the community have past visits at
about the frequency their plan (else the policy, by risk level) sets: mostly seen, some
no reply, a few access refused or not resident. Each has its safety assessment (carried
forward from the one before), the checklist answered, observations on some factors and
now and then a device examined. A few people's last visit is older than their interval,
so they are overdue. About a third have a visit planned in the next four weeks, with two
officers of the team, or one officer with a reason (most approved by the sergeant, a
couple per team awaiting approval). A few LOW risk cases with no significant change are
moved to reactive management by the team's sergeant. All text is invented.

Past visits are inserted in bulk with their own dates (the services stamp "now" and a
few thousand visits through them would take minutes), as the services would have left
them: started after the safety assessment, recorded by the lead officer, the checklist
drawn up from the notification requirements and each prohibition in force that day. A
not-resident outcome raises its significant change through the service (one person per
team). Today's plans and the reactive decisions go through the services, so
they are audited as usual. For the reactive cases the RSO's history (append-only) gets
one more row, inserted, showing the case LOW since before the qualifying period (the
demo caseload was created today). Finally each RSO's last and next visit dates are
computed by ``rso_visit_schedule``. Deterministic (seeded) and idempotent: a team that
already has a visit is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from arms.models import Factor
from arms.services import catalogue_current
from caseload import local_policy
from caseload.choices import CLOSED_STATUSES, ChangeEventType, ManagementModel, RiskLevel, RSOStatus
from caseload.models import RSO, Prohibition, SignificantChangeEvent
from caseload.policy import add_months
from caseload.services import change_event_record, rso_set_management_model
from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User

from . import services
from .choices import REQUIREMENTS, ComplianceKind, ComplianceResult, DeviceType, Outcome, VisitStatus, VisitType
from .models import ComplianceCheck, DeviceExamination, Observation, SafetyAssessment, Visit

HISTORY_DAYS = 730
VISITED_SHARE = 0.9  # of the people in the community, the rest are new or hard to reach
OVERDUE_SHARE = 0.04
NO_REPLY_SHARE = 0.1  # a failed call a few days before a visit at which the person was seen
ACCESS_REFUSED_SHARE = 0.02
OBSERVED_SHARE = 0.35
DEVICE_SHARE = 0.1
UPCOMING_SHARE = 0.33
SINGLE_OFFICER_SHARE = 0.12
AWAITING_APPROVAL = 2  # per team
REACTIVE_PER_TEAM = 2
NOT_RESIDENT_PER_TEAM = 1

PEOPLE = [
    "The person only.",
    "The person and his partner.",
    "The person and his mother (the householder).",
    "The person and a lodger, who knows about the conviction.",
    "The person; his brother arrived towards the end.",
]
HAZARDS = {
    "violence_markers": ["None known", "Warning marker: verbal aggression towards police (2019)", "None known"],
    "dogs": ["None", "Small terrier, friendly; kept in the garden", "Large dog, asked to be shut in the kitchen"],
    "weapons": ["None known", "None known", "Kitchen knives only; nothing of concern seen"],
    "other_occupants": ["Lives alone", "Partner and her adult son", "Mother (elderly) and a lodger"],
    "location_notes": [
        "Ground-floor flat; buzzer broken, knock at the side door.",
        "Terraced house; park on the street opposite.",
        "Third-floor flat, no lift; communal door code from the housing officer.",
    ],
}
OBSERVATIONS = {
    "opportunity": "No children at the address or nearby; routine unchanged.",
    "sexual_preoccupation": "No sexualised talk; device check clear.",
    "poor_self_management": "Flat tidy, bills paid; says he has not been drinking.",
    "negative_social_influences": "No visitors of concern; the associate named before has moved away.",
    "positive_social_influences": "Sister visits weekly and knows about the conviction.",
    "employment_and_positive_routine": "Working shifts at the depot; showed his rota.",
    "intimate_relationships": "New partner mentioned; disclosure to be discussed with her.",
    "social_investment": "Keeps his allotment and attends a walking group.",
}
FOLLOW_UPS = [
    "",
    "",
    "Check the new phone is on the device list.",
    "Ask probation about the programme start date.",
    "Disclosure conversation with the partner at the next visit.",
]
DEVICES = [
    (DeviceType.PHONE, "Samsung Galaxy A14", "Photos, browser history and installed apps"),
    (DeviceType.COMPUTER, "Lenovo laptop", "Browser history and downloads folder"),
    (DeviceType.TABLET, "iPad (9th generation)", "Apps and messages"),
    (DeviceType.CONSOLE, "PlayStation 5", "Friends list and messages"),
]
SINGLE_REASONS = [
    "Address check only; the person is not expected to be in.",
    "Announced visit at the police station front office; no home entry.",
    "Low risk, long-standing compliance; partner officer on leave this week.",
]
REACTIVE_REASON = "Low risk for over three years with no new concern; stable address, work and support."


@dataclass
class _Past:
    """One past visit, decided before anything is written."""

    rso: RSO
    lead: User
    second: User
    at: dt.datetime
    outcome: str
    visit: Visit | None = None
    factors: list[str] = field(default_factory=list)
    device: bool = False


def seed_demo_visits() -> str:
    """Add demo visits for every demo team that has none; return a summary."""
    counts = {"past": 0, "planned": 0, "reactive": 0}
    factors = {f.code: f for f in catalogue_current().factors.all()}
    for team in Team.objects.order_by("pk"):
        if Visit.objects.filter(rso__team=team).exists():
            continue
        sergeant = User.objects.filter(team=team, role=Role.SERGEANT, is_active=True).order_by("pk").first()
        officers = list(User.objects.filter(team=team, role=Role.OFFICER, is_active=True).order_by("pk"))
        rsos = list(
            RSO.objects.filter(team=team, allocated_officer__isnull=False)
            .exclude(status__in=list(CLOSED_STATUSES))
            .select_related("allocated_officer")
            .order_by("pk")
        )
        if sergeant is None or not officers or not rsos:
            continue
        rng = random.Random(f"mosovo-visits-demo-{team.pk}-{team.name}")  # noqa: S311 - demo data, not security
        seeder = _TeamSeeder(rng=rng, sergeant=sergeant, officers=officers, factors=factors)
        seeder.run(rsos)
        counts["past"] += seeder.past
        counts["planned"] += seeder.planned
        counts["reactive"] += seeder.reactive
    if not any(counts.values()):
        return "demo visits already present"
    return (
        f"{counts['past']} past visits, {counts['planned']} planned visits, "
        f"{counts['reactive']} cases under reactive management"
    )


class _TeamSeeder:
    def __init__(self, *, rng: random.Random, sergeant: User, officers: list[User], factors: dict[str, Factor]) -> None:
        self.rng = rng
        self.sergeant = sergeant
        self.officers = officers
        self.team_members = [*officers, sergeant]
        self.team = sergeant.team
        self.factors = factors
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.past = 0
        self.planned = 0
        self.reactive = 0

    def run(self, rsos: list[RSO]) -> None:
        in_community = [r for r in rsos if r.status == RSOStatus.IN_COMMUNITY]
        visited = [r for r in in_community if self.rng.random() < VISITED_SHARE]
        reactive = self._reactive_candidates(visited)
        not_resident = [r for r in visited if r not in reactive][: NOT_RESIDENT_PER_TEAM * 3 : 3]
        past: list[_Past] = []
        for rso in visited:
            past.extend(self._history(rso, not_resident=rso in not_resident))
        self._write_past(past)
        for item in past:
            if item.outcome == Outcome.NOT_RESIDENT:
                day = timezone.localtime(item.at).date()
                change_event_record(
                    rso=item.rso,
                    event_type=ChangeEventType.NOT_RESIDENT,
                    occurred_on=day,
                    source=f"Home visit on {day:%-d %B %Y}",
                    note="Not resident at the notified address when visited.",
                    by=item.lead,
                )
        for rso in reactive:
            self._make_reactive(rso)
        for rso in RSO.objects.filter(team=self.team).order_by("pk"):
            services.rso_visit_schedule(rso=rso)
        active = [r for r in visited if r not in reactive]
        self._plan_upcoming(active)

    # --- Deciding -------------------------------------------------------------------------

    def _partner(self, lead: User) -> User:
        return self.rng.choice([u for u in self.team_members if u.pk != lead.pk] or [self.sergeant])

    def _at(self, day: dt.date) -> dt.datetime:
        naive = dt.datetime.combine(day, dt.time(self.rng.randint(9, 18), self.rng.choice([0, 15, 30, 45])))
        return timezone.make_aware(naive)

    def _history(self, rso: RSO, *, not_resident: bool) -> list[_Past]:
        """Choose the visits of the last two years, at about the RSO's interval."""
        assert rso.allocated_officer is not None
        months = services.visit_interval_for(rso)
        interval = (add_months(self.today, months) - self.today).days
        if self.rng.random() < OVERDUE_SHARE:
            latest = self.today - dt.timedelta(days=interval + self.rng.randint(5, 60))
        else:
            latest = self.today - dt.timedelta(days=self.rng.randint(3, max(4, interval - 7)))
        days = []
        day = latest
        while (self.today - day).days <= HISTORY_DAYS:
            days.append(day)
            day -= dt.timedelta(days=max(7, interval + self.rng.randint(-interval // 10, interval // 10)))
        rows: list[_Past] = []
        lead = rso.allocated_officer
        for n, day in enumerate(reversed(days)):
            at = self._at(day)
            if self.rng.random() < NO_REPLY_SHARE:
                rows.append(_Past(rso, lead, self._partner(lead), at - dt.timedelta(days=3), Outcome.NO_REPLY))
            last = n == len(days) - 1
            outcome = Outcome.SEEN
            if not last and self.rng.random() < ACCESS_REFUSED_SHARE:
                outcome = Outcome.ACCESS_REFUSED
            item = _Past(rso, lead, self._partner(lead), at, outcome)
            if outcome == Outcome.SEEN:
                if self.rng.random() < OBSERVED_SHARE:
                    item.factors = self.rng.sample(sorted(OBSERVATIONS), self.rng.randint(1, 3))
                item.device = self.rng.random() < DEVICE_SHARE
            rows.append(item)
        if not_resident and rows:
            # Not found at the address a week or so before the last visit, seen at the new one.
            at = rows[-1].at - dt.timedelta(days=self.rng.randint(5, 10))
            rows.insert(-1, _Past(rso, lead, self._partner(lead), at, Outcome.NOT_RESIDENT))
        return [r for r in rows if r.at < self.now]

    def _reactive_candidates(self, visited: list[RSO]) -> list[RSO]:
        since = add_months(self.today, -12 * local_policy.reactive_eligible_after_years())
        low = [r for r in visited if r.risk_level == RiskLevel.LOW and r.management_model == ManagementModel.ACTIVE]
        changed = set(
            SignificantChangeEvent.objects.filter(rso__in=low, occurred_on__gt=since).values_list("rso_id", flat=True)
        )
        events = RSO.pgh_event_model.objects.filter(pgh_obj_id__in=[r.pk for r in low])  # type: ignore[attr-defined]
        raised = set(events.exclude(risk_level=RiskLevel.LOW).values_list("pgh_obj_id", flat=True))
        return [r for r in low if r.pk not in changed and r.pk not in raised][:REACTIVE_PER_TEAM]

    # --- Writing the history ----------------------------------------------------------------

    def _write_past(self, past: list[_Past]) -> None:
        if not past:
            return
        visits = []
        for item in past:
            planned_for = item.at - dt.timedelta(minutes=self.rng.choice([0, 10, 20]))
            recorded_at = item.at + dt.timedelta(hours=self.rng.randint(1, 5))
            seen = item.outcome == Outcome.SEEN
            item.visit = Visit(
                rso=item.rso,
                visit_type=self.rng.choice([VisitType.SCHEDULED] * 4 + [VisitType.UNANNOUNCED]),
                planned_for=planned_for,
                lead_officer=item.lead,
                second_officer=item.second,
                status=VisitStatus.RECORDED,
                started_at=item.at,
                started_by=item.lead,
                outcome=item.outcome,
                occurred_at=item.at,
                people_present=self.rng.choice(PEOPLE) if seen else "",
                follow_up_actions=self.rng.choice(FOLLOW_UPS) if seen else "",
                notes="" if seen else "Card left asking him to call the office.",
                recorded_by=item.lead,
                recorded_at=recorded_at,
                created_by=item.lead,
                version=4,  # planned, started, record saved, completed
            )
            visits.append(item.visit)
        Visit.objects.bulk_create(visits, batch_size=1000)
        ids = [v.pk for v in visits]
        # Created and last changed on their own dates, not today's.
        Visit.objects.filter(pk__in=ids).update(created_at=F("planned_for"), updated_at=F("recorded_at"))

        safeties = [
            SafetyAssessment(
                visit=item.visit,
                updated_by=item.lead,
                version=1,
                **{name: self.rng.choice(options) for name, options in HAZARDS.items()},
            )
            for item in past
        ]
        SafetyAssessment.objects.bulk_create(safeties, batch_size=1000)
        previous: dict[int, SafetyAssessment] = {}
        carried = []
        for safety in sorted(safeties, key=lambda s: (s.visit.occurred_at, s.visit.pk)):
            before = previous.get(safety.visit.rso_id)
            if before is not None:
                safety.carried_forward_from = before
                carried.append(safety)
            previous[safety.visit.rso_id] = safety
        SafetyAssessment.objects.bulk_update(carried, ["carried_forward_from"], batch_size=1000)
        SafetyAssessment.objects.filter(visit_id__in=ids).update(
            updated_at=Subquery(Visit.objects.filter(pk=OuterRef("visit_id")).values("planned_for")[:1])
        )

        prohibitions: dict[int, list[Prohibition]] = {}
        rows = Prohibition.objects.filter(
            order__rso__in={item.rso.pk for item in past}, order__discharged_on__isnull=True
        ).select_related("order")
        for prohibition in rows.order_by("order__made_on", "id"):
            prohibitions.setdefault(prohibition.order.rso_id, []).append(prohibition)
        checks: list[ComplianceCheck] = []
        observations: list[Observation] = []
        devices: list[DeviceExamination] = []
        for item in past:
            assert item.visit is not None
            answered = item.outcome == Outcome.SEEN
            result = ComplianceResult.COMPLIED if answered else ComplianceResult.NOT_CHECKED
            for n, (code, label) in enumerate(REQUIREMENTS):
                checks.append(
                    ComplianceCheck(
                        visit=item.visit,
                        kind=ComplianceKind.REQUIREMENT,
                        code=code,
                        label=label,
                        result=result,
                        position=n,
                    )
                )
            day = timezone.localtime(item.at).date()
            in_force = [
                p
                for p in prohibitions.get(item.rso.pk, [])
                if p.starts_on <= day and (p.ends_on is None or p.ends_on >= day)
            ]
            for n, prohibition in enumerate(in_force, start=len(REQUIREMENTS)):
                checks.append(
                    ComplianceCheck(
                        visit=item.visit,
                        kind=ComplianceKind.PROHIBITION,
                        prohibition=prohibition,
                        label=f"{prohibition.order.get_order_type_display()}: {prohibition.text}",
                        result=result,
                        position=n,
                    )
                )
            for code in item.factors:
                if code in self.factors:
                    observations.append(
                        Observation(visit=item.visit, factor=self.factors[code], note=OBSERVATIONS[code])
                    )
            if item.device:
                device_type, make_model, checked = self.rng.choice(DEVICES)
                seized = self.rng.random() < 0.1
                devices.append(
                    DeviceExamination(
                        visit=item.visit,
                        device_type=device_type,
                        make_model=make_model,
                        what_was_checked=checked,
                        tool_used=self.rng.choice(["", "Kiosk triage tool", "Manual check"]),
                        seized=seized,
                        exhibit_reference=f"EX/{day:%y}/{self.rng.randint(1000, 9999)}" if seized else "",
                        added_by=item.lead,
                    )
                )
        ComplianceCheck.objects.bulk_create(checks, batch_size=2000)
        Observation.objects.bulk_create(observations, batch_size=2000)
        DeviceExamination.objects.bulk_create(devices, batch_size=2000)
        self.past += len(past)

    def _make_reactive(self, rso: RSO) -> None:
        """Show the case LOW since before the qualifying period, then let the sergeant move
        it to reactive management through the service."""
        years = local_policy.reactive_eligible_after_years()
        since = timezone.now() - dt.timedelta(days=365 * years + 30)
        table = RSO.pgh_event_model._meta.db_table  # type: ignore[attr-defined]
        columns = [
            f.column
            for f in RSO.pgh_event_model._meta.concrete_fields  # type: ignore[attr-defined]
            if f.column not in ("pgh_id", "pgh_created_at")
        ]
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            # History is append-only: a new (earlier-dated) row is inserted, none is changed.
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(table)} (pgh_created_at, {names}) "  # noqa: S608 - model names
                f"SELECT %s, {names} FROM {connection.ops.quote_name(table)} "
                "WHERE pgh_obj_id = %s ORDER BY pgh_id LIMIT 1",
                [since, rso.pk],
            )
        rso_set_management_model(
            rso=RSO.objects.get(pk=rso.pk),
            management_model=ManagementModel.REACTIVE,
            reason=REACTIVE_REASON,
            by=self.sergeant,
        )
        self.reactive += 1

    # --- Today's plans (through the services) -----------------------------------------------

    def _plan_upcoming(self, rsos: list[RSO]) -> None:
        due = dict(RSO.objects.filter(pk__in=[r.pk for r in rsos]).values_list("pk", "next_visit_due_on"))
        soonest = sorted(rsos, key=lambda r: (due.get(r.pk) or self.today, r.pk))
        chosen = soonest[: round(len(rsos) * UPCOMING_SHARE)]
        awaiting = 0
        for rso in chosen:
            lead = rso.allocated_officer
            if lead is None or lead not in self.team_members:
                continue  # allocated outside the team's active officers: planned by hand
            day = self.today + dt.timedelta(days=self.rng.randint(1, 28))
            when = self._at(day)
            visit_type = self.rng.choice([VisitType.SCHEDULED] * 3 + [VisitType.UNANNOUNCED, VisitType.ARMS_INTERVIEW])
            if self.rng.random() < SINGLE_OFFICER_SHARE or awaiting < AWAITING_APPROVAL:
                visit = services.visit_plan(
                    rso=rso,
                    visit_type=VisitType.ADDRESS_CHECK if awaiting % 2 else visit_type,
                    planned_for=when,
                    lead_officer=lead,
                    single_officer_reason=self.rng.choice(SINGLE_REASONS),
                    by=lead,
                )
                if awaiting < AWAITING_APPROVAL and lead.role != Role.SERGEANT:
                    awaiting += 1
                elif visit.single_officer_approved_by_id is None:
                    services.visit_single_officer_approve(visit=visit, by=self.sergeant)
            else:
                services.visit_plan(
                    rso=rso,
                    visit_type=visit_type,
                    planned_for=when,
                    lead_officer=lead,
                    second_officer=self._partner(lead),
                    by=lead,
                )
            self.planned += 1
