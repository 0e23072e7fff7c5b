"""The rebalancing suggestion: brings everyone within 20% with the fewest transfers.

Checked against an exhaustive search over small teams (breadth first over every transfer
of a high-risk or other case between two officers), and on random teams for validity.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from caseload.choices import RiskLevel
from caseload.rebalance import Case, Load, suggest_rebalancing

State = tuple[tuple[int, int], ...]  # (total, high) per officer


def team(*caseloads: tuple[int, int]) -> list[Load]:
    """Build a team from (high, other) counts per officer."""
    loads, next_id = [], 1
    for index, (high, other) in enumerate(caseloads):
        load = Load(officer_id=index + 1, name=f"Officer {index + 1}")
        for level, count in ((RiskLevel.HIGH, high), (RiskLevel.LOW, other)):
            for _ in range(count):
                load.cases.append(Case(rso_id=next_id, reference=f"R{next_id}", risk_level=level))
                next_id += 1
        loads.append(load)
    return loads


def within(state: State) -> bool:
    return all(5 * high <= total for total, high in state)


def fewest_moves(state: State, limit: int = 6) -> int | None:
    """Breadth-first search over transfers: the true minimum (None above ``limit``)."""
    seen = {state}
    queue = deque([(state, 0)])
    while queue:
        current, depth = queue.popleft()
        if within(current):
            return depth
        if depth == limit:
            continue
        for i, (total_i, high_i) in enumerate(current):
            for j in range(len(current)):
                if i == j:
                    continue
                for high_move in (True, False):
                    if (high_move and high_i == 0) or (not high_move and total_i - high_i == 0):
                        continue
                    nxt = list(current)
                    dh = 1 if high_move else 0
                    nxt[i] = (total_i - 1, high_i - dh)
                    nxt[j] = (current[j][0] + 1, current[j][1] + dh)
                    key = tuple(nxt)
                    if key not in seen:
                        seen.add(key)
                        queue.append((key, depth + 1))
    return None


def safe_order(loads: list[Load], suggestion: Any) -> bool:
    """No officer within the rule at the start leaves it at any step of the suggested order."""
    state = {load.officer_id: [load.total, load.high] for load in loads}
    free = {load.officer_id for load in loads if load.excess > 0}
    for move in suggestion.moves:
        high = 1 if move.risk_level in (RiskLevel.HIGH, RiskLevel.VERY_HIGH) else 0
        for officer_id, sign in ((move.from_officer_id, -1), (move.to_officer_id, 1)):
            total, high_count = state[officer_id]
            was_within = 5 * high_count <= total
            state[officer_id] = [total + sign, high_count + sign * high]
            now_total, now_high = state[officer_id]
            if officer_id not in free and was_within and 5 * now_high > now_total:
                return False
    return True


def after(loads: list[Load]) -> State:
    suggestion = suggest_rebalancing(loads)
    return tuple((s.total_after, s.high_after) for s in sorted(suggestion.standings, key=lambda s: s.officer_id))


def test_high_risk_cases_go_to_the_smallest_caseload_with_room_and_others_come_from_the_largest() -> None:
    # Officer 1 has 2 of 5 high: two moves are needed (one high out leaves 1 of 4).
    loads = team((2, 3), (0, 9), (0, 4), (1, 20))
    suggestion = suggest_rebalancing(loads)
    assert suggestion.feasible
    assert sorted((m.from_officer_id, m.to_officer_id, m.risk_level) for m in suggestion.moves) == [
        (1, 3, RiskLevel.HIGH),
        (4, 1, RiskLevel.LOW),
    ]
    assert all(s.within_after for s in suggestion.standings)


def test_a_colleague_can_be_given_room_first_when_that_is_shorter() -> None:
    # Officer 3: 1 of 1 high. Officer 2 (0 of 3) has no room for it until officer 1 gives
    # them a case: 2 moves, where bringing cases in to officer 3 would take 4.
    suggestion = suggest_rebalancing(team((0, 1), (0, 3), (1, 0)))
    assert [(m.from_officer_id, m.to_officer_id, m.risk_level) for m in suggestion.moves] == [
        (1, 2, RiskLevel.LOW),
        (3, 2, RiskLevel.HIGH),
    ]


def test_when_nobody_can_take_a_high_risk_case_other_cases_come_in_instead() -> None:
    # Officer 1: 1 of 4 high (needs 1 more case); officer 2 has 1 of 7 (room for other
    # cases to leave, none for a high-risk one to arrive).
    suggestion = suggest_rebalancing(team((1, 3), (1, 6)))
    assert suggestion.feasible
    assert [(m.from_officer_id, m.to_officer_id, m.risk_level) for m in suggestion.moves] == [(2, 1, RiskLevel.LOW)]


def test_a_team_over_the_rule_as_a_whole_gets_a_plain_reason_and_no_moves() -> None:
    suggestion = suggest_rebalancing(team((2, 2), (1, 4)))
    assert not suggestion.feasible
    assert suggestion.moves == []
    assert "3 high-risk cases of 9" in suggestion.reason


def test_a_team_within_the_rule_needs_no_moves() -> None:
    suggestion = suggest_rebalancing(team((1, 4), (0, 3)))
    assert suggestion.feasible
    assert suggestion.moves == []


def test_very_high_risk_cases_stay_with_their_officer_when_a_high_one_can_move() -> None:
    loads = team((0, 0), (0, 10))
    loads[0].cases = [Case(1, "R1", RiskLevel.VERY_HIGH), Case(2, "R2", RiskLevel.HIGH), Case(3, "R3", RiskLevel.LOW)]
    loads[0].cases += [Case(10 + i, f"R{10 + i}", RiskLevel.LOW) for i in range(4)]
    suggestion = suggest_rebalancing(loads)
    assert [m.rso_id for m in suggestion.moves] == [2]


small_teams = st.lists(
    st.tuples(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=8)), min_size=2, max_size=4
)


@settings(max_examples=300, deadline=None)
@given(small_teams)
def test_on_small_teams_the_suggestion_is_as_short_as_an_exhaustive_search_finds(
    caseloads: list[tuple[int, int]],
) -> None:
    loads = team(*caseloads)
    start: State = tuple((load.total, load.high) for load in loads)
    best = fewest_moves(start)
    suggestion = suggest_rebalancing(loads)
    if best is None:
        return  # no solution within the search limit: nothing to compare
    if suggestion.feasible:
        assert within(after(loads))
        assert safe_order(loads, suggestion)
        assert len(suggestion.moves) == best, (
            caseloads,
            [(m.from_officer_id, m.to_officer_id) for m in suggestion.moves],
        )
    else:
        # Refused only when the whole team is over the rule (no transfer within it helps).
        assert 5 * sum(h for h, _ in caseloads) > sum(h + o for h, o in caseloads)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=50)),
        min_size=2,
        max_size=15,
    )
)
def test_on_any_team_a_feasible_suggestion_brings_everyone_within_the_rule(caseloads: list[tuple[int, int]]) -> None:
    loads = team(*caseloads)
    suggestion = suggest_rebalancing(loads)
    team_ok = 5 * sum(h for h, _ in caseloads) <= sum(h + o for h, o in caseloads)
    assert suggestion.feasible == team_ok or not suggestion.feasible
    if suggestion.feasible:
        assert within(after(loads))
        assert safe_order(loads, suggestion)
        assert sum(s.total_after for s in suggestion.standings) == sum(h + o for h, o in caseloads)
