"""Demo ARMS work: assessments and risk management plans for the demo caseload.

For each demo team with no ARMS records yet, about 80% of the RSOs have an approved
assessment (a fifth of them with an earlier one it superseded) and nearly all of those an
approved plan (a fifth with two versions). The ratings follow each person's current risk
level and every assessment proposes that level, so nothing moves the 20% rule. Some
routine reviews are overdue, and some people had a significant change after their last
assessment whose 28-day review has passed. Today's work is in progress too: drafts, two
assessments per team awaiting the sergeant, one returned, plan versions in draft and one
awaiting approval. All text is invented.

History is written as the services would have left it on its own dates. The services
stamp "now", approved records cannot be changed afterwards (a database trigger), and a
few hundred RSOs through the services would take minutes, so the approved records are
inserted in bulk, open first, then approved with their past dates, with the approval
trail (submitted by the allocated officer, approved by the team's sergeant; some
returned once first) and the RSO's review dates as ``rso_arms_reviewed`` sets them. The
only difference: a significant change counts as considered by an assessment submitted on
or after the day it happened (the demo's change events were all recorded at seeding
time). Work in progress goes through the services, today, so it is audited as usual.
Deterministic (seeded) and idempotent: a team that already has an assessment is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import cast

from django.utils import timezone

from caseload import local_policy
from caseload.choices import RiskLevel
from caseload.models import RSO, SignificantChangeEvent, StaticRiskScore
from caseload.policy import add_months
from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User

from . import services
from .choices import ActionStatus, ActionType, Agency, Decision, FactorKind, Method, Priority, Rating, Source, Status
from .models import Assessment, Factor, FactorRating, Plan, PlanAction, Review

# What a factor looks like at each rating, in an offender manager's words (invented).
EVIDENCE: dict[str, dict[str, list[str]]] = {
    "opportunity": {
        Rating.HIGH: [
            "Lives two streets from a primary school and has been seen near the gates at home time.",
            "Has started volunteering at a sports club with junior sections; did not tell us first.",
        ],
        Rating.MEDIUM: [
            "New partner has a niece who visits at weekends; he says he leaves when she comes.",
            "Works shifts at a retail park with a soft-play centre; no contact seen so far.",
        ],
        Rating.LOW: [
            "Lives alone in a flat with no children nearby; routine checked on three visits.",
            "Works nights in a warehouse, adults only; no online accounts beyond those declared.",
        ],
    },
    "sexual_preoccupation": {
        Rating.HIGH: [
            "Describes thinking about sex most of the day; device checks found heavy adult pornography use.",
            "Talks in sexual terms on most visits and says urges are hard to manage when stressed.",
        ],
        Rating.MEDIUM: [
            "Admits to using adult pornography to cope with boredom; says it has reduced since working.",
            "Some sexualised comments at interview; treatment report notes partial progress.",
        ],
        Rating.LOW: [
            "No signs of preoccupation at interview or in the treatment report; device checks clear.",
            "Talks openly about past offending without sexualised language; partner reports no concerns.",
        ],
    },
    "offence_related_sexual_interests": {
        Rating.HIGH: [
            "Programme report records continuing interest in children; he does not accept it.",
            "Images of clothed children found on a declared phone at the last device check.",
        ],
        Rating.MEDIUM: [
            "Accepts an interest in teenage girls in the past; treatment ongoing, insight developing.",
            "Pattern of offending suggests interest in coercion; not explored fully in treatment yet.",
        ],
        Rating.LOW: [
            "Completed treatment; report describes no continuing offence-related interest.",
            "Offence was opportunistic in context of drink; no interest shown in later assessment.",
        ],
    },
    "emotional_congruence_with_children": {
        Rating.HIGH: [
            "Says he relates better to children than adults; spends free time on children's online games.",
            "Describes a child neighbour as his 'best friend'; hobbies centre on young people.",
        ],
        Rating.MEDIUM: [
            "Few adult friends; talks warmly about his nephews and about 'understanding kids'.",
            "Some signs of seeking children's company at family events, per his sister.",
        ],
        Rating.LOW: [
            "Adult friendships through work and the gym; no interest in children's activities.",
            "Relates to adults in the hostel and at college; no indication of congruence with children.",
        ],
    },
    "poor_self_management": {
        Rating.HIGH: [
            "Recent arrest for drunk and disorderly; missed two appointments and lost his job.",
            "Gambling debts and heavy drinking at weekends; impulsive decisions reported by probation.",
        ],
        Rating.MEDIUM: [
            "Drinks at weekends; managed his tenancy but money problems recur.",
            "Some impulsive spending and a missed appointment; responds well to reminders.",
        ],
        Rating.LOW: [
            "Keeps every appointment, manages money and has been sober for three years.",
            "Stable routine; plans ahead and asks for help early when problems come up.",
        ],
    },
    "hostile_orientation": {
        Rating.HIGH: [
            "Blames his victim and the police; hostile towards women in conversation and online.",
            "Threatened a neighbour after an argument; says the system is 'out to get him'.",
        ],
        Rating.MEDIUM: [
            "Resentful about his sentence and the notification requirements, but civil on visits.",
            "Occasional hostile remarks about women when drinking, per his brother.",
        ],
        Rating.LOW: [
            "Polite and cooperative; accepts responsibility for the offence.",
            "No hostility shown at interview; describes his victim with empathy.",
        ],
    },
    "negative_social_influences": {
        Rating.HIGH: [
            "Associates with two other registered offenders from prison; meets them at a pub.",
            "Spends time with a group involved in drugs; one friend has a conviction for violence.",
        ],
        Rating.MEDIUM: [
            "Occasional contact with a former cellmate; he says it is only by phone.",
            "Drinking friends at the local pub who do not know about his conviction.",
        ],
        Rating.LOW: [
            "No associates of concern known; intelligence checks clear.",
            "Circle is his family and colleagues; no negative influences identified.",
        ],
    },
    "positive_social_influences": {
        Rating.HIGH: [
            "Close to his sister, who knows about the offence and supports the plan.",
            "Attends a Circle of Support weekly and values it; volunteers know the risks.",
        ],
        Rating.MEDIUM: [
            "Some support from his mother, who is aware of the conviction but elderly.",
            "A work colleague is a good influence; family contact is occasional.",
        ],
        Rating.LOW: [
            "Isolated; family cut contact after the conviction and he has no friends nearby.",
            "No positive relationships identified; refuses a referral to Circles of Support.",
        ],
    },
    "commitment_to_desist": {
        Rating.HIGH: [
            "Talks about the life he wants and how offending would end it; engages with every session.",
            "Completed the programme and describes his warning signs and what he does about them.",
        ],
        Rating.MEDIUM: [
            "Says he wants to stay out of trouble but minimises parts of the offence.",
            "Engages with visits, less so with treatment; commitment growing.",
        ],
        Rating.LOW: [
            "Sees no need to change; says he was 'set up' and refuses treatment.",
            "Little interest in the plan; attends only because he must.",
        ],
    },
    "intimate_relationships": {
        Rating.HIGH: [
            "Stable relationship of four years with an adult partner who knows about the conviction.",
            "Married; wife attends visits and is aware of the risks and the plan.",
        ],
        Rating.MEDIUM: [
            "New relationship with an adult; disclosure discussed and planned.",
            "On-off relationship with an adult partner; some conflict but no concerns about children.",
        ],
        Rating.LOW: [
            "No intimate relationship; describes loneliness.",
            "Recent relationship ended badly; no adult partner now.",
        ],
    },
    "employment_and_positive_routine": {
        Rating.HIGH: [
            "Full-time job at a builders' merchant for two years; employer aware via probation.",
            "Studies at college three days a week and works weekends; structured week.",
        ],
        Rating.MEDIUM: [
            "Part-time agency work, irregular hours; gym twice a week.",
            "Volunteers at a food bank (adults only) two mornings a week; looking for paid work.",
        ],
        Rating.LOW: [
            "Unemployed since release; spends most of the day at home online.",
            "No routine; sleeps in the day and is out at night.",
        ],
    },
    "social_investment": {
        Rating.HIGH: [
            "Has a tenancy, a job and a partner he does not want to lose; talks about his future.",
            "Owns his home and is rebuilding contact with adult children; much to lose.",
        ],
        Rating.MEDIUM: [
            "Values his tenancy and his allotment; fewer ties otherwise.",
            "Some stake in the community through his church; relationships still fragile.",
        ],
        Rating.LOW: [
            "Hostel accommodation, no job and no ties; says he has 'nothing to lose'.",
            "Little investment in anything beyond the day; no plans.",
        ],
    },
}
SEEN = [
    "Seen at home on {date}.",
    "Discussed at interview on {date}.",
    "Confirmed with the probation officer on {date}.",
    "From the last two home visits (latest {date}).",
    "Intelligence check and home visit, {date}.",
]
# Risk management actions written against the risk factors rated medium or high.
RISK_ACTIONS: dict[str, list[tuple[str, str, str]]] = {
    "opportunity": [
        (ActionType.CONTROL, Agency.POLICE, "Enforce the SHPO prohibition on unsupervised contact with children."),
        (ActionType.MONITOR, Agency.POLICE, "Unannounced home visits to check who is at the address."),
        (
            ActionType.VICTIM_SAFETY,
            Agency.CHILDRENS_SERVICES,
            "Share the risk with children's services for the family.",
        ),
    ],
    "sexual_preoccupation": [
        (
            ActionType.INTERVENE,
            Agency.HEALTH,
            "Referral to the forensic psychology service for sexual self-regulation.",
        ),
        (ActionType.MONITOR, Agency.POLICE, "Device examination at each visit (consent or order)."),
    ],
    "offence_related_sexual_interests": [
        (ActionType.INTERVENE, Agency.PROBATION, "Complete the accredited programme (Horizon) with probation."),
        (ActionType.MONITOR, Agency.POLICE, "Check declared devices and online accounts at every visit."),
    ],
    "emotional_congruence_with_children": [
        (ActionType.CONTROL, Agency.POLICE, "No hobbies or volunteering involving under-18s (SHPO)."),
        (ActionType.VICTIM_SAFETY, Agency.CHILDRENS_SERVICES, "Safeguarding strategy for the children he mentions."),
    ],
    "poor_self_management": [
        (ActionType.INTERVENE, Agency.HEALTH, "Referral to community alcohol service; attend weekly."),
        (ActionType.MONITOR, Agency.PROBATION, "Weekly reporting while the drinking is unsettled."),
    ],
    "hostile_orientation": [
        (ActionType.INTERVENE, Agency.PROBATION, "One-to-one work on attitudes towards women."),
        (ActionType.VICTIM_SAFETY, Agency.POLICE, "Flag the victim's address; marker for urgent response."),
    ],
    "negative_social_influences": [
        (ActionType.MONITOR, Agency.POLICE, "Intelligence checks on the associates named; record contact."),
        (ActionType.CONTROL, Agency.PROBATION, "Licence condition: no contact with named offenders."),
    ],
}
# Support actions build the protective factors rated low or medium (domain s.8).
SUPPORT_ACTIONS: dict[str, tuple[str, str]] = {
    "positive_social_influences": (Agency.OTHER, "Referral to Circles of Support and Accountability."),
    "commitment_to_desist": (Agency.PROBATION, "Goal-setting sessions on the life he wants; review monthly."),
    "intimate_relationships": (Agency.POLICE, "Support with disclosure to a new partner, with the partner's consent."),
    "employment_and_positive_routine": (Agency.OTHER, "Work coach referral for training and a job search plan."),
    "social_investment": (Agency.HOUSING, "Support to keep the tenancy: housing officer contact and budgeting."),
}
OWNERS: dict[str, list[str]] = {
    Agency.PROBATION: ["Probation officer, Wessford PDU", "Probation officer, Eastmere office"],
    Agency.CHILDRENS_SERVICES: ["Children's services duty manager", "Social worker, Northbridge team"],
    Agency.HEALTH: ["Community forensic psychologist", "Alcohol service key worker"],
    Agency.HOUSING: ["Housing officer, Wessford council", "Tenancy support worker"],
    Agency.OTHER: ["Circles of Support coordinator", "Job centre work coach"],
}
SOURCE_SETS = [
    [Source.INTERVIEW, Source.CASE_FILES, Source.PROBATION_RECORDS],
    [Source.INTERVIEW, Source.HOME_VISITS, Source.INTELLIGENCE],
    [Source.INTERVIEW, Source.OFFENDING_HISTORY, Source.COURT_DOCUMENTS, Source.PRISON_RECORDS],
    [Source.INTERVIEW, Source.PROGRAMME_REPORTS, Source.PARTNER_AGENCIES, Source.HOME_VISITS],
]
SOURCE_NOTES = [
    "Interview at home; probation officer consulted by phone.",
    "Interview at the police station; case file and intelligence reviewed.",
    "Interview at home with his partner present for part of it; prison records requested.",
    "Joint visit with probation; programme report received the week before.",
]
LEVEL_REASONS = [
    "The static band and the dynamic picture agree.",
    "Dynamic factors are in line with the static band; no reason to depart from it.",
    "Protective factors are developing but not yet enough to lower the level.",
]
NO_SCORE_REASON = "No static score was recorded at the time: level from the offending history and the factors."
SCENARIOS = {
    RiskLevel.LOW: "Most likely harm would follow a relapse into drinking and isolation; no current target.",
    RiskLevel.MEDIUM: "Harm most likely if he gains unsupervised access to a child through a new relationship.",
    RiskLevel.HIGH: "Contact offence against a child known to him, after a crisis (job loss, relationship end).",
    RiskLevel.VERY_HIGH: "Serious contact offence against a child he grooms online or in the community; soon.",
}
CONTINGENCIES = [
    "If he is seen near schools or parks, or forms a relationship with a parent: visit within 48 hours "
    "and inform the sergeant.",
    "If he starts drinking heavily, loses his job or his tenancy: bring the ARMS review forward and increase visits.",
    "If intelligence suggests contact with children or undeclared devices: consider a warrant and "
    "call the duty sergeant.",
]
SHARED = [
    "He knows how often he will be visited, the support actions and what happens if he breaks the order.",
    "Discussed the plan at the last visit: the referrals, the visits and the warning signs we watch for.",
]
CHANGE_SUMMARIES = [
    "Updated after the home visit: new job, so the work coach action is done and a disclosure step added.",
    "Alcohol referral completed; added monitoring of a new associate.",
    "Moved address: housing support added, visit plan unchanged.",
]
RETURN_COMMENTS = [
    "Please say where the evidence for opportunity comes from and add the date of the interview.",
    "The action for self-management is vague: who does what, and by when?",
    "Tie the level to the static band in the reason; the priorities look right.",
]

# How ratings fall at each risk level: (high, medium, low) weights for risk factors;
# protective factors get the reverse.
RISK_WEIGHTS = {
    RiskLevel.LOW: (3, 27, 70),
    RiskLevel.MEDIUM: (15, 50, 35),
    RiskLevel.HIGH: (40, 45, 15),
    RiskLevel.VERY_HIGH: (65, 30, 5),
}
APPROVED_SHARE = 0.81
EARLIER_ASSESSMENT_SHARE = 0.2
OVERDUE_SHARE = 0.04
PLAN_SHARE = 0.92
SECOND_PLAN_SHARE = 0.2


@dataclass
class _Case:
    """One RSO's demo ARMS history, decided before anything is written."""

    rso: RSO
    officer: User
    approvals: list[dt.date] = field(default_factory=list)  # oldest first
    plans: list[dt.date] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    plan_rows: list[Plan] = field(default_factory=list)
    plan_actions: list[list[PlanAction]] = field(default_factory=list)


def seed_demo_arms() -> str:
    """Add ARMS assessments and plans for every demo team that has none; return a summary."""
    today = timezone.localdate()
    factors = list(services.catalogue_current().factors.order_by("-kind", "position"))
    counts = {"approved": 0, "plans": 0, "open": 0}
    for team in Team.objects.order_by("pk"):
        if Assessment.objects.filter(rso__team=team).exists():
            continue
        sergeant = User.objects.filter(team=team, role=Role.SERGEANT, is_active=True).order_by("pk").first()
        rsos = list(RSO.objects.filter(team=team, allocated_officer__isnull=False).select_related("allocated_officer"))
        if sergeant is None or not rsos:
            continue
        rng = random.Random(f"mosovo-arms-demo-{team.pk}-{team.name}")  # noqa: S311 - demo data, not security
        seeder = _TeamSeeder(rng=rng, today=today, sergeant=sergeant, factors=factors)
        seeder.run(sorted(rsos, key=lambda r: r.pk))
        counts["approved"] += seeder.approved
        counts["plans"] += seeder.plan_versions
        counts["open"] += seeder.open_items
    if not any(counts.values()):
        return "demo ARMS work already present"
    return (
        f"{counts['approved']} approved assessments, {counts['plans']} approved plan versions, "
        f"{counts['open']} items in progress"
    )


class _TeamSeeder:
    def __init__(self, *, rng: random.Random, today: dt.date, sergeant: User, factors: list[Factor]) -> None:
        self.rng = rng
        self.today = today
        self.sergeant = sergeant
        self.factors = factors
        self.catalogue_id = factors[0].catalogue_id
        self.approved = 0
        self.plan_versions = 0
        self.open_items = 0
        # The approval trail, written once the assessments and plans have their ids.
        self.trail: list[tuple[Assessment | Plan, User, str, dt.datetime, str]] = []
        # Each written assessment's ratings by factor code, for choosing plan actions.
        self.rated: dict[int, dict[str, str]] = {}

    # --- Deciding -------------------------------------------------------------------------

    def run(self, rsos: list[RSO]) -> None:
        order = list(rsos)
        self.rng.shuffle(order)
        approved_count = round(len(order) * APPROVED_SHARE)
        with_history = order[:approved_count]
        # The rest: a first assessment in draft for about a third, nothing yet for the others.
        first_drafts = order[approved_count:][: max(1, (len(order) - approved_count) // 3)]
        events = self._change_events([r.pk for r in rsos])
        scores = self._static_scores([r.pk for r in rsos])

        # Work in progress today, on people whose review is coming up: two submitted,
        # one returned, three drafts; one plan version awaiting approval, two in draft.
        submitted, returned, review_drafts = with_history[:2], with_history[2:3], with_history[3:6]
        in_review = {r.pk for r in submitted + returned + review_drafts}

        cases = [self._plan_case(rso, events.get(rso.pk, []), due_soon=rso.pk in in_review) for rso in with_history]
        self._write_assessments(cases, scores)
        self._write_plans(cases)
        self._write_trail()
        self._write_review_dates(rsos, cases, events)

        with_plans = [c for c in cases if c.plan_rows and c.rso.pk not in in_review]
        self._work_in_progress(submitted, returned, review_drafts, first_drafts, with_plans[:1], with_plans[1:3])

    def _change_events(self, rso_ids: list[int]) -> dict[int, list[SignificantChangeEvent]]:
        found: dict[int, list[SignificantChangeEvent]] = {}
        rows = SignificantChangeEvent.objects.filter(rso_id__in=rso_ids).order_by("occurred_on", "pk")
        for event in cast("list[SignificantChangeEvent]", list(rows)):
            found.setdefault(event.rso_id, []).append(event)
        return found

    def _static_scores(self, rso_ids: list[int]) -> dict[int, list[StaticRiskScore]]:
        found: dict[int, list[StaticRiskScore]] = {}
        rows = StaticRiskScore.objects.filter(rso_id__in=rso_ids).order_by("-assessed_on", "-pk")
        for score in cast("list[StaticRiskScore]", list(rows)):
            found.setdefault(score.rso_id, []).append(score)
        return found

    def _days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, max(low, high)))

    def _plan_case(self, rso: RSO, events: list[SignificantChangeEvent], *, due_soon: bool) -> _Case:
        """Choose when the RSO's assessments and plan versions were approved."""
        assert rso.allocated_officer is not None  # only allocated RSOs are chosen
        case = _Case(rso=rso, officer=rso.allocated_officer)
        months = local_policy.arms_review_interval_months(rso.risk_level, rso.management_model)
        interval = (add_months(self.today, months) - self.today).days
        roll = self.rng.random()
        if due_soon:
            latest = self.today - self._days(interval - 25, interval - 5)
        elif roll < OVERDUE_SHARE:
            latest = self.today - self._days(interval + 3, interval + 75)
        else:
            latest = self.today - self._days(10, interval - 20)
        # Most people with a significant change had their assessment reviewed after it.
        recent = [e for e in events if e.occurred_on > latest]
        if recent and not due_soon and self.rng.random() < 0.6:
            occurred = recent[-1].occurred_on
            if occurred + dt.timedelta(days=5) <= self.today - dt.timedelta(days=1):
                latest = occurred + self._days(5, min(27, (self.today - occurred).days - 1))
        if self.rng.random() < EARLIER_ASSESSMENT_SHARE:
            case.approvals.append(latest - self._days(interval - 10, interval + 20))
        case.approvals.append(latest)
        first_plan = case.approvals[0] + self._days(3, 15)
        if self.rng.random() < PLAN_SHARE and first_plan < self.today:
            case.plans.append(first_plan)
            if len(case.approvals) > 1 or self.rng.random() < SECOND_PLAN_SHARE:
                after = max(case.plans[0], case.approvals[-1]) + self._days(3, 30)
                if after < self.today:
                    case.plans.append(after)
        return case

    # --- Writing the history ----------------------------------------------------------------

    def _at(self, day: dt.date) -> dt.datetime:
        naive = dt.datetime.combine(day, dt.time(self.rng.randint(9, 17), self.rng.choice([0, 10, 25, 40, 55])))
        return timezone.make_aware(naive)

    def _ratings_for(self, level: str) -> list[str]:
        high, medium, low = RISK_WEIGHTS[RiskLevel(level)]
        values: list[str] = []
        for factor in self.factors:
            weights = (high, medium, low) if factor.kind == FactorKind.RISK else (low, medium, high)
            values.append(self.rng.choices([Rating.HIGH, Rating.MEDIUM, Rating.LOW], weights=weights)[0])
        return values

    def _priorities(self, values: list[str]) -> tuple[str, str]:
        risk = [v for f, v in zip(self.factors, values, strict=True) if f.kind == FactorKind.RISK]
        protective = [v for f, v in zip(self.factors, values, strict=True) if f.kind == FactorKind.PROTECTIVE]

        def priority(ratings: list[str]) -> str:
            score = sum({Rating.HIGH: 2, Rating.MEDIUM: 1, Rating.LOW: 0}[Rating(v)] for v in ratings) / len(ratings)
            return Priority.HIGH if score >= 1.3 else (Priority.MEDIUM if score >= 0.6 else Priority.LOW)

        return priority(risk), priority(protective)

    def _write_assessments(self, cases: list[_Case], scores: dict[int, list[StaticRiskScore]]) -> None:
        """Write each round of approvals (earlier ones first): open, rated, then approved."""
        rounds = max(len(c.approvals) for c in cases) if cases else 0
        for round_index in range(rounds):
            batch: list[tuple[_Case, dt.date]] = []
            for case in cases:
                # Align on the latest: round 0 holds the earlier assessments of those that have two.
                offset = rounds - len(case.approvals)
                if round_index >= offset:
                    batch.append((case, case.approvals[round_index - offset]))
            self._write_assessment_round(batch, scores)

    def _write_assessment_round(
        self, batch: list[tuple[_Case, dt.date]], scores: dict[int, list[StaticRiskScore]]
    ) -> None:
        rows: list[Assessment] = []
        ratings: list[FactorRating] = []
        stamps: list[dict[str, object]] = []
        values_of: list[list[str]] = []
        for case, approved_on in batch:
            rso = case.rso
            submitted_on = approved_on - self._days(1, 4)
            returned = self.rng.random() < 0.1
            # Returned once: first sent a few days before the submission that was approved.
            first_submitted_on = submitted_on - self._days(3, 5) if returned else submitted_on
            created_on = first_submitted_on - self._days(4, 16)
            interviewed = created_on + self._days(1, 3)
            score = next((s for s in scores.get(rso.pk, []) if s.assessed_on <= submitted_on), None)
            level = rso.risk_level
            values = self._ratings_for(level)
            risk_priority, protective_priority = self._priorities(values)
            method = Method.ARMS if services.arms_applies(rso=rso, on=created_on) else Method.OTHER
            sources = list(self.rng.choice(SOURCE_SETS))
            row = Assessment(
                rso=rso,
                catalogue_id=self.catalogue_id,
                method=method,
                status=Status.SUBMITTED,
                prefilled_from=case.assessments[-1] if case.assessments else None,
                sources=sources,
                sources_notes=self.rng.choice(SOURCE_NOTES),
                interview_dates=[interviewed],
                risk_priority=risk_priority if method == Method.ARMS else "",
                protective_priority=protective_priority if method == Method.ARMS else "",
                static_score=score,
                proposed_risk_level=level,
                level_reason=self.rng.choice(LEVEL_REASONS) if score is not None else NO_SCORE_REASON,
                scenarios=SCENARIOS[RiskLevel(level)],
                created_by=case.officer,
                submitted_by=case.officer,
                version=8 if returned else 5,  # start, sources, summary, submit(, return, edit, submit), approve
            )
            if method == Method.OTHER:
                row.other_assessment = "AIM3 (adolescents) / specialist assessment for women"
                row.other_assessment_reason = "ARMS is validated for adult men only."
                row.other_assessment_summary = "Findings in line with the static band; see the report on file."
            rows.append(row)
            values_of.append(values if method == Method.ARMS else [])
            case.assessments.append(row)
            seen = self.rng.choice(SEEN).format(date=f"{interviewed:%d %B %Y}")
            for factor, value in zip(self.factors, values, strict=True):
                if method != Method.ARMS:
                    break
                action = ""
                if factor.kind == FactorKind.RISK and value != Rating.LOW:
                    action = self.rng.choice(RISK_ACTIONS[factor.code])[2] if factor.code in RISK_ACTIONS else ""
                elif factor.kind == FactorKind.PROTECTIVE and value == Rating.LOW and factor.code in SUPPORT_ACTIONS:
                    action = SUPPORT_ACTIONS[factor.code][1]
                evidence = f"{self.rng.choice(EVIDENCE[factor.code][Rating(value)])} {seen}"
                ratings.append(
                    FactorRating(
                        assessment=row, factor=factor, rating=value, evidence=evidence, action=action, version=2
                    )
                )
            submitted_at = self._at(submitted_on)
            approved_at = self._at(approved_on)
            stamps.append(
                {
                    "created_at": self._at(created_on),
                    "updated_at": approved_at,
                    "submitted_at": submitted_at,
                    "approved_at": approved_at,
                }
            )
            if returned:
                first_submission = self._at(first_submitted_on)
                self._review(row, case.officer, Decision.SUBMITTED, first_submission)
                self._review(
                    row,
                    self.sergeant,
                    Decision.RETURNED,
                    first_submission + dt.timedelta(days=1),
                    self.rng.choice(RETURN_COMMENTS),
                )
            self._review(row, case.officer, Decision.SUBMITTED, submitted_at)
            self._review(row, self.sergeant, Decision.APPROVED, approved_at, "Agreed.")
        Assessment.objects.bulk_create(rows)
        FactorRating.objects.bulk_create(ratings)
        for row, values in zip(rows, values_of, strict=True):
            self.rated[row.pk] = {f.code: v for f, v in zip(self.factors, values, strict=False)}
        # Approved rows cannot change afterwards, so everything is set in the same update.
        for row, stamp in zip(rows, stamps, strict=True):
            for name, stamped in stamp.items():
                setattr(row, name, stamped)
            row.status = Status.APPROVED
            row.approved_by = self.sergeant
            row.previous_risk_level = row.proposed_risk_level
        Assessment.objects.bulk_update(
            rows,
            ["status", "created_at", "updated_at", "submitted_at", "approved_by", "approved_at", "previous_risk_level"],
        )
        self.approved += len(rows)

    def _review(self, row: Assessment | Plan, by: User, decision: str, at: dt.datetime, comments: str = "") -> None:
        self.trail.append((row, by, decision, at, comments))

    def _write_trail(self) -> None:
        """Write the approval trail with its own dates, as fixtures are loaded (``at`` is
        otherwise stamped "now", and the trail is append-only, so it cannot be dated later)."""
        for row, by, decision, at, comments in self.trail:
            review = Review(decision=decision, comments=comments, by=by, at=at)
            if isinstance(row, Assessment):
                review.assessment_id = row.pk
            else:
                review.plan_id = row.pk
            review.save_base(raw=True)

    def _actions_for(self, plan: Plan, assessment: Assessment, officer: User, approved_on: dt.date) -> list[PlanAction]:
        """Choose 3 to 8 actions from the assessment's ratings: control, monitoring and
        intervention for the risk factors rated medium or high, support for the weaker
        protective factors, with owners, due dates and progress so far."""
        rated = self.rated.get(assessment.pk, {})
        by_code = {f.code: f for f in self.factors}
        candidates: list[tuple[Factor, str, str, str]] = []
        for code, options in RISK_ACTIONS.items():
            if rated.get(code, Rating.LOW) != Rating.LOW:
                action_type, agency, text = self.rng.choice(options)
                candidates.append((by_code[code], action_type, agency, text))
        weak = [code for code in SUPPORT_ACTIONS if rated.get(code, Rating.HIGH) != Rating.HIGH]
        for code in self.rng.sample(weak, min(len(weak), 3)):
            candidates.append((by_code[code], ActionType.SUPPORT, *SUPPORT_ACTIONS[code]))
        self.rng.shuffle(candidates)
        # Every plan builds at least one protective factor (domain s.8): a support action
        # goes first, so it survives the cut to 3-8 actions below.
        support = next((c for c in candidates if c[1] == ActionType.SUPPORT), None)
        if support is None:
            code = self.rng.choice(list(SUPPORT_ACTIONS))
            support = (by_code[code], ActionType.SUPPORT, *SUPPORT_ACTIONS[code])
        else:
            candidates.remove(support)
        candidates.insert(0, support)
        while len(candidates) < 3:
            candidates.append(
                (by_code["opportunity"], ActionType.MONITOR, Agency.POLICE, "Home visits at the plan's frequency.")
            )
        chosen = candidates[: self.rng.randint(3, 8)]
        actions = []
        for position, (factor, action_type, agency, text) in enumerate(chosen, start=1):
            due = approved_on + self._days(20, 330)
            if due < self.today:
                status = self.rng.choices(
                    [ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED], weights=(55, 35, 10)
                )[0]
            else:
                status = self.rng.choice([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS])
            owner = (
                f"PC {officer.last_name} (offender manager)"
                if agency == Agency.POLICE
                else self.rng.choice(OWNERS[agency])
            )
            actions.append(
                PlanAction(
                    plan=plan,
                    factor=factor,
                    action_type=action_type,
                    description=text,
                    agency=agency,
                    owner=owner,
                    due_on=due,
                    status=status,
                    shareable=action_type in (ActionType.SUPPORT, ActionType.INTERVENE),
                    position=position,
                )
            )
        return actions

    def _write_plans(self, cases: list[_Case]) -> None:
        """Write each round of plan versions (version 1, then 2): open, with actions, approved."""
        for number in (1, 2):
            batch = [c for c in cases if len(c.plans) >= number]
            rows: list[Plan] = []
            actions: list[PlanAction] = []
            stamps: list[dict[str, object]] = []
            for case in batch:
                approved_on = case.plans[number - 1]
                # It rests on the latest assessment approved before it was submitted.
                submitted_on = approved_on - self._days(1, 2)
                resting = [a for a, day in zip(case.assessments, case.approvals, strict=True) if day <= submitted_on]
                assessment = resting[-1] if resting else case.assessments[0]
                # Opened after what it rests on was approved (the assessment, the previous version).
                moments = [assessment.approved_at, *(p.approved_at for p in case.plan_rows)]
                opened_after = max(m for m in moments if m is not None)
                created_at = max(self._at(submitted_on - self._days(2, 10)), opened_after + dt.timedelta(hours=1))
                previous = case.plan_actions[-1] if case.plan_actions else None
                plan = Plan(
                    rso=case.rso,
                    number=number,
                    assessment=assessment,
                    status=Status.SUBMITTED,
                    visit_interval_months=services.default_visit_interval(case.rso),
                    contingencies=self.rng.choice(CONTINGENCIES),
                    shared_with_person=self.rng.choice(SHARED),
                    change_summary=self.rng.choice(CHANGE_SUMMARIES) if previous is not None else "",
                    created_by=case.officer,
                    submitted_by=case.officer,
                )
                plan_actions = self._actions_for(plan, assessment, case.officer, approved_on)
                if previous is not None:
                    # A new version starts as a copy: the earlier actions, progressed, plus one.
                    plan_actions = [self._copy(a, plan) for a in previous] + plan_actions[:1]
                    for position, action in enumerate(plan_actions, start=1):
                        action.position = position
                plan.version = 1 + len(plan_actions) + 3  # start, each action, the plan's fields, submit, approve
                actions.extend(plan_actions)
                rows.append(plan)
                case.plan_rows.append(plan)
                case.plan_actions.append(plan_actions)
                submitted_at, approved_at = self._at(submitted_on), self._at(approved_on)
                stamps.append(
                    {
                        "created_at": created_at,
                        "updated_at": approved_at,
                        "submitted_at": submitted_at,
                        "approved_at": approved_at,
                    }
                )
                self._review(plan, case.officer, Decision.SUBMITTED, submitted_at)
                self._review(plan, self.sergeant, Decision.APPROVED, approved_at)
            Plan.objects.bulk_create(rows)
            PlanAction.objects.bulk_create(actions)
            for plan, stamp in zip(rows, stamps, strict=True):
                for name, stamped in stamp.items():
                    setattr(plan, name, stamped)
                plan.status = Status.APPROVED
                plan.approved_by = self.sergeant
            Plan.objects.bulk_update(
                rows, ["status", "created_at", "updated_at", "submitted_at", "approved_by", "approved_at"]
            )
            self.plan_versions += len(rows)

    def _copy(self, action: PlanAction, plan: Plan) -> PlanAction:
        status = action.status
        if status != ActionStatus.DONE and self.rng.random() < 0.4:
            status = ActionStatus.DONE
        return PlanAction(
            plan=plan,
            factor=action.factor,
            action_type=action.action_type,
            description=action.description,
            agency=action.agency,
            owner=action.owner,
            due_on=action.due_on,
            status=status,
            shareable=action.shareable,
            position=action.position,
        )

    def _write_review_dates(
        self, rsos: list[RSO], cases: list[_Case], events: dict[int, list[SignificantChangeEvent]]
    ) -> None:
        """Set the RSOs' ARMS dates as ``rso_arms_reviewed`` and ``change_event_record`` do:
        the routine review by the level's interval from the last approval, and the review a
        change opened, unless an assessment submitted after the change considered it."""
        latest = {c.rso.pk: (c.assessments[-1], c.approvals[-1]) for c in cases}
        for rso in rsos:
            considered: dt.date | None = None
            if rso.pk in latest:
                assessment, approved_on = latest[rso.pk]
                assert assessment.submitted_at is not None
                considered = timezone.localdate(assessment.submitted_at)
                months = local_policy.arms_review_interval_months(rso.risk_level, rso.management_model)
                rso.arms_last_approved_on = approved_on
                rso.arms_review_due_on = add_months(approved_on, months)
            still_open = [
                e.review_due_on for e in events.get(rso.pk, []) if considered is None or e.occurred_on > considered
            ]
            rso.arms_change_review_due_on = min(still_open) if still_open else None
        RSO.objects.bulk_update(rsos, ["arms_last_approved_on", "arms_review_due_on", "arms_change_review_due_on"])

    # --- Work in progress, through the services ------------------------------------------------

    def _work_in_progress(
        self,
        submitted: list[RSO],
        returned: list[RSO],
        review_drafts: list[RSO],
        first_drafts: list[RSO],
        plan_submitted: list[_Case],
        plan_drafts: list[_Case],
    ) -> None:
        for rso in submitted + returned:
            assessment = self._reviewed_draft(rso, changes=2)
            officer = rso.allocated_officer
            assert officer is not None
            assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=officer)
            if rso in returned:
                services.assessment_return(
                    assessment=assessment, comments=self.rng.choice(RETURN_COMMENTS), by=self.sergeant
                )
            self.open_items += 1
        for rso in review_drafts:
            self._reviewed_draft(rso, changes=1)
            self.open_items += 1
        for rso in first_drafts:
            officer = rso.allocated_officer
            assert officer is not None
            assessment = services.assessment_start(rso=rso, by=officer)
            assessment = services.assessment_update_sources(
                assessment=assessment,
                sources=[Source.INTERVIEW, Source.CASE_FILES],
                sources_notes="First assessment since he came to the area; interview done, files requested.",
                interview_dates=[self.today - self._days(1, 6)],
                version=assessment.version,
                by=officer,
            )
            for rating, value in zip(
                list(assessment.ratings.select_related("factor"))[:4], self._ratings_for(rso.risk_level), strict=False
            ):
                evidence = self.rng.choice(EVIDENCE[rating.factor.code][Rating(value)])
                services.factor_rating_update(
                    rating=rating, value=value, evidence=evidence, action="", version=rating.version, by=officer
                )
            self.open_items += 1
        for case in plan_submitted:
            plan = services.plan_start(rso=case.rso, by=case.officer)
            plan = services.plan_update(
                plan=plan,
                visit_interval_months=plan.visit_interval_months,
                visit_interval_reason=plan.visit_interval_reason,
                contingencies=plan.contingencies,
                shared_with_person=plan.shared_with_person,
                change_summary=self.rng.choice(CHANGE_SUMMARIES),
                version=plan.version,
                by=case.officer,
            )
            services.plan_submit(plan=plan, version=plan.version, by=case.officer)
            self.open_items += 1
        for case in plan_drafts:
            services.plan_start(rso=case.rso, by=case.officer)
            self.open_items += 1

    def _reviewed_draft(self, rso: RSO, *, changes: int) -> Assessment:
        """Start the routine review of an RSO (prefilled from the last assessment), with a
        new interview and ``changes`` factors seen afresh."""
        officer = rso.allocated_officer
        assert officer is not None
        assessment = services.assessment_start(rso=rso, by=officer)
        assessment = services.assessment_update_sources(
            assessment=assessment,
            sources=assessment.sources,
            sources_notes=assessment.sources_notes,
            interview_dates=[self.today - self._days(1, 5)],
            version=assessment.version,
            by=officer,
        )
        ratings = list(assessment.ratings.select_related("factor"))
        for rating in self.rng.sample(ratings, changes):
            seen = self.rng.choice(SEEN).format(date=f"{assessment.interview_dates[0]:%d %B %Y}")
            services.factor_rating_update(
                rating=rating,
                value=rating.rating,
                evidence=f"{self.rng.choice(EVIDENCE[rating.factor.code][Rating(rating.rating)])} {seen}",
                action=rating.action,
                version=rating.version,
                by=officer,
            )
        assessment.refresh_from_db()
        return assessment
