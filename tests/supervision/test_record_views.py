"""Officer records: vetting and training, what has expired or expires soon (the same
count the dashboard shows), who may see and change them, and an expired vetting
suspending casework until an administrator records a new date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caseload.choices import DeadlineKind
from mosovo.accounts.choices import TrainingCourse, VettingLevel
from mosovo.accounts.models import TrainingRecord, User
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from supervision import selectors
from tests.conftest import Casework, Personas, verified_login
from tests.factories import OfficerFactory, SergeantFactory

pytestmark = pytest.mark.django_db

MINE = reverse("supervision:my_record")


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def record_url(user: User) -> str:
    return reverse("supervision:officer_record", args=[user.pk])


def train(user: User, course: str, completed: dt.date, expires: dt.date | None = None) -> TrainingRecord:
    return TrainingRecord.objects.create(user=user, course=course, completed_on=completed, expires_on=expires)


def vet(user: User, expires: dt.date | None, level: str = VettingLevel.NPPV2) -> None:
    User.objects.filter(pk=user.pk).update(vetting_level=level, vetting_expires_on=expires)
    user.refresh_from_db()


def boxes(name: str, value: dt.date | None) -> dict[str, str]:
    if value is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def summary(body: str) -> str:
    match = re.search(r'<p class="govuk-body-l" id="expiring-summary">(.*?)</p>', body, re.S)
    assert match
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def mixed_record(officer: User) -> None:
    """Vetting expiring in 30 days; ARMS lapsed; MAPPA lapsing in 60 days; OSP renewed
    after lapsing; ViSOR lapsing in two years; PIP1 never lapsing; MOSOVO never done."""
    vet(officer, days(30))
    train(officer, TrainingCourse.ARMS, days(-1200), days(-5))
    train(officer, TrainingCourse.MAPPA, days(-1000), days(60))
    train(officer, TrainingCourse.OSP, days(-1200), days(-100))
    train(officer, TrainingCourse.OSP, days(-90), days(1000))
    train(officer, TrainingCourse.VISOR, days(-10), days(730))
    train(officer, TrainingCourse.PIP1, days(-3000))


# --- What has expired or expires soon -----------------------------------------------------


def test_expiring_items_are_vetting_and_each_courses_latest_completion_within_90_days(personas: Personas) -> None:
    officer = personas.officer_a
    mixed_record(officer)

    items = selectors.officer_expiring_items(officer=officer, today=today())

    assert [(i.key, i.days_left, i.expired) for i in items] == [
        ("VETTING", 30, False),
        ("ARMS", -5, True),
        ("MAPPA", 60, False),
    ]


def test_expiring_items_of_many_officers_need_no_query_each_when_training_is_prefetched(personas: Personas) -> None:
    for _ in range(5):
        mixed_record(OfficerFactory.create(team=personas.team_a))
    officers = list(User.objects.filter(team=personas.team_a).prefetch_related("training"))
    with CaptureQueriesContext(connection) as queries:
        counts = [len(selectors.officer_expiring_items(officer=o, today=today())) for o in officers]
    assert len(queries) == 0
    assert sorted(counts)[-5:] == [3] * 5


def test_my_record_shows_vetting_each_course_and_the_history(personas: Personas) -> None:
    officer = personas.officer_a
    mixed_record(officer)

    response = signed_in(officer).get(MINE)

    body = response.content.decode()
    assert response.status_code == 200
    assert summary(body).startswith("3 items expired or expiring")
    assert "NPPV level 2" in body
    assert "Expires in 30 days" in body
    for label in TrainingCourse.labels:
        assert label in body
    mosovo = re.search(r'id="course-mosovo">(.*?)</tr>', body, re.S)
    arms = re.search(r'id="course-arms">(.*?)</tr>', body, re.S)
    osp = re.search(r'id="course-osp">(.*?)</tr>', body, re.S)
    assert mosovo
    assert "Not recorded" in mosovo.group(1)
    assert arms
    assert "Expired" in arms.group(1)
    assert osp
    assert "Expire" not in osp.group(1)
    assert len(re.findall(r'id="training-\d+"', body)) == 6
    assert 'id="add-training"' not in body
    assert "training_delete" not in body
    assert "/vetting/" not in body
    assert "/training/" not in body


def test_the_officer_record_page_counts_what_the_dashboard_counts(personas: Personas) -> None:
    officer = personas.officer_a
    mixed_record(officer)
    expected = len(selectors.officer_expiring_items(officer=officer, today=today()))

    for user in (personas.sergeant_a, personas.inspector, personas.admin):
        body = signed_in(user).get(record_url(officer)).content.decode()
        assert summary(body).startswith(f"{expected} items expired or expiring")


def test_a_clean_record_says_nothing_is_expiring(personas: Personas) -> None:
    vet(personas.officer_a, days(500))
    body = signed_in(personas.officer_a).get(MINE).content.decode()
    assert summary(body) == "Nothing expired or expiring in the next 90 days"
    assert body.count("Not recorded") == len(TrainingCourse)


@pytest.mark.parametrize("count", [1, 12])
def test_the_record_page_takes_the_same_queries_however_long_the_history(
    personas: Personas, count: int, django_assert_max_num_queries: Any
) -> None:
    for n in range(count):
        train(personas.officer_a, list(TrainingCourse)[n % 6], days(-30 - n), days(300 + n))
    client = signed_in(personas.sergeant_a)
    client.get(record_url(personas.officer_a))  # warm the session
    # Queries: session, user, team, the officer, the training records, the audit event
    # (with its chain lock), break-glass grants and navigation counts: constant.
    with django_assert_max_num_queries(16):
        assert client.get(record_url(personas.officer_a)).status_code == 200


# --- Who may see and change a record ------------------------------------------------------


def test_who_may_open_an_officers_record(personas: Personas, casework: Casework) -> None:
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    a, b = personas.officer_a, personas.officer_b
    expected = {
        (personas.sergeant_a, a): 200,
        (personas.sergeant_a, b): 404,
        (personas.sergeant_a, personas.sergeant_a): 200,
        (sergeant_b, a): 404,
        (personas.inspector, a): 200,
        (personas.inspector, b): 200,
        (personas.admin, b): 200,
        (personas.officer_a, a): 404,  # an officer's own record is "my record"
        (personas.officer_b, a): 404,
        (personas.auditor, a): 404,
        (personas.admin, personas.inspector): 404,  # not an officer record
    }
    got = {(u, o): signed_in(u).get(record_url(o)).status_code for u, o in expected}
    assert got == expected
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_ids=[str(b.pk)]).exists()


def test_admins_and_auditors_have_no_own_record(personas: Personas) -> None:
    assert signed_in(personas.admin).get(MINE).status_code == 404
    assert signed_in(personas.auditor).get(MINE).status_code == 404


def test_an_administrator_records_vetting_and_is_told_what_a_past_date_does(personas: Personas) -> None:
    url = reverse("supervision:vetting_edit", args=[personas.officer_a.pk])
    client = signed_in(personas.admin)

    page = client.get(url).content.decode()
    refused = client.post(url, {"vetting_level": VettingLevel.NPPV3, **boxes("vetting_expires_on", None)})
    saved = client.post(url, {"vetting_level": VettingLevel.NPPV3, **boxes("vetting_expires_on", days(900))})

    assert "suspends the officer" in page
    assert "There is a problem" in refused.content.decode()
    assert "Enter the date the vetting expires" in refused.content.decode()
    assert saved.status_code == 302
    assert saved["Location"] == record_url(personas.officer_a)
    personas.officer_a.refresh_from_db()
    assert (personas.officer_a.vetting_level, personas.officer_a.vetting_expires_on) == (VettingLevel.NPPV3, days(900))


def test_only_administrators_record_vetting(personas: Personas) -> None:
    url = reverse("supervision:vetting_edit", args=[personas.officer_a.pk])
    data = {"vetting_level": VettingLevel.NONE, **boxes("vetting_expires_on", None)}
    for user in (personas.sergeant_a, personas.inspector, personas.officer_a, personas.auditor):
        assert signed_in(user).get(url).status_code == 404
        assert signed_in(user).post(url, data).status_code == 404
    personas.officer_a.refresh_from_db()
    assert personas.officer_a.vetting_level == VettingLevel.NPPV2


def test_the_teams_sergeant_adds_training_and_bad_dates_are_refused(personas: Personas) -> None:
    url = reverse("supervision:training_add", args=[personas.officer_a.pk])
    client = signed_in(personas.sergeant_a)

    future = client.post(url, {"course": TrainingCourse.ARMS, **boxes("completed_on", days(3))})
    backwards = client.post(
        url, {"course": TrainingCourse.ARMS, **boxes("completed_on", days(-3)), **boxes("expires_on", days(-10))}
    )
    missing = client.post(url, {"course": ""})
    saved = client.post(url, {"course": TrainingCourse.ARMS, **boxes("completed_on", days(-3))})

    assert "The completion date cannot be in the future." in future.content.decode()
    assert "The expiry date must be after the completion date." in backwards.content.decode()
    assert "Choose a course" in missing.content.decode()
    assert "Enter the date the course was completed" in (missing.content.decode())
    assert saved.status_code == 302
    assert saved["Location"] == record_url(personas.officer_a)
    assert list(TrainingRecord.objects.values_list("course", "completed_on", "expires_on")) == [
        (TrainingCourse.ARMS, days(-3), None)
    ]


def test_only_an_admin_or_the_teams_sergeant_adds_training(personas: Personas) -> None:
    data = {"course": TrainingCourse.OSP, **boxes("completed_on", days(-1))}
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    a_url = reverse("supervision:training_add", args=[personas.officer_a.pk])
    for user in (sergeant_b, personas.inspector, personas.officer_a, personas.auditor):
        assert signed_in(user).post(a_url, data).status_code == 404
    assert not TrainingRecord.objects.exists()
    assert signed_in(personas.admin).post(a_url, data).status_code == 302


def test_removing_training_asks_to_confirm_then_removes_it(personas: Personas) -> None:
    record = train(personas.officer_a, TrainingCourse.MAPPA, days(-40), days(20))
    url = reverse("supervision:training_delete", args=[record.pk])
    client = signed_in(personas.sergeant_a)

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Remove this training record?" in confirm.content.decode()
    assert TrainingRecord.objects.filter(pk=record.pk).exists()

    for user in (SergeantFactory.create(team=personas.team_b), personas.officer_a, personas.inspector):
        assert signed_in(user).post(url).status_code == 404
    assert TrainingRecord.objects.filter(pk=record.pk).exists()

    removed = client.post(url)
    assert removed.status_code == 302
    assert not TrainingRecord.objects.filter(pk=record.pk).exists()
    assert AuditEvent.objects.filter(action=Action.ERASURE, object_ids=[str(record.pk)]).exists()


# --- Vetting suspends casework; training expiry reaches My tasks ---------------------------


def test_expired_vetting_suspends_casework_until_an_administrator_records_a_new_date(
    personas: Personas, casework: Casework
) -> None:
    officer = personas.officer_a
    vet(officer, days(-1))
    client = signed_in(officer)

    caseload = client.get(reverse("caseload:rso_list"))
    record = client.get(reverse("caseload:rso_detail", args=[casework.rso_a.pk]))
    api = client.get(reverse("api:rso_list"))
    mine = client.get(MINE)

    for response in (caseload, record):
        body = response.content.decode()
        assert response.status_code == 403
        assert "Your access to casework is suspended" in body
        assert "Your vetting expired on" in body
        assert casework.rso_a.family_name not in body
    assert api.status_code == 403
    assert casework.rso_a.visor_reference not in api.content.decode()
    assert mine.status_code == 200
    assert "Expired" in mine.content.decode()
    assert "access to casework is suspended" in mine.content.decode()

    signed_in(personas.admin).post(
        reverse("supervision:vetting_edit", args=[officer.pk]),
        {"vetting_level": VettingLevel.NPPV2, **boxes("vetting_expires_on", days(3 * 365))},
    )

    assert client.get(reverse("caseload:rso_list")).status_code == 200
    assert client.get(reverse("caseload:rso_detail", args=[casework.rso_a.pk])).status_code == 200
    assert client.get(reverse("api:rso_list")).status_code == 200


def test_a_sergeant_with_expired_vetting_cannot_open_an_officers_record(personas: Personas) -> None:
    vet(personas.sergeant_a, days(-1))
    response = signed_in(personas.sergeant_a).get(record_url(personas.officer_a))
    assert response.status_code == 403
    assert signed_in(personas.sergeant_a).get(MINE).status_code == 200


def test_training_lapsing_within_90_days_opens_a_task_in_the_officers_inbox(personas: Personas) -> None:
    signed_in(personas.sergeant_a).post(
        reverse("supervision:training_add", args=[personas.officer_a.pk]),
        {"course": TrainingCourse.VISOR, **boxes("completed_on", days(-700)), **boxes("expires_on", days(45))},
    )

    body = signed_in(personas.officer_a).get(reverse("caseload:tasks")).content.decode()

    assert DeadlineKind.TRAINING_EXPIRY.label in body
    assert "See your training record" in body
    assert MINE in body


def test_the_record_offers_each_person_only_the_changes_they_may_make(personas: Personas) -> None:
    record = train(personas.officer_a, TrainingCourse.MAPPA, days(-40), days(20))
    vetting = reverse("supervision:vetting_edit", args=[personas.officer_a.pk])
    add = reverse("supervision:training_add", args=[personas.officer_a.pk])
    remove = reverse("supervision:training_delete", args=[record.pk])

    sergeant = signed_in(personas.sergeant_a).get(record_url(personas.officer_a)).content.decode()
    admin = signed_in(personas.admin).get(record_url(personas.officer_a)).content.decode()
    inspector = signed_in(personas.inspector).get(record_url(personas.officer_a)).content.decode()

    assert add in sergeant
    assert remove in sergeant
    assert vetting not in sergeant
    assert add in admin
    assert remove in admin
    assert vetting in admin
    assert add not in inspector
    assert remove not in inspector
    assert vetting not in inspector
