"""MFA: every user needs a TOTP second factor; a password alone opens nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mosovo.accounts import mfa
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.conftest import Casework, Personas
from tests.factories import PASSWORD

START = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def password_sign_in(client: Client, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def code_at(device: TOTPDevice, when: dt.datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = when.timestamp()
    return f"{totp.token():06d}"


@pytest.fixture
def enrolled(personas: Personas) -> TOTPDevice:
    return mfa.demo_device_ensure(user=personas.officer_a)


@pytest.mark.parametrize("url_name", ["home", "caseload:rso_list", "accounts:password_change", "admin:index"])
def test_mfa_password_only_session_is_denied_every_page(
    client: Client, enrolled: TOTPDevice, casework: Casework, url_name: str
) -> None:
    password_sign_in(client, "officer_a")
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_verify")


def test_mfa_password_only_session_is_denied_the_api(client: Client, enrolled: TOTPDevice) -> None:
    password_sign_in(client, "officer_a")
    response = client.get(reverse("api:rso_list"))
    assert response.status_code == 403


def test_mfa_correct_code_verifies_and_rotates_the_session_key(client: Client, enrolled: TOTPDevice) -> None:
    with time_machine.travel(START, tick=False):
        password_sign_in(client, "officer_a")
        key_before = client.session.session_key
        response = client.post(reverse("accounts:mfa_verify"), {"code": code_at(enrolled, START)})
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert client.session.session_key != key_before
        assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.MFA_VERIFIED, actor__username="officer_a").count() == 1


def test_mfa_replayed_code_is_rejected(client: Client, enrolled: TOTPDevice) -> None:
    code = code_at(enrolled, START)
    with time_machine.travel(START, tick=False):
        password_sign_in(client, "officer_a")
        assert client.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 302
    # Someone who saw the code tries it in another session, a few seconds later.
    other = Client()
    with time_machine.travel(START + dt.timedelta(seconds=5), tick=False):
        password_sign_in(other, "officer_a")
        response = other.post(reverse("accounts:mfa_verify"), {"code": code})
        assert response.status_code == 200
        assert "has been used already" in response.content.decode()
        assert other.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED, actor__username="officer_a").count() == 1


def test_mfa_wrong_code_is_refused(client: Client, enrolled: TOTPDevice) -> None:
    with time_machine.travel(START, tick=False):
        password_sign_in(client, "officer_a")
        response = client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
    assert response.status_code == 200
    assert "is not right" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_mfa_first_sign_in_enrols_an_authenticator_and_shows_backup_codes_once(
    client: Client, personas: Personas
) -> None:
    with time_machine.travel(START, tick=False):
        password_sign_in(client, "officer_a")
        page = client.get(reverse("accounts:mfa_setup"))
        assert page.status_code == 200
        assert "data:image/svg+xml" in page.content.decode()
        device = TOTPDevice.objects.get(user=personas.officer_a, confirmed=False)
        response = client.post(reverse("accounts:mfa_setup"), {"code": code_at(device, START)})
        assert response["Location"] == reverse("accounts:mfa_backup_codes")
        codes_page = client.get(reverse("accounts:mfa_backup_codes")).content.decode()
        codes = list(StaticToken.objects.filter(device__user=personas.officer_a).values_list("token", flat=True))
        assert len(codes) == 10
        assert all(code in codes_page for code in codes)
        # Shown once only.
        assert client.get(reverse("accounts:mfa_backup_codes"))["Location"] == reverse("home")
        assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_mfa_backup_code_works_once(client: Client, enrolled: TOTPDevice, personas: Personas) -> None:
    [code] = mfa.backup_codes_issue(user=personas.officer_a)[:1]
    password_sign_in(client, "officer_a")
    assert client.post(reverse("accounts:mfa_verify"), {"code": code})["Location"] == reverse("home")
    other = Client()
    password_sign_in(other, "officer_a")
    assert other.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 200
    assert other.get(reverse("home")).status_code == 302
