"""CAP-07: random sequences of caseload changes never break the 20% rule."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from caseload import services
from caseload.allocation import HIGH_RISK_CAP_DIVISOR, CapExceeded, current_counts
from caseload.choices import RiskLevel, RSOStatus
from caseload.models import RSO, CapOverride
from caseload.selectors import caseload_counts_mismatches
from tests.factories import OfficerFactory, RSOFactory, SergeantFactory, TeamFactory

_teams = itertools.count()


class CaseloadMachine(RuleBasedStateMachine):
    """A team of three officers and a sergeant; twelve cases moving about at random."""

    def __init__(self) -> None:
        super().__init__()
        team = TeamFactory.create(name=f"Machine team {next(_teams)}")
        self.sergeant = SergeantFactory.create(team=team)
        self.officers = [OfficerFactory.create(team=team) for _ in range(3)]
        self.cases = [RSOFactory.create(team=team) for _ in range(12)]

    def _fresh(self, index: int) -> RSO:
        return RSO.objects.get(pk=self.cases[index % len(self.cases)].pk)

    def _attempt(self, action: Callable[[], object]) -> None:
        # A refusal saves nothing: the invariants below check that.
        with contextlib.suppress(CapExceeded, ValidationError):
            action()

    @rule(case=st.integers(0, 11), officer=st.integers(0, 2), override=st.booleans())
    def allocate(self, case: int, officer: int, override: bool) -> None:
        rso = self._fresh(case)
        reason = "Machine override" if override else None
        self._attempt(
            lambda: services.case_allocate(
                rso=rso, officer=self.officers[officer], by=self.sergeant, override_reason=reason
            )
        )

    @rule(case=st.integers(0, 11), level=st.sampled_from(list(RiskLevel)))
    def change_risk(self, case: int, level: RiskLevel) -> None:
        rso = self._fresh(case)
        self._attempt(
            lambda: services.rso_change_risk_level(rso=rso, risk_level=level, reason="Review", by=self.sergeant)
        )

    @rule(case=st.integers(0, 11))
    def deallocate(self, case: int) -> None:
        rso = self._fresh(case)
        self._attempt(lambda: services.case_deallocate(rso=rso, by=self.sergeant))

    @rule(case=st.integers(0, 11))
    def close(self, case: int) -> None:
        rso = self._fresh(case)
        self._attempt(
            lambda: services.case_close(rso=rso, status=RSOStatus.NOTIFICATION_ENDED, reason="Ended", by=self.sergeant)
        )

    @rule()
    def resolve_overrides(self) -> None:
        for override in CapOverride.objects.filter(officer__in=self.officers, resolved_at__isnull=True):
            self._attempt(partial(services.cap_override_resolve, override=override, by=self.sergeant))

    @invariant()
    def the_rule_holds_for_every_officer_without_an_open_override(self) -> None:
        counts = current_counts([o.pk for o in self.officers])
        for officer in self.officers:
            total, high = counts[officer.pk]
            if not CapOverride.objects.filter(officer=officer, resolved_at__isnull=True).exists():
                assert HIGH_RISK_CAP_DIVISOR * high <= total, (officer, total, high)

    @invariant()
    def the_counters_match_the_real_counts(self) -> None:
        assert caseload_counts_mismatches() == []


@pytest.mark.django_db
def test_cap_07_random_operations_never_break_the_rule() -> None:
    run_state_machine_as_test(
        CaseloadMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
