"""The notification law on a record: what ``rso_recompute`` stores, and the services that
feed it (convictions, notifications, travel, orders), with their refusals.

The rules themselves are tested in test_policy.py; these tests check that the record's
facts reach them and that what they work out is stored where lists and the scheduler
read it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from caseload import selectors, services
from caseload.choices import (
    ChangeEventType,
    Disposal,
    NotificationType,
    OrderType,
    ProhibitionKind,
    RSOStatus,
    StaticTool,
    TravelScope,
    TravelTimeliness,
)
from caseload.models import (
    RSO,
    CivilOrder,
    Conviction,
    ForeignTravelNotice,
    NotificationEvent,
    Prohibition,
    SignificantChangeEvent,
    StaticRiskScore,
)
from mosovo.accounts.models import User
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.conftest import Personas
from tests.factories import RSOFactory

LONDON = ZoneInfo("Europe/London")
RELEVANT = dt.date(2020, 3, 15)


def london(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def officer(personas: Personas) -> User:
    return personas.officer_a


@pytest.fixture
def adult(personas: Personas) -> RSO:
    """Born 1 January 1980: an adult on every relevant date here."""
    return RSOFactory.create(
        team=personas.team_a, allocated_officer=personas.officer_a, date_of_birth=dt.date(1980, 1, 1)
    )


@pytest.fixture
def youth(personas: Personas) -> RSO:
    """Born 1 June 2004: 15 on 15 March 2020."""
    return RSOFactory.create(
        team=personas.team_a, allocated_officer=personas.officer_a, date_of_birth=dt.date(2004, 6, 1)
    )


def convict(
    rso: RSO, by: User, disposal: str, *, on: dt.date = RELEVANT, lengths: dict[str, int] | None = None
) -> Conviction:
    return services.conviction_add(
        rso=rso,
        offence="Sexual assault (s.3)",
        relevant_date=on,
        court="Leeds Crown Court",
        disposal=disposal,
        by=by,
        **(lengths or {}),
    )


def notify(rso: RSO, by: User, kind: str, at: dt.datetime, trigger: dt.date | None = None) -> NotificationEvent:
    return services.notification_record(
        rso=rso, notification_type=kind, occurred_at=at, police_station="Leeds Central", trigger_date=trigger, by=by
    )


def fresh(rso: RSO) -> RSO:
    return RSO.objects.get(pk=rso.pk)


# --- The notification period ----------------------------------------------------------


@pytest.mark.parametrize(
    ("disposal", "lengths", "ends_on", "months"),
    [
        (Disposal.CUSTODY, {"custody_months": 12}, dt.date(2030, 3, 14), 120),
        (Disposal.CUSTODY, {"custody_months": 6}, dt.date(2027, 3, 14), 84),
        (Disposal.HOSPITAL, {}, dt.date(2027, 3, 14), 84),
        (Disposal.CAUTION, {}, dt.date(2022, 3, 14), 24),
        (Disposal.CONDITIONAL_DISCHARGE, {"discharge_months": 18}, dt.date(2021, 9, 14), 18),
        (Disposal.OTHER, {}, dt.date(2025, 3, 14), 60),
    ],
)
def test_adding_a_conviction_sets_the_rsos_notification_end_date(
    adult: RSO, officer: User, disposal: str, lengths: dict[str, int], ends_on: dt.date, months: int
) -> None:
    conviction = convict(adult, officer, disposal, lengths=lengths)

    conviction.refresh_from_db()
    assert (conviction.notification_period_months, conviction.notification_ends_on) == (months, ends_on)
    assert conviction.age_on_relevant_date == 40
    rso = fresh(adult)
    assert (rso.notification_indefinite, rso.notification_period_months, rso.notification_ends_on) == (
        False,
        months,
        ends_on,
    )
    assert adult.notification_ends_on == ends_on  # the caller's instance is brought up to date too


@pytest.mark.parametrize(
    ("disposal", "lengths"),
    [
        (Disposal.CUSTODY, {"custody_months": 30}),
        (Disposal.LIFE, {}),
        (Disposal.IPP, {}),
        (Disposal.HOSPITAL_RESTRICTED, {}),
    ],
)
def test_an_indefinite_disposal_makes_the_period_indefinite(
    adult: RSO, officer: User, disposal: str, lengths: dict[str, int]
) -> None:
    convict(adult, officer, disposal, lengths=lengths)
    rso = fresh(adult)
    assert (rso.notification_indefinite, rso.notification_period_months, rso.notification_ends_on) == (True, None, None)


@pytest.mark.parametrize(
    ("disposal", "lengths", "ends_on"),
    [
        (Disposal.CUSTODY, {"custody_months": 12}, dt.date(2025, 3, 14)),  # 5 years, not 10
        (Disposal.OTHER, {}, dt.date(2022, 9, 14)),  # 2 years 6 months
        (Disposal.CAUTION, {}, dt.date(2021, 3, 14)),  # 1 year
        (Disposal.CONDITIONAL_DISCHARGE, {"discharge_months": 12}, dt.date(2021, 3, 14)),  # the same at any age
    ],
)
def test_the_age_on_the_relevant_date_comes_from_the_date_of_birth_and_halves_the_period(
    youth: RSO, officer: User, disposal: str, lengths: dict[str, int], ends_on: dt.date
) -> None:
    conviction = convict(youth, officer, disposal, lengths=lengths)
    assert conviction.age_on_relevant_date == 15
    assert fresh(youth).notification_ends_on == ends_on


def test_the_longest_running_conviction_governs_and_indefinite_beats_any_date(adult: RSO, officer: User) -> None:
    convict(adult, officer, Disposal.CAUTION, on=dt.date(2024, 1, 10))  # ends 9 January 2026
    convict(adult, officer, Disposal.OTHER, on=dt.date(2019, 6, 1))  # ends 31 May 2024
    assert fresh(adult).notification_ends_on == dt.date(2026, 1, 9)

    life = convict(adult, officer, Disposal.LIFE, on=dt.date(2001, 2, 1))
    convict(
        adult, officer, Disposal.CUSTODY, on=dt.date(2025, 1, 1), lengths={"custody_months": 12}
    )  # a later fixed period
    rso = fresh(adult)
    assert rso.notification_indefinite
    assert rso.notification_ends_on is None
    tab = selectors.rso_convictions(rso=rso, today=timezone.localdate())
    assert [row.conviction.pk for row in tab.rows if row.governs] == [life.pk]


def test_correcting_a_conviction_recomputes_the_period(adult: RSO, officer: User) -> None:
    conviction = convict(adult, officer, Disposal.LIFE)
    assert fresh(adult).notification_indefinite

    services.conviction_update(
        conviction=conviction,
        offence=conviction.offence,
        relevant_date=RELEVANT,
        court=conviction.court,
        disposal=Disposal.CUSTODY,
        custody_months=4,
        by=officer,
    )

    rso = fresh(adult)
    assert (rso.notification_indefinite, rso.notification_ends_on) == (False, dt.date(2027, 3, 14))
    event = AuditEvent.objects.filter(action=Action.ALTERATION, object_type="caseload.conviction").get()
    assert event.fields == ["custody_months", "disposal"]
    assert event.rso_ids == [adult.pk]


def test_a_conviction_is_audited_as_collection_with_its_field_names(adult: RSO, officer: User) -> None:
    conviction = convict(adult, officer, Disposal.CAUTION)
    event = AuditEvent.objects.get(action=Action.COLLECTION, object_type="caseload.conviction")
    assert event.object_ids == [str(conviction.pk)]
    assert event.rso_ids == [adult.pk]
    assert "relevant_date" in event.fields
    assert "Sexual assault" not in str(event.fields)  # names, never values


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"relevant_date": dt.date(2999, 1, 1)}, "relevant_date"),
        ({"relevant_date": None}, "relevant_date"),
        ({"relevant_date": dt.date(1970, 1, 1)}, "relevant_date"),  # before the date of birth
        ({"relevant_date": dt.date(1989, 12, 31)}, "relevant_date"),  # aged 9: too young to be convicted
        ({"disposal": Disposal.CUSTODY}, "custody_months"),  # custody without a length
        ({"disposal": Disposal.CUSTODY, "custody_months": -3}, "custody_months"),
        ({"disposal": Disposal.CUSTODY, "custody_months": 0}, "custody_months"),
        ({"disposal": Disposal.CONDITIONAL_DISCHARGE}, "discharge_months"),  # discharge without a length
        ({"disposal": "BIRCHING"}, "disposal"),
        ({"offence": "  "}, "offence"),
    ],
)
def test_a_conviction_the_law_cannot_apply_to_is_refused_and_nothing_is_saved(
    adult: RSO, officer: User, changes: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "offence": "Sexual assault (s.3)",
        "relevant_date": RELEVANT,
        "court": "",
        "disposal": Disposal.OTHER,
    }
    values.update(changes)
    with pytest.raises(ValidationError) as refused:
        services.conviction_add(rso=adult, by=officer, **values)
    assert field in refused.value.message_dict
    assert not Conviction.objects.exists()
    assert not AuditEvent.objects.filter(object_type="caseload.conviction").exists()
    assert fresh(adult).notification_ends_on is None


# --- Notifications ----------------------------------------------------------------------


def test_recording_an_annual_notification_moves_the_next_due_date_by_a_year(adult: RSO, officer: User) -> None:
    notify(adult, officer, NotificationType.INITIAL, london(2024, 1, 10), trigger=dt.date(2024, 1, 9))
    rso = fresh(adult)
    assert rso.last_notification_on == dt.date(2024, 1, 10)
    assert rso.next_annual_notification_due == dt.date(2025, 1, 9)

    annual = notify(adult, officer, NotificationType.ANNUAL, london(2024, 12, 20))

    assert annual.due_on == dt.date(2025, 1, 9)  # the due date it met
    assert annual.in_time is True
    assert fresh(adult).next_annual_notification_due == dt.date(2025, 12, 19)


def test_an_annual_notification_after_the_due_date_is_late(adult: RSO, officer: User) -> None:
    notify(adult, officer, NotificationType.INITIAL, london(2023, 1, 10), trigger=dt.date(2023, 1, 10))
    annual = notify(adult, officer, NotificationType.ANNUAL, london(2024, 1, 10))
    assert (annual.due_on, annual.in_time) == (dt.date(2024, 1, 9), False)


def test_travel_and_weekly_notifications_do_not_restart_the_annual_year(adult: RSO, officer: User) -> None:
    notify(adult, officer, NotificationType.CHANGE, london(2024, 3, 1), trigger=dt.date(2024, 2, 28))
    notify(adult, officer, NotificationType.FOREIGN_TRAVEL, london(2024, 6, 1))
    assert fresh(adult).next_annual_notification_due == dt.date(2025, 2, 28)


def test_weekly_notification_is_due_only_with_no_fixed_abode(adult: RSO, officer: User) -> None:
    notify(adult, officer, NotificationType.INITIAL, london(2024, 1, 10), trigger=dt.date(2024, 1, 10))
    assert fresh(adult).next_weekly_notification_due is None

    RSO.objects.filter(pk=adult.pk).update(no_fixed_abode=True)  # kept by the address services
    weekly = notify(adult, officer, NotificationType.WEEKLY_NO_FIXED_ABODE, london(2024, 1, 15))

    assert (weekly.due_on, weekly.in_time) == (dt.date(2024, 1, 16), True)  # 7 days from the initial one
    rso = fresh(adult)
    assert rso.next_weekly_notification_due == dt.date(2024, 1, 21)
    assert rso.next_annual_notification_due == dt.date(2025, 1, 9)  # a weekly one does not restart the year

    late = notify(adult, officer, NotificationType.WEEKLY_NO_FIXED_ABODE, london(2024, 1, 23))
    assert (late.due_on, late.in_time) == (dt.date(2024, 1, 21), False)


@pytest.mark.parametrize(
    ("at", "in_time"),
    [
        (london(2024, 5, 3, 23, 30), True),  # the third day, late in the evening
        (london(2024, 5, 4, 0, 30), False),  # 23:30 UTC on the 3rd, but the 4th in London
    ],
)
def test_a_change_is_in_time_when_made_by_the_third_day_in_london(
    adult: RSO, officer: User, at: dt.datetime, in_time: bool
) -> None:
    event = notify(adult, officer, NotificationType.CHANGE, at, trigger=dt.date(2024, 5, 1))
    assert (event.due_on, event.in_time) == (dt.date(2024, 5, 3), in_time)


@pytest.mark.parametrize("kind", [NotificationType.INITIAL, NotificationType.CHANGE, NotificationType.RELEASE])
def test_a_notification_owed_from_an_event_needs_the_events_date(adult: RSO, officer: User, kind: str) -> None:
    with pytest.raises(ValidationError) as refused:
        notify(adult, officer, kind, london(2024, 5, 3))
    assert "trigger_date" in refused.value.message_dict
    assert not NotificationEvent.objects.exists()


def test_a_notification_in_the_future_is_refused(adult: RSO, officer: User) -> None:
    with pytest.raises(ValidationError) as refused:
        notify(adult, officer, NotificationType.ANNUAL, timezone.now() + dt.timedelta(hours=2))
    assert "occurred_at" in refused.value.message_dict
    assert not NotificationEvent.objects.exists()


def test_the_recompute_does_not_bump_the_records_version(adult: RSO, officer: User) -> None:
    before = fresh(adult).version
    convict(adult, officer, Disposal.LIFE)
    notify(adult, officer, NotificationType.INITIAL, london(2024, 1, 10), trigger=dt.date(2024, 1, 10))
    services.rso_recompute(rso=adult)

    rso = fresh(adult)
    assert rso.version == before
    assert rso.notification_indefinite
    assert rso.next_annual_notification_due == dt.date(2025, 1, 9)


def test_recomputing_an_unchanged_record_writes_nothing(adult: RSO, officer: User) -> None:
    convict(adult, officer, Disposal.CAUTION)
    history = RSO.pgh_event_model.objects.filter(pgh_obj_id=adult.pk).count()  # type: ignore[attr-defined]
    services.rso_recompute(rso=adult)
    assert RSO.pgh_event_model.objects.filter(pgh_obj_id=adult.pk).count() == history  # type: ignore[attr-defined]


# --- Review of indefinite notification -------------------------------------------------


def test_indefinite_review_eligibility_runs_from_the_first_notification_after_the_relevant_date(
    adult: RSO, officer: User
) -> None:
    convict(adult, officer, Disposal.LIFE, on=dt.date(2005, 6, 1))
    notify(adult, officer, NotificationType.ANNUAL, london(2005, 5, 1))  # before the relevant date: not counted
    assert fresh(adult).indefinite_review_eligible_on is None

    notify(adult, officer, NotificationType.RELEASE, london(2015, 2, 10), trigger=dt.date(2015, 2, 9))
    notify(adult, officer, NotificationType.INITIAL, london(2016, 1, 5), trigger=dt.date(2016, 1, 4))  # not the first

    assert fresh(adult).indefinite_review_eligible_on == dt.date(2030, 2, 10)  # the day after 15 years


def test_indefinite_review_eligibility_is_8_years_for_someone_under_18_then(youth: RSO, officer: User) -> None:
    convict(youth, officer, Disposal.CUSTODY, lengths={"custody_months": 36})
    notify(youth, officer, NotificationType.INITIAL, london(2020, 3, 16), trigger=RELEVANT)
    assert fresh(youth).indefinite_review_eligible_on == dt.date(2028, 3, 16)


def test_a_fixed_period_has_no_review_date(adult: RSO, officer: User) -> None:
    convict(adult, officer, Disposal.OTHER)
    notify(adult, officer, NotificationType.INITIAL, london(2020, 3, 16), trigger=RELEVANT)
    assert fresh(adult).indefinite_review_eligible_on is None


def test_an_shpo_in_force_blocks_the_indefinite_review(adult: RSO, officer: User) -> None:
    convict(adult, officer, Disposal.LIFE, on=dt.date(2005, 6, 1))
    notify(adult, officer, NotificationType.RELEASE, london(2010, 2, 10), trigger=dt.date(2010, 2, 9))
    later = dt.date(2026, 1, 1)  # after the qualifying date, 10 February 2025

    review = selectors.rso_convictions(rso=fresh(adult), today=later).review
    assert review is not None
    assert (review.eligible, review.blocked_by, review.eligible_on) == (True, None, dt.date(2025, 2, 10))

    order = services.order_add(
        rso=adult, order_type=OrderType.SHPO, court="Leeds Crown Court", made_on=dt.date(2024, 1, 1), by=officer
    )
    services.prohibition_add(
        order=order,
        kind=ProhibitionKind.GENERAL,
        text="Not to contact any child under 16",
        starts_on=dt.date(2024, 1, 1),
        by=officer,
    )
    review = selectors.rso_convictions(rso=fresh(adult), today=later).review
    assert review is not None
    assert (review.eligible, review.blocked_by) == (False, OrderType.SHPO)

    CivilOrder.objects.filter(pk=order.pk).update(discharged_on=dt.date(2025, 6, 1))
    review = selectors.rso_convictions(rso=fresh(adult), today=later).review
    assert review is not None
    assert review.eligible


# --- Foreign travel -----------------------------------------------------------------------


def travel_ban(rso: RSO, by: User, scope: str, countries: str = "", *, surrendered: bool = False) -> Prohibition:
    order = services.order_add(
        rso=rso, order_type=OrderType.SHPO, court="Leeds Crown Court", made_on=dt.date(2025, 1, 1), by=by
    )
    return services.prohibition_add(
        order=order,
        kind=ProhibitionKind.FOREIGN_TRAVEL,
        text="Not to travel outside the United Kingdom",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2029, 12, 31),
        travel_scope=scope,
        countries=countries,
        passports_surrendered=surrendered,
        by=by,
    )


def trip(rso: RSO, by: User, destinations: str, *, days_ahead: int = 10, late_reason: str = "") -> ForeignTravelNotice:
    now = timezone.now()
    return services.travel_notice_record(
        rso=rso,
        notified_at=now - dt.timedelta(minutes=5),
        departs_at=now + dt.timedelta(days=days_ahead),
        returns_on=(now + dt.timedelta(days=days_ahead + 7)).date(),
        destinations=destinations,
        late_reason=late_reason,
        by=by,
    )


def test_travel_conflicts_with_a_total_ban(adult: RSO, officer: User) -> None:
    travel_ban(adult, officer, TravelScope.ALL_COUNTRIES, surrendered=True)
    notice = trip(adult, officer, "Spain")
    assert notice.conflicts_with_order
    assert notice.timeliness == TravelTimeliness.ON_TIME


@pytest.mark.parametrize(
    ("scope", "named", "destinations", "conflicts"),
    [
        (TravelScope.NAMED_COUNTRIES, "Thailand, Cambodia", "thailand", True),
        (TravelScope.NAMED_COUNTRIES, "Thailand, Cambodia", "Spain, France", False),
        (TravelScope.ALL_EXCEPT_NAMED, "Ireland", "IRELAND", False),
        (TravelScope.ALL_EXCEPT_NAMED, "Ireland", "Ireland, Spain", True),
    ],
)
def test_travel_conflicts_with_a_ban_on_named_countries_case_insensitively(
    adult: RSO, officer: User, scope: str, named: str, destinations: str, conflicts: bool
) -> None:
    travel_ban(adult, officer, scope, named)
    assert trip(adult, officer, destinations).conflicts_with_order is conflicts


def test_travel_does_not_conflict_with_an_ended_or_discharged_ban(adult: RSO, officer: User) -> None:
    ban = travel_ban(adult, officer, TravelScope.ALL_COUNTRIES, surrendered=True)
    CivilOrder.objects.filter(pk=ban.order_id).update(discharged_on=timezone.localdate())
    assert not trip(adult, officer, "Spain").conflicts_with_order


def test_late_travel_notice_needs_a_reason(adult: RSO, officer: User) -> None:
    with pytest.raises(ValidationError) as refused:
        trip(adult, officer, "Spain", days_ahead=2)
    assert "late_reason" in refused.value.message_dict
    assert not ForeignTravelNotice.objects.exists()
    notice = trip(adult, officer, "Spain", days_ahead=2, late_reason="Funeral abroad at short notice")
    assert notice.timeliness == TravelTimeliness.LATE_WITH_REASON


def test_travel_returning_before_it_departs_is_refused(adult: RSO, officer: User) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.travel_notice_record(
            rso=adult,
            notified_at=now,
            departs_at=now + dt.timedelta(days=10),
            returns_on=(now + dt.timedelta(days=5)).date(),
            destinations="Spain",
            by=officer,
        )
    assert "returns_on" in refused.value.message_dict
    assert not ForeignTravelNotice.objects.exists()


# --- Orders -----------------------------------------------------------------------------


def test_a_foreign_travel_prohibition_longer_than_5_years_is_refused(adult: RSO, officer: User) -> None:
    order = services.order_add(
        rso=adult, order_type=OrderType.SHPO, court="Leeds Crown Court", made_on=dt.date(2025, 1, 1), by=officer
    )
    with pytest.raises(ValidationError) as refused:
        services.prohibition_add(
            order=order,
            kind=ProhibitionKind.FOREIGN_TRAVEL,
            text="Not to travel to Thailand",
            starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2031, 1, 1),
            travel_scope=TravelScope.NAMED_COUNTRIES,
            countries="Thailand",
            by=officer,
        )
    assert refused.value.message_dict["ends_on"] == ["A foreign travel prohibition can last at most 5 years at a time"]
    assert not Prohibition.objects.exists()


def test_an_shpo_prohibition_shorter_than_5_years_is_refused_but_until_further_order_is_fine(
    adult: RSO, officer: User
) -> None:
    order = services.order_add(
        rso=adult, order_type=OrderType.SHPO, court="Leeds Crown Court", made_on=dt.date(2025, 1, 1), by=officer
    )
    with pytest.raises(ValidationError) as refused:
        services.prohibition_add(
            order=order,
            kind=ProhibitionKind.GENERAL,
            text="No unsupervised contact",
            starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2027, 1, 1),
            by=officer,
        )
    assert "ends_on" in refused.value.message_dict
    services.prohibition_add(
        order=order,
        kind=ProhibitionKind.GENERAL,
        text="No unsupervised contact",
        starts_on=dt.date(2025, 1, 1),
        by=officer,
    )
    assert Prohibition.objects.get().ends_on is None


def test_a_total_travel_ban_needs_passports_surrendered(adult: RSO, officer: User) -> None:
    with pytest.raises(ValidationError) as refused:
        travel_ban(adult, officer, TravelScope.ALL_COUNTRIES)
    assert "passports_surrendered" in refused.value.message_dict


def test_a_notification_order_has_no_prohibitions(adult: RSO, officer: User) -> None:
    order = services.order_add(
        rso=adult,
        order_type=OrderType.NOTIFICATION_ORDER,
        court="Leeds Magistrates",
        made_on=dt.date(2025, 1, 1),
        by=officer,
    )
    with pytest.raises(ValidationError) as refused:
        services.prohibition_add(
            order=order, kind=ProhibitionKind.GENERAL, text="Anything", starts_on=dt.date(2025, 1, 1), by=officer
        )
    assert "__all__" in refused.value.message_dict


def test_an_order_discharged_before_it_was_made_is_refused(adult: RSO, officer: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.order_add(
            rso=adult,
            order_type=OrderType.SRO,
            court="Leeds Magistrates",
            made_on=dt.date(2025, 1, 1),
            discharged_on=dt.date(2024, 1, 1),
            by=officer,
        )
    assert "discharged_on" in refused.value.message_dict
    assert not CivilOrder.objects.exists()


# --- Static scores, changes and status --------------------------------------------------


def test_a_static_band_the_tool_does_not_give_is_refused(adult: RSO, officer: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.static_score_add(
            rso=adult, tool=StaticTool.OSP_I, band="VERY_HIGH", assessed_on=dt.date(2025, 1, 1), by=officer
        )
    assert refused.value.message_dict["band"] == ["OSP/I (images) gives a band of low, medium, high"]
    services.static_score_add(
        rso=adult,
        tool=StaticTool.OSP_C,
        score=Decimal("0.125"),
        band="VERY_HIGH",
        assessed_on=dt.date(2025, 1, 1),
        by=officer,
    )
    assert StaticRiskScore.objects.get().band == "VERY_HIGH"


def test_a_significant_change_makes_the_arms_review_due_28_days_later(adult: RSO, officer: User) -> None:
    event = services.change_event_record(
        rso=adult,
        event_type=ChangeEventType.RELATIONSHIP,
        occurred_on=dt.date(2026, 1, 1),
        source="Home visit",
        by=officer,
    )
    assert event.review_due_on == dt.date(2026, 1, 29)


@override_settings(MOSOVO_POLICY={"ARMS_REVIEW_AFTER_CHANGE_DAYS": 14})
def test_the_days_to_the_arms_review_after_a_change_are_policy(adult: RSO, officer: User) -> None:
    event = services.change_event_record(
        rso=adult,
        event_type=ChangeEventType.ARREST,
        occurred_on=dt.date(2026, 1, 1),
        source="Custody record",
        by=officer,
    )
    assert event.review_due_on == dt.date(2026, 1, 15)


def test_a_change_in_the_future_is_refused(adult: RSO, officer: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.change_event_record(
            rso=adult,
            event_type=ChangeEventType.ARREST,
            occurred_on=timezone.localdate() + dt.timedelta(days=1),
            source="PNC",
            by=officer,
        )
    assert "occurred_on" in refused.value.message_dict
    assert not SignificantChangeEvent.objects.exists()


def test_changing_status_recomputes_without_a_second_version_bump(adult: RSO, officer: User) -> None:
    RSO.objects.filter(pk=adult.pk).update(last_notification_on=dt.date(2000, 1, 1))  # stale
    before = fresh(adult).version
    services.rso_change_status(rso=adult, status=RSOStatus.IN_CUSTODY, by=officer, version=before)
    rso = fresh(adult)
    assert rso.version == before + 1  # the status change itself, nothing more
    assert rso.last_notification_on is None
