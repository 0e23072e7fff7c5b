"""The PDF of an approved plan: what is on every page, what it holds, who may download it,
the audited disclosure, and the renderer's rules with user text (PDF-01..05)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from weasyprint.urls import URLFetcherResponse

from arms import services
from arms.choices import ActionType, Agency
from arms.models import Plan
from mosovo.accounts.models import User
from mosovo.audit.models import AuditEvent
from mosovo.lib import pdf
from mosovo.lib.pdf import StaticOnlyFetcher
from tests.arms.kit import approved_assessment, approved_plan
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

FORM = {"recipient": "Probation Service, Jo Bloggs", "reason": "For the MAPPA level 2 meeting on 3 June."}
IMG = '<img src="file:///etc/passwd">'
CSS = "<style>@import url(http://example.invalid/x.css)</style>"
LINK = '<link rel="attachment" href="file:///etc/passwd">'


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in reader(data).pages]


def squeezed(text: str) -> str:
    """Text without any whitespace, so words wrapped in a narrow cell still compare."""
    return "".join(text.split())


def download(user: User, plan: Plan, data: dict[str, str] | None = None) -> Any:
    return signed_in(user).post(reverse("arms:plan_pdf", args=[plan.pk]), data or FORM)


class SpyFetcher(StaticOnlyFetcher):
    """Records every URL the renderer asked for, and which were served or refused."""

    asked: list[str] = []
    served: list[str] = []
    refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        SpyFetcher.asked.append(url)
        try:
            response = super().fetch(url, headers)
        except Exception:
            SpyFetcher.refused.append(url)
            raise
        SpyFetcher.served.append(url)
        return response


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> type[SpyFetcher]:
    SpyFetcher.asked, SpyFetcher.served, SpyFetcher.refused = [], [], []
    monkeypatch.setattr(pdf, "StaticOnlyFetcher", SpyFetcher)
    return SpyFetcher


@pytest.fixture
def big_plan(personas: Personas, casework: Casework) -> Plan:
    """An approved plan of 40 actions: enough for three pages or more."""
    return approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=40)


@pytest.fixture
def hostile_plan(personas: Personas, casework: Casework) -> Plan:
    """An approved plan whose free text tries to be markup."""
    rso, officer = casework.rso_a, personas.officer_a
    approved_assessment(rso, officer=officer, sergeant=personas.sergeant_a)
    plan = services.plan_start(rso=rso, by=officer)
    factor = plan.assessment.catalogue.factors.order_by("kind", "position").first()
    assert factor is not None
    for payload in (IMG, CSS, LINK):
        services.plan_action_add(
            plan=plan,
            factor_id=factor.pk,
            action_type=ActionType.SUPPORT,
            description=f"Step {payload}",
            agency=Agency.POLICE,
            owner="PC Test",
            by=officer,
        )
    plan.refresh_from_db()
    plan = services.plan_update(
        plan=plan,
        visit_interval_months=plan.visit_interval_months,
        contingencies=f"First {IMG}\nThen {CSS}\nLast {LINK}",
        shared_with_person="He knows.",
        version=plan.version,
        by=officer,
    )
    plan = services.plan_submit(plan=plan, version=plan.version, by=officer)
    return services.plan_approve(plan=plan, by=personas.sergeant_a)


# --- The document -----------------------------------------------------------------------


def test_the_download_is_an_attachment_that_is_not_cached(personas: Personas, big_plan: Plan) -> None:
    response = download(personas.sergeant_a, big_plan)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="plan-VS-TEST-000000-v1.pdf"'.replace(
        "VS-TEST-000000", big_plan.rso.visor_reference
    )
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


def test_every_page_has_the_marking_page_numbers_version_and_who_generated_it(
    personas: Personas, big_plan: Plan
) -> None:
    texts = page_texts(download(personas.sergeant_a, big_plan).content)
    total = len(texts)
    assert total >= 3
    for number, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, (number, text)  # header and footer
        assert re.findall(r"Page \d+ of \d+", text) == [f"Page {number} of {total}"], number
        assert squeezed(f"Generated by {personas.sergeant_a.display_name} on") in squeezed(text), number
        assert "Risk management plan version 1" in text, number
        assert big_plan.rso.visor_reference in text, number


def test_the_pdf_holds_the_person_the_factors_the_actions_and_the_sign_off(
    personas: Personas, casework: Casework, big_plan: Plan
) -> None:
    text = "\n".join(page_texts(download(personas.inspector, big_plan).content))
    flat = squeezed(text)
    rso = casework.rso_a
    rso.refresh_from_db()
    for expected in (rso.display_name, rso.visor_reference, "Date of birth", "PNC ID", "MAPPA", "Team A"):
        assert squeezed(expected) in flat, expected
    for factor in big_plan.assessment.catalogue.factors.all():
        assert squeezed(factor.name) in flat, factor.name
    for action in big_plan.actions.all():
        assert squeezed(action.description) in flat, action.description
    for heading in ("Risk factors", "Protective factors", "Contingencies", "Sign-off", "Partner agency"):
        assert heading in text, heading
    assert text.index("Control (restrict)") < text.index("Support (build a protective factor)") < text.index("Monitor")
    assert "40 actions: 8 control, 8 support, 8 monitor, 8 intervene, 8 victim safety" in text
    assert squeezed(FORM["recipient"]) in flat
    assert squeezed(FORM["reason"]) in flat
    assert squeezed(f"Approved by {personas.sergeant_a.display_name}") in flat
    assert CANARY not in text


def test_each_download_writes_one_disclosure_with_its_reason_and_recipient(personas: Personas, big_plan: Plan) -> None:
    before = AuditEvent.objects.filter(action="disclosure").count()
    assert download(personas.officer_a, big_plan).status_code == 200  # the allocated officer
    events = AuditEvent.objects.filter(action="disclosure")
    assert events.count() == before + 1
    event = events.latest("seq")
    assert event.channel == "pdf"
    assert event.actor == personas.officer_a
    assert event.reason == FORM["reason"]
    assert event.recipient == FORM["recipient"]
    assert event.rso_ids == [big_plan.rso_id]
    assert event.object_ids == [str(big_plan.pk)]


def test_the_form_asks_why_and_to_whom_and_warns_of_the_marking(personas: Personas, big_plan: Plan) -> None:
    client = signed_in(personas.sergeant_a)
    page = client.get(reverse("arms:plan_pdf", args=[big_plan.pk])).content.decode()
    assert 'id="marking-warning"' in page
    assert "OFFICIAL-SENSITIVE" in page
    assert 'name="recipient"' in page
    assert 'name="reason"' in page
    response = client.post(reverse("arms:plan_pdf", args=[big_plan.pk]), {"recipient": "", "reason": " "})
    assert response.status_code == 400
    assert "Say who will receive it" in response.content.decode()
    assert "Say why the plan is being disclosed" in response.content.decode()
    assert not AuditEvent.objects.filter(action="disclosure").exists()


# --- Who may download -------------------------------------------------------------------


def test_an_officer_who_is_not_the_allocated_officer_gets_404(personas: Personas, big_plan: Plan) -> None:
    colleague = OfficerFactory.create(username="officer_a2", team=personas.team_a)
    client = signed_in(colleague)
    target = reverse("arms:plan_pdf", args=[big_plan.pk])
    assert client.get(target).status_code == 404
    assert client.post(target, FORM).status_code == 404
    assert not AuditEvent.objects.filter(action="disclosure").exists()
    assert AuditEvent.objects.filter(action="access_denied", actor=colleague).exists()


def test_an_officer_of_another_team_and_admins_get_404(personas: Personas, big_plan: Plan) -> None:
    for who in (personas.officer_b, personas.admin, personas.auditor):
        response = download(who, big_plan)
        assert response.status_code == 404, who
        assert b"%PDF" not in response.content
    assert not AuditEvent.objects.filter(action="disclosure").exists()


def test_a_draft_version_cannot_be_exported(personas: Personas, casework: Casework, big_plan: Plan) -> None:
    draft = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    for who in (personas.sergeant_a, personas.inspector, personas.officer_a):
        assert signed_in(who).get(reverse("arms:plan_pdf", args=[draft.pk])).status_code == 404
        assert download(who, draft).status_code == 404
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.plan_export_pdf(plan=draft, reason="x", recipient="y", by=personas.sergeant_a, context={})
    assert not AuditEvent.objects.filter(action="disclosure").exists()


# --- PDF-01..05: user text stays text, nothing is fetched or embedded --------------------


def test_pdf_01_an_image_tag_in_free_text_is_literal_and_fetches_nothing(
    personas: Personas, hostile_plan: Plan, spy: type[SpyFetcher]
) -> None:
    data = download(personas.sergeant_a, hostile_plan).content
    text = "\n".join(page_texts(data))
    assert f"First {IMG}" in text  # contingencies, full width
    assert squeezed(f"Step {IMG}") in squeezed(text)  # an action's description, in a narrow cell
    assert not [url for url in spy.asked if url.lower().startswith("file:")]
    assert b"root:x:0:0" not in data
    for page in reader(data).pages:
        resources: Any = page["/Resources"].get_object()
        assert "/XObject" not in resources or not any(
            x.get_object().get("/Subtype") == "/Image" for x in resources["/XObject"].values()
        )


def test_pdf_02_a_css_import_in_free_text_is_literal_and_nothing_goes_to_the_network(
    personas: Personas, hostile_plan: Plan, spy: type[SpyFetcher]
) -> None:
    data = download(personas.sergeant_a, hostile_plan).content
    text = "\n".join(page_texts(data))
    assert f"Then {CSS}" in text
    assert squeezed(f"Step {CSS}") in squeezed(text)
    assert not [url for url in spy.asked if "example.invalid" in url]


def test_pdf_03_an_attachment_link_in_free_text_is_literal_and_nothing_is_embedded(
    personas: Personas, hostile_plan: Plan, spy: type[SpyFetcher]
) -> None:
    data = download(personas.sergeant_a, hostile_plan).content
    text = "\n".join(page_texts(data))
    assert f"Last {LINK}" in text
    assert squeezed(f"Step {LINK}") in squeezed(text)
    assert dict(reader(data).attachments) == {}
    assert b"/EmbeddedFiles" not in data


def test_pdf_04_only_our_stylesheet_is_asked_for_and_nothing_is_refused(
    personas: Personas, hostile_plan: Plan, spy: type[SpyFetcher]
) -> None:
    assert download(personas.sergeant_a, hostile_plan).status_code == 200
    assert spy.asked, "the renderer went around the fetcher"
    assert all(url.endswith("/static/css/pdf.css") for url in spy.asked), spy.asked
    assert spy.refused == []


def test_pdf_05_the_stylesheet_is_served_from_our_static_files(
    personas: Personas, big_plan: Plan, spy: type[SpyFetcher]
) -> None:
    data = download(personas.sergeant_a, big_plan).content
    assert spy.served == ["https://mosovo-pdf.invalid/static/css/pdf.css"]
    # The stylesheet took effect: the running header it defines is on the page.
    assert "Risk management plan version 1" in page_texts(data)[0]
