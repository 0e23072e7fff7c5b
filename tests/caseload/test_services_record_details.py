"""Record details: the profile (with its optimistic lock), aliases, addresses and the
no-fixed-abode flag, vehicles, employment, associates and masked identity documents."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from caseload import services
from caseload.choices import AddressType, IdentityDocumentType, LeadAgency, MappaCategory, MappaLevel, RiskLevel
from caseload.models import RSO, Address, Alias, Associate, Employment, IdentityDocument, Vehicle
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.conftest import Casework, Personas

TODAY = timezone.localdate()


def events(action: Action, object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type=object_type).order_by("seq"))


def history(model: Any, obj: Any) -> list[Any]:
    return list(model.pgh_event_model.objects.filter(pgh_obj_id=obj.pk).order_by("pgh_id"))


def address(rso: RSO, by: Any, address_type: str, **extra: Any) -> Address:
    values: dict[str, Any] = {"line1": "1 High Street", "town": "Exeter", "from_date": TODAY - timedelta(days=30)}
    values |= extra
    return services.address_add(rso=rso, address_type=address_type, by=by, **values)


# Profile ---------------------------------------------------------------------------------


def test_updating_the_profile_saves_changed_fields_bumps_the_version_and_names_the_fields(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    old_name = rso.family_name
    changes = {
        "family_name": "Ashworth",
        "given_names": rso.given_names,  # unchanged: not saved, not named
        "ni_number": "ab 12 34 56 c",
        "mappa_category": MappaCategory.ONE,
        "mappa_level": MappaLevel.TWO,
        "child_household": True,
    }
    updated = services.rso_update_profile(rso=rso, changes=changes, version=1, by=personas.officer_a)

    assert updated.version == 2
    stored = RSO.objects.get(pk=rso.pk)
    assert (stored.family_name, stored.ni_number, stored.mappa_level) == ("Ashworth", "AB123456C", 2)
    assert stored.child_household is True
    (event,) = events(Action.ALTERATION, "caseload.rso")
    assert event.fields == ["child_household", "family_name", "mappa_category", "mappa_level", "ni_number"]
    assert event.rso_ids == [rso.pk]
    assert event.actor == personas.officer_a
    rows = history(RSO, rso)
    assert [row.family_name for row in rows] == [old_name, "Ashworth"]


def test_saving_the_profile_unchanged_writes_nothing(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    services.rso_update_profile(rso=rso, changes={"family_name": rso.family_name}, version=1, by=personas.officer_a)
    assert RSO.objects.get(pk=rso.pk).version == 1
    assert not events(Action.ALTERATION, "caseload.rso")


def test_lost_01_a_profile_save_from_an_old_version_is_refused_and_saves_nothing(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    services.rso_update_profile(rso=rso, changes={"family_name": "First"}, version=1, by=personas.officer_a)
    with pytest.raises(services.StaleVersion) as stale:
        services.rso_update_profile(rso=rso, changes={"family_name": "Second"}, version=1, by=personas.sergeant_a)
    assert stale.value.current.family_name == "First"
    stored = RSO.objects.get(pk=rso.pk)
    assert (stored.family_name, stored.version) == ("First", 2)
    assert len(events(Action.ALTERATION, "caseload.rso")) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_of_birth": TODAY + timedelta(days=1)}, "date_of_birth", "must be in the past"),
        ({"date_of_birth": date(1899, 12, 31)}, "date_of_birth", "on or after 1 January 1900"),
        ({"date_of_birth": TODAY - timedelta(days=365 * 9)}, "date_of_birth", "at least 10 years old"),
        ({"ni_number": "QQ123456C"}, "ni_number", "correct format"),
        ({"ni_number": "AB123456E"}, "ni_number", "correct format"),
        ({"mappa_category": None, "mappa_level": MappaLevel.ONE}, "mappa_category", "needs one"),
        ({"family_name": "  "}, "family_name", "Enter the family name"),
        ({"sex": "Z"}, "sex", "not a valid choice"),
    ],
)
def test_invalid_profile_changes_are_refused_with_a_field_message_and_nothing_saved(
    personas: Personas, casework: Casework, changes: dict[str, Any], field: str, message: str
) -> None:
    rso = casework.rso_a
    before = RSO.objects.values().get(pk=rso.pk)
    with pytest.raises(ValidationError) as refused:
        services.rso_update_profile(rso=rso, changes=changes, version=1, by=personas.officer_a)
    assert message in " ".join(refused.value.message_dict[field])
    assert RSO.objects.values().get(pk=rso.pk) == before
    assert not AuditEvent.objects.filter(action=Action.ALTERATION).exists()


def test_a_ten_year_old_born_today_ten_years_ago_is_old_enough(personas: Personas, casework: Casework) -> None:
    born = TODAY.replace(year=TODAY.year - 10) if not (TODAY.month == 2 and TODAY.day == 29) else date(2000, 1, 1)
    services.rso_update_profile(rso=casework.rso_a, changes={"date_of_birth": born}, version=1, by=personas.officer_a)
    assert RSO.objects.get(pk=casework.rso_a.pk).date_of_birth == born


def test_mass_01_the_profile_service_refuses_fields_it_does_not_own(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    with pytest.raises(ValidationError) as refused:
        services.rso_update_profile(
            rso=rso,
            changes={
                "risk_level": RiskLevel.VERY_HIGH,
                "team": personas.team_b.pk,
                "lead_agency": LeadAgency.PROBATION,
            },
            version=1,
            by=personas.officer_a,
        )
    assert set(refused.value.message_dict) == {"risk_level", "team"}
    stored = RSO.objects.get(pk=rso.pk)
    assert (stored.risk_level, stored.team_id, stored.lead_agency) == (RiskLevel.LOW, personas.team_a.pk, "POLICE")


# Aliases ---------------------------------------------------------------------------------


def test_adding_and_removing_an_alias_is_collected_then_erased_in_the_audit_log(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    alias = services.alias_add(rso=rso, name="  Johnny Ash ", by=personas.officer_a)
    assert alias.name == "Johnny Ash"
    (collected,) = events(Action.COLLECTION, "caseload.alias")
    assert (collected.object_ids, collected.fields, collected.rso_ids) == ([str(alias.pk)], ["name"], [rso.pk])
    assert [row.name for row in history(Alias, alias)] == ["Johnny Ash"]

    services.alias_remove(alias=alias, by=personas.sergeant_a)
    assert not Alias.objects.filter(pk=alias.pk).exists()
    (erased,) = events(Action.ERASURE, "caseload.alias")
    assert (erased.object_ids, erased.actor, erased.rso_ids) == ([str(alias.pk)], personas.sergeant_a, [rso.pk])


def test_an_alias_needs_a_name(personas: Personas, casework: Casework) -> None:
    with pytest.raises(ValidationError) as refused:
        services.alias_add(rso=casework.rso_a, name=" ", by=personas.officer_a)
    assert refused.value.message_dict == {"name": ["Enter the name"]}
    assert not Alias.objects.exists()


# Addresses and the no-fixed-abode flag ---------------------------------------------------


def test_a_place_regularly_found_with_no_home_sets_no_fixed_abode_and_a_home_clears_it(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    by = personas.officer_a
    address(rso, by, AddressType.SEVEN_DAY)
    assert RSO.objects.get(pk=rso.pk).no_fixed_abode is False

    address(rso, by, AddressType.REGULARLY_FOUND, line1="Under the railway bridge")
    assert RSO.objects.get(pk=rso.pk).no_fixed_abode is True
    flag_events = AuditEvent.objects.filter(action=Action.ALTERATION, object_type="caseload.rso")
    assert [e.fields for e in flag_events] == [["no_fixed_abode"]]

    home = address(rso, by, AddressType.HOME)
    assert RSO.objects.get(pk=rso.pk).no_fixed_abode is False

    services.address_end(address=home, to_date=TODAY, by=by)
    assert RSO.objects.get(pk=rso.pk).no_fixed_abode is True


def test_an_ended_place_regularly_found_does_not_count(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    found = address(rso, personas.officer_a, AddressType.REGULARLY_FOUND)
    services.address_end(address=found, to_date=TODAY, by=personas.officer_a)
    assert RSO.objects.get(pk=rso.pk).no_fixed_abode is False


def test_adding_and_ending_an_address_is_audited_with_field_names(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    home = address(rso, personas.officer_a, AddressType.HOME, postcode="ex1 1aa")
    assert home.postcode == "EX1 1AA"
    (collected,) = events(Action.COLLECTION, "caseload.address")
    assert collected.fields == ["address_type", "from_date", "line1", "postcode", "town"]
    services.address_end(address=home, to_date=TODAY, by=personas.officer_a)
    (altered,) = events(Action.ALTERATION, "caseload.address")
    assert (altered.fields, altered.object_ids) == (["to_date"], [str(home.pk)])
    assert [row.to_date for row in history(Address, home)] == [None, TODAY]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"from_date": TODAY + timedelta(days=1)}, "from_date", "today or in the past"),
        ({"from_date": None}, "from_date", "Enter the date"),
        ({"to_date": TODAY - timedelta(days=31)}, "to_date", "same as or after the start date"),
        ({"line1": ""}, "line1", "Enter address line 1"),
        ({"town": ""}, "town", "Enter the town"),
    ],
)
def test_invalid_addresses_are_refused_with_a_field_message(
    personas: Personas, casework: Casework, extra: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        address(casework.rso_a, personas.officer_a, AddressType.HOME, **extra)
    assert message in refused.value.message_dict[field][0]
    assert not Address.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.COLLECTION).exists()


def test_an_address_cannot_end_before_it_started_or_twice(personas: Personas, casework: Casework) -> None:
    home = address(casework.rso_a, personas.officer_a, AddressType.HOME)
    with pytest.raises(ValidationError, match="same as or after the start date"):
        services.address_end(address=home, to_date=home.from_date - timedelta(days=1), by=personas.officer_a)
    services.address_end(address=home, to_date=TODAY, by=personas.officer_a)
    with pytest.raises(ValidationError, match="already ended"):
        services.address_end(address=home, to_date=TODAY, by=personas.officer_a)


# Vehicles, employment, associates --------------------------------------------------------


def test_a_vehicle_registration_is_stored_in_capitals_without_spaces(personas: Personas, casework: Casework) -> None:
    vehicle = services.vehicle_add(rso=casework.rso_a, registration=" ab12  cde ", make="Ford", by=personas.officer_a)
    assert vehicle.registration == "AB12CDE"
    (collected,) = events(Action.COLLECTION, "caseload.vehicle")
    assert collected.fields == ["make", "registration"]
    services.vehicle_remove(vehicle=vehicle, by=personas.officer_a)
    assert not Vehicle.objects.exists()
    assert len(events(Action.ERASURE, "caseload.vehicle")) == 1


@pytest.mark.parametrize("registration", ["", "AB12*CDE", "ABCDEFGHIJKLM"])
def test_a_vehicle_registration_must_be_letters_and_numbers(
    personas: Personas, casework: Casework, registration: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.vehicle_add(rso=casework.rso_a, registration=registration, by=personas.officer_a)
    assert "registration" in refused.value.message_dict
    assert not Vehicle.objects.exists()


def test_employment_is_added_then_ended_with_audit_events(personas: Personas, casework: Casework) -> None:
    job = services.employment_add(
        rso=casework.rso_a, employer="Acme Ltd", role="Driver", from_date=date(2023, 5, 1), by=personas.officer_a
    )
    with pytest.raises(ValidationError, match="same as or after the start date"):
        services.employment_end(employment=job, to_date=date(2023, 4, 30), by=personas.officer_a)
    with pytest.raises(ValidationError, match="today or in the past"):
        services.employment_end(employment=job, to_date=TODAY + timedelta(days=1), by=personas.officer_a)
    services.employment_end(employment=job, to_date=TODAY, by=personas.officer_a)
    assert Employment.objects.get(pk=job.pk).to_date == TODAY
    assert [e.fields for e in events(Action.COLLECTION, "caseload.employment")] == [["employer", "from_date", "role"]]
    assert [e.fields for e in events(Action.ALTERATION, "caseload.employment")] == [["to_date"]]


def test_employment_dates_must_be_in_order(personas: Personas, casework: Casework) -> None:
    with pytest.raises(ValidationError) as refused:
        services.employment_add(
            rso=casework.rso_a,
            employer="Acme Ltd",
            from_date=date(2023, 5, 1),
            to_date=date(2023, 4, 1),
            by=personas.officer_a,
        )
    assert list(refused.value.message_dict) == ["to_date"]


def test_an_associate_is_added_and_removed_with_audit_events(personas: Personas, casework: Casework) -> None:
    associate = services.associate_add(
        rso=casework.rso_a, name="Dana Fox", relationship="partner", by=personas.officer_a
    )
    services.associate_remove(associate=associate, by=personas.officer_a)
    assert not Associate.objects.exists()
    assert [e.fields for e in events(Action.COLLECTION, "caseload.associate")] == [["name", "relationship"]]
    assert len(events(Action.ERASURE, "caseload.associate")) == 1


def test_an_associate_needs_a_name_and_a_relationship(personas: Personas, casework: Casework) -> None:
    with pytest.raises(ValidationError) as refused:
        services.associate_add(rso=casework.rso_a, name="", relationship="", by=personas.officer_a)
    assert set(refused.value.message_dict) == {"name", "relationship"}


# Identity documents ----------------------------------------------------------------------

FULL_NUMBER = "GB29NWBK60161331926819"


def rows_containing(text: str) -> dict[str, int]:
    """Count, in every table of the database, the rows whose text (all columns) contains ``text``."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {quoted} t WHERE t::text LIKE %s", [f"%{text}%"])  # noqa: S608
            (count,) = cursor.fetchone()
            if count:
                found[table] = count
    return found


def test_only_the_last_four_characters_of_a_number_are_kept_anywhere_in_the_database(
    personas: Personas, casework: Casework
) -> None:
    document = services.identity_document_add(
        rso=casework.rso_a,
        document_type=IdentityDocumentType.BANK_ACCOUNT,
        number="gb29 nwbk 6016 1331 9268 19",
        issuer="NatWest",
        by=personas.officer_a,
    )
    assert document.masked_number == "****6819"
    services.identity_document_remove(document=document, by=personas.officer_a)

    # The search works: the masked number is in the document's history table.
    assert "caseload_identitydocumentevent" in rows_containing("****6819")
    for fragment in (FULL_NUMBER, FULL_NUMBER[:-4], "6016 1331", "GB29NWBK"):
        assert rows_containing(fragment) == {}, fragment
    (collected,) = events(Action.COLLECTION, "caseload.identitydocument")
    assert collected.fields == ["document_type", "issuer", "masked_number"]


@pytest.mark.parametrize("number", ["", "123", "1234/5678", "ЖЖЖЖ1234"])
def test_a_number_must_be_four_or_more_letters_and_digits(personas: Personas, casework: Casework, number: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.identity_document_add(
            rso=casework.rso_a, document_type=IdentityDocumentType.PASSPORT, number=number, by=personas.officer_a
        )
    assert list(refused.value.message_dict) == ["number"]
    assert not IdentityDocument.objects.exists()


def test_only_a_passport_can_be_surrendered(personas: Personas, casework: Casework) -> None:
    with pytest.raises(ValidationError) as refused:
        services.identity_document_add(
            rso=casework.rso_a,
            document_type=IdentityDocumentType.PAYMENT_CARD,
            number="4111111111111111",
            surrendered=True,
            by=personas.officer_a,
        )
    assert list(refused.value.message_dict) == ["surrendered"]
    passport = services.identity_document_add(
        rso=casework.rso_a,
        document_type=IdentityDocumentType.PASSPORT,
        number="123456789",
        surrendered=True,
        by=personas.officer_a,
    )
    assert (passport.masked_number, passport.surrendered) == ("****6789", True)
