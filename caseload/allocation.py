"""The 20% rule: how an officer's caseload ratio is counted, previewed and guarded.

At most 20% of an officer's active caseload may be HIGH or VERY_HIGH risk (College of
Policing APP; ``../shared/domain.md`` s.7); in integers, 5 x high <= total. It must hold
after every change that moves the ratio: allocation, transfer (both officers), closing or
deallocating a case, a risk level rising. It is a write-skew problem: the guard locks the
officers' rows (in id order) before counting, so concurrent changes are judged one after
another. The database backstop (``OfficerCaseload`` CHECK, kept by triggers) makes the
rule hold for any writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from mosovo.accounts.models import User

from .choices import CLOSED_STATUSES, HIGH_RISK_LEVELS

# The rule itself (APP): 5 x high <= total, i.e. at most 20%. The database CHECK
# constraint encodes the same number, so it is not a setting.
HIGH_RISK_CAP_DIVISOR = 5


def caseload_warning_size() -> int:
    """Return the caseload size above which an officer's load is flagged (policy, 50)."""
    return int(getattr(settings, "CASELOAD_WARNING_SIZE", 50))


@dataclass(frozen=True)
class CaseState:
    """What of an RSO counts towards caseloads: who has it, whether open, whether high."""

    officer_id: int | None
    active: bool
    high: bool

    @classmethod
    def of(cls, *, officer_id: int | None, status: str, risk_level: str) -> CaseState:
        return cls(officer_id=officer_id, active=status not in CLOSED_STATUSES, high=risk_level in HIGH_RISK_LEVELS)


@dataclass(frozen=True)
class CapCheck:
    """One officer's caseload before and after a proposed change."""

    officer_id: int
    officer_name: str
    total_before: int
    high_before: int
    total_after: int
    high_after: int

    @property
    def within_cap(self) -> bool:
        return HIGH_RISK_CAP_DIVISOR * self.high_after <= self.total_after

    @property
    def worsens(self) -> bool:
        """Whether the change moves this officer's ratio the wrong way. A high-risk case
        leaving an officer over the limit (an override is open) lowers the ratio even if
        they stay over: allowed, so a rebalancing can take several cases out one by one."""
        return self.high_after * max(self.total_before, 1) > self.high_before * max(self.total_after, 1)

    @property
    def refused(self) -> bool:
        return not self.within_cap and self.worsens

    @property
    def percent_after(self) -> int:
        return round(100 * self.high_after / self.total_after) if self.total_after else 0

    @property
    def over_warning_size(self) -> bool:
        return self.total_after > caseload_warning_size()

    def describe(self) -> str:
        """Say in plain words what the change does to this officer's caseload."""
        verdict = "within the limit" if self.within_cap else "over the limit"
        return (
            f"after this, {self.officer_name} would have {self.high_after} of {self.total_after} cases "
            f"high risk ({self.percent_after}%): {verdict} of 20%"
        )


class CapExceeded(Exception):
    """A change would put an officer over 20% high risk; nothing was saved."""

    def __init__(self, checks: list[CapCheck]) -> None:
        self.checks = checks
        super().__init__(
            "; ".join(
                f"This would make {c.high_after} of {c.total_after} of {c.officer_name}'s cases high risk "
                f"({c.percent_after}%); the limit is 20%"
                for c in checks
            )
            + "."
        )


def current_counts(officer_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Return (active total, high) per officer, counted from the RSO table itself."""
    from .models import RSO

    ids = sorted(set(officer_ids))
    rows = (
        RSO.objects.filter(allocated_officer_id__in=ids)
        .exclude(status__in=CLOSED_STATUSES)
        .values("allocated_officer_id")
        .annotate(total=Count("id"), high=Count("id", filter=Q(risk_level__in=HIGH_RISK_LEVELS)))
    )
    counts = dict.fromkeys(ids, (0, 0))
    for row in rows:
        counts[row["allocated_officer_id"]] = (row["total"], row["high"])
    return counts


def lock_officers(officer_ids: Iterable[int]) -> None:
    """Lock the officers' rows in id order (so two changes never wait on each other in a circle)."""
    ids = sorted({i for i in officer_ids if i is not None})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def cap_checks(changes: Iterable[tuple[CaseState, CaseState]]) -> list[CapCheck]:
    """Judge changes (before, after) of one or more cases against every officer touched."""
    changes = list(changes)
    deltas: dict[int, list[int]] = {}
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            if state.officer_id is None or not state.active:
                continue
            delta = deltas.setdefault(state.officer_id, [0, 0])
            delta[0] += sign
            delta[1] += sign * int(state.high)
    touched = [officer_id for officer_id, delta in deltas.items() if delta != [0, 0]]
    counts = current_counts(touched)
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=touched)}
    checks = []
    for officer_id in sorted(touched):
        total, high = counts[officer_id]
        d_total, d_high = deltas[officer_id]
        checks.append(
            CapCheck(
                officer_id=officer_id,
                officer_name=names.get(officer_id, str(officer_id)),
                total_before=total,
                high_before=high,
                total_after=total + d_total,
                high_after=high + d_high,
            )
        )
    return checks
