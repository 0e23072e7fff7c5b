"""The record's profile and addresses tabs: editing the profile (and the conflict page),
aliases, vehicles, employment, associates, identity documents, addresses and the photo."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from caseload import photos, services
from caseload.choices import AddressType, IdentityDocumentType, RiskLevel
from caseload.models import RSO, Address, Alias, Associate, Employment, IdentityDocument, Vehicle
from mosovo.accounts.models import User
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.caseload.test_services_record_details import rows_containing
from tests.conftest import Casework, Personas, verified_login
from tests.factories import RSOFactory

TODAY = timezone.localdate()
CONFLICT_TEXT = "Someone else changed this record while you were editing"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def url(name: str, rso: RSO, item: Any = None) -> str:
    return reverse(f"caseload:{name}", args=[rso.pk] if item is None else [rso.pk, item.pk])


def profile_data(rso: RSO, **overrides: Any) -> dict[str, Any]:
    """The profile form as the edit page would post it, from the RSO's current values."""
    data = {
        "family_name": rso.family_name,
        "given_names": rso.given_names,
        "date_of_birth": rso.date_of_birth.isoformat(),
        "sex": rso.sex,
        "pnc_id": rso.pnc_id,
        "ni_number": rso.ni_number,
        "mappa_category": rso.mappa_category or "",
        "mappa_level": rso.mappa_level or "",
        "lead_agency": rso.lead_agency,
        "summary": rso.summary,
        "version": rso.version,
    }
    if rso.child_household:
        data["child_household"] = "on"
    data.update(overrides)
    return data


def snapshot(rso: RSO) -> dict[str, Any]:
    """Everything a write on the record's details could change."""
    return {
        "rso": RSO.objects.values().get(pk=rso.pk),
        **{
            model.__name__: sorted(map(str, model.objects.filter(rso=rso).values()))
            for model in (Alias, Address, Vehicle, Employment, Associate, IdentityDocument)
        },
    }


def jpeg_with_gps(size: tuple[int, int] = (1600, 1000)) -> bytes:
    image = Image.new("RGB", size, "navy")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (50.0, 43.0, 12.0), "W", (3.0, 31.0, 48.0)
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# The profile tab ---------------------------------------------------------------------


def test_the_profile_tab_shows_the_persons_details_and_aliases(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    RSO.objects.filter(pk=rso.pk).update(
        ni_number="AB123456C", mappa_category=1, mappa_level=2, lead_agency="PROBATION", child_household=True
    )
    services.alias_add(rso=rso, name="Johnny Ash", by=personas.officer_a)
    response = signed_in(personas.officer_a).get(url("rso_detail", rso))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "AB123456C",
        "Category 1",
        "Level 2",
        "Probation (on licence)",
        "Active",
        "Johnny Ash",
        "Change profile",
    ):
        assert text in page, text
    assert "No photo recorded." in page


def test_an_inspector_sees_the_profile_without_any_way_to_change_it(personas: Personas, casework: Casework) -> None:
    client = signed_in(personas.inspector)
    response = client.get(url("rso_detail", casework.rso_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Change profile" not in page
    assert "Add an alias" not in page
    assert client.get(url("rso_addresses", casework.rso_a)).status_code == 200


def test_profile_tab_query_count_is_the_same_with_1_and_20_rows_of_each_kind(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)

    def add(n: int) -> None:
        for i in range(n):
            Alias.objects.create(rso=rso, name=f"Alias {i}")
            Vehicle.objects.create(rso=rso, registration=f"AB{i:02d}CDE")
            Employment.objects.create(rso=rso, employer=f"Employer {i}")
            Associate.objects.create(rso=rso, name=f"Associate {i}", relationship="friend")
            IdentityDocument.objects.create(rso=rso, document_type="PASSPORT", masked_number=f"****{i:04d}")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("rso_detail", rso))
        assert response.status_code == 200
        return len(queries)

    add(1)
    with_1 = count()
    add(19)
    with_20 = count()
    # Session, user, second factor device, the RSO (with team and officer), one query per
    # list (aliases, vehicles, employment, associates, identity documents), the user's
    # team for the header, and the consultation event (savepoint, insert, release): 13
    # today, and none of them grows with the lists.
    assert with_1 == with_20


# Editing the profile -----------------------------------------------------------------


def test_editing_the_profile_saves_it_and_records_the_field_names_and_history(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    page = client.get(url("rso_profile_edit", rso))
    assert page.status_code == 200
    assert 'name="version" value="1"' in page.content.decode()

    response = client.post(
        url("rso_profile_edit", rso),
        profile_data(rso, family_name="Ashworth", ni_number="ab 12 34 56 c", mappa_category="1", mappa_level="3"),
    )
    assert response.status_code == 302
    assert response["Location"] == url("rso_detail", rso)
    stored = RSO.objects.get(pk=rso.pk)
    assert (stored.family_name, stored.ni_number, stored.mappa_level, stored.version) == ("Ashworth", "AB123456C", 3, 2)
    event = AuditEvent.objects.get(action=Action.ALTERATION, object_type="caseload.rso")
    assert event.fields == ["family_name", "mappa_category", "mappa_level", "ni_number"]
    assert event.actor == personas.officer_a
    latest = RSO.pgh_event_model.objects.filter(pgh_obj=rso).order_by("pgh_id").last()  # type: ignore[attr-defined]
    assert latest.family_name == "Ashworth"
    assert latest.pgh_context.metadata["user"] == personas.officer_a.pk
    assert "Profile updated" in client.get(url("rso_detail", rso)).content.decode()


def test_lost_01_the_second_of_two_editors_gets_the_conflict_page_and_nothing_is_overwritten(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    first, second = signed_in(personas.officer_a), signed_in(personas.sergeant_a)
    for client in (first, second):
        assert 'name="version" value="1"' in client.get(url("rso_profile_edit", rso)).content.decode()

    saved = first.post(url("rso_profile_edit", rso), profile_data(rso, family_name="Firstsave"))
    assert saved.status_code == 302
    response = second.post(
        url("rso_profile_edit", rso),
        profile_data(rso, family_name="Secondsave", summary="Seen at the library on Tuesday."),
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert CONFLICT_TEXT in page
    assert "FIRSTSAVE" in page  # the identity bar shows the record as it is now
    assert "Firstsave" in page
    assert "Secondsave" in page
    assert "Seen at the library on Tuesday." in page  # nothing typed is lost
    assert url("rso_profile_edit", rso) in page
    stored = RSO.objects.get(pk=rso.pk)
    assert (stored.family_name, stored.summary, stored.version) == ("Firstsave", "Team A case.", 2)
    assert AuditEvent.objects.filter(action=Action.ALTERATION).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_of_birth": (TODAY + timedelta(days=1)).isoformat()}, "The date of birth must be in the past"),
        ({"date_of_birth": "1899-12-31"}, "on or after 1 January 1900"),
        ({"date_of_birth": (TODAY - timedelta(days=365 * 5)).isoformat()}, "at least 10 years old"),
        ({"date_of_birth": "31/02/2000"}, "Enter a real date"),
        ({"ni_number": "QQ 12 34 56 C"}, "Enter a National Insurance number in the correct format"),
        ({"mappa_level": "2"}, "Select the MAPPA category: a MAPPA level needs one"),
        ({"family_name": ""}, "Enter the family name"),
        ({"sex": "Q"}, "Select a valid choice"),
    ],
)
def test_invalid_profile_input_shows_the_error_and_saves_nothing(
    personas: Personas, casework: Casework, overrides: dict[str, str], message: str
) -> None:
    rso = casework.rso_a
    before = snapshot(rso)
    response = signed_in(personas.officer_a).post(url("rso_profile_edit", rso), profile_data(rso, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert snapshot(rso) == before
    assert not AuditEvent.objects.filter(action=Action.ALTERATION).exists()


def test_mass_01_the_profile_form_ignores_team_officer_risk_and_status(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    response = signed_in(personas.officer_a).post(
        url("rso_profile_edit", rso),
        profile_data(
            rso,
            summary="Updated.",
            risk_level=RiskLevel.VERY_HIGH,
            team=personas.team_b.pk,
            allocated_officer=personas.officer_b.pk,
            status="DECEASED",
            management_model="REACTIVE",
            visor_reference="VS-HIJACK",
        ),
    )
    assert response.status_code == 302
    stored = RSO.objects.get(pk=rso.pk)
    assert stored.summary == "Updated."
    assert (stored.risk_level, stored.team_id, stored.allocated_officer_id) == (
        RiskLevel.LOW,
        personas.team_a.pk,
        personas.officer_a.pk,
    )
    assert (stored.status, stored.management_model, stored.visor_reference) == (
        "IN_COMMUNITY",
        "ACTIVE",
        rso.visor_reference,
    )


# Adding and removing the record's rows -----------------------------------------------

ADDS = [
    ("rso_alias_add", {"alias-name": "Johnny Ash", "alias-notes": "Street name"}, Alias, "caseload.alias", "#aliases"),
    (
        "rso_vehicle_add",
        {"vehicle-registration": "ab12 cde", "vehicle-make": "Ford", "vehicle-colour": "Blue"},
        Vehicle,
        "caseload.vehicle",
        "#vehicles",
    ),
    (
        "rso_employment_add",
        {"employment-employer": "Acme Ltd", "employment-from_date": "2024-01-08"},
        Employment,
        "caseload.employment",
        "#employment",
    ),
    (
        "rso_associate_add",
        {"associate-name": "Dana Fox", "associate-relationship": "partner"},
        Associate,
        "caseload.associate",
        "#associates",
    ),
    (
        "rso_identity_document_add",
        {"document-document_type": "PASSPORT", "document-number": "123456789", "document-surrendered": "on"},
        IdentityDocument,
        "caseload.identitydocument",
        "#identity-documents",
    ),
]


@pytest.mark.parametrize(("name", "data", "model", "object_type", "anchor"), ADDS, ids=[a[0] for a in ADDS])
def test_an_officer_adds_a_row_to_the_profile_tab_and_it_is_audited(
    personas: Personas, casework: Casework, name: str, data: dict[str, str], model: Any, object_type: str, anchor: str
) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    response = client.post(url(name, rso), data)
    assert response.status_code == 302
    assert response["Location"] == url("rso_detail", rso) + anchor
    row = model.objects.get(rso=rso)
    event = AuditEvent.objects.get(action=Action.COLLECTION, object_type=object_type)
    assert (event.object_ids, event.rso_ids, event.actor) == ([str(row.pk)], [rso.pk], personas.officer_a)
    assert str(row) in client.get(url("rso_detail", rso)).content.decode()


def test_the_vehicle_and_identity_document_are_stored_normalised_and_masked(
    personas: Personas, casework: Casework
) -> None:
    client = signed_in(personas.sergeant_a)
    rso = casework.rso_a
    client.post(url("rso_vehicle_add", rso), {"vehicle-registration": " ab12 cde "})
    client.post(
        url("rso_identity_document_add", rso), {"document-document_type": "PASSPORT", "document-number": "123456789"}
    )
    assert Vehicle.objects.get(rso=rso).registration == "AB12CDE"
    assert IdentityDocument.objects.get(rso=rso).masked_number == "****6789"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("rso_alias_add", {"alias-name": ""}, "Enter the name"),
        ("rso_vehicle_add", {"vehicle-registration": "AB12*CDE"}, "up to 12 letters and numbers"),
        (
            "rso_employment_add",
            {"employment-employer": "Acme", "employment-from_date": "2024-02-01", "employment-to_date": "2024-01-01"},
            "The end date must be the same as or after the start date",
        ),
        ("rso_associate_add", {"associate-name": "Dana Fox"}, "Enter how they are connected"),
        ("rso_identity_document_add", {"document-number": "123456789"}, "Select the type of document"),
        ("rso_photo_upload", {}, "Select a photo"),
    ],
)
def test_an_invalid_add_re_renders_the_profile_tab_with_the_error_and_saves_nothing(
    personas: Personas, casework: Casework, name: str, data: dict[str, str], message: str
) -> None:
    rso = casework.rso_a
    before = snapshot(rso)
    response = signed_in(personas.officer_a).post(url(name, rso), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert snapshot(rso) == before
    assert not AuditEvent.objects.filter(action=Action.COLLECTION).exists()


REMOVES = [
    ("rso_alias_delete", lambda rso, by: services.alias_add(rso=rso, name="Old Name", by=by), "caseload.alias"),
    (
        "rso_vehicle_delete",
        lambda rso, by: services.vehicle_add(rso=rso, registration="AB12CDE", by=by),
        "caseload.vehicle",
    ),
    (
        "rso_associate_delete",
        lambda rso, by: services.associate_add(rso=rso, name="Dana Fox", relationship="partner", by=by),
        "caseload.associate",
    ),
    (
        "rso_identity_document_delete",
        lambda rso, by: services.identity_document_add(
            rso=rso, document_type=IdentityDocumentType.PASSPORT, number="123456789", by=by
        ),
        "caseload.identitydocument",
    ),
]


@pytest.mark.parametrize(("name", "make", "object_type"), REMOVES, ids=[r[0] for r in REMOVES])
def test_an_officer_removes_a_row_and_it_is_recorded_as_erasure(
    personas: Personas, casework: Casework, name: str, make: Any, object_type: str
) -> None:
    rso = casework.rso_a
    row = make(rso, personas.officer_a)
    client = signed_in(personas.officer_a)
    assert client.get(url(name, rso, row)).status_code == 405  # no state change on GET
    response = client.post(url(name, rso, row))
    assert response.status_code == 302
    assert not type(row).objects.filter(pk=row.pk).exists()
    event = AuditEvent.objects.get(action=Action.ERASURE, object_type=object_type)
    assert (event.object_ids, event.rso_ids) == ([str(row.pk)], [rso.pk])


def test_a_row_of_another_record_cannot_be_removed_through_this_records_url(
    personas: Personas, casework: Casework
) -> None:
    other_team = services.alias_add(rso=casework.rso_b, name="Team B alias", by=personas.officer_b)
    same_team = RSOFactory.create(team=personas.team_a)
    same_team_alias = services.alias_add(rso=same_team, name="Other team A alias", by=personas.officer_a)
    client = signed_in(personas.officer_a)
    for alias in (other_team, same_team_alias):
        response = client.post(reverse("caseload:rso_alias_delete", args=[casework.rso_a.pk, alias.pk]))
        assert response.status_code == 404
        assert Alias.objects.filter(pk=alias.pk).exists()
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_type="caseload.alias").count() == 2


def test_ending_employment_records_the_end_date_and_a_bad_date_is_shown(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    job = services.employment_add(
        rso=rso, employer="Acme Ltd", from_date=TODAY - timedelta(days=100), by=personas.officer_a
    )
    client = signed_in(personas.officer_a)
    field = f"end-employment-{job.pk}-to_date"
    too_early = client.post(url("rso_employment_end", rso, job), {field: (TODAY - timedelta(days=101)).isoformat()})
    assert too_early.status_code == 400
    assert "The end date must be the same as or after the start date" in too_early.content.decode()
    assert Employment.objects.get(pk=job.pk).to_date is None

    response = client.post(url("rso_employment_end", rso, job), {field: TODAY.isoformat()})
    assert response.status_code == 302
    assert Employment.objects.get(pk=job.pk).to_date == TODAY
    assert AuditEvent.objects.get(action=Action.ALTERATION, object_type="caseload.employment").fields == ["to_date"]


def test_identity_numbers_typed_into_the_page_are_stored_nowhere_but_the_last_four(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    card = "4929 1234 5678 9012"
    refused = client.post(
        url("rso_identity_document_add", rso),
        {"document-document_type": "PAYMENT_CARD", "document-number": card, "document-surrendered": "on"},
    )
    assert refused.status_code == 400
    assert "Only a passport can be recorded as surrendered" in refused.content.decode()
    assert "4929" not in refused.content.decode()  # the number is not sent back, even to correct it

    response = client.post(
        url("rso_identity_document_add", rso),
        {"document-document_type": "PAYMENT_CARD", "document-number": card, "document-issuer": "Barclays"},
    )
    assert response.status_code == 302
    assert "****9012" in client.get(url("rso_detail", rso)).content.decode()
    for fragment in ("4929123456789012", card, "49291234", "1234 5678"):
        assert rows_containing(fragment) == {}, fragment


# The addresses tab -------------------------------------------------------------------


def test_the_addresses_tab_lists_current_addresses_then_history(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    old = services.address_add(
        rso=rso,
        address_type=AddressType.HOME,
        line1="2 Old Road",
        town="Exeter",
        from_date=TODAY - timedelta(days=400),
        to_date=TODAY - timedelta(days=200),
        by=personas.officer_a,
    )
    services.address_add(
        rso=rso,
        address_type=AddressType.HOME,
        line1="5 New Street",
        town="Exeter",
        from_date=TODAY - timedelta(days=199),
        by=personas.officer_a,
    )
    response = signed_in(personas.officer_a).get(url("rso_addresses", rso))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("5 New Street") < page.index("Previous addresses") < page.index(old.line1)
    assert "Addresses" in page  # the tab now shows in the record's navigation


def test_adding_and_ending_addresses_sets_the_no_fixed_abode_flag(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    since = (TODAY - timedelta(days=10)).isoformat()
    home = {"address-address_type": "HOME", "address-line1": "5 New Street", "address-town": "Exeter"}
    response = client.post(url("rso_address_add", rso), {**home, "address-from_date": since})
    assert response.status_code == 302
    assert response["Location"] == url("rso_addresses", rso)
    found = {
        "address-address_type": "REGULARLY_FOUND",
        "address-line1": "Doorway of the old cinema",
        "address-town": "Exeter",
        "address-from_date": since,
    }
    client.post(url("rso_address_add", rso), found)
    assert RSO.objects.get(pk=rso.pk).no_fixed_abode is False

    house = Address.objects.get(rso=rso, address_type=AddressType.HOME)
    ended = client.post(url("rso_address_end", rso, house), {f"end-address-{house.pk}-to_date": TODAY.isoformat()})
    assert ended.status_code == 302
    assert RSO.objects.get(pk=rso.pk).no_fixed_abode is True
    assert "No fixed abode" in client.get(url("rso_addresses", rso)).content.decode()
    assert AuditEvent.objects.filter(action=Action.COLLECTION, object_type="caseload.address").count() == 2
    assert AuditEvent.objects.get(action=Action.ALTERATION, object_type="caseload.address").fields == ["to_date"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"address-from_date": (TODAY + timedelta(days=1)).isoformat()}, "The start date must be today or in the past"),
        (
            {"address-from_date": "2024-05-01", "address-to_date": "2024-04-01"},
            "The end date must be the same as or after the start date",
        ),
        ({"address-from_date": "2024-05-01", "address-town": ""}, "Enter the town or city"),
        ({"address-from_date": "2024-13-01"}, "Enter a real date"),
    ],
)
def test_an_invalid_address_shows_the_error_and_saves_nothing(
    personas: Personas, casework: Casework, data: dict[str, str], message: str
) -> None:
    rso = casework.rso_a
    payload = {"address-address_type": "HOME", "address-line1": "5 New Street", "address-town": "Exeter", **data}
    response = signed_in(personas.officer_a).post(url("rso_address_add", rso), payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Address.objects.exists()


def test_ending_an_address_before_it_started_is_refused(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    home = services.address_add(
        rso=rso, address_type=AddressType.HOME, line1="5 New St", town="Exeter", from_date=TODAY, by=personas.officer_a
    )
    response = signed_in(personas.officer_a).post(
        url("rso_address_end", rso, home), {f"end-address-{home.pk}-to_date": (TODAY - timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert Address.objects.get(pk=home.pk).to_date is None


# The photo ---------------------------------------------------------------------------


def test_an_uploaded_photo_comes_back_re_encoded_without_exif_or_comments(
    personas: Personas, casework: Casework, media_root: Path
) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    response = client.post(url("rso_photo_upload", rso), {"photo-photo": upload(jpeg_with_gps(), "holiday.jpg")})
    assert response.status_code == 302
    stored = RSO.objects.get(pk=rso.pk).photo
    assert stored != "holiday.jpg"
    assert stored.endswith(".jpg")
    assert len(stored) == 36
    assert (media_root / "photos" / stored).exists()
    assert AuditEvent.objects.get(action=Action.ALTERATION, object_type="caseload.rso").fields == ["photo"]

    served = client.get(url("rso_photo", rso))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert "no-store" in served["Cache-Control"]
    assert served["X-Content-Type-Options"] == "nosniff"
    image = Image.open(BytesIO(served.content))
    assert image.format == "JPEG"
    assert max(image.size) == 1200
    assert not image.getexif()
    assert "exif" not in image.info
    assert "comment" not in image.info
    assert b"PhoneMaker" not in served.content
    assert b"taken at home" not in served.content


def test_a_png_with_transparency_is_accepted_and_served_as_jpeg(personas: Personas, casework: Casework) -> None:
    out = BytesIO()
    Image.new("RGBA", (300, 400), (255, 0, 0, 0)).save(out, "PNG")
    client = signed_in(personas.officer_a)
    response = client.post(url("rso_photo_upload", casework.rso_a), {"photo-photo": upload(out.getvalue(), "p.png")})
    assert response.status_code == 302
    served = client.get(url("rso_photo", casework.rso_a))
    assert Image.open(BytesIO(served.content)).size == (300, 400)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"This is not a picture, it is a text file.\n", "notes.jpg", photos.NOT_AN_IMAGE),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.jpg", photos.NOT_AN_IMAGE),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "truncated.jpg", photos.NOT_AN_IMAGE),
        (b"\xff" * (photos.PHOTO_MAX_BYTES + 1), "huge.jpg", photos.TOO_LARGE),
    ],
    ids=["text", "gif", "truncated-jpeg", "over-5-mb"],
)
def test_a_file_that_is_not_an_acceptable_photo_is_refused_with_a_field_error(
    personas: Personas, casework: Casework, media_root: Path, content: bytes, name: str, message: str
) -> None:
    rso = casework.rso_a
    response = signed_in(personas.officer_a).post(url("rso_photo_upload", rso), {"photo-photo": upload(content, name)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_photo-photo-error"' in page
    assert message in page
    assert RSO.objects.get(pk=rso.pk).photo == ""
    assert not (media_root / "photos").exists() or not any((media_root / "photos").iterdir())


def test_a_gif_is_refused_even_though_it_is_a_valid_image(personas: Personas, casework: Casework) -> None:
    out = BytesIO()
    Image.new("RGB", (10, 10), "red").save(out, "GIF")
    response = signed_in(personas.officer_a).post(
        url("rso_photo_upload", casework.rso_a), {"photo-photo": upload(out.getvalue(), "x.jpg")}
    )
    assert response.status_code == 400
    assert photos.NOT_AN_IMAGE in response.content.decode()


def test_replacing_the_photo_removes_the_old_file_once_the_new_one_is_saved(
    personas: Personas, casework: Casework, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    rso = casework.rso_a
    client = signed_in(personas.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("rso_photo_upload", rso), {"photo-photo": upload(jpeg_with_gps((200, 200)))})
    first = RSO.objects.get(pk=rso.pk).photo
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("rso_photo_upload", rso), {"photo-photo": upload(jpeg_with_gps((300, 200)))})
    second = RSO.objects.get(pk=rso.pk).photo
    assert first != second
    assert sorted(p.name for p in (media_root / "photos").iterdir()) == [second]


def test_the_photo_is_served_only_in_scope_and_each_view_is_audited(personas: Personas, casework: Casework) -> None:
    services.rso_photo_set(rso=casework.rso_b, photo=upload(jpeg_with_gps((100, 100))), by=personas.officer_b)
    response = signed_in(personas.officer_a).get(url("rso_photo", casework.rso_b))
    assert response.status_code == 404
    assert response.get("Content-Type") != "image/jpeg"
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_ids=[str(casework.rso_b.pk)]).exists()

    before = AuditEvent.objects.filter(action=Action.CONSULTATION, rso_ids__contains=[casework.rso_b.pk]).count()
    served = signed_in(personas.officer_b).get(url("rso_photo", casework.rso_b))
    assert served.status_code == 200
    after = AuditEvent.objects.filter(action=Action.CONSULTATION, rso_ids__contains=[casework.rso_b.pk]).count()
    assert after == before + 1


def test_a_record_without_a_photo_answers_no_content(personas: Personas, casework: Casework) -> None:
    response = signed_in(personas.inspector).get(url("rso_photo", casework.rso_a))
    assert response.status_code == 204


# Who may write -----------------------------------------------------------------------


def writes(rso: RSO, by: User) -> list[tuple[str, dict[str, Any]]]:
    """Every write URL of the record's details, with valid input, for an RSO with one row of each kind."""
    alias = services.alias_add(rso=rso, name="Johnny Ash", by=by)
    vehicle = services.vehicle_add(rso=rso, registration="AB12CDE", by=by)
    job = services.employment_add(rso=rso, employer="Acme Ltd", by=by)
    associate = services.associate_add(rso=rso, name="Dana Fox", relationship="partner", by=by)
    document = services.identity_document_add(rso=rso, document_type="PASSPORT", number="123456789", by=by)
    home = services.address_add(
        rso=rso, address_type="HOME", line1="5 New St", town="Exeter", from_date=TODAY - timedelta(days=9), by=by
    )
    return [
        (url("rso_profile_edit", rso), profile_data(rso, family_name="Changed")),
        (url("rso_alias_add", rso), {"alias-name": "Another"}),
        (url("rso_alias_delete", rso, alias), {}),
        (url("rso_vehicle_add", rso), {"vehicle-registration": "XY99ZZZ"}),
        (url("rso_vehicle_delete", rso, vehicle), {}),
        (url("rso_employment_add", rso), {"employment-employer": "Other Ltd"}),
        (url("rso_employment_end", rso, job), {f"end-employment-{job.pk}-to_date": TODAY.isoformat()}),
        (url("rso_associate_add", rso), {"associate-name": "Sam", "associate-relationship": "friend"}),
        (url("rso_associate_delete", rso, associate), {}),
        (url("rso_identity_document_add", rso), {"document-document_type": "ID_CARD", "document-number": "A1234567"}),
        (url("rso_identity_document_delete", rso, document), {}),
        (url("rso_photo_upload", rso), {"photo-photo": upload(jpeg_with_gps((50, 50)))}),
        (url("rso_address_add", rso), {"address-address_type": "HOME", "address-line1": "1 A St", "address-town": "X"}),
        (url("rso_address_end", rso, home), {f"end-address-{home.pk}-to_date": TODAY.isoformat()}),
    ]


@pytest.mark.parametrize("who", ["officer_b", "inspector"])
def test_idor_05_an_officer_of_team_b_or_an_inspector_gets_404_on_every_write_and_nothing_changes(
    personas: Personas, casework: Casework, who: str
) -> None:
    rso = casework.rso_a
    calls = writes(rso, personas.officer_a)
    before = snapshot(rso)
    changes = AuditEvent.objects.filter(action__in=[Action.COLLECTION, Action.ALTERATION, Action.ERASURE])
    collected = changes.count()
    client = signed_in(getattr(personas, who))
    for write_url, data in calls:
        response = client.post(write_url, data)
        assert response.status_code == 404, write_url
        assert client.get(write_url).status_code in (404, 405)
    assert snapshot(rso) == before
    assert changes.count() == collected
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).count() >= len(calls)


def test_break_glass_access_reads_the_profile_but_cannot_change_it(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    calls = writes(rso, personas.officer_a)
    client = signed_in(personas.officer_b)
    opened = client.post(
        reverse("caseload:break_glass"),
        {"reference": rso.visor_reference, "reason_code": "COVERING", "reason_text": "Covering officer A on leave"},
    )
    assert opened.status_code == 302
    page = client.get(url("rso_detail", rso))
    assert page.status_code == 200
    assert "Change profile" not in page.content.decode()
    before = snapshot(rso)
    for write_url, data in calls:
        assert client.post(write_url, data).status_code == 404, write_url
    assert snapshot(rso) == before
