"""SESS: sessions end after 30 idle minutes, after 12 hours whatever the activity, at
sign-out, and at the next request of a user an administrator has disabled.

The clock is moved with time-machine; the session's start and last-seen times are epoch
seconds in the server-side session, set at sign-in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from mosovo.audit.choices import Action, Channel
from mosovo.audit.models import AuditEvent
from tests.conftest import Casework, Personas, verified_login

START = dt.datetime(2025, 5, 1, 8, 0, tzinfo=dt.UTC)
SIGN_IN = reverse("accounts:login")


def at(minutes: float) -> Any:
    return time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False)


def signed_in_client(client_for: Any, personas: Personas) -> Client:
    with at(0):
        client: Client = client_for(personas.officer_a)
    return client


def rso_page(casework: Casework) -> str:
    return reverse("caseload:rso_detail", args=[casework.rso_a.pk])


def assert_sent_to_sign_in(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_sess_the_configured_limits_are_30_minutes_idle_and_12_hours_absolute() -> None:
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_ABSOLUTE_HOURS == 12


def test_sess_after_31_idle_minutes_the_next_request_is_sent_to_sign_in(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = signed_in_client(client_for, personas)

    with at(31):
        response = client.get(rso_page(casework))
        still_signed_in = "_auth_user_id" in client.session

    assert_sent_to_sign_in(response)
    assert not still_signed_in


def test_sess_after_12_hours_the_user_is_signed_out_even_with_constant_activity(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = signed_in_client(client_for, personas)
    for minutes in range(20, 12 * 60, 20):
        with at(minutes):
            assert client.get(reverse("home")).status_code == 200, minutes

    with at(12 * 60 + 1):
        response = client.get(rso_page(casework))

    assert_sent_to_sign_in(response)


@pytest.mark.parametrize(("minutes", "activity_every"), [(31, None), (12 * 60 + 1, 20)], ids=["idle", "absolute"])
def test_sess_an_expired_session_shows_no_data_and_is_gone_from_the_server(
    client_for: Any, personas: Personas, casework: Casework, minutes: int, activity_every: int | None
) -> None:
    # Whatever page the expiring request gets, the
    # record must not be on it and the server-side session must be gone.
    client = signed_in_client(client_for, personas)
    client.raise_request_exception = False
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    if activity_every:
        for moment in range(activity_every, minutes - 1, activity_every):
            with at(moment):
                assert client.get(reverse("home")).status_code == 200

    with at(minutes):
        expiring = client.get(rso_page(casework))
        after = client.get(rso_page(casework))

    assert expiring.status_code != 200
    assert casework.rso_a.visor_reference not in expiring.content.decode()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert_sent_to_sign_in(after)
    assert AuditEvent.objects.filter(action=Action.LOGOUT, actor=personas.officer_a).count() == 1
    # Nothing was consulted at or after the moment the session expired.
    late = START + dt.timedelta(minutes=minutes)
    assert not AuditEvent.objects.filter(action=Action.CONSULTATION, occurred_at__gte=late).exists()


def test_sess_the_logout_event_of_a_timeout_names_the_request_it_happened_in(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = signed_in_client(client_for, personas)
    client.raise_request_exception = False

    with at(31):
        client.get(rso_page(casework))

    (event,) = AuditEvent.objects.filter(action=Action.LOGOUT)
    assert event.channel == Channel.SCREEN
    assert event.client_ip == "127.0.0.1"
    assert event.request_id


def test_sess_29_idle_minutes_do_not_sign_the_user_out(client_for: Any, personas: Personas, casework: Casework) -> None:
    client = signed_in_client(client_for, personas)

    with at(29):
        response = client.get(rso_page(casework))

    assert response.status_code == 200


def test_sess_activity_every_20_minutes_keeps_the_session_past_30_minutes(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = signed_in_client(client_for, personas)

    statuses = []
    for minutes in (20, 40, 60, 80):
        with at(minutes):
            statuses.append(client.get(rso_page(casework)).status_code)

    assert statuses == [200, 200, 200, 200]


def test_sess_activity_keeps_the_session_until_just_before_12_hours(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = signed_in_client(client_for, personas)
    for minutes in range(25, 12 * 60, 25):
        with at(minutes):
            assert client.get(reverse("home")).status_code == 200, minutes

    with at(12 * 60 - 1):
        response = client.get(rso_page(casework))

    assert response.status_code == 200


def test_sess_sign_out_deletes_the_server_session_so_the_old_cookie_no_longer_works(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(rso_page(casework)).status_code == 200

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert_sent_to_sign_in(replay.get(rso_page(casework)))
    api = replay.get(reverse("api:rso_detail", args=[casework.rso_a.pk]))
    assert api.status_code == 403
    assert casework.rso_a.visor_reference not in api.content.decode()


def test_sess_a_user_disabled_by_an_administrator_is_signed_out_at_their_next_request(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    assert client.get(rso_page(casework)).status_code == 200

    personas.officer_a.is_active = False
    personas.officer_a.save(update_fields=["is_active"])

    page = client.get(rso_page(casework))
    api = client.get(reverse("api:rso_detail", args=[casework.rso_a.pk]))
    assert_sent_to_sign_in(page)
    assert api.status_code == 403
    assert casework.rso_a.visor_reference not in api.content.decode()
    # Only the first, permitted, read was recorded as a consultation.
    assert AuditEvent.objects.filter(action=Action.CONSULTATION, actor=personas.officer_a).count() == 1


def test_sess_a_user_disabled_through_the_admin_site_is_signed_out_at_their_next_request(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    officer_a = personas.officer_a
    officer = verified_login(Client(), officer_a)
    assert officer.get(rso_page(casework)).status_code == 200
    admin = client_for(personas.admin)

    # The administrator unticks "Active" on the user's page and saves.
    response = admin.post(
        reverse("admin:accounts_user_change", args=[officer_a.pk]),
        {
            "username": officer_a.username,
            "first_name": officer_a.first_name,
            "last_name": officer_a.last_name,
            "email": officer_a.email,
            "collar_number": officer_a.collar_number,
            "role": officer_a.role,
            "force": officer_a.force_id,
            "team": officer_a.team_id,
            "vetting_level": officer_a.vetting_level,
            "vetting_expires_on": "",
            "training-TOTAL_FORMS": "0",
            "training-INITIAL_FORMS": "0",
            "training-MIN_NUM_FORMS": "0",
            "training-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    officer_a.refresh_from_db()
    assert not officer_a.is_active
    assert_sent_to_sign_in(officer.get(rso_page(casework)))
