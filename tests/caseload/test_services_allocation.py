"""The 20% rule (CAP-01 to CAP-07): at most a fifth of an officer's active caseload is high risk.

Concurrency tests use real threads, each with its own connection to real PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from caseload import services
from caseload.allocation import CapExceeded
from caseload.choices import RiskLevel, RSOStatus
from caseload.models import RSO, CapOverride, OfficerCaseload
from caseload.selectors import caseload_counts_mismatches
from mosovo.accounts.models import User
from tests.conftest import Personas
from tests.factories import OfficerFactory, RSOFactory


def give(officer: User, *, low: int = 0, high: int = 0) -> list[RSO]:
    """Put cases on an officer's caseload, low ones first (so the rule holds throughout)."""
    cases = [RSOFactory.create(team=officer.team, allocated_officer=officer) for _ in range(low)]
    cases += [
        RSOFactory.create(team=officer.team, allocated_officer=officer, risk_level=RiskLevel.HIGH) for _ in range(high)
    ]
    return cases


def counts(officer: User) -> tuple[int, int]:
    row = OfficerCaseload.objects.filter(officer=officer).first()
    return (row.total, row.high) if row else (0, 0)


def test_cap_01_an_allocation_over_the_limit_is_refused_with_the_numbers(personas: Personas) -> None:
    officer = personas.officer_a
    give(officer, low=8, high=2)  # 2 of 10: exactly 20%
    case = RSOFactory.create(team=officer.team, risk_level=RiskLevel.HIGH)
    with pytest.raises(CapExceeded) as refused:
        services.case_allocate(rso=case, officer=officer, by=personas.sergeant_a)
    assert "This would make 3 of 11" in str(refused.value)
    assert "27%" in str(refused.value)
    assert "the limit is 20%" in str(refused.value)
    case.refresh_from_db()
    assert case.allocated_officer is None
    assert counts(officer) == (10, 2)


def test_cap_01_a_low_risk_allocation_is_always_fine(personas: Personas) -> None:
    officer = personas.officer_a
    give(officer, low=4, high=1)
    case = RSOFactory.create(team=officer.team)
    _, checks = services.case_allocate(rso=case, officer=officer, by=personas.sergeant_a)
    assert checks[0].describe().endswith("1 of 6 cases high risk (17%): within the limit of 20%")
    assert counts(officer) == (6, 1)


def test_cap_01_closing_a_low_risk_case_that_tips_the_ratio_is_refused(personas: Personas) -> None:
    officer = personas.officer_a
    cases = give(officer, low=4, high=1)
    with pytest.raises(CapExceeded, match="1 of 4"):
        services.case_close(rso=cases[0], status=RSOStatus.DECEASED, reason="Died", by=personas.sergeant_a)
    assert RSO.objects.get(pk=cases[0].pk).status == RSOStatus.IN_COMMUNITY


def test_cap_01_a_sergeant_override_with_a_reason_is_recorded_and_listed(personas: Personas) -> None:
    officer = personas.officer_a
    give(officer, low=8, high=2)
    case = RSOFactory.create(team=officer.team, risk_level=RiskLevel.HIGH)
    services.case_allocate(
        rso=case, officer=officer, by=personas.sergeant_a, override_reason="Only officer trained for this case type."
    )
    override = CapOverride.objects.get(officer=officer, resolved_at__isnull=True)
    assert override.created_by == personas.sergeant_a
    assert counts(officer) == (11, 3)
    # It cannot be resolved while the officer is still over the limit.
    with pytest.raises(ValidationError, match="3 of 11"):
        services.cap_override_resolve(override=override, by=personas.sergeant_a)
    give(officer, low=4)
    services.cap_override_resolve(override=override, by=personas.sergeant_a)
    assert CapOverride.objects.get(pk=override.pk).resolved_at is not None


def test_cap_01_an_officer_cannot_override(personas: Personas) -> None:
    officer = personas.officer_a
    give(officer, low=4, high=1)
    case = RSOFactory.create(team=officer.team, allocated_officer=officer)
    with pytest.raises(ValidationError):
        services.rso_change_risk_level(
            rso=case, risk_level=RiskLevel.HIGH, reason="Intelligence", by=officer, override_reason="I say so"
        )
    assert RSO.objects.get(pk=case.pk).risk_level == RiskLevel.LOW


def test_cap_06_the_database_refuses_any_writer_that_breaks_the_rule(personas: Personas) -> None:
    officer = personas.officer_a
    give(officer, low=4, high=1)
    with pytest.raises(IntegrityError, match="caseload_high_risk_cap"), transaction.atomic():
        RSO.objects.filter(allocated_officer=officer, risk_level=RiskLevel.LOW).update(risk_level=RiskLevel.HIGH)
    with pytest.raises(IntegrityError, match="caseload_high_risk_cap"), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "UPDATE caseload_rso SET status = 'DECEASED' WHERE allocated_officer_id = %s AND risk_level = 'LOW'",
            [officer.pk],
        )
    assert counts(officer) == (5, 1)
    assert caseload_counts_mismatches() == []


def test_cap_06_counters_follow_every_kind_of_change_exactly(personas: Personas) -> None:
    a, b = personas.officer_a, OfficerFactory.create(team=personas.team_a)
    cases = give(a, low=6, high=1) + give(b, low=5)
    RSO.objects.filter(pk=cases[0].pk).update(allocated_officer=b)
    RSO.objects.filter(pk=cases[1].pk).update(allocated_officer=None)
    RSO.objects.filter(pk=cases[2].pk).update(status=RSOStatus.IN_CUSTODY)
    RSO.objects.filter(pk=cases[7].pk).update(risk_level=RiskLevel.MEDIUM)
    RSO.objects.filter(pk=cases[8].pk).delete()
    assert caseload_counts_mismatches() == []
    assert counts(a) == (5, 1)  # 7, less one transferred and one deallocated (custody still counts)
    assert counts(b) == (5, 0)  # 5, plus one transferred in, less one deleted


def run_in_threads(jobs: list[Callable[[], Any]]) -> tuple[int, list[BaseException]]:
    """Run each job in its own thread and connection at the same moment; count successes."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[BaseException | None] = [None] * len(jobs)
    done = [False] * len(jobs)

    def run(i: int) -> None:
        try:
            barrier.wait()
            jobs[i]()
            done[i] = True
        except BaseException as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sum(done), [o for o in outcomes if o is not None]


@pytest.mark.django_db(transaction=True)
def test_cap_02_twenty_concurrent_high_risk_allocations_with_room_for_two_leave_exactly_two(
    personas: Personas,
) -> None:
    officer = personas.officer_a
    give(officer, low=8)  # room for 2: 5 x 2 <= 10
    cases = [RSOFactory.create(team=officer.team, risk_level=RiskLevel.HIGH) for _ in range(20)]
    sergeant = personas.sergeant_a

    def allocate(case: RSO) -> Callable[[], Any]:
        return lambda: services.case_allocate(rso=case, officer=officer, by=sergeant)

    succeeded, errors = run_in_threads([allocate(case) for case in cases])
    assert succeeded == 2
    assert len(errors) == 18
    assert all(isinstance(e, CapExceeded) for e in errors), errors
    assert RSO.objects.filter(allocated_officer=officer, risk_level=RiskLevel.HIGH).count() == 2
    assert counts(officer) == (10, 2)
    assert caseload_counts_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_cap_03_concurrent_risk_rises_keep_the_rule(personas: Personas) -> None:
    officer = personas.officer_a
    cases = give(officer, low=10)  # room for 2
    succeeded, errors = run_in_threads(
        [
            partial(
                services.rso_change_risk_level,
                rso=case,
                risk_level=RiskLevel.VERY_HIGH,
                reason="New intelligence",
                by=officer,
            )
            for case in cases
        ]
    )
    assert succeeded == 2
    assert all(isinstance(e, CapExceeded) for e in errors), errors
    assert counts(officer) == (10, 2)
    assert caseload_counts_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_cap_04_concurrent_deallocations_keep_the_rule(personas: Personas) -> None:
    officer = personas.officer_a
    cases = give(officer, low=8, high=1)  # 1 of 9: may lose up to 4 low cases
    sergeant = personas.sergeant_a
    succeeded, errors = run_in_threads([partial(services.case_deallocate, rso=case, by=sergeant) for case in cases[:8]])
    assert succeeded == 4
    assert all(isinstance(e, CapExceeded) for e in errors), errors
    assert counts(officer) == (5, 1)
    assert caseload_counts_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_cap_05_crossed_transfers_neither_deadlock_nor_break_the_rule(personas: Personas) -> None:
    sergeant_b = User.objects.create(username="sergeant_b", role="SERGEANT", team=personas.team_b)
    a, b = personas.officer_a, personas.officer_b
    a_cases = give(a, low=6, high=1)
    b_cases = give(b, low=6, high=1)
    jobs: list[Callable[[], Any]] = []
    for case in a_cases[:6]:
        jobs.append(partial(services.case_transfer, rso=case, officer=b, by=personas.sergeant_a))
    for case in b_cases[:6]:
        jobs.append(partial(services.case_transfer, rso=case, officer=a, by=sergeant_b))
    succeeded, errors = run_in_threads(jobs)
    assert succeeded == 12 - len(errors)
    # Only the rule may refuse: no deadlock or other database error reaches anyone.
    assert all(isinstance(e, CapExceeded) for e in errors), errors
    for officer in (a, b):
        total, high = counts(officer)
        assert 5 * high <= total
    assert caseload_counts_mismatches() == []
