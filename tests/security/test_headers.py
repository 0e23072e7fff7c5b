"""Security headers on HTML pages: CSP without unsafe-inline/unsafe-eval and with a
per-request script nonce, no-store, nosniff, and no framing.

HSTS and secure cookies are production settings, checked in tests/project/test_configuration.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import Casework, Personas


def csp_directives(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def script_tags(body: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", body, flags=re.IGNORECASE)


@pytest.fixture
def authenticated_pages(client_for: Any, personas: Personas, casework: Casework) -> list[Any]:
    """An officer's home page, caseload, one record and the break-glass form."""
    client = client_for(personas.officer_a)
    urls = [
        reverse("home"),
        reverse("caseload:rso_list"),
        reverse("caseload:rso_detail", args=[casework.rso_a.pk]),
        reverse("caseload:break_glass"),
    ]
    responses = [client.get(url) for url in urls]
    assert [r.status_code for r in responses] == [200] * len(urls)
    return responses


def test_authenticated_pages_send_a_csp_without_unsafe_inline_or_unsafe_eval(authenticated_pages: list[Any]) -> None:
    for response in authenticated_pages:
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header
        assert "unsafe-eval" not in header
        directives = csp_directives(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "'self'" in directives["script-src"]
        assert "*" not in directives["script-src"]
        assert "data:" not in directives["script-src"]


def test_script_src_never_carries_a_literal_nonce_keyword(authenticated_pages: list[Any]) -> None:
    # "'nonce'" on its own is not a CSP source; it appears when the setting lists that
    # string instead of csp.constants.NONCE, and then no real nonce is ever sent.
    for response in authenticated_pages:
        script_src = csp_directives(response)["script-src"]
        assert "'nonce'" not in script_src
        assert all(source.startswith(("'self'", "'nonce-")) for source in script_src), script_src


def test_a_nonce_used_while_rendering_reaches_the_csp_header_and_is_fresh_each_time(db: None) -> None:
    # django-csp adds "'nonce-...'" to script-src only for responses whose rendering used
    # request.csp_nonce (our pages load only script files today, so they do not).
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')  # type: ignore[attr-defined]

    seen = []
    for _ in range(2):
        response: Any = CSPMiddleware(view)(RequestFactory().get("/"))
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode())
        assert nonce is not None
        assert f"'nonce-{nonce.group(1)}'" in csp_directives(response)["script-src"]
        seen.append(nonce.group(1))
    assert seen[0] != seen[1]


def test_every_script_on_a_page_is_a_file_or_carries_the_requests_nonce(authenticated_pages: list[Any]) -> None:
    for response in authenticated_pages:
        header_nonces = {
            source[len("'nonce-") : -1]
            for source in csp_directives(response)["script-src"]
            if source.startswith("'nonce-")
        }
        tags = script_tags(response.content.decode())
        assert tags  # the page does load scripts
        for tag in tags:
            nonce = re.search(r'\bnonce="([^"]*)"', tag)
            assert re.search(r"\bsrc=", tag) or (nonce and nonce.group(1) in header_nonces), tag


def test_no_page_has_inline_event_handlers_or_javascript_urls(authenticated_pages: list[Any]) -> None:
    # Handlers such as onclick="..." are inline script that a nonce cannot cover.
    for response in authenticated_pages:
        for tag in re.findall(r"<[a-z][^>]*>", response.content.decode(), flags=re.IGNORECASE):
            assert not re.search(r"\son[a-z]+\s*=", tag, flags=re.IGNORECASE), tag
            assert "javascript:" not in tag.lower(), tag


def test_authenticated_pages_are_not_stored_not_sniffed_and_not_framed(authenticated_pages: list[Any]) -> None:
    for response in authenticated_pages:
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


def test_api_answers_are_not_stored(client_for: Any, personas: Personas, casework: Casework) -> None:
    client = client_for(personas.officer_a)
    for url in (reverse("api:rso_list"), reverse("api:rso_detail", args=[casework.rso_a.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_refusal_is_not_stored_either(client_for: Any, personas: Personas, casework: Casework) -> None:
    response = client_for(personas.officer_a).get(reverse("caseload:rso_detail", args=[casework.rso_b.pk]))
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


def test_the_sign_in_page_is_not_stored_and_has_the_same_protections(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    for tag in script_tags(response.content.decode()):
        assert re.search(r"\bsrc=", tag), tag
