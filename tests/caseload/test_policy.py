"""The notification law as code (``caseload.policy``): worked examples for every rule.

Pure functions: no database, no clock. Dates are chosen so that each example can be
checked by hand against ``../shared/domain.md`` section 4 and the module docstring.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from caseload import policy
from caseload.choices import Disposal, OrderType, ProhibitionKind, TravelScope, TravelTimeliness
from caseload.policy import (
    ConvictionFacts,
    NotificationPeriod,
    add_months,
    annual_notification_due,
    change_notification_due,
    extend_for_absence,
    extend_periodic_for_absence,
    governing_end,
    governing_period,
    indefinite_review_eligible_on,
    indefinite_review_status,
    initial_notification_due,
    next_review_after_continue,
    notification_ends_on,
    notification_period,
    period_end_days,
    period_end_months,
    review_decision_due,
    travel_timeliness,
    validate_conviction,
    validate_prohibition,
    validate_travel,
    weekly_notification_due,
)

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")
RELEVANT = date(2020, 1, 1)


def facts(
    disposal: Disposal | str,
    *,
    age: int = 30,
    custody: int | None = None,
    discharge: int | None = None,
    on: date = RELEVANT,
) -> ConvictionFacts:
    return ConvictionFacts(
        relevant_date=on,
        disposal=cast(Disposal, disposal),
        custody_months=custody,
        discharge_months=discharge,
        age_on_relevant_date=age,
    )


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# --- s.82 table ------------------------------------------------------------------------

S82_ROWS = [
    # Row 1: indefinite at any age.
    pytest.param(Disposal.LIFE, None, None, 30, None, id="adult-life-indefinite"),
    pytest.param(Disposal.IPP, None, None, 30, None, id="adult-ipp-indefinite"),
    pytest.param(Disposal.CUSTODY, 30, None, 30, None, id="adult-custody-30-months-indefinite"),
    pytest.param(Disposal.CUSTODY, 144, None, 30, None, id="adult-custody-12-years-indefinite"),
    pytest.param(Disposal.HOSPITAL_RESTRICTED, None, None, 30, None, id="adult-restricted-hospital-indefinite"),
    pytest.param(Disposal.LIFE, None, None, 17, None, id="under-18-life-indefinite"),
    pytest.param(Disposal.IPP, None, None, 17, None, id="under-18-ipp-indefinite"),
    pytest.param(Disposal.CUSTODY, 30, None, 17, None, id="under-18-custody-30-months-indefinite"),
    pytest.param(Disposal.HOSPITAL_RESTRICTED, None, None, 17, None, id="under-18-restricted-hospital-indefinite"),
    # Row 2: custody of more than 6 and less than 30 months.
    pytest.param(Disposal.CUSTODY, 7, None, 30, 120, id="adult-custody-7-months-10-years"),
    pytest.param(Disposal.CUSTODY, 18, None, 30, 120, id="adult-custody-18-months-10-years"),
    pytest.param(Disposal.CUSTODY, 29, None, 30, 120, id="adult-custody-29-months-10-years"),
    pytest.param(Disposal.CUSTODY, 7, None, 17, 60, id="under-18-custody-7-months-5-years"),
    pytest.param(Disposal.CUSTODY, 29, None, 17, 60, id="under-18-custody-29-months-5-years"),
    # Row 3: custody of 6 months or less; hospital order without restriction.
    pytest.param(Disposal.CUSTODY, 1, None, 30, 84, id="adult-custody-1-month-7-years"),
    pytest.param(Disposal.CUSTODY, 6, None, 30, 84, id="adult-custody-6-months-7-years"),
    pytest.param(Disposal.HOSPITAL, None, None, 30, 84, id="adult-hospital-7-years"),
    pytest.param(Disposal.CUSTODY, 6, None, 17, 42, id="under-18-custody-6-months-3.5-years"),
    pytest.param(Disposal.HOSPITAL, None, None, 17, 42, id="under-18-hospital-3.5-years"),
    # Row 4: caution.
    pytest.param(Disposal.CAUTION, None, None, 30, 24, id="adult-caution-2-years"),
    pytest.param(Disposal.CAUTION, None, None, 17, 12, id="under-18-caution-1-year"),
    # Row 5: conditional discharge, the same at any age.
    pytest.param(Disposal.CONDITIONAL_DISCHARGE, None, 18, 30, 18, id="adult-discharge-18-months"),
    pytest.param(Disposal.CONDITIONAL_DISCHARGE, None, 36, 30, 36, id="adult-discharge-3-years"),
    pytest.param(Disposal.CONDITIONAL_DISCHARGE, None, 18, 17, 18, id="under-18-discharge-18-months"),
    # Row 6: any other disposal.
    pytest.param(Disposal.OTHER, None, None, 30, 60, id="adult-other-5-years"),
    pytest.param(Disposal.OTHER, None, None, 17, 30, id="under-18-other-2.5-years"),
]


@pytest.mark.parametrize(("disposal", "custody", "discharge", "age", "months"), S82_ROWS)
def test_the_notification_period_follows_the_s82_table(
    disposal: Disposal, custody: int | None, discharge: int | None, age: int, months: int | None
) -> None:
    period = notification_period(facts(disposal, age=age, custody=custody, discharge=discharge))
    assert period == NotificationPeriod(months=months)
    assert period.indefinite is (months is None)


@pytest.mark.parametrize(
    ("age", "months"),
    [
        pytest.param(10, 12, id="age-10"),
        pytest.param(17, 12, id="age-17-under-18"),
        pytest.param(18, 24, id="age-18-adult"),
        pytest.param(65, 24, id="age-65"),
    ],
)
def test_under_18_means_under_18_on_the_relevant_date(age: int, months: int) -> None:
    assert notification_period(facts(Disposal.CAUTION, age=age)).months == months


@pytest.mark.parametrize(
    ("custody", "label"),
    [
        pytest.param(6, "7 years", id="6-months-custody"),
        pytest.param(7, "10 years", id="7-months-custody"),
        pytest.param(29, "10 years", id="29-months-custody"),
        pytest.param(30, "indefinite", id="30-months-custody"),
    ],
)
def test_the_custody_boundaries_fall_at_6_and_30_months(custody: int, label: str) -> None:
    assert notification_period(facts(Disposal.CUSTODY, custody=custody)).label == label


@pytest.mark.parametrize(
    ("months", "label"),
    [
        pytest.param(None, "indefinite", id="indefinite"),
        pytest.param(120, "10 years", id="10-years"),
        pytest.param(84, "7 years", id="7-years"),
        pytest.param(60, "5 years", id="5-years"),
        pytest.param(42, "3 years 6 months", id="3.5-years"),
        pytest.param(30, "2 years 6 months", id="2.5-years"),
        pytest.param(24, "2 years", id="2-years"),
        pytest.param(18, "1 year 6 months", id="18-months"),
        pytest.param(13, "1 year 1 month", id="13-months"),
        pytest.param(12, "1 year", id="1-year"),
        pytest.param(6, "6 months", id="6-months"),
        pytest.param(1, "1 month", id="1-month"),
    ],
)
def test_a_period_is_labelled_in_years_and_months(months: int | None, label: str) -> None:
    period = NotificationPeriod(months=months)
    assert period.label == label
    assert str(period) == label


@pytest.mark.parametrize("months", [0, -12])
def test_a_period_of_no_months_cannot_exist(months: int) -> None:
    with pytest.raises(ValueError, match="at least 1 month"):
        NotificationPeriod(months=months)


# --- Counting periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(date(2024, 1, 10), 0, date(2024, 1, 10), id="zero-months"),
        pytest.param(date(2023, 12, 10), 1, date(2024, 1, 10), id="over-the-year-end"),
        pytest.param(date(2023, 1, 31), 1, date(2023, 2, 28), id="31-jan-to-short-feb"),
        pytest.param(date(2023, 8, 31), 6, date(2024, 2, 29), id="31-aug-to-leap-feb"),
        pytest.param(date(2022, 8, 31), 6, date(2023, 2, 28), id="31-aug-to-common-feb"),
        pytest.param(date(2024, 2, 29), 12, date(2025, 2, 28), id="29-feb-plus-1-year"),
        pytest.param(date(2024, 2, 29), 48, date(2028, 2, 29), id="29-feb-plus-4-years"),
        pytest.param(date(2024, 3, 15), -3, date(2023, 12, 15), id="backwards-over-the-year-end"),
        pytest.param(date(2024, 3, 31), -1, date(2024, 2, 29), id="backwards-clamps-too"),
    ],
)
def test_add_months_clamps_to_the_end_of_a_short_month(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        pytest.param(date(2024, 3, 15), 12, date(2025, 3, 14), id="ordinary-year"),
        pytest.param(date(2023, 10, 1), 1, date(2023, 10, 31), id="whole-calendar-month"),
        pytest.param(date(2023, 3, 1), 12, date(2024, 2, 29), id="ends-on-a-leap-day"),
        pytest.param(date(2024, 1, 29), 1, date(2024, 2, 28), id="day-before-29-feb"),
        pytest.param(date(2024, 1, 30), 1, date(2024, 2, 29), id="no-30-feb-so-end-of-feb"),
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 29), id="no-31-feb-so-end-of-feb"),
        pytest.param(date(2020, 2, 29), 24, date(2022, 2, 28), id="no-29-feb-so-end-of-feb"),
    ],
)
def test_a_period_of_months_ends_the_day_before_the_corresponding_date(
    start: date, months: int, last_day: date
) -> None:
    assert period_end_months(start, months) == last_day


def test_a_period_of_days_counts_its_first_day_as_day_1() -> None:
    assert period_end_days(date(2025, 1, 6), 1) == date(2025, 1, 6)
    assert period_end_days(date(2025, 1, 6), 3) == date(2025, 1, 8)


@pytest.mark.parametrize("length", [0, -1])
def test_an_empty_period_is_refused(length: int) -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        period_end_days(RELEVANT, length)
    with pytest.raises(ValueError, match="at least 1 month"):
        period_end_months(RELEVANT, length)


# --- End of the notification period ----------------------------------------------------


@pytest.mark.parametrize(
    ("conviction", "ends_on"),
    [
        pytest.param(facts(Disposal.CAUTION, on=date(2020, 2, 29)), date(2022, 2, 28), id="caution-from-29-feb"),
        pytest.param(
            facts(Disposal.HOSPITAL, age=16, on=date(2020, 8, 31)), date(2024, 2, 29), id="3.5-years-from-31-aug-leap"
        ),
        pytest.param(
            facts(Disposal.HOSPITAL, age=16, on=date(2021, 8, 31)), date(2025, 2, 28), id="3.5-years-from-31-aug"
        ),
        pytest.param(facts(Disposal.OTHER, on=date(2020, 3, 15)), date(2025, 3, 14), id="other-5-years"),
        pytest.param(facts(Disposal.CUSTODY, custody=12, on=date(2015, 1, 1)), date(2024, 12, 31), id="custody-10y"),
        pytest.param(facts(Disposal.CUSTODY, custody=6, on=date(2018, 6, 30)), date(2025, 6, 29), id="custody-7y"),
        pytest.param(
            facts(Disposal.CONDITIONAL_DISCHARGE, discharge=6, on=date(2023, 8, 31)),
            date(2024, 2, 29),
            id="discharge-6-months-from-31-aug",
        ),
        pytest.param(
            facts(Disposal.CONDITIONAL_DISCHARGE, discharge=12, on=date(2023, 3, 1)),
            date(2024, 2, 29),
            id="discharge-1-year-from-1-mar",
        ),
        pytest.param(facts(Disposal.LIFE), None, id="life-never-ends"),
        pytest.param(facts(Disposal.CUSTODY, custody=30), None, id="30-months-never-ends"),
    ],
)
def test_notification_ends_on_the_last_day_of_the_period(conviction: ConvictionFacts, ends_on: date | None) -> None:
    assert notification_ends_on(conviction) == ends_on


def test_governing_end_is_indefinite_when_any_conviction_is_indefinite() -> None:
    life = facts(Disposal.LIFE, on=date(2000, 1, 1))
    recent_caution = facts(Disposal.CAUTION, on=date(2024, 1, 1))
    assert governing_end([recent_caution, life]) is None
    assert governing_period([recent_caution, life]).facts == life
    assert governing_period([recent_caution, life]).indefinite


def test_the_latest_end_date_governs_even_from_a_shorter_period() -> None:
    older_community_order = facts(Disposal.OTHER, on=date(2010, 1, 1))  # ends 31 Dec 2014
    later_caution = facts(Disposal.CAUTION, on=date(2014, 1, 1))  # ends 31 Dec 2015
    governing = governing_period([older_community_order, later_caution])
    assert governing.facts == later_caution
    assert governing.ends_on == date(2015, 12, 31)
    assert governing.period.label == "2 years"
    assert governing_end([later_caution, older_community_order]) == date(2015, 12, 31)


def test_when_two_periods_end_on_the_same_day_the_first_listed_governs() -> None:
    caution = facts(Disposal.CAUTION, on=date(2020, 1, 1))  # ends 31 Dec 2021
    discharge = facts(Disposal.CONDITIONAL_DISCHARGE, discharge=12, on=date(2021, 1, 1))  # ends 31 Dec 2021
    assert governing_period([caution, discharge]).facts == caution
    assert governing_period([discharge, caution]).facts == discharge
    assert governing_end([caution, discharge]) == date(2021, 12, 31)


def test_when_two_periods_are_indefinite_the_first_listed_governs() -> None:
    life = facts(Disposal.LIFE, on=date(2001, 1, 1))
    ipp = facts(Disposal.IPP, on=date(2008, 1, 1))
    assert governing_period([ipp, life]).facts == ipp


def test_a_single_conviction_governs_itself() -> None:
    caution = facts(Disposal.CAUTION, on=date(2020, 1, 1))
    assert governing_end(iter([caution])) == date(2021, 12, 31)


def test_governing_end_needs_at_least_one_conviction() -> None:
    with pytest.raises(ValueError, match="At least one conviction"):
        governing_end([])


def test_governing_end_refuses_a_conviction_with_bad_facts() -> None:
    with pytest.raises(ValueError, match="Enter the custody length in months"):
        governing_end([facts(Disposal.CAUTION), facts(Disposal.CUSTODY)])


# --- Validation ------------------------------------------------------------------------

TODAY = date(2025, 6, 1)

INVALID_FACTS = [
    pytest.param(facts(Disposal.CUSTODY), {"custody_months": "Enter the custody length in months"}, id="no-custody"),
    pytest.param(
        facts(Disposal.CUSTODY, custody=0),
        {"custody_months": "The custody length must be more than 0 months"},
        id="zero-custody",
    ),
    pytest.param(
        facts(Disposal.CUSTODY, custody=-3),
        {"custody_months": "The custody length must be more than 0 months"},
        id="negative-custody",
    ),
    pytest.param(
        facts(Disposal.CAUTION, custody=12),
        {"custody_months": "Only a custody sentence has a custody length"},
        id="custody-on-a-caution",
    ),
    pytest.param(
        facts(Disposal.LIFE, custody=12),
        {"custody_months": "Only a custody sentence has a custody length"},
        id="custody-on-a-life-sentence",
    ),
    pytest.param(
        facts(Disposal.CONDITIONAL_DISCHARGE),
        {"discharge_months": "Enter the length of the conditional discharge in months"},
        id="no-discharge-length",
    ),
    pytest.param(
        facts(Disposal.CONDITIONAL_DISCHARGE, discharge=0),
        {"discharge_months": "The discharge length must be more than 0 months"},
        id="zero-discharge-length",
    ),
    pytest.param(
        facts(Disposal.OTHER, discharge=12),
        {"discharge_months": "Only a conditional discharge has a discharge length"},
        id="discharge-length-on-other",
    ),
    pytest.param(
        facts(Disposal.CAUTION, age=-1),
        {"age_on_relevant_date": "The age on the relevant date must be between 0 and 120"},
        id="negative-age",
    ),
    pytest.param(
        facts(Disposal.CAUTION, age=121),
        {"age_on_relevant_date": "The age on the relevant date must be between 0 and 120"},
        id="age-over-120",
    ),
    pytest.param(facts("ABSOLUTE_DISCHARGE"), {"disposal": "Select a disposal from the list"}, id="unknown-disposal"),
    pytest.param(
        facts("ABSOLUTE_DISCHARGE", custody=12),
        {"disposal": "Select a disposal from the list"},
        id="unknown-disposal-ignores-lengths",
    ),
]


@pytest.mark.parametrize(("conviction", "errors"), INVALID_FACTS)
def test_validate_conviction_explains_each_problem(conviction: ConvictionFacts, errors: dict[str, str]) -> None:
    assert validate_conviction(conviction, today=TODAY) == errors


@pytest.mark.parametrize(("conviction", "errors"), INVALID_FACTS)
def test_notification_period_refuses_bad_facts_with_the_same_message(
    conviction: ConvictionFacts, errors: dict[str, str]
) -> None:
    (message,) = errors.values()
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        notification_period(conviction)
    assert isinstance(raised.value, policy.InvalidFacts)
    assert raised.value.errors == errors


def test_a_relevant_date_in_the_future_is_refused() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert validate_conviction(facts(Disposal.CAUTION, on=tomorrow), today=TODAY) == {
        "relevant_date": "The relevant date cannot be in the future"
    }


def test_a_relevant_date_of_today_is_accepted() -> None:
    assert validate_conviction(facts(Disposal.CAUTION, on=TODAY), today=TODAY) == {}


@pytest.mark.parametrize("age", [0, 17, 18, 120])
def test_valid_facts_have_no_errors(age: int) -> None:
    assert validate_conviction(facts(Disposal.CUSTODY, custody=12, age=age), today=TODAY) == {}
    assert validate_conviction(facts(Disposal.CONDITIONAL_DISCHARGE, discharge=6, age=age), today=TODAY) == {}


def test_a_plain_string_disposal_from_a_form_is_accepted() -> None:
    assert notification_period(facts("CAUTION")).months == 24


def test_every_problem_is_reported_at_once() -> None:
    conviction = facts(Disposal.CUSTODY, age=130, discharge=3, on=TODAY + timedelta(days=1))
    assert validate_conviction(conviction, today=TODAY) == {
        "relevant_date": "The relevant date cannot be in the future",
        "age_on_relevant_date": "The age on the relevant date must be between 0 and 120",
        "custody_months": "Enter the custody length in months",
        "discharge_months": "Only a conditional discharge has a discharge length",
    }


# --- Deadlines -------------------------------------------------------------------------


def test_initial_notification_triggered_on_monday_is_due_by_wednesday() -> None:
    monday = date(2025, 1, 6)
    assert monday.strftime("%A") == "Monday"
    assert initial_notification_due(monday) == date(2025, 1, 8)
    assert initial_notification_due(monday).strftime("%A") == "Wednesday"


@pytest.mark.parametrize(
    ("trigger", "due"),
    [
        pytest.param(date(2025, 1, 6), date(2025, 1, 8), id="monday-to-wednesday"),
        pytest.param(date(2025, 1, 30), date(2025, 2, 1), id="over-a-month-end"),
        pytest.param(date(2024, 12, 31), date(2025, 1, 2), id="over-the-year-end"),
        pytest.param(date(2024, 2, 28), date(2024, 3, 1), id="over-a-leap-day"),
    ],
)
def test_change_and_initial_notifications_are_due_within_3_days_beginning_with_the_trigger(
    trigger: date, due: date
) -> None:
    assert change_notification_due(trigger) == due
    assert initial_notification_due(trigger) == due


@pytest.mark.parametrize(
    ("last", "due"),
    [
        pytest.param(date(2024, 3, 10), date(2025, 3, 9), id="ordinary"),
        pytest.param(date(2024, 2, 29), date(2025, 2, 28), id="from-29-feb"),
        pytest.param(date(2023, 3, 1), date(2024, 2, 29), id="ends-on-29-feb"),
        pytest.param(date(2024, 12, 31), date(2025, 12, 30), id="from-new-years-eve"),
        pytest.param(date(2025, 1, 1), date(2025, 12, 31), id="from-new-years-day"),
    ],
)
def test_annual_notification_is_due_within_one_year_beginning_with_the_last(last: date, due: date) -> None:
    assert annual_notification_due(last) == due


def test_weekly_notification_from_monday_is_due_by_sunday() -> None:
    assert weekly_notification_due(date(2025, 1, 6)) == date(2025, 1, 12)
    assert weekly_notification_due(date(2025, 12, 29)) == date(2026, 1, 4)


def jan(day: int) -> date:
    return date(2025, 1, day)


@pytest.mark.parametrize(
    ("absences", "due"),
    [
        pytest.param([], jan(3), id="no-absences"),
        pytest.param([(jan(2), jan(2))], jan(4), id="one-day-inside"),
        pytest.param([(jan(2), jan(5))], jan(7), id="straddling-the-due-date"),
        pytest.param([(jan(2), jan(3)), (jan(3), jan(4))], jan(6), id="overlapping-count-once"),
        pytest.param([(jan(2), jan(3)), (jan(2), jan(3))], jan(5), id="duplicates-count-once"),
        pytest.param([(jan(2), jan(2)), (jan(4), jan(4))], jan(5), id="counts-only-after-first-extension"),
        pytest.param([(jan(4), jan(4)), (jan(2), jan(2))], jan(5), id="order-does-not-matter"),
        pytest.param([(date(2024, 12, 20), date(2024, 12, 31))], jan(3), id="before-the-start-ignored"),
        pytest.param([(date(2024, 12, 31), jan(1))], jan(4), id="covering-the-start"),
        pytest.param([(jan(10), jan(20))], jan(3), id="after-the-due-date-ignored"),
    ],
)
def test_days_in_custody_or_abroad_do_not_count_towards_a_deadline(
    absences: list[tuple[date, date]], due: date
) -> None:
    start = jan(1)
    assert extend_for_absence(initial_notification_due(start), start=start, absences=absences) == due


def test_a_long_custody_moves_the_annual_notification_by_its_length() -> None:
    last = date(2024, 6, 1)
    remand = (date(2024, 8, 1), date(2024, 9, 30))  # 61 days
    assert extend_for_absence(annual_notification_due(last), start=last, absences=[remand]) == date(2025, 7, 31)


def test_an_absence_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end before it starts"):
        extend_for_absence(jan(3), start=jan(1), absences=[(jan(5), jan(2))])


def test_a_due_date_before_the_start_is_refused() -> None:
    with pytest.raises(ValueError, match="before the start"):
        extend_for_absence(jan(1), start=jan(3), absences=[])


@pytest.mark.parametrize(
    ("absences", "due"),
    [
        pytest.param([], date(2025, 5, 31), id="no-absence"),
        pytest.param([(date(2025, 5, 25), date(2025, 6, 4))], date(2025, 6, 7), id="abroad-on-the-due-date"),
        pytest.param([(date(2025, 5, 1), date(2025, 5, 31))], date(2025, 6, 3), id="back-the-day-after"),
        pytest.param([(date(2025, 1, 1), date(2025, 3, 31))], date(2025, 5, 31), id="over-before-the-due-date"),
        pytest.param(
            [(date(2025, 5, 20), date(2025, 5, 31)), (date(2025, 6, 1), date(2025, 6, 10))],
            date(2025, 6, 13),
            id="back-to-back-absences-join",
        ),
    ],
)
def test_a_periodic_notification_due_while_away_is_due_3_days_after_return(
    absences: list[tuple[date, date]], due: date
) -> None:
    assert extend_periodic_for_absence(date(2025, 5, 31), absences=absences) == due


# --- Foreign travel --------------------------------------------------------------------

DEPARTS = london(2025, 7, 15, 10, 0)


@pytest.mark.parametrize(
    ("notified_at", "reason", "expected"),
    [
        pytest.param(london(2025, 7, 1, 9, 0), "", TravelTimeliness.ON_TIME, id="two-weeks-ahead"),
        pytest.param(london(2025, 7, 8, 0, 1), "", TravelTimeliness.ON_TIME, id="exactly-7-days-by-date-morning"),
        pytest.param(london(2025, 7, 8, 23, 59), "", TravelTimeliness.ON_TIME, id="exactly-7-days-by-date-late-night"),
        pytest.param(london(2025, 7, 9, 0, 0), "Family funeral", TravelTimeliness.LATE_WITH_REASON, id="6-days-reason"),
        pytest.param(london(2025, 7, 9, 0, 0), "", TravelTimeliness.LATE_NO_REASON, id="6-days-without-reason"),
        pytest.param(london(2025, 7, 9, 0, 0), "   ", TravelTimeliness.LATE_NO_REASON, id="6-days-blank-reason"),
        pytest.param(london(2025, 7, 14, 22, 0), "Work", TravelTimeliness.LATE_WITH_REASON, id="exactly-12-hours"),
        pytest.param(london(2025, 7, 14, 22, 0), "", TravelTimeliness.LATE_NO_REASON, id="exactly-12-hours-no-reason"),
        pytest.param(london(2025, 7, 14, 22, 1), "Work", TravelTimeliness.TOO_LATE, id="11-hours-59"),
        pytest.param(london(2025, 7, 15, 10, 0), "Work", TravelTimeliness.TOO_LATE, id="at-departure"),
        pytest.param(london(2025, 7, 16, 9, 0), "Work", TravelTimeliness.TOO_LATE, id="after-departure"),
    ],
)
def test_travel_notice_is_on_time_late_or_too_late(notified_at: datetime, reason: str, expected: str) -> None:
    assert travel_timeliness(notified_at=notified_at, departs_at=DEPARTS, late_reason=reason) == expected


def test_travel_notice_is_dated_by_the_calendar_in_london_not_utc() -> None:
    # 23:30 UTC on 8 July is 00:30 BST on 9 July: six days before by London's calendar.
    notified_at = datetime(2025, 7, 8, 23, 30, tzinfo=UTC)
    assert travel_timeliness(notified_at=notified_at, departs_at=DEPARTS) == TravelTimeliness.LATE_NO_REASON
    # 22:30 UTC on 8 July is 23:30 BST on 8 July: still on time.
    notified_at = datetime(2025, 7, 8, 22, 30, tzinfo=UTC)
    assert travel_timeliness(notified_at=notified_at, departs_at=DEPARTS) == TravelTimeliness.ON_TIME


def test_twelve_hours_across_the_spring_clock_change_are_real_hours() -> None:
    # Clocks go forward at 01:00 GMT on 30 March 2025: 20:30 to 09:00 reads 12h30 on the
    # wall but is 11h30 of real time.
    notified_at = london(2025, 3, 29, 20, 30)
    departs_at = london(2025, 3, 30, 9, 0)
    assert travel_timeliness(notified_at=notified_at, departs_at=departs_at, late_reason="Work") == (
        TravelTimeliness.TOO_LATE
    )


def test_twelve_hours_across_the_autumn_clock_change_are_real_hours() -> None:
    # Clocks go back at 02:00 BST on 26 October 2025: 21:30 to 09:00 reads 11h30 on the
    # wall but is 12h30 of real time.
    notified_at = london(2025, 10, 25, 21, 30)
    departs_at = london(2025, 10, 26, 9, 0)
    assert travel_timeliness(notified_at=notified_at, departs_at=departs_at, late_reason="Work") == (
        TravelTimeliness.LATE_WITH_REASON
    )


def test_a_departure_just_after_the_clock_change_is_7_days_by_date() -> None:
    notified_at = london(2025, 3, 23, 23, 0)  # GMT
    departs_at = london(2025, 3, 30, 6, 0)  # BST
    assert travel_timeliness(notified_at=notified_at, departs_at=departs_at) == TravelTimeliness.ON_TIME


@pytest.mark.parametrize(
    ("notified_at", "departs_at"),
    [
        pytest.param(datetime(2025, 7, 1, 9, 0), DEPARTS, id="naive-notice"),
        pytest.param(london(2025, 7, 1, 9, 0), datetime(2025, 7, 15, 10, 0), id="naive-departure"),
    ],
)
def test_travel_times_must_be_timezone_aware(notified_at: datetime, departs_at: datetime) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        travel_timeliness(notified_at=notified_at, departs_at=departs_at)
    with pytest.raises(ValueError, match="timezone-aware"):
        validate_travel(notified_at=notified_at, departs_at=departs_at, returns_on=None, late_reason="")


@pytest.mark.parametrize(
    ("notified_at", "returns_on", "reason", "errors"),
    [
        pytest.param(london(2025, 7, 1, 9, 0), date(2025, 7, 22), "", {}, id="on-time"),
        pytest.param(london(2025, 7, 1, 9, 0), None, "", {}, id="one-way"),
        pytest.param(london(2025, 7, 1, 9, 0), date(2025, 7, 15), "", {}, id="back-the-same-day"),
        pytest.param(
            london(2025, 7, 1, 9, 0),
            date(2025, 7, 14),
            "",
            {"returns_on": "The return date cannot be before the departure date"},
            id="back-before-leaving",
        ),
        pytest.param(
            london(2025, 7, 10, 9, 0),
            date(2025, 7, 22),
            "",
            {"late_reason": "Notice less than 7 days before departure needs a reason"},
            id="late-without-reason",
        ),
        pytest.param(london(2025, 7, 10, 9, 0), date(2025, 7, 22), "Job interview", {}, id="late-with-reason"),
        pytest.param(london(2025, 7, 15, 1, 0), date(2025, 7, 22), "", {}, id="too-late-is-still-recorded"),
        pytest.param(
            london(2025, 7, 16, 9, 0),
            date(2025, 7, 22),
            "",
            {"notified_at": "The notice cannot be given after departure"},
            id="notified-after-departure",
        ),
    ],
)
def test_validate_travel_explains_each_problem(
    notified_at: datetime, returns_on: date | None, reason: str, errors: dict[str, str]
) -> None:
    assert (
        validate_travel(notified_at=notified_at, departs_at=DEPARTS, returns_on=returns_on, late_reason=reason)
        == errors
    )


# --- Review of indefinite notification -------------------------------------------------


@pytest.mark.parametrize(
    ("notified", "under_18", "eligible_on"),
    [
        pytest.param(date(2010, 6, 10), False, date(2025, 6, 10), id="adult-15-years"),
        pytest.param(date(2010, 6, 10), True, date(2018, 6, 10), id="under-18-8-years"),
        pytest.param(date(2012, 2, 29), False, date(2027, 3, 1), id="adult-from-29-feb"),
        pytest.param(date(2012, 2, 29), True, date(2020, 2, 29), id="under-18-from-29-feb-to-29-feb"),
        pytest.param(date(2010, 12, 31), False, date(2025, 12, 31), id="adult-from-new-years-eve"),
    ],
)
def test_review_eligibility_is_the_day_after_15_or_8_years(notified: date, under_18: bool, eligible_on: date) -> None:
    assert (
        indefinite_review_eligible_on(first_notification_after_release=notified, under_18_on_relevant_date=under_18)
        == eligible_on
    )


ELIGIBLE_ON = date(2025, 6, 10)


def test_a_review_cannot_be_applied_for_before_the_qualifying_date() -> None:
    status = indefinite_review_status(eligible_on=ELIGIBLE_ON, today=date(2025, 6, 9), orders_in_force=[])
    assert status == policy.ReviewStatus(eligible=False, blocked_by=None, eligible_on=ELIGIBLE_ON)


def test_a_review_can_be_applied_for_on_the_qualifying_date() -> None:
    status = indefinite_review_status(eligible_on=ELIGIBLE_ON, today=ELIGIBLE_ON, orders_in_force=[])
    assert status.eligible
    assert status.blocked_by is None


@pytest.mark.parametrize("order", [OrderType.SHPO, OrderType.INTERIM_SHPO, OrderType.SOPO])
def test_an_shpo_interim_shpo_or_sopo_in_force_blocks_a_review(order: OrderType) -> None:
    status = indefinite_review_status(eligible_on=ELIGIBLE_ON, today=date(2030, 1, 1), orders_in_force=[order])
    assert not status.eligible
    assert status.blocked_by == order


def test_a_blocking_order_is_reported_before_the_qualifying_date_too() -> None:
    status = indefinite_review_status(
        eligible_on=ELIGIBLE_ON, today=date(2020, 1, 1), orders_in_force=[cast(OrderType, "SHPO")]
    )
    assert status.blocked_by == OrderType.SHPO
    assert isinstance(status.blocked_by, OrderType)


@pytest.mark.parametrize(
    "order",
    [OrderType.SRO, OrderType.INTERIM_SRO, OrderType.NOTIFICATION_ORDER, OrderType.FTO, OrderType.RSHO],
)
def test_other_orders_do_not_block_a_review(order: OrderType) -> None:
    status = indefinite_review_status(eligible_on=ELIGIBLE_ON, today=ELIGIBLE_ON, orders_in_force=[order])
    assert status.eligible


def test_with_several_blocking_orders_the_first_in_the_list_of_order_types_is_named() -> None:
    status = indefinite_review_status(
        eligible_on=ELIGIBLE_ON, today=ELIGIBLE_ON, orders_in_force=iter([OrderType.SOPO, OrderType.INTERIM_SHPO])
    )
    assert status.blocked_by == OrderType.INTERIM_SHPO


def test_a_review_decision_is_due_within_12_weeks_beginning_with_receipt() -> None:
    assert policy.REVIEW_DECISION_WEEKS == 12
    assert review_decision_due(date(2025, 1, 6)) == date(2025, 3, 30)


@pytest.mark.parametrize(
    ("decided_on", "next_review"),
    [
        pytest.param(date(2025, 7, 1), date(2033, 7, 1), id="ordinary"),
        pytest.param(date(2024, 2, 29), date(2032, 2, 29), id="leap-day-to-leap-day"),
        pytest.param(date(2020, 2, 29), date(2028, 2, 29), id="leap-day-8-years-on"),
    ],
)
def test_the_next_review_after_a_decision_to_continue_is_8_years_later(decided_on: date, next_review: date) -> None:
    assert next_review_after_continue(decided_on) == next_review


# --- Civil orders ----------------------------------------------------------------------

STARTS = date(2025, 4, 1)
GENERAL = ProhibitionKind.GENERAL
TRAVEL = ProhibitionKind.FOREIGN_TRAVEL
SHPO_TOO_SHORT = "A prohibition in a sexual harm prevention order must last at least 5 years, or until further order"
SRO_TOO_SHORT = "A prohibition in a sexual risk order must last at least 2 years, or until further order"
TRAVEL_TOO_LONG = "A foreign travel prohibition can last at most 5 years at a time"
TRAVEL_NO_END = "A foreign travel prohibition must have an end date: it can last at most 5 years at a time"
NO_SCOPE = "Select which countries the foreign travel prohibition covers"
NO_PASSPORTS = "A ban on travel to all countries needs the person's passports surrendered"
END_BEFORE_START = "The end date cannot be before the start date"


@pytest.mark.parametrize(
    ("order_type", "ends_on", "errors"),
    [
        pytest.param(OrderType.SHPO, date(2030, 3, 31), {}, id="shpo-exactly-5-years"),
        pytest.param(OrderType.SHPO, date(2035, 1, 1), {}, id="shpo-10-years"),
        pytest.param(OrderType.SHPO, None, {}, id="shpo-until-further-order"),
        pytest.param(OrderType.SHPO, date(2030, 3, 30), {"ends_on": SHPO_TOO_SHORT}, id="shpo-a-day-short"),
        pytest.param(OrderType.SRO, date(2027, 3, 31), {}, id="sro-exactly-2-years"),
        pytest.param(OrderType.SRO, None, {}, id="sro-until-further-order"),
        pytest.param(OrderType.SRO, date(2027, 3, 30), {"ends_on": SRO_TOO_SHORT}, id="sro-a-day-short"),
        pytest.param(OrderType.INTERIM_SHPO, date(2025, 5, 1), {}, id="interim-shpo-one-month"),
        pytest.param(OrderType.INTERIM_SRO, date(2025, 4, 1), {}, id="interim-sro-one-day"),
        pytest.param(OrderType.SOPO, date(2026, 4, 1), {}, id="legacy-sopo-as-made"),
        pytest.param(OrderType.RSHO, date(2026, 4, 1), {}, id="legacy-rsho-as-made"),
    ],
)
def test_a_general_prohibition_runs_for_its_orders_minimum(
    order_type: OrderType, ends_on: date | None, errors: dict[str, str]
) -> None:
    assert validate_prohibition(order_type=order_type, kind=GENERAL, starts_on=STARTS, ends_on=ends_on) == errors


def test_a_five_year_shpo_prohibition_from_29_feb_ends_on_28_feb() -> None:
    leap = date(2024, 2, 29)
    assert (
        validate_prohibition(order_type=OrderType.SHPO, kind=GENERAL, starts_on=leap, ends_on=date(2029, 2, 28)) == {}
    )
    assert validate_prohibition(order_type=OrderType.SHPO, kind=GENERAL, starts_on=leap, ends_on=date(2029, 2, 27)) == {
        "ends_on": SHPO_TOO_SHORT
    }


@pytest.mark.parametrize("order_type", [OrderType.SHPO, OrderType.SRO])
@pytest.mark.parametrize(
    ("ends_on", "scope", "passports", "errors"),
    [
        pytest.param(date(2030, 3, 31), TravelScope.NAMED_COUNTRIES, False, {}, id="named-exactly-5-years"),
        pytest.param(date(2025, 10, 1), TravelScope.ALL_EXCEPT_NAMED, False, {}, id="all-but-named-6-months"),
        pytest.param(date(2030, 3, 31), TravelScope.ALL_COUNTRIES, True, {}, id="total-ban-passports-surrendered"),
        pytest.param(
            date(2030, 4, 1), TravelScope.NAMED_COUNTRIES, False, {"ends_on": TRAVEL_TOO_LONG}, id="a-day-too-long"
        ),
        pytest.param(None, TravelScope.NAMED_COUNTRIES, False, {"ends_on": TRAVEL_NO_END}, id="until-further-order"),
        pytest.param(date(2026, 4, 1), None, False, {"travel_scope": NO_SCOPE}, id="no-scope"),
        pytest.param(
            date(2026, 4, 1),
            TravelScope.ALL_COUNTRIES,
            False,
            {"passports_surrendered": NO_PASSPORTS},
            id="total-ban-passports-kept",
        ),
        pytest.param(
            None,
            None,
            False,
            {"ends_on": TRAVEL_NO_END, "travel_scope": NO_SCOPE},
            id="no-end-and-no-scope",
        ),
    ],
)
def test_a_foreign_travel_prohibition_is_fixed_at_most_5_years_and_names_its_scope(
    order_type: OrderType,
    ends_on: date | None,
    scope: TravelScope | None,
    passports: bool,
    errors: dict[str, str],
) -> None:
    assert (
        validate_prohibition(
            order_type=order_type,
            kind=TRAVEL,
            starts_on=STARTS,
            ends_on=ends_on,
            travel_scope=scope,
            passports_surrendered=passports,
        )
        == errors
    )


@pytest.mark.parametrize("order_type", [OrderType.INTERIM_SHPO, OrderType.INTERIM_SRO, OrderType.FTO])
def test_interim_and_legacy_travel_prohibitions_are_checked_only_for_their_dates(order_type: OrderType) -> None:
    assert validate_prohibition(order_type=order_type, kind=TRAVEL, starts_on=STARTS, ends_on=None) == {}
    assert validate_prohibition(order_type=order_type, kind=TRAVEL, starts_on=STARTS, ends_on=date(2025, 3, 31)) == {
        "ends_on": END_BEFORE_START
    }


@pytest.mark.parametrize(
    "order_type",
    [order for order in OrderType if order != OrderType.NOTIFICATION_ORDER],
    ids=lambda order: str(order.value),
)
@pytest.mark.parametrize("kind", list(ProhibitionKind), ids=lambda kind: str(kind.value))
def test_no_prohibition_ends_before_it_starts(order_type: OrderType, kind: ProhibitionKind) -> None:
    errors = validate_prohibition(
        order_type=order_type,
        kind=kind,
        starts_on=STARTS,
        ends_on=STARTS - timedelta(days=1),
        travel_scope=TravelScope.NAMED_COUNTRIES if kind == TRAVEL else None,
    )
    assert errors == {"ends_on": END_BEFORE_START}


def test_a_notification_order_has_no_prohibitions() -> None:
    errors = validate_prohibition(
        order_type=OrderType.NOTIFICATION_ORDER, kind=GENERAL, starts_on=STARTS, ends_on=date(2035, 1, 1)
    )
    assert errors == {"order_type": "A notification order has no prohibitions"}


def test_a_general_prohibition_cannot_name_countries() -> None:
    errors = validate_prohibition(
        order_type=OrderType.SHPO,
        kind=GENERAL,
        starts_on=STARTS,
        ends_on=None,
        travel_scope=TravelScope.NAMED_COUNTRIES,
    )
    assert errors == {"travel_scope": "Only a foreign travel prohibition covers countries"}


# --- The numbers ------------------------------------------------------------------------


def test_the_statutory_numbers_are_the_ones_in_the_domain_notes() -> None:
    assert policy.INDEFINITE_CUSTODY_MONTHS == 30
    assert policy.SHORT_CUSTODY_MAX_MONTHS == 6
    assert policy.INITIAL_NOTIFICATION_DAYS == policy.CHANGE_NOTIFICATION_DAYS == 3
    assert policy.TRAVEL_NOTICE_DAYS == 7
    assert policy.TRAVEL_MIN_NOTICE_HOURS == 12
    assert policy.SHPO_PROHIBITION_MIN_MONTHS == policy.FOREIGN_TRAVEL_PROHIBITION_MAX_MONTHS == 60
    assert policy.SRO_PROHIBITION_MIN_MONTHS == 24
