"""Creating users, and how their passwords are kept."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import override_settings

from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.services import user_create
from mosovo.settings import base
from tests.conftest import Personas


def test_production_hashes_passwords_with_argon2() -> None:
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("a-long-enough-password").startswith("argon2$")


def test_officer_without_a_team_is_refused(personas: Personas) -> None:
    with pytest.raises(ValidationError) as excinfo:
        user_create(username="loner", role=Role.OFFICER, password="a-long-enough-password")
    assert "team" in excinfo.value.message_dict
    assert not User.objects.filter(username="loner").exists()


def test_database_refuses_a_sergeant_without_a_team(personas: Personas) -> None:
    with pytest.raises(IntegrityError):
        User.objects.create(username="sgt_no_team", role=Role.SERGEANT)


def test_short_password_is_refused_and_nothing_saved(personas: Personas) -> None:
    with pytest.raises(ValidationError):
        user_create(username="newbie", role=Role.OFFICER, password="short", team=personas.team_a)
    assert not User.objects.filter(username="newbie").exists()


def test_user_takes_the_force_of_their_team(personas: Personas) -> None:
    user = user_create(username="newbie", role=Role.OFFICER, password="a-long-enough-password", team=personas.team_a)
    assert user.force == personas.force


def test_changes_to_a_user_are_kept_in_history_without_the_password(personas: Personas) -> None:
    user = personas.officer_a
    user.team = personas.team_b
    user.set_password("another-long-password")
    user.save()
    events = list(User.pgh_event_model.objects.filter(pgh_obj=user).order_by("pgh_id"))  # type: ignore[attr-defined]
    assert [e.team_id for e in events][-2:] == [personas.team_a.pk, personas.team_b.pk]
    assert not hasattr(events[-1], "password")
