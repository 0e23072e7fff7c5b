"""Plan-quality audits: sampling (random, weighted towards higher risk, never twice),
scoring on the rubric, the officer reading the feedback, and what the system can see in
a plan for each criterion."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from arms.choices import ActionType
from caseload.choices import RiskLevel, RSOStatus
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from supervision import selectors, services
from supervision.choices import RUBRIC_FIELDS, AuditState
from supervision.models import PlanAudit
from tests.caseload.test_services_allocation import run_in_threads
from tests.conftest import Personas
from tests.factories import RSOFactory, SergeantFactory
from tests.supervision.audit_kit import audit_of, plan_for

pytestmark = pytest.mark.django_db


def plans(personas: Personas, count: int, *, risk: str = RiskLevel.MEDIUM, **rso: Any) -> list[Any]:
    made = []
    for _ in range(count):
        # High risk cases stay unallocated: the 20% rule would refuse them to one officer.
        officer = personas.officer_a if risk in (RiskLevel.LOW, RiskLevel.MEDIUM) else None
        case = RSOFactory.create(team=personas.team_a, allocated_officer=officer, risk_level=risk, **rso)
        made.append(plan_for(case, by=personas.sergeant_a))
    return made


# --- Sampling -----------------------------------------------------------------------------


def test_sampling_picks_very_high_risk_plans_clearly_more_often_than_low_risk_ones(personas: Personas) -> None:
    low = {p.pk for p in plans(personas, 4, risk=RiskLevel.LOW)}
    very_high = {p.pk for p in plans(personas, 4, risk=RiskLevel.VERY_HIGH)}
    rng = random.Random(8_2026)
    picks = {"low": 0, "very_high": 0}

    for _ in range(300):
        (audit,) = services.plan_audit_sample(team=personas.team_a, by=personas.sergeant_a, size=1, rng=rng)
        picks["very_high" if audit.plan_id in very_high else "low"] += 1
        assert audit.plan_id in low | very_high
        audit.delete()  # put it back for the next draw

    # The policy weighs VERY_HIGH 8 and LOW 1: about 89% of single draws are VERY_HIGH.
    assert picks["very_high"] > 3 * picks["low"]
    assert picks["low"] > 0  # still a random sample: low risk plans get audited too


def test_sampling_never_picks_a_plan_already_audited_or_waiting_and_then_runs_out(personas: Personas) -> None:
    done, waiting, fresh_1, fresh_2 = plans(personas, 4)
    audit_of(done, sergeant=personas.sergeant_a, completed=True)
    audit_of(waiting, sergeant=personas.sergeant_a)

    sampled = services.plan_audit_sample(team=personas.team_a, by=personas.sergeant_a, size=10)

    assert {a.plan_id for a in sampled} == {fresh_1.pk, fresh_2.pk}
    assert all(a.state == AuditState.SAMPLED and a.officer_id == personas.officer_a.pk for a in sampled)
    assert services.plan_audit_sample(team=personas.team_a, by=personas.sergeant_a, size=10) == []


def test_sampling_leaves_out_closed_cases_superseded_versions_and_other_teams(personas: Personas) -> None:
    (open_plan,) = plans(personas, 1)
    plans(personas, 1, status=RSOStatus.DECEASED)
    plans(personas, 1, status=RSOStatus.NOTIFICATION_ENDED)
    versioned = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    plan_for(versioned, by=personas.sergeant_a)
    current = plan_for(versioned, by=personas.sergeant_a)
    other = RSOFactory.create(team=personas.team_b, allocated_officer=personas.officer_b)
    plan_for(other, by=personas.sergeant_a)

    sampled = services.plan_audit_sample(team=personas.team_a, by=personas.sergeant_a, size=10)

    assert {a.plan_id for a in sampled} == {open_plan.pk, current.pk}


def test_only_a_sergeant_of_the_team_samples_its_plans(personas: Personas) -> None:
    plans(personas, 1)
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    for who in (personas.officer_a, personas.inspector, sergeant_b):
        with pytest.raises(ValidationError):
            services.plan_audit_sample(team=personas.team_a, by=who)
    assert not PlanAudit.objects.exists()


def test_sampling_is_recorded_in_the_audit_log_with_the_cases(personas: Personas) -> None:
    (plan,) = plans(personas, 1)
    services.plan_audit_sample(team=personas.team_a, by=personas.sergeant_a)
    assert AuditEvent.objects.filter(
        action=Action.COLLECTION, object_type="supervision.planaudit", rso_ids=[plan.rso_id]
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sergeants_sampling_at_once_never_sample_the_same_plan_twice(personas: Personas) -> None:
    plans(personas, 4)
    second = SergeantFactory.create(team=personas.team_a)

    def sample(by: Any) -> Callable[[], Any]:
        return lambda: services.plan_audit_sample(team=personas.team_a, by=by, size=3)

    succeeded, errors = run_in_threads([sample(personas.sergeant_a), sample(second)])

    assert (succeeded, errors) == (2, [])
    plan_ids = list(PlanAudit.objects.values_list("plan_id", flat=True))
    assert len(plan_ids) == len(set(plan_ids)) == 4


# --- Scoring ------------------------------------------------------------------------------


def test_completing_asks_for_every_criterion_and_the_feedback_and_saves_nothing_until_then(
    personas: Personas,
) -> None:
    (plan,) = plans(personas, 1)
    audit = audit_of(plan, sergeant=personas.sergeant_a)

    with pytest.raises(ValidationError) as refused:
        services.plan_audit_complete(
            audit=audit, by=personas.sergeant_a, scores={"evidence_score": 3, "shareable_score": "x"}, feedback="  "
        )

    assert set(refused.value.message_dict) == {*RUBRIC_FIELDS, "feedback"}
    audit.refresh_from_db()
    assert (audit.state, audit.score, audit.evidence_score, audit.feedback) == (AuditState.SAMPLED, None, None, "")


def test_the_score_is_the_percentage_of_the_rubrics_maximum(personas: Personas) -> None:
    (plan,) = plans(personas, 1)
    audit = audit_of(plan, sergeant=personas.sergeant_a)
    scores = dict(zip(RUBRIC_FIELDS, [2, 2, 1, 1, 0, 2], strict=True))  # 8 of 12

    done = services.plan_audit_complete(audit=audit, by=personas.sergeant_a, scores=scores, feedback=" Good. ")

    assert (done.state, done.score, done.feedback, done.audited_by_id) == (
        AuditState.COMPLETED,
        67,
        "Good.",
        personas.sergeant_a.pk,
    )
    assert done.completed_at is not None
    assert AuditEvent.objects.filter(action=Action.ALTERATION, object_ids=[str(audit.pk)]).exists()
    with pytest.raises(ValidationError, match="already completed"):
        services.plan_audit_complete(audit=audit, by=personas.sergeant_a, scores=scores, feedback="Again")


def test_only_the_teams_sergeant_scores_a_plan(personas: Personas) -> None:
    (plan,) = plans(personas, 1)
    audit = audit_of(plan, sergeant=personas.sergeant_a)
    scores = dict.fromkeys(RUBRIC_FIELDS, 2)
    for who in (personas.officer_a, personas.inspector, SergeantFactory.create(team=personas.team_b)):
        with pytest.raises(ValidationError):
            services.plan_audit_complete(audit=audit, by=who, scores=scores, feedback="Fine")
    audit.refresh_from_db()
    assert audit.state == AuditState.SAMPLED


def test_the_officer_marks_the_feedback_read_once_and_nobody_else_can(personas: Personas) -> None:
    (plan,) = plans(personas, 1)
    audit = audit_of(plan, sergeant=personas.sergeant_a, completed=True)

    services.plan_audit_seen(audit=audit, by=personas.sergeant_a)
    audit.refresh_from_db()
    assert audit.seen_by_officer_at is None

    first = services.plan_audit_seen(audit=audit, by=personas.officer_a).seen_by_officer_at
    again = services.plan_audit_seen(audit=audit, by=personas.officer_a).seen_by_officer_at
    assert first is not None
    assert again == first


# --- What the system can see --------------------------------------------------------------


def test_hints_name_what_a_weak_plan_is_missing(personas: Personas) -> None:
    case = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    plan = plan_for(
        case,
        by=personas.sergeant_a,
        ratings={"opportunity": ("HIGH", ""), "hostile_orientation": ("HIGH", "Threats to staff.")},
        actions=[
            {"factor": "hostile_orientation", "action_type": ActionType.CONTROL, "due_on": None, "shareable": False},
            {"factor": "sexual_preoccupation", "action_type": ActionType.MONITOR, "due_on": None, "shareable": False},
        ],
        contingencies="",
        shared="",
    )

    hints = selectors.plan_audit_hints(plan=plan)

    assert list(hints) == list(RUBRIC_FIELDS)
    assert all(hint.concern for hint in hints.values())
    assert hints["evidence_score"].lines == ("1 of 12 rated factors has no evidence: 'Opportunity'.",)
    assert hints["high_risk_actions_score"].lines == ("HIGH risk factor 'Opportunity' has no action.",)
    assert hints["support_actions_score"].lines == ("No SUPPORT actions.",)
    assert hints["owners_dates_score"].lines == ("2 actions have no due date.",)
    assert hints["contingencies_score"].lines == ("Contingencies empty.",)
    assert hints["shareable_score"].lines == (
        "No action marked shareable.",
        "Nothing recorded about what the person has been told.",
    )


def test_hints_raise_no_concern_for_a_complete_plan(personas: Personas) -> None:
    case = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    plan = plan_for(case, by=personas.sergeant_a, ratings={"opportunity": ("HIGH", "Lives by a school.")})

    hints = selectors.plan_audit_hints(plan=plan)

    assert not [h.field for h in hints.values() if h.concern]
    assert hints["evidence_score"].lines == ("All 12 rated factors have evidence.",)
    assert hints["high_risk_actions_score"].lines == ("Every HIGH risk factor has an action (1 factor).",)
    assert hints["support_actions_score"].lines == ("5 SUPPORT actions of 12.",)


@pytest.mark.parametrize("size", [2, 12])
def test_hints_take_two_queries_whatever_the_plans_size(
    personas: Personas, size: int, django_assert_num_queries: Any
) -> None:
    case = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    codes = ["opportunity", "commitment_to_desist"] * 6
    plan = plan_for(
        case,
        by=personas.sergeant_a,
        actions=[{"factor": code, "action_type": ActionType.MONITOR} for code in codes[:size]],
    )
    # Queries: the assessment's ratings with their factors; the plan's actions.
    with django_assert_num_queries(2):
        selectors.plan_audit_hints(plan=plan)
