"""factory_boy factories for the models tests need. Names are British and fictional."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from caseload.models import RSO
from mosovo.accounts.choices import Role, VettingLevel
from mosovo.accounts.models import Force, Team, User

factory.Faker._DEFAULT_LOCALE = "en_GB"

# Every persona signs in with this password (the test settings hash it quickly).
PASSWORD = "correct-horse-battery-staple"


class ForceFactory(DjangoModelFactory[Force]):
    class Meta:
        model = Force
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test Force {n}")
    code = factory.Sequence(lambda n: f"TF{n}")


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    role = Role.OFFICER
    team = factory.SubFactory(TeamFactory)
    force = factory.LazyAttribute(lambda u: u.team.force if u.team else None)
    vetting_level = VettingLevel.NPPV2
    password = factory.django.Password(PASSWORD)


class OfficerFactory(UserFactory):
    role = Role.OFFICER


class SergeantFactory(UserFactory):
    role = Role.SERGEANT


class InspectorFactory(UserFactory):
    role = Role.INSPECTOR
    team = None
    force = factory.SubFactory(ForceFactory)


class AdminFactory(InspectorFactory):
    role = Role.ADMIN


class AuditorFactory(InspectorFactory):
    role = Role.AUDITOR


class RSOFactory(DjangoModelFactory[RSO]):
    class Meta:
        model = RSO

    family_name = factory.Faker("last_name")
    given_names = factory.Faker("first_name_male")
    # Adults well before any relevant date the tests use (the s.82 periods halve for under-18s).
    date_of_birth = factory.Faker("date_of_birth", minimum_age=30, maximum_age=80)
    visor_reference = factory.Sequence(lambda n: f"VS-TEST-{n:06d}")
    pnc_id = factory.Sequence(lambda n: f"20/{n:07d}X")
    team = factory.SubFactory(TeamFactory)
    allocated_officer = None
    summary = "Fictional test record."
