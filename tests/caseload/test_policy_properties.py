"""Properties of the notification law (``caseload.policy``) that hold for every input.

Hypothesis draws dates, disposals and absences; each test states one invariant that the
worked examples in ``test_policy.py`` only sample.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from caseload.choices import Disposal
from caseload.policy import (
    ConvictionFacts,
    NotificationPeriod,
    add_months,
    annual_notification_due,
    extend_for_absence,
    indefinite_review_eligible_on,
    notification_ends_on,
    notification_period,
    period_end_months,
    travel_timeliness,
    weekly_notification_due,
)

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
MONTHS = st.integers(min_value=-1200, max_value=1200)
LONDON = ZoneInfo("Europe/London")


@st.composite
def valid_facts(draw: st.DrawFn) -> ConvictionFacts:
    disposal = draw(st.sampled_from(list(Disposal)))
    return ConvictionFacts(
        relevant_date=draw(DATES),
        disposal=disposal,
        custody_months=draw(st.integers(1, 600)) if disposal == Disposal.CUSTODY else None,
        discharge_months=draw(st.integers(1, 36)) if disposal == Disposal.CONDITIONAL_DISCHARGE else None,
        age_on_relevant_date=draw(st.integers(0, 120)),
    )


def length(period: NotificationPeriod) -> float:
    """Order periods by length, indefinite longest."""
    return float("inf") if period.months is None else period.months


@given(DATES, MONTHS)
def test_add_months_never_raises_and_lands_in_the_right_month(start: date, months: int) -> None:
    result = add_months(start, months)
    year, month_index = divmod(start.year * 12 + start.month - 1 + months, 12)
    assert (result.year, result.month) == (year, month_index + 1)
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)


@given(DATES, st.integers(min_value=1, max_value=600))
def test_a_longer_period_of_months_always_ends_later(start: date, months: int) -> None:
    end = period_end_months(start, months)
    assert start <= end < period_end_months(start, months + 1)


@given(valid_facts())
def test_notification_never_ends_before_the_relevant_date(facts: ConvictionFacts) -> None:
    ends_on = notification_ends_on(facts)
    assert ends_on is None or ends_on >= facts.relevant_date


@given(valid_facts())
def test_an_under_18_period_is_never_longer_than_the_adult_one(facts: ConvictionFacts) -> None:
    under_18 = notification_period(replace(facts, age_on_relevant_date=17))
    adult = notification_period(replace(facts, age_on_relevant_date=18))
    assert length(under_18) <= length(adult)


@given(st.integers(1, 600), st.integers(1, 600), st.integers(0, 120))
def test_a_longer_custody_never_gives_a_shorter_period(first: int, second: int, age: int) -> None:
    shorter, longer = sorted((first, second))

    def period(custody: int) -> NotificationPeriod:
        return notification_period(
            ConvictionFacts(
                relevant_date=date(2020, 1, 1),
                disposal=Disposal.CUSTODY,
                custody_months=custody,
                age_on_relevant_date=age,
            )
        )

    assert length(period(shorter)) <= length(period(longer))


ABSENCE = st.tuples(st.integers(-30, 500), st.integers(0, 90)).map(
    lambda offset_and_length: (offset_and_length[0], offset_and_length[0] + offset_and_length[1])
)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(1, 400),
    st.lists(ABSENCE, max_size=6),
)
def test_absence_moves_a_deadline_later_by_at_most_the_days_away(
    start: date, days: int, offsets: list[tuple[int, int]]
) -> None:
    due = start + timedelta(days=days - 1)
    absences = [(start + timedelta(days=first), start + timedelta(days=last)) for first, last in offsets]
    away: set[date] = set()
    for first, last in absences:
        away.update(first + timedelta(days=n) for n in range((last - first).days + 1))

    moved = extend_for_absence(due, start=start, absences=absences)

    assert due <= moved <= due + timedelta(days=len(away))
    # It lands on a day spent at liberty in the UK, once the period's count of such days is used up.
    assert moved not in away
    counted = [start + timedelta(days=n) for n in range((moved - start).days + 1)]
    assert sum(1 for day in counted if day not in away) == days


@given(DATES)
def test_annual_notification_is_due_within_a_year_of_the_last(last: date) -> None:
    gap = (annual_notification_due(last) - last).days
    assert 364 <= gap <= 365


@given(DATES)
def test_weekly_notification_is_due_on_the_seventh_day(last: date) -> None:
    assert (weekly_notification_due(last) - last).days == 6


@given(DATES)
def test_review_eligibility_comes_sooner_for_under_18s(notified: date) -> None:
    adult = indefinite_review_eligible_on(first_notification_after_release=notified, under_18_on_relevant_date=False)
    youth = indefinite_review_eligible_on(first_notification_after_release=notified, under_18_on_relevant_date=True)
    assert notified < youth < adult


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(LONDON)),
    st.integers(min_value=-60, max_value=60 * 24 * 20),
    st.sampled_from(["", "Family emergency"]),
    st.sampled_from([ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]),
)
def test_travel_timeliness_does_not_depend_on_the_timezone_the_times_are_written_in(
    notified_at: datetime, minutes_notice: int, reason: str, zone: ZoneInfo
) -> None:
    departs_at = (notified_at.astimezone(ZoneInfo("UTC")) + timedelta(minutes=minutes_notice)).astimezone(LONDON)
    in_london = travel_timeliness(notified_at=notified_at, departs_at=departs_at, late_reason=reason)
    elsewhere = travel_timeliness(
        notified_at=notified_at.astimezone(zone), departs_at=departs_at.astimezone(zone), late_reason=reason
    )
    assert in_london == elsewhere
