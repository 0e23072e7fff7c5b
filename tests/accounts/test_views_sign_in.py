"""Signing in and out, and changing a password."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, verified_login
from tests.factories import PASSWORD

GENERIC_ERROR = "Enter a correct username and password. Both are case-sensitive."


def sign_in(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_password_alone_leads_to_the_second_factor_not_the_home_page(client: Client, personas: Personas) -> None:
    response = sign_in(client, "officer_a", PASSWORD)
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("accounts:mfa_setup")  # no authenticator yet: enrol first


@pytest.mark.parametrize(
    ("username", "password"),
    [("officer_a", "wrong-password-123"), ("nobody_here", PASSWORD), ("OFFICER_A", PASSWORD)],
    ids=["wrong password", "unknown user", "wrong case"],
)
def test_failed_sign_in_shows_one_generic_message(
    client: Client, personas: Personas, username: str, password: str
) -> None:
    response = sign_in(client, username, password)
    body = response.content.decode()
    assert response.status_code == 200
    assert GENERIC_ERROR in body
    assert "_auth_user_id" not in client.session


def test_disabled_user_gets_the_same_generic_message(client: Client, personas: Personas) -> None:
    personas.officer_a.is_active = False
    personas.officer_a.save()
    response = sign_in(client, "officer_a", PASSWORD)
    assert GENERIC_ERROR in response.content.decode()
    assert "inactive" not in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_anonymous_visitor_is_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_sign_out_ends_the_server_session(client: Client, personas: Personas) -> None:
    verified_login(client, personas.officer_a)
    session_key = client.session.session_key
    assert client.post(reverse("accounts:logout")).status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_sign_out_refuses_get(client: Client, personas: Personas) -> None:
    verified_login(client, personas.officer_a)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_password_change_enforces_twelve_characters(client: Client, personas: Personas) -> None:
    verified_login(client, personas.officer_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Short1!x", "new_password2": "Short1!x"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    personas.officer_a.refresh_from_db()
    assert personas.officer_a.check_password(PASSWORD)


def test_password_change_with_a_good_password_works(client: Client, personas: Personas) -> None:
    verified_login(client, personas.officer_a)
    new = "quiet-lantern-orchard-42"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    personas.officer_a.refresh_from_db()
    assert personas.officer_a.check_password(new)
