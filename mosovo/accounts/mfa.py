"""The second factor: TOTP for every user, with single-use backup codes (django-otp)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mosovo.audit.choices import Action, Outcome
from mosovo.audit.services import audit_record

BACKUP_DEVICE_NAME = "backup"
TOTP_DEVICE_NAME = "authenticator"


def has_confirmed_device(user: Any) -> bool:
    """Tell whether the user has finished enrolling an authenticator."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def totp_device_start(*, user: Any) -> TOTPDevice:
    """Begin enrolment: a new unconfirmed authenticator (replacing any unfinished one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def base32_secret(device: TOTPDevice) -> str:
    """Return the device's secret as the base32 text authenticator apps accept."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def backup_codes_issue(*, user: Any) -> list[str]:
    """Replace the user's backup codes with a new set, returned once in clear."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def totp_device_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Finish enrolment with a code from the app; sign the session in with it.

    Returns the new backup codes, or None if the code was wrong.
    """
    if not device.verify_token(token.strip().replace(" ", "")):
        audit_record(action=Action.MFA_FAILED, outcome=Outcome.FAILURE, reason="enrolment code rejected")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    codes = backup_codes_issue(user=device.user)
    _complete(request, device)
    audit_record(action=Action.MFA_ENROLLED)
    return codes


@transaction.atomic
def second_factor_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a code from the authenticator (or a backup code) and verify the session.

    A code already used, in this or any session, is refused (django-otp remembers the
    last time step); so is a backup code used before.
    """
    user: Any = request.user
    cleaned = token.strip().replace(" ", "").replace("-", "")
    devices: list[Any] = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        if device.verify_token(cleaned):
            _complete(request, device)
            audit_record(action=Action.MFA_VERIFIED, reason="backup code" if isinstance(device, StaticDevice) else "")
            return True
    audit_record(action=Action.MFA_FAILED, outcome=Outcome.FAILURE)
    return False


def _complete(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    # A new session key once the second factor is passed: a key seen before it (for
    # example, planted by an attacker) is worthless after.
    request.session.cycle_key()


# --- Demo mode -------------------------------------------------------------------------


def demo_secret_hex(username: str) -> str:
    """Return the fixed TOTP secret of a demo account (demo mode only: derived, not random)."""
    return hashlib.sha256(f"mosovo-demo-totp:{username}".encode()).hexdigest()[:40]


def demo_device_ensure(*, user: Any) -> TOTPDevice:
    """Give a demo account its pre-enrolled authenticator, so a newcomer can sign in."""
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name=TOTP_DEVICE_NAME, defaults={"key": demo_secret_hex(user.username), "confirmed": True}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    """Return the code the device's authenticator shows now (for demo sign-in help)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
