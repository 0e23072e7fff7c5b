"""BRUTE: guessing passwords locks the username out from that address (django-axes).

Five failures for one username from one address lock that pair out for 30 minutes: with
this configuration axes refuses the fifth attempt itself with 429 and the lockout page.
Only the socket address counts (no trusted proxy), so a forged X-Forwarded-For changes
nothing. An administrator unlocks early by deleting the attempt record in the admin site.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from mosovo.audit.choices import Action, Outcome
from mosovo.audit.models import AuditEvent
from tests.conftest import Personas
from tests.factories import PASSWORD

WRONG = "not-the-password-1"
LOCKED_PAGE = "Sign-in locked"
GENERIC_ERROR = "Enter a correct username and password. Both are case-sensitive."
START = dt.datetime(2025, 5, 1, 9, 0, tzinfo=dt.UTC)


def sign_in(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def lock_out(client: Client, username: str = "officer_a", **extra: Any) -> list[Any]:
    """Try five wrong passwords; return the responses."""
    return [sign_in(client, username, WRONG, **extra) for _ in range(5)]


def test_brute_the_fifth_wrong_password_is_refused_with_the_lockout_page(client: Client, personas: Personas) -> None:
    responses = lock_out(client)

    for response in responses[:4]:
        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()
    fifth = responses[4]
    assert fifth.status_code == 429
    body = fifth.content.decode()
    assert LOCKED_PAGE in body
    assert "Try again in 30 minutes" in body
    assert WRONG not in body
    assert not is_signed_in(client)


def test_brute_once_locked_even_the_right_password_is_refused(client: Client, personas: Personas) -> None:
    lock_out(client)

    response = sign_in(client, "officer_a", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_PAGE in response.content.decode()
    assert not is_signed_in(client)
    assert not AuditEvent.objects.filter(action=Action.LOGIN_OK).exists()
    # A fresh browser from the same address is locked out too.
    assert sign_in(Client(), "officer_a", PASSWORD).status_code == 429


def test_brute_a_lockout_is_recorded_in_the_audit_log(client: Client, personas: Personas) -> None:
    lock_out(client)

    lockouts = AuditEvent.objects.filter(action=Action.LOCKOUT)
    assert lockouts.exists()
    event = lockouts.order_by("seq").first()
    assert event is not None
    assert event.actor is None
    assert event.actor_label == "attempted: officer_a"
    assert event.outcome == Outcome.DENIED
    assert "127.0.0.1" in event.reason
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, actor_label="attempted: officer_a").count() == 5
    for row in AuditEvent.objects.values():
        assert WRONG not in str(row.values())


def test_brute_the_lockout_record_never_holds_the_password(client: Client, personas: Personas) -> None:
    lock_out(client)

    attempt = AccessAttempt.objects.get(username="officer_a")
    assert attempt.failures_since_start == 5
    assert WRONG not in attempt.post_data
    assert WRONG not in attempt.get_data


def test_brute_rotating_x_forwarded_for_does_not_escape_the_lockout(client: Client, personas: Personas) -> None:
    responses = [
        sign_in(client, "officer_a", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.{n}") for n in range(1, 6)
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    right = sign_in(client, "officer_a", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.250")
    assert right.status_code == 429
    assert not is_signed_in(client)
    # One counter, for the socket address: the forged addresses were not recorded at all.
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]


def test_brute_a_different_address_is_a_different_counter(client: Client, personas: Personas) -> None:
    lock_out(client)

    response = sign_in(Client(REMOTE_ADDR="192.0.2.77"), "officer_a", PASSWORD, REMOTE_ADDR="192.0.2.77")

    assert response.status_code == 302


def test_brute_another_username_from_the_same_address_is_not_locked(client: Client, personas: Personas) -> None:
    lock_out(client)

    response = sign_in(client, "sergeant_a", PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_brute_an_unknown_username_is_locked_the_same_way(client: Client, personas: Personas) -> None:
    # The lockout must not tell a guesser which usernames exist.
    responses = lock_out(client, "nobody_here")
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]


def test_brute_after_30_minutes_the_right_password_works_again(client: Client, personas: Personas) -> None:
    with time_machine.travel(START, tick=False):
        lock_out(client)

    with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
        response = sign_in(client, "officer_a", PASSWORD)
        signed_in = is_signed_in(client)  # read while the session is still young

    assert response.status_code == 302
    assert signed_in


def test_brute_trying_again_while_locked_restarts_the_30_minutes(client: Client, personas: Personas) -> None:
    # axes counts the cool-off from the latest failure, and an attempt while locked out
    # (even with the right password) is a failure.
    with time_machine.travel(START, tick=False):
        lock_out(client)
    with time_machine.travel(START + dt.timedelta(minutes=29), tick=False):
        assert sign_in(client, "officer_a", PASSWORD).status_code == 429
    with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
        assert sign_in(client, "officer_a", PASSWORD).status_code == 429

    with time_machine.travel(START + dt.timedelta(minutes=31 + 31), tick=False):
        response = sign_in(client, "officer_a", PASSWORD)

    assert response.status_code == 302


def test_brute_a_success_resets_the_count(client: Client, personas: Personas) -> None:
    for _ in range(4):
        sign_in(client, "officer_a", WRONG)
    assert sign_in(client, "officer_a", PASSWORD).status_code == 302
    client.logout()

    responses = [sign_in(client, "officer_a", WRONG) for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 200]


def test_brute_an_administrator_unlocks_by_deleting_the_attempt_in_the_admin_site(
    client_for: Any, personas: Personas
) -> None:
    guesser = Client()
    lock_out(guesser)
    attempt = AccessAttempt.objects.get(username="officer_a")
    admin = client_for(personas.admin)

    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert listing.status_code == 200
    assert "officer_a" in listing.content.decode()
    assert deleted.status_code == 302
    assert not AccessAttempt.objects.exists()
    response = sign_in(guesser, "officer_a", PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(guesser)


@pytest.mark.parametrize("persona", ["officer_a", "sergeant_a", "inspector", "auditor"])
def test_brute_only_an_administrator_can_reach_the_lockout_records(
    client_for: Any, personas: Personas, persona: str
) -> None:
    lock_out(Client())
    attempt = AccessAttempt.objects.get(username="officer_a")
    client = client_for(personas.all()[persona])

    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert listing.status_code == 302
    assert listing["Location"].startswith(reverse("admin:login"))
    assert deleted.status_code == 302
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
