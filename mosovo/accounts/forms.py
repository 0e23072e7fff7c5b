"""Sign-in, second-factor and password forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's authentication form with one generic message for every failure.

    A wrong username, a wrong password and a disabled account all read the same, so the
    page reveals nothing about which accounts exist.
    """

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }

    username = forms.CharField(label="Username", max_length=150)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=20,
        error_messages={"required": "Enter the security code"},
    )
