"""Suggesting transfers within a team that bring every officer within the 20% rule.

A pure function over the team's caseloads, so it can be tested exhaustively. Write an
officer's *excess* as ``e = 4 x high - other`` (the rule, 5 x high <= total, holds when
e <= 0). Moving a high-risk case changes the giver's excess by -4 and the receiver's by
+4; moving another case changes the giver's by +1 and the receiver's by -1.

If officer i ends with ``a`` more high-risk cases (negative: fewer), the fewest other
cases that must then come in is ``max(0, e + 4a)`` (others can always come from
colleagues with room when the team as a whole is within the rule), so the number of
transfers is the sum over officers of ``f_i(a_i) = max(a_i, 0) + max(0, e_i + 4 a_i)``
with the ``a_i`` summing to zero. Each ``f_i`` is convex, so a unit transfer of a
high-risk case that lowers the sum, repeated until none does, reaches the minimum (the
classic exchange argument for separable convex allocation). Other cases then fill the
remaining excesses. Among equally short plans, high-risk cases go to the officers with
the smallest caseloads and other cases come from those with the largest; HIGH cases move
before VERY_HIGH ones (the most dangerous people keep their officer), LOW before MEDIUM.

The moves are put in an order in which nobody who is within the rule leaves it at any
step (the database check judges each move on its own); officers over the rule at the
start hold a sergeant's override and may pass through a worse ratio on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .allocation import HIGH_RISK_CAP_DIVISOR
from .choices import HIGH_RISK_LEVELS, RiskLevel

_HIGH_GAIN = HIGH_RISK_CAP_DIVISOR - 1  # excess removed by moving one high-risk case out
_MOVE_ORDER = {RiskLevel.HIGH: 0, RiskLevel.VERY_HIGH: 1, RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1}


@dataclass(frozen=True)
class Case:
    """One open case on an officer's caseload."""

    rso_id: int
    reference: str
    risk_level: str

    @property
    def high(self) -> bool:
        return self.risk_level in HIGH_RISK_LEVELS


@dataclass
class Load:
    """One officer's open cases."""

    officer_id: int
    name: str
    cases: list[Case] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def high(self) -> int:
        return sum(1 for case in self.cases if case.high)

    @property
    def excess(self) -> int:
        return HIGH_RISK_CAP_DIVISOR * self.high - self.total


@dataclass(frozen=True)
class Move:
    """Transfer one case from one officer to another."""

    rso_id: int
    reference: str
    risk_level: str
    from_officer_id: int
    from_name: str
    to_officer_id: int
    to_name: str


@dataclass(frozen=True)
class Standing:
    """An officer's caseload before and after the suggestion."""

    officer_id: int
    name: str
    total_before: int
    high_before: int
    total_after: int
    high_after: int

    @property
    def within_after(self) -> bool:
        return HIGH_RISK_CAP_DIVISOR * self.high_after <= self.total_after


@dataclass(frozen=True)
class Suggestion:
    """Moves that bring everyone within the rule, or why no such moves exist."""

    moves: list[Move]
    standings: list[Standing]
    feasible: bool
    reason: str = ""


def suggest_rebalancing(loads: list[Load]) -> Suggestion:
    """Return the fewest transfers within the team that bring every officer within 20%."""
    work = {load.officer_id: Load(load.officer_id, load.name, list(load.cases)) for load in loads}
    before = {load.officer_id: (load.total, load.high) for load in loads}
    team_total = sum(load.total for load in loads)
    team_high = sum(load.high for load in loads)
    moves: list[Move] = []
    feasible, reason = True, ""
    if HIGH_RISK_CAP_DIVISOR * team_high > team_total:
        feasible = False
        reason = (
            f"The team has {team_high} high-risk cases of {team_total}: no transfer within the team can bring "
            "every officer within 20%. Transfer cases to another team or record an override."
        )
    elif any(load.excess > 0 for load in loads):
        planned = _plan(loads)
        ordered = _in_safe_order(loads, planned)
        if ordered is None:  # not expected: kept so a surprise never applies a bad order
            feasible = False
            reason = "No order of these transfers keeps every colleague within 20% throughout; rebalance by hand."
        else:
            moves = [_transfer(case, work[giver], work[receiver]) for case, giver, receiver in ordered]
    standings = [
        Standing(
            officer_id=officer_id,
            name=work[officer_id].name,
            total_before=before[officer_id][0],
            high_before=before[officer_id][1],
            total_after=work[officer_id].total,
            high_after=work[officer_id].high,
        )
        for officer_id in sorted(work, key=lambda i: (work[i].name, i))
    ]
    return Suggestion(moves=moves, standings=standings, feasible=feasible, reason=reason)


_Planned = tuple[Case, int, int]  # case, giver id, receiver id


def _cost(excess: int, change: int) -> int:
    return max(change, 0) + max(0, excess + _HIGH_GAIN * change)


def _plan(loads: list[Load]) -> list[_Planned]:
    """Choose which cases move where (unordered): the fewest moves, then the preferences."""
    excess = {load.officer_id: load.excess for load in loads}
    highs = {load.officer_id: load.high for load in loads}
    size = {load.officer_id: load.total for load in loads}
    change = dict.fromkeys(excess, 0)
    while True:
        best: tuple[tuple[int, int, int, int, int], int, int] | None = None
        for giver in excess:
            if highs[giver] + change[giver] <= 0:
                continue
            saving = _cost(excess[giver], change[giver]) - _cost(excess[giver], change[giver] - 1)
            for receiver in excess:
                if receiver == giver:
                    continue
                gain = saving - (
                    _cost(excess[receiver], change[receiver] + 1) - _cost(excess[receiver], change[receiver])
                )
                rank = (gain, excess[giver], -(size[receiver] + change[receiver]), -receiver, -giver)
                if gain > 0 and (best is None or rank > best[0]):
                    best = (rank, giver, receiver)
        if best is None:
            break
        _, giver, receiver = best
        change[giver] -= 1
        change[receiver] += 1
    by_id = {load.officer_id: load for load in loads}
    planned: list[_Planned] = []
    # High-risk cases: from each giver (HIGH before VERY_HIGH, newest first) to receivers.
    takers = [i for i in sorted(change, key=lambda i: (size[i], i)) if change[i] > 0]
    for giver in sorted((i for i in change if change[i] < 0), key=lambda i: (-excess[i], i)):
        cases = sorted(
            (c for c in by_id[giver].cases if c.high), key=lambda c: (_MOVE_ORDER[RiskLevel(c.risk_level)], -c.rso_id)
        )
        for case in cases[: -change[giver]]:
            receiver = next(i for i in takers if change[i] > 0)
            change[receiver] -= 1
            planned.append((case, giver, receiver))
    # Other cases: into whoever is still over, from those with the most room to give.
    final = {
        i: excess[i] + _HIGH_GAIN * sum(1 if r == i else -1 if g == i else 0 for _, g, r in planned) for i in excess
    }
    for needer in sorted((i for i in final if final[i] > 0), key=lambda i: (-final[i], i)):
        while final[needer] > 0:
            donor = max(
                (
                    i
                    for i in final
                    if final[i] < 0 and any(not c.high and c not in {p[0] for p in planned} for c in by_id[i].cases)
                ),
                key=lambda i: (size[i], -i),
            )
            taken = {p[0] for p in planned}
            case = sorted(
                (c for c in by_id[donor].cases if not c.high and c not in taken),
                key=lambda c: (_MOVE_ORDER[RiskLevel(c.risk_level)], -c.rso_id),
            )[0]
            planned.append((case, donor, needer))
            final[donor] += 1
            final[needer] -= 1
    return planned


def _in_safe_order(loads: list[Load], planned: list[_Planned]) -> list[_Planned] | None:
    """Order the moves so that an officer within the rule never leaves it on the way.

    Officers over the rule at the start (they carry a sergeant's override, which is how
    they got there) may be anywhere on the way; moves that also bring them down at each
    step are taken first when there is a choice.
    """
    excess = {load.officer_id: load.excess for load in loads}
    free = {officer_id for officer_id, value in excess.items() if value > 0}
    remaining = list(planned)
    ordered: list[_Planned] = []

    def allowed(officer_id: int, after: int, strict: bool) -> bool:
        if after <= 0:
            return True
        if officer_id not in free:
            return False
        return not strict or after <= excess[officer_id]

    while remaining:
        chosen = None
        for strict in (True, False):
            for index, (case, giver, receiver) in enumerate(remaining):
                delta = _HIGH_GAIN if case.high else -1
                if allowed(giver, excess[giver] - delta, strict) and allowed(
                    receiver, excess[receiver] + delta, strict
                ):
                    chosen = index
                    break
            if chosen is not None:
                break
        if chosen is None:
            return None
        case, giver, receiver = remaining.pop(chosen)
        delta = _HIGH_GAIN if case.high else -1
        excess[giver] -= delta
        excess[receiver] += delta
        ordered.append((case, giver, receiver))
    return ordered


def _transfer(case: Case, giver: Load, receiver: Load) -> Move:
    giver.cases.remove(case)
    receiver.cases.append(case)
    return Move(
        rso_id=case.rso_id,
        reference=case.reference,
        risk_level=case.risk_level,
        from_officer_id=giver.officer_id,
        from_name=giver.name,
        to_officer_id=receiver.officer_id,
        to_name=receiver.name,
    )
