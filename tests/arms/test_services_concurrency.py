"""Concurrent writes to one assessment or plan, on real PostgreSQL with real threads
(LOST-01): one wins, the other is refused with a clear error, nothing is half-written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from arms import services
from arms.choices import Status
from arms.models import Assessment, Review
from mosovo.accounts.models import User
from tests.arms.kit import fill_assessment
from tests.caseload.test_services_allocation import run_in_threads
from tests.conftest import Casework, Personas


@pytest.mark.django_db(transaction=True)
def test_lost_01_two_saves_of_the_same_draft_version_one_wins(personas: Personas, casework: Casework) -> None:
    assessment = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    version = assessment.version

    def save(text: str, by: User) -> None:
        services.assessment_update_summary(assessment=assessment, scenarios=text, version=version, by=by)

    done, errors = run_in_threads(
        [lambda: save("officer's words", personas.officer_a), lambda: save("sergeant's words", personas.sergeant_a)]
    )
    assert done == 1
    assert len(errors) == 1
    assert isinstance(errors[0], services.Conflict)
    assessment.refresh_from_db()
    assert assessment.scenarios in ("officer's words", "sergeant's words")
    assert assessment.version == version + 1


@pytest.mark.django_db(transaction=True)
def test_two_sergeants_approving_at_once_approve_once(personas: Personas, casework: Casework) -> None:
    second_sergeant = User.objects.create(username="sergeant_a2", role="SERGEANT", team=personas.team_a)
    assessment = fill_assessment(
        services.assessment_start(rso=casework.rso_a, by=personas.officer_a), by=personas.officer_a
    )
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    done, errors = run_in_threads(
        [
            lambda: services.assessment_approve(assessment=assessment, by=personas.sergeant_a),
            lambda: services.assessment_approve(assessment=assessment, by=second_sergeant),
        ]
    )
    assert done == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert Assessment.objects.get(pk=assessment.pk).status == Status.APPROVED
    assert Review.objects.filter(assessment=assessment, decision="APPROVED").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_starting_an_assessment_at_once_open_one(personas: Personas, casework: Casework) -> None:
    second_officer = User.objects.create(username="officer_a2", role="OFFICER", team=personas.team_a)
    done, errors = run_in_threads(
        [
            lambda: services.assessment_start(rso=casework.rso_a, by=personas.officer_a),
            lambda: services.assessment_start(rso=casework.rso_a, by=second_officer),
        ]
    )
    assert done == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert Assessment.objects.filter(rso=casework.rso_a).count() == 1
