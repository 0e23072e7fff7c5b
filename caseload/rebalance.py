"""Suggesting transfers within a team that bring every officer within the 20% rule.

A pure function over the team's caseloads, so it can be tested exhaustively. Each
officer's *excess* is ``5 x high - total`` (the rule holds when it is 0 or less). A move
changes excesses like this:

- a high-risk case from an over officer to a colleague: the giver's excess falls by 4,
  the receiver's rises by 4 (so the receiver needs a spare margin of 4);
- another case from a colleague to the over officer: the over officer's excess falls by
  1, the giver's rises by 1.

No single move lowers an excess by more than 4, so an officer ``e`` over needs at least
``ceil(e / 4)`` moves; the suggestion takes high-risk cases out first (4 a move) and
only then brings other cases in, so it reaches that bound whenever colleagues have the
room. Receivers are the officers with the smallest caseloads that have room; givers of
other cases those with the largest. HIGH cases move before VERY_HIGH ones (the most
dangerous people keep their officer), LOW before MEDIUM.
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
    moves: list[Move] = []
    team_total = sum(load.total for load in loads)
    team_high = sum(load.high for load in loads)
    feasible, reason = True, ""
    if HIGH_RISK_CAP_DIVISOR * team_high > team_total:
        feasible = False
        reason = (
            f"The team has {team_high} high-risk cases of {team_total}: no transfer within the team can bring "
            "every officer within 20%. Transfer cases to another team or record an override."
        )
    while feasible:
        over = [load for load in work.values() if load.excess > 0]
        if not over:
            break
        giver = max(over, key=lambda load: (load.excess, -load.officer_id))
        move = _high_out(giver, work) or _other_in(giver, work)
        if move is None:
            feasible = False
            reason = (
                f"No colleague has room to take a high-risk case from {giver.name} or to give them another case; "
                "transfer cases to another team or record an override."
            )
            break
        moves.append(move)
    standings = [
        Standing(
            officer_id=officer_id,
            name=work[officer_id].name,
            total_before=before[officer_id][0],
            high_before=before[officer_id][1],
            total_after=work[officer_id].total,
            high_after=work[officer_id].high,
        )
        for officer_id in sorted(work, key=lambda i: work[i].name)
    ]
    return Suggestion(moves=moves if feasible else [], standings=standings, feasible=feasible, reason=reason)


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


def _high_out(giver: Load, work: dict[int, Load]) -> Move | None:
    highs = sorted((c for c in giver.cases if c.high), key=lambda c: (_MOVE_ORDER[RiskLevel(c.risk_level)], -c.rso_id))
    receivers = [
        load for load in work.values() if load is not giver and -load.excess >= _HIGH_GAIN
    ]  # room: still within after one more high-risk case
    if not highs or not receivers:
        return None
    receiver = min(receivers, key=lambda load: (load.total, load.officer_id))
    return _transfer(highs[0], giver, receiver)


def _other_in(receiver: Load, work: dict[int, Load]) -> Move | None:
    givers = [
        load
        for load in work.values()
        if load is not receiver and -load.excess >= 1 and any(not c.high for c in load.cases)
    ]
    if not givers:
        return None
    giver = max(givers, key=lambda load: (load.total, -load.officer_id))
    others = sorted(
        (c for c in giver.cases if not c.high), key=lambda c: (_MOVE_ORDER[RiskLevel(c.risk_level)], -c.rso_id)
    )
    return _transfer(others[0], giver, receiver)
