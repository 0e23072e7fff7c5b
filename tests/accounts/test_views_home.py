"""Every role has a home page in the police-service shell."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, verified_login

HEADINGS = {
    "officer_a": "Your caseload",
    "sergeant_a": "Your team",
    "officer_b": "Your caseload",
    "inspector": "Your force",
    "admin": "Administration",
    "auditor": "Audit",
}


@pytest.mark.parametrize("persona", list(HEADINGS))
def test_every_role_sees_its_home_page_in_the_shell(client: Client, personas: Personas, persona: str) -> None:
    user = personas.all()[persona]
    verified_login(client, user)
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert HEADINGS[persona] in body
    # The shell: protective marking, service name, who is signed in and in what role.
    assert body.count("OFFICIAL-SENSITIVE") >= 2
    assert "mosovo" in body
    assert user.display_name in body
    assert user.role_label in body
    assert 'href="#main-content"' in body  # skip link
    # A police service: no GOV.UK crown or branding.
    assert "govuk-header__logotype" not in body
    assert "GOV.UK" not in body


def test_only_admin_sees_the_administration_link(client: Client, personas: Personas) -> None:
    verified_login(client, personas.admin)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()
    verified_login(client, personas.sergeant_a)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["officer_a", "sergeant_a", "inspector", "auditor"])
def test_only_admin_may_open_the_admin_site(client: Client, personas: Personas, persona: str) -> None:
    verified_login(client, personas.all()[persona])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302  # to the admin sign-in, which refuses them
    assert "/admin/login/" in response["Location"]


def test_admin_may_open_the_admin_site_and_manage_users(client: Client, personas: Personas) -> None:
    verified_login(client, personas.admin)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_unknown_page_shows_the_not_found_page_without_details(client: Client, personas: Personas) -> None:
    verified_login(client, personas.officer_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "Traceback" not in body
    assert "URLconf" not in body


def test_server_error_page_has_no_stack_trace(client: Client, personas: Personas) -> None:
    from mosovo.ops.views import server_error

    response = server_error(client.get("/").wsgi_request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    assert "Traceback" not in body


def test_health_check_answers_without_sign_in(client: Client, db: None) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
