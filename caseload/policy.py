"""The notification law as code: pure, typed functions over dates (``../shared/domain.md`` s.4).

Nothing here touches the database, the clock or the network: callers pass ``today`` and
every other date in, so each rule can be tested on its own and read beside the statute.

Counting rule (used throughout)
-------------------------------
The Sexual Offences Act 2003 (SOA) writes its periods as "the period of N days beginning
with" a date. A period *beginning with* D counts D itself as day 1:

* a period of N days beginning with D ends on D + (N - 1) days (3 days beginning with
  Monday ends on Wednesday);
* a period of M months (or years) beginning with D ends on the day before the date that
  corresponds to D, M months later (1 year beginning with 15 March 2024 ends on
  14 March 2025). Where that later month has no corresponding date (31 August + 6 months,
  29 February + 1 year), the period ends on the last day of that month: 6 months
  beginning with 31 August 2023 end on 29 February 2024, and 2 years beginning with
  29 February 2020 end on 28 February 2022.

``add_months`` does the month arithmetic (clamping to the month's end) and
``period_end_months`` / ``period_end_days`` apply the rule; every period below goes
through them. A date "after the end of" a period (the qualifying dates of s.91B) is the
period's last day + 1.

The s.82 table (notification period, running from the relevant date)
---------------------------------------------------------------------
=========================================================  ==============  ==================
Disposal                                                   Adult           Under 18 on the
                                                                           relevant date
=========================================================  ==============  ==================
Life, IPP, custody of 30 months or more, hospital order    indefinite      indefinite
with a restriction order
Custody of more than 6 and less than 30 months             10 years        5 years
Custody of 6 months or less; hospital order without        7 years         3 years 6 months
restriction
Caution                                                    2 years         1 year
Conditional discharge                                      the discharge   the discharge
Any other disposal (community order, fine, ...)            5 years         2 years 6 months
=========================================================  ==============  ==================

Where several convictions count, the one whose period ends last governs, and an
indefinite period governs over any fixed one.

Local policy that is not law (the 20% high-risk cap, visit intervals, warning windows)
lives elsewhere; only statutory numbers are here.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from caseload.choices import (
    REVIEW_BLOCKING_ORDERS,
    Disposal,
    OrderType,
    ProhibitionKind,
    TravelScope,
    TravelTimeliness,
)

# ---------------------------------------------------------------------------------------
# Policy numbers. Each is the law's number; the comment names the provision.
# ---------------------------------------------------------------------------------------

ADULT_AGE: Final = 18  # SOA 2003 s.82(2): the shorter periods apply if under 18 on the relevant date
INDEFINITE_CUSTODY_MONTHS: Final = 30  # SOA 2003 s.82(1) table: custody of 30 months or more
SHORT_CUSTODY_MAX_MONTHS: Final = 6  # SOA 2003 s.82(1) table: custody of 6 months or less
MEDIUM_CUSTODY_PERIOD_MONTHS: Final = 120  # SOA 2003 s.82(1) table: 10 years
SHORT_CUSTODY_PERIOD_MONTHS: Final = 84  # SOA 2003 s.82(1) table: 7 years (also hospital order, no restriction)
CAUTION_PERIOD_MONTHS: Final = 24  # SOA 2003 s.82(1) table: 2 years
OTHER_DISPOSAL_PERIOD_MONTHS: Final = 60  # SOA 2003 s.82(1) table: 5 years
UNDER_18_DIVISOR: Final = 2  # SOA 2003 s.82(2): the starred periods are halved for under-18s

INITIAL_NOTIFICATION_DAYS: Final = 3  # SOA 2003 s.83(1): 3 days beginning with the relevant date
CHANGE_NOTIFICATION_DAYS: Final = 3  # SOA 2003 s.84(1): 3 days beginning with the change
ANNUAL_NOTIFICATION_MONTHS: Final = 12  # SOA 2003 s.85(1), (5)(b): the period of one year
WEEKLY_NOTIFICATION_DAYS: Final = 7  # SOA 2003 s.85(5)(a), (6) and SI 2012/1876: no sole or main residence
PERIODIC_RESUME_DAYS: Final = 3  # SOA 2003 s.85(3): 3 days beginning when custody/absence ends

TRAVEL_NOTICE_DAYS: Final = 7  # Travel Notification Requirements Regs 2004 (SI 2004/1220) as amended 2012
TRAVEL_MIN_NOTICE_HOURS: Final = 12  # ditto: later notice, where 7 days was not reasonably practicable

REVIEW_QUALIFYING_MONTHS_ADULT: Final = 180  # SOA 2003 s.91B(2)(a): 15 years from the relevant notification
REVIEW_QUALIFYING_MONTHS_UNDER_18: Final = 96  # SOA 2003 s.91B(2)(b): 8 years
REVIEW_FURTHER_QUALIFYING_MONTHS: Final = 96  # SOA 2003 s.91B(3): 8 years from a decision to continue
REVIEW_DECISION_WEEKS: Final = 12  # s.91F guidance (force practice, domain s.4.3): decide within 12 weeks

SHPO_PROHIBITION_MIN_MONTHS: Final = 60  # SOA 2003 s.103C(2): at least 5 years, or until further order
SRO_PROHIBITION_MIN_MONTHS: Final = 24  # SOA 2003 s.122A(7): at least 2 years, or until further order
FOREIGN_TRAVEL_PROHIBITION_MAX_MONTHS: Final = 60  # SOA 2003 s.103D(1) (SHPO), s.122C(1) (SRO): at most 5 years

LONDON: Final = ZoneInfo("Europe/London")

# s.82(1) table: disposals whose period is indefinite at any age.
INDEFINITE_DISPOSALS: Final = frozenset({Disposal.LIFE, Disposal.IPP, Disposal.HOSPITAL_RESTRICTED})
INTERIM_ORDERS: Final = frozenset({OrderType.INTERIM_SHPO, OrderType.INTERIM_SRO})
# Orders made under repealed provisions: recorded as made, so only their dates are checked.
LEGACY_ORDERS: Final = frozenset({OrderType.SOPO, OrderType.FTO, OrderType.RSHO})

_ORDER_RANK: Final = {order: rank for rank, order in enumerate(OrderType)}


# ---------------------------------------------------------------------------------------
# Counting periods
# ---------------------------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """Return the same day ``months`` later (or earlier), clamped to the end of a short month."""
    index = d.year * 12 + (d.month - 1) + months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def period_end_days(start: date, days: int) -> date:
    """Return the last day of a period of ``days`` days beginning with ``start``."""
    if days < 1:
        raise ValueError("A period must last at least 1 day")
    return start + timedelta(days=days - 1)


def period_end_months(start: date, months: int) -> date:
    """Return the last day of a period of ``months`` months beginning with ``start``.

    The day before the corresponding date ``months`` later; where that month has no
    corresponding date, the last day of that month.
    """
    if months < 1:
        raise ValueError("A period must last at least 1 month")
    corresponding = add_months(start, months)
    if corresponding.day < start.day:
        # Clamped: no corresponding date, so the period runs to the end of the month.
        return corresponding
    return corresponding - timedelta(days=1)


def day_after_period_months(start: date, months: int) -> date:
    """Return the day after a period of ``months`` months beginning with ``start`` ends."""
    return period_end_months(start, months) + timedelta(days=1)


# ---------------------------------------------------------------------------------------
# Notification period (s.82)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationPeriod:
    """A notification period in whole months; ``months=None`` is indefinite."""

    months: int | None

    def __post_init__(self) -> None:
        if self.months is not None and self.months < 1:
            raise ValueError("A notification period must be at least 1 month")

    @property
    def indefinite(self) -> bool:
        """Whether the period has no end."""
        return self.months is None

    @property
    def label(self) -> str:
        """Return the period in words: "indefinite", "10 years", "3 years 6 months"."""
        if self.months is None:
            return "indefinite"
        years, months = divmod(self.months, 12)
        parts = []
        if years:
            parts.append(f"{years} year" if years == 1 else f"{years} years")
        if months:
            parts.append(f"{months} month" if months == 1 else f"{months} months")
        return " ".join(parts)

    def ends_on(self, relevant_date: date) -> date | None:
        """Return the last day of the period beginning with ``relevant_date`` (None if indefinite)."""
        if self.months is None:
            return None
        return period_end_months(relevant_date, self.months)

    def __str__(self) -> str:
        return self.label


INDEFINITE: Final = NotificationPeriod(months=None)


@dataclass(frozen=True, kw_only=True)
class ConvictionFacts:
    """What the period turns on: the relevant date (s.82(6)), the disposal and the age then."""

    relevant_date: date
    disposal: Disposal
    custody_months: int | None = None
    discharge_months: int | None = None
    age_on_relevant_date: int

    @property
    def under_18(self) -> bool:
        """Whether the person was under 18 on the relevant date (s.82(2))."""
        return self.age_on_relevant_date < ADULT_AGE


class InvalidFacts(ValueError):
    """Facts that the s.82 table cannot be applied to; ``errors`` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(errors.values()))


def _as_disposal(value: object) -> Disposal | None:
    if not isinstance(value, str):
        return None
    try:
        return Disposal(value)
    except ValueError:
        return None


def _fact_errors(facts: ConvictionFacts) -> dict[str, str]:
    """Return what stops the table applying to ``facts`` (all but the date check)."""
    errors: dict[str, str] = {}
    if not 0 <= facts.age_on_relevant_date <= 120:
        errors["age_on_relevant_date"] = "The age on the relevant date must be between 0 and 120"
    disposal = _as_disposal(facts.disposal)
    if disposal is None:
        errors["disposal"] = "Select a disposal from the list"
        return errors
    if disposal == Disposal.CUSTODY:
        if facts.custody_months is None:
            errors["custody_months"] = "Enter the custody length in months"
        elif facts.custody_months <= 0:
            errors["custody_months"] = "The custody length must be more than 0 months"
    elif facts.custody_months is not None:
        errors["custody_months"] = "Only a custody sentence has a custody length"
    if disposal == Disposal.CONDITIONAL_DISCHARGE:
        if facts.discharge_months is None:
            errors["discharge_months"] = "Enter the length of the conditional discharge in months"
        elif facts.discharge_months <= 0:
            errors["discharge_months"] = "The discharge length must be more than 0 months"
    elif facts.discharge_months is not None:
        errors["discharge_months"] = "Only a conditional discharge has a discharge length"
    return errors


def validate_conviction(facts: ConvictionFacts, *, today: date) -> dict[str, str]:
    """Return field name -> plain English message for each problem; empty when valid."""
    errors: dict[str, str] = {}
    if facts.relevant_date > today:
        errors["relevant_date"] = "The relevant date cannot be in the future"
    errors.update(_fact_errors(facts))
    return errors


def notification_period(facts: ConvictionFacts) -> NotificationPeriod:
    """Return the s.82 notification period; raise ``InvalidFacts`` (a ValueError) on bad facts."""
    errors = _fact_errors(facts)
    if errors:
        raise InvalidFacts(errors)
    disposal = Disposal(facts.disposal)
    if disposal in INDEFINITE_DISPOSALS:
        return INDEFINITE
    if disposal == Disposal.CONDITIONAL_DISCHARGE:
        assert facts.discharge_months is not None  # checked by _fact_errors
        return NotificationPeriod(months=facts.discharge_months)  # s.82(1): the same at any age
    if disposal == Disposal.CUSTODY:
        assert facts.custody_months is not None  # checked by _fact_errors
        if facts.custody_months >= INDEFINITE_CUSTODY_MONTHS:
            return INDEFINITE
        if facts.custody_months > SHORT_CUSTODY_MAX_MONTHS:
            adult_months = MEDIUM_CUSTODY_PERIOD_MONTHS
        else:
            adult_months = SHORT_CUSTODY_PERIOD_MONTHS
    elif disposal == Disposal.HOSPITAL:
        adult_months = SHORT_CUSTODY_PERIOD_MONTHS
    elif disposal == Disposal.CAUTION:
        adult_months = CAUTION_PERIOD_MONTHS
    else:
        adult_months = OTHER_DISPOSAL_PERIOD_MONTHS
    if facts.under_18:
        return NotificationPeriod(months=adult_months // UNDER_18_DIVISOR)
    return NotificationPeriod(months=adult_months)


def notification_ends_on(facts: ConvictionFacts) -> date | None:
    """Return the last day of the notification period (None when indefinite)."""
    return notification_period(facts).ends_on(facts.relevant_date)


@dataclass(frozen=True)
class GoverningPeriod:
    """The conviction whose notification period runs longest, and when it ends."""

    facts: ConvictionFacts
    period: NotificationPeriod
    ends_on: date | None

    @property
    def indefinite(self) -> bool:
        """Whether the governing period has no end."""
        return self.ends_on is None


def governing_period(facts_list: Iterable[ConvictionFacts]) -> GoverningPeriod:
    """Return the governing conviction: indefinite beats any date, else the latest end date.

    On a tie the conviction listed first governs. Raises ValueError for no convictions.
    """
    best: GoverningPeriod | None = None
    for facts in facts_list:
        period = notification_period(facts)
        candidate = GoverningPeriod(facts=facts, period=period, ends_on=period.ends_on(facts.relevant_date))
        if best is None or _runs_longer(candidate.ends_on, best.ends_on):
            best = candidate
    if best is None:
        raise ValueError("At least one conviction is needed to work out the notification period")
    return best


def _runs_longer(candidate: date | None, current: date | None) -> bool:
    if current is None:
        return False
    return candidate is None or candidate > current


def governing_end(facts_list: Iterable[ConvictionFacts]) -> date | None:
    """Return the end of the governing notification period (None when indefinite)."""
    return governing_period(facts_list).ends_on


# ---------------------------------------------------------------------------------------
# Duties and deadlines (domain s.4.2)
# ---------------------------------------------------------------------------------------


def initial_notification_due(trigger: date) -> date:
    """Return the last day for the initial notification (3 days beginning with the trigger)."""
    return period_end_days(trigger, INITIAL_NOTIFICATION_DAYS)


def change_notification_due(trigger: date) -> date:
    """Return the last day to notify a change (3 days beginning with the change)."""
    return period_end_days(trigger, CHANGE_NOTIFICATION_DAYS)


def annual_notification_due(last_notification: date) -> date:
    """Return the last day for the annual notification (one year beginning with the last one).

    s.85(1) says "within the period of one year after" the last notification, which read
    strictly would allow the anniversary itself; counting the day of the last notification
    as day 1 puts the deadline one day earlier, the cautious side for a reminder.
    """
    return period_end_months(last_notification, ANNUAL_NOTIFICATION_MONTHS)


def weekly_notification_due(last_notification: date) -> date:
    """Return the last day for the weekly notification (7 days beginning with the last one).

    Counted like the annual notification: see ``annual_notification_due``.
    """
    return period_end_days(last_notification, WEEKLY_NOTIFICATION_DAYS)


DateRange = tuple[date, date]


def _merge_ranges(ranges: Iterable[DateRange]) -> list[DateRange]:
    """Return inclusive day ranges sorted, with overlapping and touching ranges joined."""
    ordered = sorted(ranges)
    merged: list[DateRange] = []
    for first, last in ordered:
        if last < first:
            raise ValueError("An absence cannot end before it starts")
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _days_within(ranges: Sequence[DateRange], first: date, last: date) -> int:
    total = 0
    for start, end in ranges:
        overlap = (min(end, last) - max(start, first)).days + 1
        total += max(0, overlap)
    return total


def extend_for_absence(due: date, *, start: date, absences: Sequence[DateRange]) -> date:
    """Return ``due`` moved later by the days from ``start`` spent in custody, hospital or abroad.

    SOA 2003 s.83(6), applied to changes by s.84(5): such time is disregarded in counting
    the period. ``absences`` are inclusive (first day, last day) ranges; overlapping ranges
    count once, and an absence reached only after the due date has moved counts too, so
    the result is the day on which the period's days at liberty in the UK are used up.
    """
    if due < start:
        raise ValueError("The due date cannot be before the start of the period")
    merged = _merge_ranges(absences)
    current = due
    while True:
        moved = due + timedelta(days=_days_within(merged, start, current))
        if moved == current:
            return current
        current = moved


def extend_periodic_for_absence(due: date, *, absences: Sequence[DateRange]) -> date:
    """Return the annual or weekly due date after SOA 2003 s.85(3).

    A periodic period that would end while the person is in custody, in hospital or
    abroad continues until the end of 3 days beginning with the first day they are back.
    An absence that is over by the due date changes nothing (unlike ``extend_for_absence``).
    """
    for first, last in _merge_ranges(absences):
        if first <= due <= last:
            return period_end_days(last + timedelta(days=1), PERIODIC_RESUME_DAYS)
    return due


# ---------------------------------------------------------------------------------------
# Foreign travel (domain s.4.2)
# ---------------------------------------------------------------------------------------


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def london_date(value: datetime) -> date:
    """Return the calendar date in England and Wales of an aware datetime."""
    _require_aware(value, "The datetime")
    return value.astimezone(LONDON).date()


def travel_timeliness(*, notified_at: datetime, departs_at: datetime, late_reason: str = "") -> TravelTimeliness:
    """Classify a travel notice: on time (7 days by date), late with or without a reason, too late.

    On time means notified on or before the date 7 days before the departure date, both
    dates as in London. Otherwise notice of at least 12 real hours (measured in UTC, so
    across a clock change too) is late; less, or after departure, is too late.
    """
    _require_aware(notified_at, "notified_at")
    _require_aware(departs_at, "departs_at")
    if london_date(notified_at) <= london_date(departs_at) - timedelta(days=TRAVEL_NOTICE_DAYS):
        return TravelTimeliness.ON_TIME
    # Subtracting datetimes that share a tzinfo ignores the offset, so compare in UTC.
    notice = departs_at.astimezone(UTC) - notified_at.astimezone(UTC)
    if notice >= timedelta(hours=TRAVEL_MIN_NOTICE_HOURS):
        if late_reason.strip():
            return TravelTimeliness.LATE_WITH_REASON
        return TravelTimeliness.LATE_NO_REASON
    return TravelTimeliness.TOO_LATE


def validate_travel(
    *, notified_at: datetime, departs_at: datetime, returns_on: date | None, late_reason: str
) -> dict[str, str]:
    """Return field name -> message for a travel notification; empty when it can be recorded.

    Notice that came too late (under 12 hours) is recordable: it is a fact to act on, not
    a typing mistake.
    """
    _require_aware(notified_at, "notified_at")
    _require_aware(departs_at, "departs_at")
    errors: dict[str, str] = {}
    if returns_on is not None and returns_on < london_date(departs_at):
        errors["returns_on"] = "The return date cannot be before the departure date"
    if notified_at.astimezone(UTC) > departs_at.astimezone(UTC):
        errors["notified_at"] = "The notice cannot be given after departure"
        return errors
    timeliness = travel_timeliness(notified_at=notified_at, departs_at=departs_at, late_reason=late_reason)
    if timeliness == TravelTimeliness.LATE_NO_REASON:
        errors["late_reason"] = "Notice less than 7 days before departure needs a reason"
    return errors


# ---------------------------------------------------------------------------------------
# Review of indefinite notification (s.91A-F)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewStatus:
    """Whether a review of indefinite notification can be applied for today, and why not."""

    eligible: bool
    blocked_by: OrderType | None
    eligible_on: date


def indefinite_review_eligible_on(*, first_notification_after_release: date, under_18_on_relevant_date: bool) -> date:
    """Return the qualifying date: the day after 15 years (8 if under 18) beginning with the notification."""
    months = REVIEW_QUALIFYING_MONTHS_UNDER_18 if under_18_on_relevant_date else REVIEW_QUALIFYING_MONTHS_ADULT
    return day_after_period_months(first_notification_after_release, months)


def indefinite_review_status(*, eligible_on: date, today: date, orders_in_force: Iterable[OrderType]) -> ReviewStatus:
    """Return whether an application may be made today; an SHPO, interim SHPO or SOPO blocks it."""
    in_force = {OrderType(order) for order in orders_in_force}
    blocking = sorted(in_force & REVIEW_BLOCKING_ORDERS, key=_ORDER_RANK.__getitem__)
    blocked_by = blocking[0] if blocking else None
    return ReviewStatus(
        eligible=today >= eligible_on and blocked_by is None, blocked_by=blocked_by, eligible_on=eligible_on
    )


def review_decision_due(application_received_on: date) -> date:
    """Return the last day for the decision: 12 weeks beginning with the day the application arrived."""
    return period_end_days(application_received_on, REVIEW_DECISION_WEEKS * 7)


def next_review_after_continue(decided_on: date) -> date:
    """Return the further qualifying date: the day after 8 years beginning with the decision."""
    return day_after_period_months(decided_on, REVIEW_FURTHER_QUALIFYING_MONTHS)


# ---------------------------------------------------------------------------------------
# Civil orders (domain s.4.4)
# ---------------------------------------------------------------------------------------


def validate_prohibition(
    *,
    order_type: OrderType,
    kind: ProhibitionKind,
    starts_on: date,
    ends_on: date | None,
    travel_scope: TravelScope | None = None,
    passports_surrendered: bool = False,
) -> dict[str, str]:
    """Return field name -> message for one prohibition of an order; ``ends_on=None`` is "until further order".

    SHPO (s.103C-D): a prohibition runs at least 5 years or until further order; a foreign
    travel prohibition has a fixed end at most 5 years on, names its scope, and a ban on
    all countries requires the passports surrendered. SRO (s.122A, s.122C): at least 2
    years or until further order, with the same foreign travel rules. Interim and legacy
    orders are checked only for an end date on or after the start.
    """
    errors: dict[str, str] = {}
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date cannot be before the start date"
    if order_type == OrderType.NOTIFICATION_ORDER:
        errors["order_type"] = "A notification order has no prohibitions"
        return errors
    if kind == ProhibitionKind.GENERAL and travel_scope is not None:
        errors["travel_scope"] = "Only a foreign travel prohibition covers countries"
    if order_type in INTERIM_ORDERS or order_type in LEGACY_ORDERS:
        return errors
    if kind == ProhibitionKind.FOREIGN_TRAVEL:
        errors.update(_foreign_travel_errors(starts_on, ends_on, travel_scope, passports_surrendered))
        return errors
    if "ends_on" in errors or ends_on is None:
        return errors
    if order_type == OrderType.SHPO and ends_on < period_end_months(starts_on, SHPO_PROHIBITION_MIN_MONTHS):
        errors["ends_on"] = (
            "A prohibition in a sexual harm prevention order must last at least 5 years, or until further order"
        )
    if order_type == OrderType.SRO and ends_on < period_end_months(starts_on, SRO_PROHIBITION_MIN_MONTHS):
        errors["ends_on"] = "A prohibition in a sexual risk order must last at least 2 years, or until further order"
    return errors


def _foreign_travel_errors(
    starts_on: date, ends_on: date | None, travel_scope: TravelScope | None, passports_surrendered: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if ends_on is None:
        errors["ends_on"] = "A foreign travel prohibition must have an end date: it can last at most 5 years at a time"
    elif starts_on <= ends_on and ends_on > period_end_months(starts_on, FOREIGN_TRAVEL_PROHIBITION_MAX_MONTHS):
        errors["ends_on"] = "A foreign travel prohibition can last at most 5 years at a time"
    if travel_scope is None:
        errors["travel_scope"] = "Select which countries the foreign travel prohibition covers"
    elif travel_scope == TravelScope.ALL_COUNTRIES and not passports_surrendered:
        errors["passports_surrendered"] = "A ban on travel to all countries needs the person's passports surrendered"
    return errors
