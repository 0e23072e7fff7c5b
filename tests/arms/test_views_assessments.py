"""The ARMS assessment pages: the record's ARMS tab, the sections of a draft, the factor
saves (htmx and without JavaScript), check and submit, the sergeant's review, and the
read-only page.

Who may open what (the team writes, an inspector reads, everyone else gets 404 and no
canary text), what bad or stale input gets back (a message, nothing saved), the whole
journey through the pages, and query counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from arms import services
from arms.choices import Method, Rating, Source, Status
from arms.models import Assessment, FactorRating, Review
from caseload.choices import RiskLevel, Sex, StaticTool
from caseload.models import RSO
from caseload.services import static_score_add
from mosovo.accounts.models import User
from tests.arms.kit import approved_assessment, fill_assessment
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.factories import RSOFactory, SergeantFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HTMX = {"HX-Request": "true"}

# The pages of one assessment, by URL name (the factor page takes a rating too).
READ_PAGES = ["assessment_detail"]
EDIT_PAGES = ["assessment_sources", "assessment_factors", "assessment_summary", "assessment_submit"]


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def url(name: str, *args: Any) -> str:
    return reverse(f"arms:{name}", args=[getattr(a, "pk", a) for a in args])


def first_rating(assessment: Assessment, kind: str = "RISK") -> FactorRating:
    rating = assessment.ratings.select_related("factor").filter(factor__kind=kind).order_by("factor__position").first()
    assert rating is not None
    return rating


def factor_data(row: FactorRating, **values: Any) -> dict[str, Any]:
    prefix = f"factor-{row.pk}"
    data = {"rating": Rating.HIGH, "evidence": "Seen near a school twice.", "action": "Weekly visits.", **values}
    data.setdefault("version", row.version)
    return {f"{prefix}-{name}": value for name, value in data.items()}


def all_urls(assessment: Assessment) -> list[str]:
    """Every assessment URL for this assessment (and its RSO)."""
    rating = first_rating(assessment)
    return [
        url("rso_assessments", assessment.rso),
        url("assessment_start", assessment.rso),
        *(url(name, assessment) for name in [*READ_PAGES, *EDIT_PAGES, "assessment_other", "assessment_review"]),
        url("assessment_factor", assessment, rating),
    ]


@pytest.fixture
def scored(casework: Casework, personas: Personas) -> Casework:
    """Team A's RSO with a medium static band (OSP/C, today)."""
    static_score_add(
        rso=casework.rso_a, tool=StaticTool.OSP_C, band=RiskLevel.MEDIUM, assessed_on=TODAY, by=personas.officer_a
    )
    return casework


@pytest.fixture
def draft(scored: Casework, personas: Personas) -> Assessment:
    """A fresh draft assessment of team A's RSO."""
    return services.assessment_start(rso=scored.rso_a, by=personas.officer_a)


@pytest.fixture
def submitted(draft: Assessment, personas: Personas) -> Assessment:
    """Team A's assessment, complete and submitted by the officer."""
    filled = fill_assessment(draft, by=personas.officer_a, level="MEDIUM")
    return services.assessment_submit(assessment=filled, version=filled.version, by=personas.officer_a)


@pytest.fixture
def canary_assessment(casework: Casework, personas: Personas) -> Assessment:
    """Team B's assessment, carrying canary text in its notes and a factor's evidence."""
    assessment = services.assessment_start(rso=casework.rso_b, by=personas.officer_b)
    assessment = services.assessment_update_sources(
        assessment=assessment,
        sources=[Source.CASE_FILES],
        sources_notes=f"Notes {CANARY}",
        version=assessment.version,
        by=personas.officer_b,
    )
    rating = first_rating(assessment)
    services.factor_rating_update(
        rating=rating, value=Rating.LOW, evidence=f"Evidence {CANARY}", version=rating.version, by=personas.officer_b
    )
    return assessment


# --- Who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "sergeant_a"])
def test_every_page_of_a_draft_renders_for_the_officer_and_sergeant_of_the_team(
    personas: Personas, draft: Assessment, who: str
) -> None:
    client = signed_in(getattr(personas, who))
    targets = [
        url("rso_assessments", draft.rso),
        *(url(name, draft) for name in [*READ_PAGES, *EDIT_PAGES]),
        url("assessment_factor", draft, first_rating(draft)),
    ]
    for target in targets:
        response = client.get(target)
        body = response.content.decode()
        assert response.status_code == 200, target
        assert 'aria-current="page"' in body, target  # the ARMS tab (and the section) is current
        assert CANARY not in body, target


def test_the_arms_tab_shows_the_review_dates_and_the_start_button(personas: Personas, scored: Casework) -> None:
    rso = scored.rso_a
    RSO.objects.filter(pk=rso.pk).update(
        arms_change_review_due_on=TODAY - dt.timedelta(days=1), arms_review_due_on=TODAY + dt.timedelta(days=90)
    )
    body = signed_in(personas.officer_a).get(url("rso_assessments", rso)).content.decode()
    dates = body.split('id="arms-dates"', 1)[1].split("</dl>", 1)[0]
    assert f"Due by {date_format(TODAY - dt.timedelta(days=1), 'j F Y')}" in dates
    assert "Overdue" in dates
    assert f"Due by {date_format(TODAY + dt.timedelta(days=90), 'j F Y')}" in dates
    assert url("assessment_start", rso) in body
    assert "Start a new assessment" in body
    assert "No ARMS assessment recorded" in body


def test_the_arms_tab_offers_to_continue_an_open_assessment_instead_of_starting_one(
    personas: Personas, draft: Assessment
) -> None:
    body = signed_in(personas.officer_a).get(url("rso_assessments", draft.rso)).content.decode()
    assert "Start a new assessment" not in body
    assert "Continue the assessment" in body
    assert url("assessment_sources", draft) in body


def test_the_sergeant_reviews_a_submitted_assessment_from_the_tab(personas: Personas, submitted: Assessment) -> None:
    client = signed_in(personas.sergeant_a)
    tab = client.get(url("rso_assessments", submitted.rso)).content.decode()
    assert url("assessment_review", submitted) in tab
    review = client.get(url("assessment_review", submitted))
    body = review.content.decode()
    assert review.status_code == 200
    assert "Approve the assessment" in body
    assert "Return to the assessor" in body
    assert "this is the person's first" in body


def test_an_officer_of_another_team_gets_404_and_no_canary_on_every_assessment_url(
    personas: Personas, canary_assessment: Assessment
) -> None:
    client = signed_in(personas.officer_a)
    for target in all_urls(canary_assessment):
        for method in (client.get, client.post):
            response = method(target, headers=HTMX) if "factors/" in target else method(target)
            assert response.status_code in (404, 405), (method, target)
            assert CANARY not in response.content.decode(), target
    assert Assessment.objects.filter(rso=canary_assessment.rso).count() == 1


def test_team_b_cannot_open_team_as_assessment_and_admin_and_auditor_see_no_casework(
    personas: Personas, submitted: Assessment
) -> None:
    for user in (personas.officer_b, personas.admin, personas.auditor):
        client = signed_in(user)
        for target in all_urls(submitted):
            assert client.get(target).status_code in (404, 405), (user, target)
            assert client.post(target, {"decision": "approve"}).status_code in (404, 405), (user, target)
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_an_inspector_reads_the_tab_and_the_assessment_but_cannot_write(
    personas: Personas, submitted: Assessment
) -> None:
    client = signed_in(personas.inspector)
    tab = client.get(url("rso_assessments", submitted.rso))
    assert tab.status_code == 200
    assert "Start a new assessment" not in tab.content.decode()
    detail = client.get(url("assessment_detail", submitted))
    assert detail.status_code == 200
    assert "Review the assessment" not in detail.content.decode()
    write_urls = [u for u in all_urls(submitted) if u not in (url("rso_assessments", submitted.rso),)]
    write_urls.remove(url("assessment_detail", submitted))
    for target in write_urls:
        assert client.get(target).status_code in (404, 405), target
        assert client.post(target, {"decision": "approve"}).status_code in (404, 405), target
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    assert Assessment.objects.filter(rso=submitted.rso).count() == 1


def test_a_break_glass_reader_reads_the_assessments_but_cannot_start_or_change_one(
    personas: Personas, canary_assessment: Assessment
) -> None:
    client = signed_in(personas.officer_a)
    granted = client.post(
        reverse("caseload:break_glass"),
        {"reference": "VS-CANARY-B", "reason_code": "COVERING", "reason_text": "Covering officer B while on leave"},
    )
    assert granted.status_code == 302
    tab = client.get(url("rso_assessments", canary_assessment.rso))
    body = tab.content.decode()
    assert tab.status_code == 200
    assert "Start a new assessment" not in body
    assert "Continue the assessment" not in body
    assert url("assessment_detail", canary_assessment) in body  # the grant opens the record for reading
    assert client.get(url("assessment_detail", canary_assessment)).status_code == 200
    assert client.post(url("assessment_start", canary_assessment.rso)).status_code == 404
    assert client.get(url("assessment_sources", canary_assessment)).status_code == 404


def test_a_rating_of_another_assessment_answers_404_under_this_one(
    personas: Personas, draft: Assessment, scored: Casework
) -> None:
    other = services.assessment_start(rso=RSOFactory.create(team=personas.team_a), by=personas.officer_a)
    response = signed_in(personas.officer_a).get(url("assessment_factor", draft, first_rating(other)))
    assert response.status_code == 404


def test_an_officer_cannot_open_the_review_page(personas: Personas, submitted: Assessment) -> None:
    client = signed_in(personas.officer_a)
    assert client.get(url("assessment_review", submitted)).status_code == 404
    assert client.post(url("assessment_review", submitted), {"decision": "approve"}).status_code == 404
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED


# --- The journey ---------------------------------------------------------------------------


def test_an_officer_drafts_submits_and_resubmits_and_the_sergeant_approves_through_the_pages(
    personas: Personas, scored: Casework
) -> None:
    rso = scored.rso_a
    officer = signed_in(personas.officer_a)

    # Start: a draft, and the first section.
    started = officer.post(url("assessment_start", rso))
    assessment = Assessment.objects.get(rso=rso)
    assert started.status_code == 302
    assert started["Location"] == url("assessment_sources", assessment)

    # Section 1: sources.
    saved = officer.post(
        url("assessment_sources", assessment),
        {
            "sources": [Source.INTERVIEW, Source.CASE_FILES],
            "sources_notes": "Home interview; police file.",
            "interview_date_1": (TODAY - dt.timedelta(days=2)).isoformat(),
            "version": assessment.version,
        },
    )
    assert saved.status_code == 302
    assert saved["Location"] == url("assessment_factors", assessment)
    assessment.refresh_from_db()
    assert assessment.sources == [Source.INTERVIEW, Source.CASE_FILES]
    assert assessment.interview_dates == [TODAY - dt.timedelta(days=2)]

    # Section 2: one factor through htmx, which answers with the factor's block only.
    rating = first_rating(assessment)
    partial = officer.post(url("assessment_factor", assessment, rating), factor_data(rating), headers=HTMX)
    block = partial.content.decode()
    assert partial.status_code == 200
    assert block.lstrip().startswith(f'<div id="factor-{rating.factor.code}"')
    assert "<html" not in block
    assert 'role="status"' in block
    assert f"Saved: {rating.factor.name}" in block
    assert f'name="factor-{rating.pk}-version" value="{rating.version + 1}"' in block
    rating.refresh_from_db()
    assert (rating.rating, rating.evidence) == (Rating.HIGH, "Seen near a school twice.")

    # The other factors (not the subject of this test) through the service, then the summary.
    for other in assessment.ratings.exclude(pk=rating.pk):
        services.factor_rating_update(
            rating=other, value=Rating.LOW, evidence="Nothing of note.", version=other.version, by=personas.officer_a
        )
    assessment.refresh_from_db()
    summary = officer.post(
        url("assessment_summary", assessment),
        {
            "risk_priority": "MEDIUM",
            "protective_priority": "HIGH",
            "proposed_risk_level": "HIGH",
            "level_reason": "Opportunity is high: he seeks out children.",
            "version": assessment.version,
        },
    )
    assert summary.status_code == 302
    assert summary["Location"] == url("assessment_submit", assessment)

    # Check and submit.
    check = officer.get(url("assessment_submit", assessment)).content.decode()
    assert "Every section is complete" in check
    assessment.refresh_from_db()
    sent = officer.post(url("assessment_submit", assessment), {"version": assessment.version})
    assert sent.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).status == Status.SUBMITTED

    # The sergeant returns it with a comment; the officer sees it and resubmits.
    sergeant = signed_in(personas.sergeant_a)
    returned = sergeant.post(
        url("assessment_review", assessment), {"decision": "return", "return-comments": "Say more about routine."}
    )
    assert returned.status_code == 302
    assert returned["Location"] == url("rso_assessments", rso)
    assert Assessment.objects.get(pk=assessment.pk).status == Status.RETURNED
    officer = signed_in(personas.officer_a)
    for page in (url("assessment_detail", assessment), url("assessment_sources", assessment)):
        body = officer.get(page).content.decode()
        assert "Returned for changes" in body
        assert "Say more about routine." in body
    assessment.refresh_from_db()
    assert officer.post(url("assessment_submit", assessment), {"version": assessment.version}).status_code == 302

    # The sergeant approves; the RSO's level changes (officer_a has room: 1 of 6 high).
    for _ in range(5):
        RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    sergeant = signed_in(personas.sergeant_a)
    approved = sergeant.post(
        url("assessment_review", assessment), {"decision": "approve", "approve-comments": "Agreed."}, follow=True
    )
    assert approved.redirect_chain[-1][0] == url("rso_assessments", rso)
    assert "Assessment approved. The risk level is high." in approved.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    assert RSO.objects.get(pk=rso.pk).risk_level == RiskLevel.HIGH
    trail = [r.decision for r in Review.objects.filter(assessment=assessment)]
    assert trail == ["SUBMITTED", "RETURNED", "SUBMITTED", "APPROVED"]


def test_a_factor_saves_without_javascript_and_comes_back_at_the_factor(personas: Personas, draft: Assessment) -> None:
    rating = first_rating(draft, kind="PROTECTIVE")
    response = signed_in(personas.officer_a).post(url("assessment_factor", draft, rating), factor_data(rating))
    assert response.status_code == 302
    assert response["Location"] == f"{url('assessment_factors', draft)}#factor-{rating.factor.code}"
    rating.refresh_from_db()
    assert rating.rating == Rating.HIGH


def test_the_factors_page_gives_risk_and_protective_factors_the_same_form_and_guidance(
    personas: Personas, draft: Assessment
) -> None:
    body = signed_in(personas.officer_a).get(url("assessment_factors", draft)).content.decode()
    risk, protective = body.split('id="risk-factors"', 1)[1].split('id="protective-factors"', 1)
    assert risk.count("hx-post=") == 7
    assert protective.count("hx-post=") == 5
    for rating in draft.ratings.select_related("factor"):
        assert f'id="factor-{rating.factor.code}"' in body
        assert f'hx-target="#factor-{rating.factor.code}"' in body
        assert escape(rating.factor.guidance.split("\n")[0][:40]) in body
    assert 'hx-swap="outerHTML"' in body
    assert "Action to build on it" in protective


def test_a_prefilled_draft_says_so_and_the_summary_shows_the_static_band_and_current_level(
    personas: Personas, scored: Casework
) -> None:
    first = approved_assessment(scored.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    assert first.approved_at is not None
    second = services.assessment_start(rso=scored.rso_a, by=personas.officer_a)
    client = signed_in(personas.officer_a)
    sources = client.get(url("assessment_sources", second)).content.decode()
    approved_on = date_format(timezone.localdate(first.approved_at), "j F Y")
    assert f"Prefilled from the assessment approved on {approved_on}: check every section" in sources
    summary = client.get(url("assessment_summary", second)).content.decode()
    assert f"Static band: Medium (OSP/C, {date_format(TODAY, 'j F Y')})" in summary
    assert "Current risk level: Medium" in summary
    assert "needs a reason" in summary


def test_the_check_page_lists_what_is_missing_with_links_to_the_sections(personas: Personas, draft: Assessment) -> None:
    client = signed_in(personas.officer_a)
    body = client.get(url("assessment_submit", draft)).content.decode()
    assert "Tick at least one source of information" in body
    assert f'href="{url("assessment_sources", draft)}#id_sources_0"' in body
    code = first_rating(draft).factor.code
    assert f'href="{url("assessment_factors", draft)}#factor-{code}"' in body
    assert f'href="{url("assessment_summary", draft)}#id_proposed_risk_level_0"' in body

    refused = client.post(url("assessment_submit", draft), {"version": draft.version})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    assert "The assessment was not submitted" in refused.content.decode()
    assert Assessment.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_woman_is_assessed_with_the_other_assessment_section(personas: Personas, casework: Casework) -> None:
    rso = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, sex=Sex.FEMALE)
    assessment = services.assessment_start(rso=rso, by=personas.officer_a)
    assert assessment.method == Method.OTHER
    client = signed_in(personas.officer_a)
    assert client.get(url("assessment_factors", assessment))["Location"] == url("assessment_other", assessment)
    page = client.get(url("assessment_other", assessment)).content.decode()
    assert "ARMS is designed for adult men" in page
    saved = client.post(
        url("assessment_other", assessment),
        {
            "other_assessment": "Risk Matrix for women",
            "other_assessment_reason": "ARMS is validated for men only.",
            "other_assessment_summary": "Moderate risk; stable housing.",
            "version": assessment.version,
        },
    )
    assert saved.status_code == 302
    assert saved["Location"] == url("assessment_summary", assessment)
    assessment.refresh_from_db()
    assert assessment.other_assessment == "Risk Matrix for women"
    summary = client.get(url("assessment_summary", assessment)).content.decode()
    assert "Risk priority" not in summary  # ARMS priorities do not apply


def test_starting_a_second_open_assessment_is_refused_with_a_message(personas: Personas, draft: Assessment) -> None:
    response = signed_in(personas.officer_a).post(url("assessment_start", draft.rso), follow=True)
    assert "An assessment is already open" in response.content.decode()
    assert Assessment.objects.filter(rso=draft.rso).count() == 1


# --- Bad and stale input ------------------------------------------------------------------


def test_a_factor_without_a_rating_gets_a_message_and_nothing_is_saved(personas: Personas, draft: Assessment) -> None:
    rating = first_rating(draft)
    client = signed_in(personas.officer_a)
    partial = client.post(url("assessment_factor", draft, rating), factor_data(rating, rating=""), headers=HTMX)
    block = partial.content.decode()
    assert partial.status_code == 200  # htmx swaps only successful answers
    assert f'id="id_factor-{rating.pk}-rating-error"' in block
    assert "Choose high, medium or low" in block
    assert "Not saved" in block
    page = client.post(url("assessment_factor", draft, rating), factor_data(rating, rating=""))
    assert page.status_code == 400
    assert "There is a problem" in page.content.decode()
    rating.refresh_from_db()
    assert (rating.rating, rating.evidence, rating.version) == ("", "", 1)


def test_a_future_interview_date_gets_a_message_and_nothing_is_saved(personas: Personas, draft: Assessment) -> None:
    response = signed_in(personas.officer_a).post(
        url("assessment_sources", draft),
        {
            "sources": [Source.INTERVIEW],
            "interview_date_1": (TODAY + dt.timedelta(days=1)).isoformat(),
            "version": draft.version,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "An interview date cannot be in the future" in body
    assert 'href="#id_interview_date_1"' in body
    assert 'id="interview-dates-error"' in body
    draft.refresh_from_db()
    assert (draft.sources, draft.interview_dates, draft.version) == ([], [], 1)


def test_a_return_without_comments_gets_a_message_and_nothing_changes(
    personas: Personas, submitted: Assessment
) -> None:
    response = signed_in(personas.sergeant_a).post(
        url("assessment_review", submitted), {"decision": "return", "return-comments": "   "}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_return-comments-error"' in body
    assert "Say what needs to change" in body
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    assert not Review.objects.filter(assessment=submitted, decision="RETURNED").exists()


def test_a_stale_section_save_shows_the_conflict_and_overwrites_nothing(personas: Personas, draft: Assessment) -> None:
    services.assessment_update_summary(
        assessment=draft, scenarios="The sergeant's words.", version=draft.version, by=personas.sergeant_a
    )
    response = signed_in(personas.officer_a).post(
        url("assessment_summary", draft), {"scenarios": "The officer's words.", "version": 1}
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this while you were working on it" in body
    assert "Nothing was saved" in body
    assert "The officer&#x27;s words." in body  # what they typed is kept on the page
    assert "The sergeant&#x27;s words.</textarea>" in body  # the form holds the current value
    assert 'name="version" value="2"' in body
    draft.refresh_from_db()
    assert draft.scenarios == "The sergeant's words."


def test_a_stale_factor_save_through_htmx_shows_the_conflict_in_the_block(
    personas: Personas, draft: Assessment
) -> None:
    rating = first_rating(draft)
    services.factor_rating_update(
        rating=rating, value=Rating.LOW, evidence="First save.", version=1, by=personas.sergeant_a
    )
    partial = signed_in(personas.officer_a).post(
        url("assessment_factor", draft, rating), factor_data(rating, evidence="Second save.", version=1), headers=HTMX
    )
    block = partial.content.decode()
    assert partial.status_code == 200
    assert "Nothing was saved" in block
    assert "Second save." in block
    assert "First save.</textarea>" in block
    rating.refresh_from_db()
    assert (rating.rating, rating.evidence) == (Rating.LOW, "First save.")


def test_the_edit_pages_of_an_approved_assessment_send_back_to_the_read_only_page(
    personas: Personas, scored: Casework
) -> None:
    approved = approved_assessment(scored.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    rating = first_rating(approved)
    client = signed_in(personas.officer_a)
    detail = url("assessment_detail", approved)
    for target in [*(url(name, approved) for name in EDIT_PAGES), url("assessment_factor", approved, rating)]:
        shown = client.get(target, follow=True)
        assert shown.redirect_chain[-1][0] == detail, target
        assert "This assessment is approved and cannot be changed." in shown.content.decode()
        if "factors/" in target and not target.endswith(f"{rating.pk}/"):
            continue  # the factors page itself is read with GET; each factor posts
        posted = client.post(target, {"version": approved.version, "scenarios": "changed"})
        assert posted.status_code == 302
        assert posted["Location"] == detail
    htmx = client.post(url("assessment_factor", approved, rating), factor_data(rating), headers=HTMX)
    assert htmx["HX-Redirect"] == detail
    assert Assessment.objects.get(pk=approved.pk).scenarios == ""
    page = client.get(detail).content.decode()
    assert "Continue the assessment" not in page
    assert "Approval trail" in page


def test_a_submitted_assessment_cannot_be_edited_while_it_waits(personas: Personas, submitted: Assessment) -> None:
    response = signed_in(personas.officer_a).get(url("assessment_sources", submitted), follow=True)
    assert "This assessment is awaiting approval and cannot be changed." in response.content.decode()


def test_approval_over_the_20_percent_limit_shows_the_numbers_and_a_sergeant_overrides(
    personas: Personas, scored: Casework
) -> None:
    rso = scored.rso_a  # officer_a's only case: high risk would make 1 of 1
    draft = services.assessment_start(rso=rso, by=personas.officer_a)
    draft = fill_assessment(draft, by=personas.officer_a, level="HIGH", reason="Opportunity is high.")
    services.assessment_submit(assessment=draft, version=draft.version, by=personas.officer_a)
    client = signed_in(personas.sergeant_a)

    refused = client.post(url("assessment_review", draft), {"decision": "approve"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "would have 1 of 1 cases high risk (100%)" in body
    assert 'name="approve-override_reason"' in body
    assert Assessment.objects.get(pk=draft.pk).status == Status.SUBMITTED
    assert RSO.objects.get(pk=rso.pk).risk_level == RiskLevel.LOW

    done = client.post(
        url("assessment_review", draft),
        {"decision": "approve", "approve-override_reason": "Transfer to a second officer next week."},
    )
    assert done.status_code == 302
    assert Assessment.objects.get(pk=draft.pk).status == Status.APPROVED
    assert RSO.objects.get(pk=rso.pk).risk_level == RiskLevel.HIGH


def test_the_review_page_marks_what_changed_since_the_last_approved_assessment(
    personas: Personas, scored: Casework
) -> None:
    approved_assessment(scored.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    second = services.assessment_start(rso=scored.rso_a, by=personas.officer_a)
    rating = first_rating(second)
    services.factor_rating_update(
        rating=rating,
        value=Rating.HIGH,
        evidence="New: seen near a school.",
        action="Visit weekly.",
        version=rating.version,
        by=personas.officer_a,
    )
    second.refresh_from_db()
    second = services.assessment_update_sources(
        assessment=second,
        sources=second.sources,
        sources_notes=second.sources_notes,
        interview_dates=[TODAY],
        version=second.version,
        by=personas.officer_a,
    )
    second = services.assessment_submit(assessment=second, version=second.version, by=personas.officer_a)
    body = signed_in(personas.sergeant_a).get(url("assessment_review", second)).content.decode()
    risk = body.split('id="risk-comparison"', 1)[1].split("</table>", 1)[0]
    assert risk.count("Rating changed") == 1
    row = risk.split(rating.factor.name, 1)[1].split("</tr>", 1)[0]
    assert "Rating changed" in row
    assert "New: seen near a school." in row
    assert "Evidence for " in row  # the previous words, beside the new ones
    assert "Compared with the assessment approved on" in body


def test_a_sergeant_cannot_approve_their_own_submission_and_is_told_why(personas: Personas, scored: Casework) -> None:
    draft = services.assessment_start(rso=scored.rso_a, by=personas.sergeant_a)
    draft = fill_assessment(draft, by=personas.sergeant_a)
    services.assessment_submit(assessment=draft, version=draft.version, by=personas.sergeant_a)
    client = signed_in(personas.sergeant_a)
    assert (
        "another sergeant of the team must approve it" in client.get(url("assessment_review", draft)).content.decode()
    )
    response = client.post(url("assessment_review", draft), {"decision": "approve"})
    assert response.status_code == 400
    assert "another sergeant of the team must approve it" in response.content.decode()
    assert Assessment.objects.get(pk=draft.pk).status == Status.SUBMITTED
    other = signed_in(SergeantFactory.create(team=personas.team_a))
    assert other.post(url("assessment_review", draft), {"decision": "approve"}).status_code == 302


# --- Query counts ------------------------------------------------------------------------------


def queries_for(client: Client, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target)
    assert response.status_code == 200
    return len(queries)


def add_approved(rso: RSO, by: User, n: int) -> None:
    """Add n approved assessments straight to the database (the workflow is tested elsewhere)."""
    catalogue = services.catalogue_current()
    for _ in range(n):
        Assessment.objects.create(
            rso=rso,
            catalogue=catalogue,
            status=Status.APPROVED,
            proposed_risk_level=RiskLevel.LOW,
            created_by=by,
            submitted_by=by,
            submitted_at=timezone.now(),
            approved_by=by,
            approved_at=timezone.now(),
        )


def test_the_arms_tab_costs_the_same_queries_for_1_and_10_assessments(personas: Personas, scored: Casework) -> None:
    rso = scored.rso_a
    client = signed_in(personas.officer_a)
    add_approved(rso, personas.sergeant_a, 1)
    one = queries_for(client, url("rso_assessments", rso))
    add_approved(rso, personas.sergeant_a, 9)
    ten = queries_for(client, url("rso_assessments", rso))
    # Session, user, second factor, the RSO (team and officer joined), the assessments
    # (their people joined), the header's team, and the consultation event (an insert
    # between two savepoints): none of them per assessment.
    assert one == ten
    assert ten <= 10


def test_the_factors_page_has_a_fixed_query_budget(personas: Personas, draft: Assessment) -> None:
    # Session, user, second factor, the assessment (RSO, team, people, catalogue and
    # static score joined), its reviews and its ratings with their factors (the view),
    # the ratings again (what is still to do), the assessment it was prefilled from,
    # the header's team, and the consultation event (an insert between two savepoints):
    # the 12 factors cost nothing each.
    assert queries_for(signed_in(personas.officer_a), url("assessment_factors", draft)) <= 12
