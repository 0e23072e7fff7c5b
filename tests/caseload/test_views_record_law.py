"""The record's law tabs: convictions, notifications, travel, orders, risk and changes.

Who may read and write each tab, what bad input gets back (a message on the field and
nothing saved), and the two journeys that matter most: recording a notification moves
the next due date, and the 20% guard shows its numbers before a sergeant overrides it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from caseload import services
from caseload.choices import (
    ChangeEventType,
    Disposal,
    NotificationType,
    OrderType,
    ProhibitionKind,
    RiskLevel,
    RSOStatus,
    StaticTool,
    TravelScope,
    TravelTimeliness,
)
from caseload.models import (
    RSO,
    CapOverride,
    CivilOrder,
    Conviction,
    ForeignTravelNotice,
    NotificationEvent,
    Prohibition,
    SignificantChangeEvent,
    StaticRiskScore,
)
from caseload.policy import annual_notification_due
from mosovo.accounts.models import User
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.factories import RSOFactory

TODAY = timezone.localdate()
READ_TABS = ["rso_convictions", "rso_notifications", "rso_travel", "rso_orders", "rso_risk", "rso_changes"]
ADD_PAGES = [
    "rso_conviction_add",
    "rso_notification_add",
    "rso_travel_add",
    "rso_order_add",
    "rso_static_score_add",
    "rso_change_add",
]
POST_ONLY = ["rso_risk_change", "rso_status_change"]


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def url(name: str, rso: RSO, item: Any = None) -> str:
    return reverse(f"caseload:{name}", args=[rso.pk] if item is None else [rso.pk, item.pk])


@pytest.fixture
def records(personas: Personas, casework: Casework) -> dict[str, Any]:
    """One row of each kind on team A's RSO, and a conviction and an order on team B's."""
    rso, officer = casework.rso_a, personas.officer_a
    # Adults on the relevant date (the factory's dates of birth are random).
    RSO.objects.filter(pk__in=[rso.pk, casework.rso_b.pk]).update(date_of_birth=dt.date(1975, 3, 1))
    rso.refresh_from_db()
    casework.rso_b.refresh_from_db()
    conviction = services.conviction_add(
        rso=rso, offence="Sexual assault (s.3)", relevant_date=dt.date(2015, 5, 1), disposal=Disposal.LIFE, by=officer
    )
    services.notification_record(
        rso=rso,
        notification_type=NotificationType.RELEASE,
        occurred_at=timezone.now() - dt.timedelta(days=30),
        police_station="Leeds Central",
        trigger_date=TODAY - dt.timedelta(days=31),
        by=officer,
    )
    order = services.order_add(rso=rso, order_type=OrderType.SHPO, court="Leeds Crown Court", made_on=TODAY, by=officer)
    services.prohibition_add(
        order=order, kind=ProhibitionKind.GENERAL, text="No contact with children", starts_on=TODAY, by=officer
    )
    services.static_score_add(rso=rso, tool=StaticTool.OSP_C, band=RiskLevel.MEDIUM, assessed_on=TODAY, by=officer)
    services.change_event_record(
        rso=rso, event_type=ChangeEventType.RELATIONSHIP, occurred_on=TODAY, source="Home visit", by=officer
    )
    services.travel_notice_record(
        rso=rso,
        notified_at=timezone.now(),
        departs_at=timezone.now() + dt.timedelta(days=20),
        destinations="Spain",
        by=officer,
    )
    conviction_b = services.conviction_add(
        rso=casework.rso_b,
        offence=f"Offence {CANARY}",
        relevant_date=dt.date(2015, 5, 1),
        disposal=Disposal.OTHER,
        by=personas.officer_b,
    )
    order_b = services.order_add(
        rso=casework.rso_b, order_type=OrderType.SRO, court=f"Court {CANARY}", made_on=TODAY, by=personas.officer_b
    )
    return {"conviction": conviction, "order": order, "conviction_b": conviction_b, "order_b": order_b}


def write_urls(rso: RSO, records: dict[str, Any]) -> list[str]:
    return [
        *(url(name, rso) for name in ADD_PAGES + POST_ONLY),
        url("rso_conviction_edit", rso, records["conviction"]),
        url("rso_prohibition_add", rso, records["order"]),
    ]


# --- Who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize("tab", READ_TABS)
def test_each_tab_renders_for_an_officer_of_the_team_with_its_forms(
    personas: Personas, casework: Casework, records: dict[str, Any], tab: str
) -> None:
    response = signed_in(personas.officer_a).get(url(tab, casework.rso_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page"' in body
    assert "<caption" in body
    assert "/add/" in body or 'action="/caseload/rso/' in body  # a way to add or change
    assert CANARY not in body


def test_the_tabs_show_what_the_law_worked_out(personas: Personas, casework: Casework, records: dict[str, Any]) -> None:
    client = signed_in(personas.officer_a)
    rso = casework.rso_a
    convictions = client.get(url("rso_convictions", rso)).content.decode()
    assert "Indefinite" in convictions
    assert "Governs" in convictions
    assert "Blocked" in convictions  # the SHPO in force blocks the review
    orders = client.get(url("rso_orders", rso)).content.decode()
    assert "until further order" in orders
    assert "In force" in orders
    changes = client.get(url("rso_changes", rso)).content.decode()
    assert f"ARMS review due by {date_format(TODAY + dt.timedelta(days=28), 'j F Y')}" in changes
    travel = client.get(url("rso_travel", rso)).content.decode()
    assert TravelTimeliness.ON_TIME.label in travel


@pytest.mark.parametrize("tab", READ_TABS)
def test_an_inspector_reads_each_tab_without_its_forms(
    personas: Personas, casework: Casework, records: dict[str, Any], tab: str
) -> None:
    response = signed_in(personas.inspector).get(url(tab, casework.rso_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert "/add/" not in body
    assert "csrfmiddlewaretoken" not in body.split("moj-sub-navigation", 1)[1]  # no form below the tabs


def test_an_inspector_cannot_reach_any_form(personas: Personas, casework: Casework, records: dict[str, Any]) -> None:
    client = signed_in(personas.inspector)
    for target in write_urls(casework.rso_a, records):
        assert client.get(target).status_code == 404, target
        assert client.post(target, {}).status_code == 404, target
    assert Conviction.objects.filter(rso=casework.rso_a).count() == 1


def test_an_officer_of_another_team_gets_404_on_every_tab_and_form(
    personas: Personas, casework: Casework, records: dict[str, Any]
) -> None:
    client = signed_in(personas.officer_b)
    for tab in READ_TABS:
        assert client.get(url(tab, casework.rso_a)).status_code == 404, tab
    for target in write_urls(casework.rso_a, records):
        assert client.get(target).status_code in (404, 405), target
        assert client.post(target, {}).status_code == 404, target


def test_a_row_of_another_record_answers_404_even_under_ones_own_record(
    personas: Personas, casework: Casework, records: dict[str, Any]
) -> None:
    client = signed_in(personas.officer_a)
    other_a = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    for item_url in (
        url("rso_conviction_edit", casework.rso_a, records["conviction_b"]),
        url("rso_prohibition_add", casework.rso_a, records["order_b"]),
        url("rso_conviction_edit", other_a, records["conviction"]),  # team A's, but another record's
        url("rso_prohibition_add", other_a, records["order"]),
    ):
        response = client.get(item_url)
        assert response.status_code == 404, item_url
        assert CANARY not in response.content.decode()


# --- Bad input ---------------------------------------------------------------------------

FUTURE = (TODAY + dt.timedelta(days=3)).isoformat()
CONVICTION = {"offence": "Sexual assault (s.3)", "relevant_date": "2015-05-01", "court": "", "disposal": "OTHER"}
NOTIFICATION = {
    "notification_type": "ANNUAL",
    "occurred_on": TODAY.isoformat(),
    "occurred_time": "00:01",
    "police_station": "Leeds Central",
}
TRAVEL = {
    "notified_on": TODAY.isoformat(),
    "notified_time": "00:01",
    "departs_on": (TODAY + dt.timedelta(days=20)).isoformat(),
    "departs_time": "09:00",
    "destinations": "Spain",
    "disclosure": "NOT_DECIDED",
}
PROHIBITION = {
    "kind": "FOREIGN_TRAVEL",
    "text": "Not to travel to Thailand",
    "starts_on": TODAY.isoformat(),
    "travel_scope": "NAMED_COUNTRIES",
    "countries": "Thailand",
}

BAD_INPUT: list[tuple[str, dict[str, Any], str, str, type[Any]]] = [
    (
        "rso_conviction_add",
        {**CONVICTION, "relevant_date": FUTURE},
        "relevant_date",
        "cannot be in the future",
        Conviction,
    ),
    ("rso_conviction_add", {**CONVICTION, "relevant_date": ""}, "relevant_date", "Enter the relevant date", Conviction),
    (
        "rso_conviction_add",
        {**CONVICTION, "relevant_date": "2015-02-30"},
        "relevant_date",
        "Enter a real date",
        Conviction,
    ),
    (
        "rso_conviction_add",
        {**CONVICTION, "disposal": "CUSTODY"},
        "custody_months",
        "Enter the custody length",
        Conviction,
    ),
    (
        "rso_conviction_add",
        {**CONVICTION, "disposal": "CUSTODY", "custody_months": "-4"},
        "custody_months",
        "must be more than 0 months",
        Conviction,
    ),
    (
        "rso_conviction_add",
        {**CONVICTION, "disposal": "CONDITIONAL_DISCHARGE"},
        "discharge_months",
        "Enter the length of the conditional discharge",
        Conviction,
    ),
    (
        "rso_conviction_add",
        {**CONVICTION, "disposal": "BIRCHING"},
        "disposal",
        "Select a disposal from the list",
        Conviction,
    ),
    (
        "rso_notification_add",
        {**NOTIFICATION, "occurred_on": FUTURE},
        "occurred_on",
        "cannot be in the future",
        NotificationEvent,
    ),
    (
        "rso_notification_add",
        {**NOTIFICATION, "notification_type": "CHANGE"},
        "trigger_date",
        "Enter the date the duty to notify arose",
        NotificationEvent,
    ),
    (
        "rso_travel_add",
        {**TRAVEL, "returns_on": (TODAY + dt.timedelta(days=10)).isoformat()},
        "returns_on",
        "cannot be before the departure date",
        ForeignTravelNotice,
    ),
    (
        "rso_travel_add",
        {**TRAVEL, "departs_on": (TODAY + dt.timedelta(days=3)).isoformat()},
        "late_reason",
        "needs a reason",
        ForeignTravelNotice,
    ),
    (
        "rso_order_add",
        {"order_type": "SHPO", "court": "Leeds", "made_on": "2024-01-01", "discharged_on": "2023-01-01"},
        "discharged_on",
        "cannot be discharged before it was made",
        CivilOrder,
    ),
    (
        "rso_static_score_add",
        {"tool": "OSP_I", "band": "VERY_HIGH", "assessed_on": TODAY.isoformat()},
        "band",
        "gives a band of low, medium, high",
        StaticRiskScore,
    ),
    (
        "rso_change_add",
        {"event_type": "ARREST", "occurred_on": FUTURE, "source": "PNC"},
        "occurred_on",
        "cannot be in the future",
        SignificantChangeEvent,
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "field", "message", "model"), BAD_INPUT, ids=[f"{b[0]}-{b[2]}" for b in BAD_INPUT]
)
def test_bad_input_gets_a_message_on_the_field_and_saves_nothing(
    personas: Personas, casework: Casework, name: str, data: dict[str, Any], field: str, message: str, model: type[Any]
) -> None:
    client = signed_in(personas.officer_a)
    before = model.objects.count()
    response = client.post(url(name, casework.rso_a), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}-error"' in body
    assert message in body
    assert "There is a problem" in body
    assert model.objects.count() == before


def test_a_prohibition_longer_than_the_law_allows_gets_a_message_and_saves_nothing(
    personas: Personas, casework: Casework, records: dict[str, Any]
) -> None:
    client = signed_in(personas.officer_a)
    ends = TODAY.replace(year=TODAY.year + 6).isoformat()
    response = client.post(
        url("rso_prohibition_add", casework.rso_a, records["order"]), {**PROHIBITION, "ends_on": ends}
    )
    assert response.status_code == 400
    assert 'id="id_ends_on-error"' in response.content.decode()
    assert "can last at most 5 years at a time" in response.content.decode()
    assert Prohibition.objects.filter(kind=ProhibitionKind.FOREIGN_TRAVEL).count() == 0


def test_correcting_a_conviction_shows_its_values_and_saves_the_change(
    personas: Personas, casework: Casework, records: dict[str, Any]
) -> None:
    client = signed_in(personas.officer_a)
    target = url("rso_conviction_edit", casework.rso_a, records["conviction"])
    form = client.get(target).content.decode()
    assert 'value="2015-05-01"' in form
    response = client.post(target, {**CONVICTION, "disposal": "CUSTODY", "custody_months": "12"})
    assert response.status_code == 302
    rso = RSO.objects.get(pk=casework.rso_a.pk)
    assert rso.notification_ends_on == dt.date(2025, 4, 30)
    assert not rso.notification_indefinite


# --- Journeys --------------------------------------------------------------------------


def test_an_officer_records_a_notification_and_sees_the_next_due_date_move(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    last_year = timezone.now() - dt.timedelta(days=300)
    services.notification_record(
        rso=rso,
        notification_type=NotificationType.INITIAL,
        occurred_at=last_year,
        police_station="Leeds Central",
        trigger_date=timezone.localdate(last_year),
        by=personas.officer_a,
    )
    old_due = annual_notification_due(timezone.localdate(last_year))
    client = signed_in(personas.officer_a)
    before = client.get(url("rso_notifications", rso)).content.decode()
    assert date_format(old_due, "j F Y") in before

    response = client.post(url("rso_notification_add", rso), NOTIFICATION, follow=True)

    new_due = annual_notification_due(TODAY)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == url("rso_notifications", rso)
    assert f"The next annual notification is due by {date_format(new_due, 'j F Y')}" in page
    assert date_format(new_due, "j F Y") in page.split('id="next-annual-due"', 1)[1].split("</dd>", 1)[0]
    assert "In time" in page
    event = NotificationEvent.objects.get(rso=rso, notification_type=NotificationType.ANNUAL)
    assert (event.due_on, event.in_time, event.receiving_officer) == (old_due, True, personas.officer_a)


def test_the_weekly_due_date_shows_only_with_no_fixed_abode(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    client.post(
        url("rso_notification_add", rso),
        {**NOTIFICATION, "notification_type": "INITIAL", "trigger_date": TODAY.isoformat()},
    )
    assert 'id="next-weekly-due"' not in client.get(url("rso_notifications", rso)).content.decode()
    RSO.objects.filter(pk=rso.pk).update(no_fixed_abode=True)
    services.rso_recompute(rso=rso)
    page = client.get(url("rso_notifications", rso)).content.decode()
    weekly = page.split('id="next-weekly-due"', 1)[1].split("</dd>", 1)[0]
    assert date_format(TODAY + dt.timedelta(days=6), "j F Y") in weekly


def high_risk_caseload(officer: User) -> None:
    """Give the officer 6 cases (the fixture's one included), 1 high: any more high is over 20%."""
    for _ in range(4):
        RSOFactory.create(team=officer.team, allocated_officer=officer)
    RSOFactory.create(team=officer.team, allocated_officer=officer, risk_level=RiskLevel.HIGH)


def risk_data(rso: RSO, **extra: str) -> dict[str, Any]:
    return {
        "risk-risk_level": "HIGH",
        "risk-reason": "New intelligence of contact with a child",
        "risk-version": rso.version,
        **extra,
    }


def test_the_risk_form_shows_the_cap_refusal_numbers_and_a_sergeant_overrides(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    high_risk_caseload(personas.officer_a)
    numbers = "would have 2 of 6 cases high risk (33%)"

    refused = signed_in(personas.officer_a).post(url("rso_risk_change", rso), risk_data(rso))
    body = refused.content.decode()
    assert refused.status_code == 400
    assert numbers in body
    assert "Ask your sergeant" in body
    assert 'name="risk-override_reason"' not in body  # only a sergeant may override

    sergeant = signed_in(personas.sergeant_a)
    asked = sergeant.post(url("rso_risk_change", rso), risk_data(rso))
    assert asked.status_code == 400
    assert numbers in asked.content.decode()
    assert 'name="risk-override_reason"' in asked.content.decode()
    assert RSO.objects.get(pk=rso.pk).risk_level == RiskLevel.LOW

    done = sergeant.post(
        url("rso_risk_change", rso), risk_data(rso, **{"risk-override_reason": "Only officer who knows the family"})
    )
    assert done.status_code == 302
    assert RSO.objects.get(pk=rso.pk).risk_level == RiskLevel.HIGH
    assert CapOverride.objects.filter(officer=personas.officer_a, resolved_at__isnull=True).count() == 1


def test_an_officer_cannot_lower_the_risk_level(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    RSO.objects.filter(pk=rso.pk).update(risk_level=RiskLevel.MEDIUM)
    rso.refresh_from_db()
    response = signed_in(personas.officer_a).post(
        url("rso_risk_change", rso), risk_data(rso, **{"risk-risk_level": "LOW"})
    )
    assert response.status_code == 400
    assert "Only a sergeant of the team" in response.content.decode()
    assert RSO.objects.get(pk=rso.pk).risk_level == RiskLevel.MEDIUM


def test_a_risk_change_without_a_reason_is_refused(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    response = signed_in(personas.officer_a).post(url("rso_risk_change", rso), risk_data(rso, **{"risk-reason": ""}))
    assert response.status_code == 400
    assert 'id="id_risk-reason-error"' in response.content.decode()
    assert RSO.objects.get(pk=rso.pk).risk_level == RiskLevel.LOW


def test_status_changes_and_a_stale_form_is_refused(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    version = rso.version
    done = client.post(url("rso_status_change", rso), {"status-status": "IN_CUSTODY", "status-version": version})
    assert done.status_code == 302
    assert RSO.objects.get(pk=rso.pk).status == RSOStatus.IN_CUSTODY
    stale = client.post(url("rso_status_change", rso), {"status-status": "ABROAD", "status-version": version})
    assert stale.status_code == 400
    assert "Someone else changed this record" in stale.content.decode()
    assert RSO.objects.get(pk=rso.pk).status == RSOStatus.IN_CUSTODY


# --- Query counts ------------------------------------------------------------------------


def add_rows(kind: str, rso: RSO, by: User, n: int) -> None:
    """Add n rows of the tab's kind straight to the database (the services are tested elsewhere)."""
    for i in range(n):
        day = TODAY - dt.timedelta(days=i + 1)
        if kind == "rso_convictions":
            Conviction.objects.create(
                rso=rso, offence=f"Offence {i}", relevant_date=day, disposal=Disposal.CAUTION, age_on_relevant_date=40
            )
        elif kind == "rso_notifications":
            NotificationEvent.objects.create(
                rso=rso,
                notification_type=NotificationType.ANNUAL,
                occurred_at=timezone.now() - dt.timedelta(days=i + 1),
                police_station="Leeds",
                receiving_officer=by,
                recorded_by=by,
            )
        elif kind == "rso_travel":
            ForeignTravelNotice.objects.create(
                rso=rso,
                notified_at=timezone.now(),
                departs_at=timezone.now() + dt.timedelta(days=i + 10),
                destinations="Spain",
                timeliness=TravelTimeliness.ON_TIME,
                recorded_by=by,
            )
        elif kind == "rso_orders":
            order = CivilOrder.objects.create(rso=rso, order_type=OrderType.SHPO, court="Leeds", made_on=day)
            Prohibition.objects.create(
                order=order,
                kind=ProhibitionKind.FOREIGN_TRAVEL,
                text="No travel",
                starts_on=day,
                ends_on=TODAY,
                travel_scope=TravelScope.NAMED_COUNTRIES,
                countries="Thailand",
            )
        elif kind == "rso_risk":
            StaticRiskScore.objects.create(rso=rso, tool=StaticTool.OSP_C, band=RiskLevel.LOW, assessed_on=day)
        elif kind == "rso_changes":
            SignificantChangeEvent.objects.create(
                rso=rso,
                event_type=ChangeEventType.OTHER,
                occurred_on=day,
                source="Visit",
                review_due_on=TODAY,
                recorded_by=by,
            )


def queries_for(client: Client, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("tab", READ_TABS)
def test_each_list_tab_costs_the_same_queries_for_1_and_20_rows(
    personas: Personas, casework: Casework, tab: str
) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    add_rows(tab, rso, personas.officer_a, 1)
    one = queries_for(client, url(tab, rso))
    add_rows(tab, rso, personas.officer_a, 19)
    twenty = queries_for(client, url(tab, rso))
    # Session, user, second factor, the RSO (team and officer joined), the tab checks
    # (audit trail, break-glass), the rows (notifications: officer joined; orders: one
    # query for the prohibitions; convictions: the orders in force for the review), and
    # the consultation event: none of them per row.
    assert one == twenty
    assert twenty <= 16
