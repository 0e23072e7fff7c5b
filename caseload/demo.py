"""Demo caseload: a realistic, clearly fictional caseload for each demo officer.

About 40 RSOs per officer with a plausible mix (2% very high, 18% high, 30% medium, 50%
low risk), convictions across the s.82 table, notification histories, civil orders, a few
people of no fixed abode, travelling, in custody or unallocated. Names come from invented
word lists; addresses use the ZZ postcode area, which does not exist. Deterministic
(seeded) and idempotent: a team that already has RSOs is left alone.

The caseload is what a unit manages today, so the deadline engine finds a believable
amount of late work rather than a flood: every notification period is still running (a
case whose period ended would have been closed), one annual notification per officer is
late, and significant changes are recent, most of their 28-day reviews still ahead. In
the first team one officer is over the 20% rule: the sergeant raised a case to high risk
with an override, and a colleague was given a lighter high-risk load, so a rebalancing
within the team exists (the sergeant's cap breach task).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from mosovo.accounts.choices import Role
from mosovo.accounts.models import Team, User

from . import policy
from .choices import (
    AddressType,
    ChangeEventType,
    Disposal,
    LeadAgency,
    NotificationType,
    OrderType,
    ProhibitionKind,
    RiskLevel,
    RSOStatus,
    StaticTool,
    TravelScope,
)
from .models import (
    RSO,
    Address,
    Alias,
    CivilOrder,
    Conviction,
    ForeignTravelNotice,
    NotificationEvent,
    Prohibition,
    SignificantChangeEvent,
    StaticRiskScore,
    Vehicle,
)

PER_OFFICER = 40
# Per 40 cases: 1 very high, 7 high (8 = 20%, the most the rule allows), 12 medium, 20 low.
RISK_MIX = [(RiskLevel.LOW, 20), (RiskLevel.MEDIUM, 12), (RiskLevel.HIGH, 7), (RiskLevel.VERY_HIGH, 1)]
# The first team's cap breach: its last officer carries a lighter high-risk load (5 of
# 40, room for three more), its second officer has a case raised over the rule.
ROOMY_RISK_MIX = [(RiskLevel.LOW, 21), (RiskLevel.MEDIUM, 14), (RiskLevel.HIGH, 4), (RiskLevel.VERY_HIGH, 1)]
CAP_BREACH_OFFICER_INDEX = 1
ROOMY_OFFICER_INDEX = 3
CAP_BREACH_REASON = (
    "Intelligence today of contact with a child: raised to high risk at once. Nobody in the team "
    "has room this week; rebalance the caseloads."
)
# Each officer has one person whose annual notification is late (the case's position in
# the officer's list, varying the risk level), late by a few days to a few weeks.
ANNUAL_LATE_AT = (7, 24, 33, 13)
ANNUAL_LATE_DAYS = (3, 30)
# A notification period still has at least this many days to run (ending soon for a few,
# who show as due soon, so an officer can prepare the end of the case).
PERIOD_LEFT_MIN_DAYS = 20
# Significant changes happened within this many days (the review is due 28 days after).
CHANGE_WITHIN_DAYS = 40

GIVEN = [
    "Arlo",
    "Benedict",
    "Caspian",
    "Dorian",
    "Ellis",
    "Fenwick",
    "Gideon",
    "Hollis",
    "Ivo",
    "Jasper",
    "Kit",
    "Lorcan",
    "Marlow",
    "Nye",
    "Orrin",
    "Piers",
    "Quill",
    "Rafferty",
    "Silas",
    "Tobiah",
    "Ulric",
    "Vaughan",
    "Wystan",
    "Xander",
    "Yardley",
    "Zebedee",
    "Alban",
    "Bramwell",
    "Cosmo",
    "Dashiell",
]
FAMILY = [
    "Ashcombe",
    "Brackwell",
    "Cindervale",
    "Dunmarsh",
    "Eldergate",
    "Fallowfield",
    "Gorsebrook",
    "Harrowmere",
    "Ivybridge-Lowe",
    "Juniperton",
    "Kestrelford",
    "Larkspurr",
    "Mossington",
    "Nettlebank",
    "Orchardleigh",
    "Pennywhistle",
    "Quarrington",
    "Rookwood",
    "Sallowmere",
    "Thistlecombe",
    "Underhay",
    "Vetchley",
    "Wrenfield",
    "Yarrowby",
    "Zennorcott",
    "Amblecote-Fenn",
    "Birchenshaw",
    "Copperthwaite",
    "Dovecote",
    "Emberlane",
]
STREETS = ["Larkspur Close", "Mill Lane", "Orchard Way", "Station Road", "Beacon View", "Kestrel Drive", "Tannery Row"]
TOWNS = ["Eastmere", "Northbridge", "Southcombe", "Wessford", "Dunhallow", "Pellingham"]
STATIONS = ["Eastmere Police Station", "Northbridge Police Station", "Wessford Police Station"]
OFFENCES = [
    "Sexual assault (s.3 SOA 2003)",
    "Making indecent photographs of children (s.1 PCA 1978)",
    "Possession of indecent photographs of children (s.160 CJA 1988)",
    "Sexual activity with a child (s.9 SOA 2003)",
    "Rape (s.1 SOA 2003)",
    "Exposure (s.66 SOA 2003)",
    "Voyeurism (s.67 SOA 2003)",
    "Meeting a child following sexual grooming (s.15 SOA 2003)",
]
# Disposals across the s.82 table: (disposal, custody months, discharge months).
DISPOSALS: list[tuple[str, int | None, int | None]] = [
    (Disposal.CUSTODY, 36, None),  # indefinite
    (Disposal.CUSTODY, 18, None),  # 10 years
    (Disposal.CUSTODY, 4, None),  # 7 years
    (Disposal.OTHER, None, None),  # community order: 5 years
    (Disposal.CAUTION, None, None),  # 2 years
    (Disposal.CONDITIONAL_DISCHARGE, None, 24),  # the length of the discharge
    (Disposal.LIFE, None, None),
    (Disposal.HOSPITAL, None, None),  # 7 years
    (Disposal.CUSTODY, 48, None),
    (Disposal.CUSTODY, 12, None),
]
CHANGE_TYPES = [ChangeEventType.ADDRESS, ChangeEventType.RELATIONSHIP, ChangeEventType.INTELLIGENCE]


def _age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def seed_demo_caseload() -> str:
    """Create the demo caseload for every demo team that has none; return a summary."""
    from .services import rso_recompute

    created = 0
    today = timezone.localdate()
    for team_index, team in enumerate(Team.objects.order_by("pk")):
        if RSO.objects.filter(team=team).exists():
            continue
        officers = list(User.objects.filter(team=team, role=Role.OFFICER, is_active=True).order_by("username"))
        if not officers:
            continue
        rng = random.Random(f"mosovo-demo-{team.pk}-{team.name}")  # noqa: S311 - demo data, not security
        system = User.objects.filter(team=team, role=Role.SERGEANT).first() or officers[0]
        breach_team = team_index == 0 and len(officers) > max(CAP_BREACH_OFFICER_INDEX, ROOMY_OFFICER_INDEX)
        for officer_index, officer in enumerate(officers):
            # Low risk first, so the 20% rule holds after every insert (the database checks it).
            mix = ROOMY_RISK_MIX if breach_team and officer_index == ROOMY_OFFICER_INDEX else RISK_MIX
            plan = [level for level, count in mix for _ in range(count)]
            for n, risk in enumerate(plan):
                number = team.pk * 10000 + officer_index * 100 + n
                # Two high-risk cases of each team wait for allocation (the sergeant's first
                # job in the demo: the cap preview shows who can take them).
                officer_for_case = None if (officer_index == 0 and n >= len(plan) - 2) else officer
                late = n == ANNUAL_LATE_AT[officer_index % len(ANNUAL_LATE_AT)]
                rso = _make_rso(rng, team, officer_for_case, risk, number, today, system, annual_late=late)
                rso_recompute(rso=rso)
                created += 1
        if breach_team and system.role == Role.SERGEANT:
            _raise_over_the_rule(officers[CAP_BREACH_OFFICER_INDEX], system)
    return f"{created} demo RSOs created" if created else "demo caseload already present"


def _raise_over_the_rule(officer: User, sergeant: User) -> None:
    """Raise one of the officer's medium-risk cases to high risk with the sergeant's override
    (through the service, so the override, the audit and the cap breach are as in life)."""
    from .services import rso_change_risk_level

    rso = (
        RSO.objects.filter(allocated_officer=officer, risk_level=RiskLevel.MEDIUM, status=RSOStatus.IN_COMMUNITY)
        .order_by("pk")
        .first()
    )
    if rso is None:
        return
    rso_change_risk_level(
        rso=rso,
        risk_level=RiskLevel.HIGH,
        reason="Intelligence of unsupervised contact with a child at a family address.",
        by=sergeant,
        override_reason=CAP_BREACH_REASON,
    )


def _make_rso(
    rng: random.Random,
    team: Team,
    officer: User | None,
    risk: str,
    number: int,
    today: dt.date,
    by: User,
    *,
    annual_late: bool = False,
) -> RSO:
    born = dt.date(rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28))
    no_fixed_abode = number % 37 == 5
    in_custody = number % 29 == 3
    rso = RSO.objects.create(
        family_name=rng.choice(FAMILY),
        given_names=f"{rng.choice(GIVEN)} {rng.choice(GIVEN)}",
        date_of_birth=born,
        visor_reference=f"VS-DEMO-{number:06d}",
        pnc_id=f"DEMO/{number:06d}Z",
        team=team,
        allocated_officer=officer,
        risk_level=risk,
        status=RSOStatus.IN_CUSTODY if in_custody else RSOStatus.IN_COMMUNITY,
        mappa_category=1,
        mappa_level=3 if risk == RiskLevel.VERY_HIGH else (2 if risk == RiskLevel.HIGH and number % 3 == 0 else 1),
        lead_agency=LeadAgency.PROBATION if number % 4 == 0 else LeadAgency.POLICE,
        child_household=number % 11 == 0,
        summary="Fictional demonstration record. Any resemblance to a real person is coincidence.",
    )
    if number % 5 == 0:
        Alias.objects.create(rso=rso, name=f"{rng.choice(GIVEN)} {rso.family_name}", notes="Used online")
    moved_in = today - dt.timedelta(days=rng.randint(60, 2000))
    if no_fixed_abode:
        Address.objects.create(
            rso=rso,
            address_type=AddressType.REGULARLY_FOUND,
            line1="Doorway, rear of the library",
            town=rng.choice(TOWNS),
            from_date=moved_in,
        )
        rso.no_fixed_abode = True
        RSO.objects.filter(pk=rso.pk).update(no_fixed_abode=True)
    else:
        Address.objects.create(
            rso=rso,
            line1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            town=rng.choice(TOWNS),
            postcode=f"ZZ{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
            from_date=moved_in,
        )
    if number % 6 == 0:
        Vehicle.objects.create(
            rso=rso,
            registration=f"ZZ{rng.randint(10, 99)}{rng.choice('ABC')}{rng.choice('DEF')}{rng.choice('GHJ')}",
            make=rng.choice(["Vauxhall", "Ford", "Toyota", "Skoda"]),
            colour=rng.choice(["Blue", "Silver", "Black", "Red"]),
        )
    disposal, custody, discharge = DISPOSALS[number % len(DISPOSALS)]
    relevant = today - dt.timedelta(days=rng.randint(400, 9000))
    if disposal in (Disposal.CAUTION, Disposal.CONDITIONAL_DISCHARGE):
        relevant = today - dt.timedelta(days=rng.randint(100, 600))  # short periods: keep them running
    age = _age_on(born, relevant)
    if age < 10:
        relevant = born.replace(year=born.year + 20)
        age = 20
    relevant = _period_still_running(rng, born, relevant, disposal, custody, discharge, today)
    age = _age_on(born, relevant)
    Conviction.objects.create(
        rso=rso,
        offence=rng.choice(OFFENCES),
        relevant_date=relevant,
        court=f"{rng.choice(TOWNS)} {'Crown' if custody else 'Magistrates'}' Court",
        disposal=disposal,
        custody_months=custody,
        discharge_months=discharge,
        age_on_relevant_date=age,
    )
    _notification_history(rng, rso, relevant, today, by, overdue=annual_late, weekly=no_fixed_abode)
    StaticRiskScore.objects.create(
        rso=rso,
        tool=StaticTool.OSP_C,
        score=round(rng.uniform(0.5, 9.5), 2),
        band=risk,  # the demo's OSP/C band agrees with the level (OSP/C has all four bands)
        assessed_on=today - dt.timedelta(days=rng.randint(30, 700)),
    )
    if number % 7 == 0 or (risk in (RiskLevel.HIGH, RiskLevel.VERY_HIGH) and number % 2 == 0):
        _order(rng, rso, today)
    if number % 13 == 0:
        departs = timezone.now() + dt.timedelta(days=rng.randint(5, 40))
        ForeignTravelNotice.objects.create(
            rso=rso,
            notified_at=timezone.now() - dt.timedelta(days=1),
            departs_at=departs,
            returns_on=(departs + dt.timedelta(days=10)).date(),
            destinations=rng.choice(["Spain", "France", "Portugal", "Ireland"]),
            carrier="Fictional Air",
            accommodation="Hotel (details on file)",
            timeliness="ON_TIME",
            recorded_by=by,
        )
    if number % 9 == 0:
        occurred = today - dt.timedelta(days=rng.randint(1, CHANGE_WITHIN_DAYS))
        SignificantChangeEvent.objects.create(
            rso=rso,
            event_type=rng.choice(
                [ChangeEventType.ADDRESS, ChangeEventType.RELATIONSHIP, ChangeEventType.INTELLIGENCE]
            ),
            occurred_on=occurred,
            source="Offender manager",
            note="Fictional demonstration event.",
            review_due_on=occurred + dt.timedelta(days=28),
            recorded_by=by,
        )
    return rso


def _period_still_running(
    rng: random.Random,
    born: dt.date,
    relevant: dt.date,
    disposal: str,
    custody: int | None,
    discharge: int | None,
    today: dt.date,
) -> dt.date:
    """Return ``relevant``, or a later relevant date if the period would already have ended.

    A person whose notification period has ended is no longer managed: their case is
    closed. So the demo's open cases all have a period still running.
    """

    def ends_on(on: dt.date) -> dt.date | None:
        facts = policy.ConvictionFacts(
            relevant_date=on,
            disposal=Disposal(disposal),
            custody_months=custody,
            discharge_months=discharge,
            age_on_relevant_date=_age_on(born, on),
        )
        return policy.notification_ends_on(facts)

    end = ends_on(relevant)
    if end is None:
        # Indefinite: keep the first chance to seek a review (15 years from the first
        # notification, 8 for the under 18s, s.91B) in the future.
        limit = 2800 if _age_on(born, relevant) < 18 else 5000
        if (today - relevant).days <= limit:
            return relevant
        return today - dt.timedelta(days=rng.randint(400, limit))
    if end >= today + dt.timedelta(days=PERIOD_LEFT_MIN_DAYS):
        return relevant
    # Started more recently: between 100 days ago and PERIOD_LEFT_MIN_DAYS before it ends.
    length = (end - relevant).days
    latest_start = min(100, length - PERIOD_LEFT_MIN_DAYS)
    moved = today - dt.timedelta(days=rng.randint(latest_start, max(latest_start, length - PERIOD_LEFT_MIN_DAYS)))
    # Months differ in length: a day or two later may be needed.
    while (moved_end := ends_on(moved)) is not None and moved_end < today + dt.timedelta(days=PERIOD_LEFT_MIN_DAYS):
        moved += dt.timedelta(days=1)
    return moved


def _notification_history(
    rng: random.Random, rso: RSO, relevant: dt.date, today: dt.date, by: User, *, overdue: bool, weekly: bool
) -> None:
    # Work back from the latest annual notification: within the last year for most people,
    # a year and a few days or weeks ago (so now late) for the one per officer chosen.
    late_by = rng.randint(*ANNUAL_LATE_DAYS)
    latest = today - dt.timedelta(days=366 + late_by if overdue else rng.randint(5, 300))
    annual_dates: list[dt.date] = []
    when = latest
    while when > relevant + dt.timedelta(days=30):
        annual_dates.append(when)
        when -= dt.timedelta(days=rng.randint(340, 364))
    initial = relevant + dt.timedelta(days=rng.randint(0, 2))
    events = [_notification(rng, rso, NotificationType.INITIAL, initial, relevant, by)]
    events += [_notification(rng, rso, NotificationType.ANNUAL, on, None, by) for on in reversed(annual_dates)]
    if weekly:
        for days_ago in (20, 13, 6):
            on = today - dt.timedelta(days=days_ago)
            events.append(_notification(rng, rso, NotificationType.WEEKLY_NO_FIXED_ABODE, on, None, by))
    NotificationEvent.objects.bulk_create(events)


def _notification(
    rng: random.Random, rso: RSO, kind: str, on: dt.date, trigger: dt.date | None, by: User
) -> NotificationEvent:
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(rng.randint(9, 16), rng.choice([0, 15, 30, 45]))))
    return NotificationEvent(
        rso=rso,
        notification_type=kind,
        occurred_at=at,
        police_station=rng.choice(STATIONS),
        trigger_date=trigger,
        details_changed="",
        due_on=(trigger + dt.timedelta(days=2)) if trigger else None,
        in_time=True,
        recorded_by=by,
    )


def _order(rng: random.Random, rso: RSO, today: dt.date) -> None:
    made = today - dt.timedelta(days=rng.randint(100, 1500))
    order = CivilOrder.objects.create(rso=rso, order_type=OrderType.SHPO, court="Wessford Crown Court", made_on=made)
    Prohibition.objects.create(
        order=order,
        text="Not to have unsupervised contact with any child under 16 other than incidental contact.",
        starts_on=made,
        ends_on=None,
    )
    if rng.random() < 0.3:
        Prohibition.objects.create(
            order=order,
            kind=ProhibitionKind.FOREIGN_TRAVEL,
            text="Not to travel to the countries named.",
            starts_on=made,
            ends_on=made + dt.timedelta(days=365 * 5 - 1),
            travel_scope=TravelScope.NAMED_COUNTRIES,
            countries="Thailand, Cambodia, Philippines",
        )
