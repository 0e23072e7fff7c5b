"""Visit dates on the caseload: the list's "Next visit" column, its filter and sort, the
record's identity bar, and reactive management on the risk tab (the team's sergeant
decides; a refusal shows every reason and saves nothing; others see whether it qualifies).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pgtrigger
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload import local_policy
from caseload.models import RSO
from caseload.services import change_event_record
from mosovo.accounts.models import User
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.factories import RSOFactory

pytestmark = pytest.mark.django_db

LIST = "/caseload/"


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def body(response: Any) -> str:
    return str(response.content.decode())


def today() -> dt.date:
    return timezone.localdate()


def set_due(rso: RSO, due: dt.date | None, *, model: str = "ACTIVE") -> None:
    # The due date is computed by the schedule provider; the tests set it directly.
    RSO.objects.filter(pk=rso.pk).update(next_visit_due_on=due, management_model=model)


def backdate_low_history(rso: RSO, years: int) -> None:
    """Make the record's history say it has been LOW since ``years`` years ago."""
    events = RSO.pgh_event_model.objects.filter(pgh_obj_id=rso.pk)  # type: ignore[attr-defined]
    with pgtrigger.ignore("caseload.RSOEvent:append_only"):  # history is append-only; a test rewinds it
        events.filter(pgh_id=events.order_by("pgh_id").values("pgh_id")[:1]).update(
            pgh_created_at=timezone.now() - dt.timedelta(days=365 * years + 2)
        )


@pytest.fixture
def three(personas: Personas) -> dict[str, RSO]:
    """Three team A cases: one overdue, one due soon, one reactive."""
    rsos = {
        "overdue": RSOFactory.create(team=personas.team_a, family_name="Overton"),
        "soon": RSOFactory.create(team=personas.team_a, family_name="Soames"),
        "reactive": RSOFactory.create(team=personas.team_a, family_name="Reade"),
        "later": RSOFactory.create(team=personas.team_a, family_name="Laterby"),
    }
    set_due(rsos["overdue"], today() - dt.timedelta(days=3))
    set_due(rsos["soon"], today() + dt.timedelta(days=local_policy.due_soon_days()))
    set_due(rsos["reactive"], None, model="REACTIVE")
    set_due(rsos["later"], today() + dt.timedelta(days=local_policy.due_soon_days() + 30))
    return rsos


def row_of(page: str, name: str) -> str:
    start = page.index(name)
    return page[start : page.index("</tr>", start)]


# --- The caseload list ------------------------------------------------------------------


def test_the_list_shows_next_visit_with_its_state_in_words(personas: Personas, three: dict[str, RSO]) -> None:
    page = body(signed_in(personas.sergeant_a).get(LIST))
    assert ">Next visit</th>" in page
    assert "Overdue</strong>" in row_of(page, "OVERTON")
    assert "Due soon</strong>" in row_of(page, "SOAMES")
    assert "Reactive</strong>" in row_of(page, "READE")
    later = row_of(page, "LATERBY")
    assert "Due soon" not in later
    assert "Overdue" not in later
    assert f"{today() + dt.timedelta(days=local_policy.due_soon_days() + 30):%-d %b %Y}" in later


def test_the_visit_overdue_filter_keeps_only_overdue_active_cases(personas: Personas, three: dict[str, RSO]) -> None:
    page = body(signed_in(personas.sergeant_a).get(LIST, {"visit_overdue": "on"}))
    assert "OVERTON" in page
    assert "SOAMES" not in page
    assert "READE" not in page
    assert "LATERBY" not in page


def test_the_list_sorts_by_next_visit_due_with_reactive_cases_last(personas: Personas, three: dict[str, RSO]) -> None:
    page = body(signed_in(personas.sergeant_a).get(LIST, {"sort": "visit"}))
    order = [page.index(name) for name in ("OVERTON", "SOAMES", "LATERBY", "READE")]
    assert order == sorted(order)
    backwards = body(signed_in(personas.sergeant_a).get(LIST, {"sort": "visit", "descending": "on"}))
    assert backwards.index("LATERBY") < backwards.index("OVERTON")


@pytest.mark.parametrize("query", ["?sort=visit", "?visit_overdue=on"])
def test_the_visit_sort_and_filter_cost_the_same_queries_for_5_and_50(personas: Personas, query: str) -> None:
    client = signed_in(personas.sergeant_a)

    def fill(n: int) -> None:
        for i in range(n):
            rso = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
            set_due(rso, today() + dt.timedelta(days=i - n // 2))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST + query).status_code == 200
        return len(queries)

    fill(5)
    small = count()
    fill(45)
    # Session, user, OTP device, the officers, COUNT, the page, the audit insert.
    assert count() == small


# --- The identity bar -----------------------------------------------------------------------


def test_the_identity_bar_shows_the_next_visit_due_and_overdue(personas: Personas, three: dict[str, RSO]) -> None:
    rso = three["overdue"]
    page = body(signed_in(personas.officer_a).get(reverse("caseload:rso_detail", args=[rso.pk])))
    bar = page[page.index('id="next-visit"') :]
    bar = bar[: bar.index("</p>")]
    assert f"Next visit due {today() - dt.timedelta(days=3):%-d %B %Y}" in bar
    assert "Overdue" in bar


def test_the_identity_bar_says_due_soon(personas: Personas, three: dict[str, RSO]) -> None:
    page = body(signed_in(personas.officer_a).get(reverse("caseload:rso_risk", args=[three["soon"].pk])))
    assert "Due soon</strong>" in page[page.index('id="next-visit"') :]


def test_the_identity_bar_says_reactive_cases_have_no_routine_visits(personas: Personas, three: dict[str, RSO]) -> None:
    page = body(signed_in(personas.inspector).get(reverse("caseload:rso_detail", args=[three["reactive"].pk])))
    assert "Reactive management: no routine visits" in page


# --- Reactive management on the risk tab ----------------------------------------------------


def management_url(rso: RSO) -> str:
    return reverse("caseload:rso_management_model", args=[rso.pk])


def move(client: Client, rso: RSO, model: str = "REACTIVE", reason: str = "Stable for years.", **extra: Any) -> Any:
    rso.refresh_from_db()
    data = {
        "management-management_model": model,
        "management-reason": reason,
        "management-version": str(rso.version),
    } | extra
    return client.post(management_url(rso), data)


def test_the_sergeant_sees_the_form_and_why_the_case_does_not_qualify(personas: Personas, casework: Casework) -> None:
    page = body(signed_in(personas.sergeant_a).get(reverse("caseload:rso_risk", args=[casework.rso_a.pk])))
    assert f'action="{management_url(casework.rso_a)}"' in page
    assert "does not qualify for reactive management" in page
    assert "has not been low since" in page


def test_an_officer_sees_whether_the_case_qualifies_but_no_form(personas: Personas, casework: Casework) -> None:
    backdate_low_history(casework.rso_a, 4)
    page = body(signed_in(personas.officer_a).get(reverse("caseload:rso_risk", args=[casework.rso_a.pk])))
    assert "The case qualifies for reactive management" in page
    assert management_url(casework.rso_a) not in page


def test_a_refusal_shows_every_reason_and_saves_nothing(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    RSO.objects.filter(pk=rso.pk).update(risk_level="MEDIUM")
    change_event_record(
        rso=rso, event_type="ADDRESS", occurred_on=today(), source="Notification", by=personas.officer_a
    )
    rso.refresh_from_db()
    before = rso.version
    response = move(signed_in(personas.sergeant_a), rso)
    assert response.status_code == 400
    page = body(response)
    assert "There is a problem" in page
    assert "not low" in page
    assert "significant change" in page
    rso.refresh_from_db()
    assert rso.management_model == "ACTIVE"
    assert rso.version == before


def test_a_reason_is_required(personas: Personas, casework: Casework) -> None:
    backdate_low_history(casework.rso_a, 4)
    response = move(signed_in(personas.sergeant_a), casework.rso_a, reason="  ")
    assert response.status_code == 400
    assert "Explain the decision" in body(response)
    casework.rso_a.refresh_from_db()
    assert casework.rso_a.management_model == "ACTIVE"


def test_the_sergeant_moves_a_qualifying_case_to_reactive_and_back(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    backdate_low_history(rso, 4)
    client = signed_in(personas.sergeant_a)
    response = move(client, rso)
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload:rso_risk", args=[rso.pk])
    rso.refresh_from_db()
    assert rso.management_model == "REACTIVE"
    assert rso.next_visit_due_on is None
    page = body(client.get(response["Location"]))
    assert "now under reactive management" in page
    assert "Reactive management: no routine visits" in page
    assert move(client, rso, model="ACTIVE", reason="New concern.").status_code == 302
    rso.refresh_from_db()
    assert rso.management_model == "ACTIVE"


def test_a_stale_form_is_refused_and_nothing_changes(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    backdate_low_history(rso, 4)
    rso.refresh_from_db()
    response = signed_in(personas.sergeant_a).post(
        management_url(rso),
        {
            "management-management_model": "REACTIVE",
            "management-reason": "Stable.",
            "management-version": str(rso.version - 1 if rso.version > 1 else rso.version + 5),
        },
    )
    assert response.status_code == 400
    assert "Someone else changed this record" in body(response)
    rso.refresh_from_db()
    assert rso.management_model == "ACTIVE"


@pytest.mark.parametrize("who", ["officer_a", "inspector", "admin", "auditor"])
def test_only_a_sergeant_may_post_the_change(personas: Personas, casework: Casework, who: str) -> None:
    backdate_low_history(casework.rso_a, 4)
    assert move(signed_in(getattr(personas, who)), casework.rso_a).status_code == 404
    casework.rso_a.refresh_from_db()
    assert casework.rso_a.management_model == "ACTIVE"


def test_another_teams_sergeant_gets_404_without_a_trace(personas: Personas, casework: Casework) -> None:
    from tests.factories import SergeantFactory

    sergeant_b = SergeantFactory.create(username="sergeant_b", team=personas.team_b)
    response = move(signed_in(sergeant_b), casework.rso_a)
    assert response.status_code == 404
    response = move(signed_in(personas.sergeant_a), casework.rso_b)
    assert response.status_code == 404
    assert CANARY not in body(response)


def test_the_change_is_post_only(personas: Personas, casework: Casework) -> None:
    assert signed_in(personas.sergeant_a).get(management_url(casework.rso_a)).status_code == 405
