"""Caseload reads: every function takes the acting user and scopes by it.

Each read that shows RSO data notes the RSO ids in the request's audit context; the
audit middleware writes them as one consultation event per request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, cast

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, Concat, Greatest, Least, Lower, Replace, Upper
from django.utils import timezone

from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.scoping import ScopeDenied, can_do_casework, get_for_user, granted_ids
from mosovo.audit.context import note_consultation, note_denial

from . import local_policy, policy, rebalance
from .allocation import CapCheck, CaseState, cap_checks
from .choices import (
    CLOSED_STATUSES,
    HIGH_RISK_LEVELS,
    MAPPA_NONE,
    OPEN_DEADLINE_STATES,
    RISK_HIGH_OR_ABOVE,
    RISK_ORDER,
    DeadlineKind,
    DeadlineState,
    Disposal,
    ManagementModel,
    OrderType,
    RiskLevel,
)
from .models import (
    RSO,
    Address,
    Alias,
    Associate,
    CapOverride,
    CivilOrder,
    Conviction,
    Deadline,
    Employment,
    ForeignTravelNotice,
    IdentityDocument,
    NotificationEvent,
    Prohibition,
    ReactiveRequest,
    SignificantChangeEvent,
    StaticRiskScore,
    Vehicle,
)

RSO_TYPE = "caseload.rso"
PAGE_SIZE = 50


def rso_queryset(*, user: User) -> QuerySet[RSO]:
    """Return the RSOs the user may list (their team's, or their force's for inspectors)."""
    return RSO.objects.visible_to(user).select_related("team", "allocated_officer")


@dataclass(frozen=True)
class CaseloadFilters:
    """What the caseload list is narrowed to and ordered by (all optional)."""

    officer: str = ""  # "me", "unallocated", an officer id, or "" for everyone visible
    risk_level: str = ""
    mappa_level: int | None = None
    status: str = ""
    overdue_only: bool = False
    visit_overdue: bool = False  # only active cases whose next home visit is overdue
    sort: str = "name"  # a key of SORTS
    descending: bool = False
    open_only: bool = False  # only open cases: the active caseload the 20% rule counts
    team_id: int | None = None  # one team (an inspector's force has several)
    unassessed: bool = False  # only cases with no approved ARMS assessment


# Each sort key: the ordering, with the id as a tie-breaker so pages never shuffle.
SORTS: dict[str, list[Any]] = {
    "name": ["family_name", "given_names"],
    "risk": [Case(*(When(risk_level=level, then=Value(rank)) for level, rank in RISK_ORDER.items()))],
    "mappa": [F("mappa_level").asc(nulls_first=True)],
    "due": [Least("next_weekly_notification_due", "next_annual_notification_due").asc(nulls_last=True)],
    "officer": ["allocated_officer__last_name", "allocated_officer__first_name"],
    "visit": [F("next_visit_due_on").asc(nulls_last=True)],
}


def rso_list(*, user: User, filters: CaseloadFilters | None = None) -> QuerySet[RSO]:
    """Return the RSOs the user may see, narrowed and ordered by the filters.

    Each row carries ``next_due`` (the earliest notification owed) for the list.
    """
    filters = filters or CaseloadFilters()
    qs = rso_queryset(user=user).annotate(
        next_due=Least("next_weekly_notification_due", "next_annual_notification_due")
    )
    if filters.officer == "me":
        qs = qs.filter(allocated_officer=user)
    elif filters.officer == "unallocated":
        qs = qs.filter(allocated_officer__isnull=True)
    elif filters.officer.isdigit():
        qs = qs.filter(allocated_officer_id=int(filters.officer))
    if filters.risk_level == RISK_HIGH_OR_ABOVE:
        qs = qs.filter(risk_level__in=sorted(HIGH_RISK_LEVELS))
    elif filters.risk_level:
        qs = qs.filter(risk_level=filters.risk_level)
    if filters.mappa_level == MAPPA_NONE:
        qs = qs.filter(mappa_level__isnull=True)
    elif filters.mappa_level:
        qs = qs.filter(mappa_level=filters.mappa_level)
    if filters.open_only:
        qs = qs.exclude(status__in=sorted(CLOSED_STATUSES))
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.unassessed:
        qs = qs.filter(arms_last_approved_on__isnull=True)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue_only:
        qs = qs.filter(next_due__lt=timezone.localdate())
    if filters.visit_overdue:
        qs = qs.filter(management_model=ManagementModel.ACTIVE, next_visit_due_on__lt=timezone.localdate())
    ordering = SORTS.get(filters.sort, SORTS["name"])
    if filters.descending:
        ordering = [_reversed(o) for o in ordering]
    return qs.order_by(*ordering, "id")


def _reversed(order: Any) -> Any:
    if isinstance(order, str):
        return f"-{order}"
    if isinstance(order, OrderBy):
        return order.copy().reverse_ordering()
    return order.desc()


def rso_page(
    *, user: User, page: Any = 1, page_size: int = PAGE_SIZE, filters: CaseloadFilters | None = None
) -> Page[RSO]:
    """Return one page of the user's RSOs, noting every RSO shown."""
    paginator = Paginator(rso_list(user=user, filters=filters), page_size)
    result = paginator.get_page(page)
    ids = [rso.pk for rso in result.object_list]
    note_consultation(rso_ids=ids, object_type=RSO_TYPE, object_ids=ids)
    return result


def rso_get_for_user(*, user: User, rso_id: Any, for_change: bool = False) -> RSO:
    """Return one RSO the user may open (scope or break-glass grant), or 404.

    ``for_change=True``: only RSOs in the user's own scope (break-glass is read-only).
    """
    rso = get_for_user(
        RSO.objects.select_related("team", "allocated_officer"),
        user=user,
        pk=rso_id,
        object_type=RSO_TYPE,
        for_change=for_change,
    )
    note_consultation(rso_ids=[rso.pk], object_type=RSO_TYPE, object_ids=[rso.pk])
    return rso


def rso_find_for_break_glass(*, user: User, reference: str) -> RSO | None:
    """Find an RSO of the user's force by ViSOR or PNC reference, for break-glass access.

    This is the only read that looks beyond the user's team, and only its caller may
    show the result, after recording a reasoned, flagged grant.
    """
    reference = reference.strip()
    if not reference or user.force_id is None:
        return None
    return (
        RSO.objects.select_related("team")
        .filter(team__force_id=user.force_id)
        .filter(visor_reference__iexact=reference)
        .first()
        or RSO.objects.select_related("team").filter(team__force_id=user.force_id, pnc_id__iexact=reference).first()
    )


def caseload_counts_mismatches() -> list[tuple[int, int, int, int, int]]:
    """Compare the trigger-kept caseload counters with real counts.

    Returns (officer id, counted total, counted high, real total, real high) for every
    officer where they differ; empty when the counters are exact.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH real AS (
                SELECT allocated_officer_id AS officer_id, count(*) AS total,
                       count(*) FILTER (WHERE risk_level IN ('HIGH', 'VERY_HIGH')) AS high
                  FROM caseload_rso
                 WHERE allocated_officer_id IS NOT NULL
                   AND status NOT IN ('DECEASED', 'NOTIFICATION_ENDED')
                 GROUP BY allocated_officer_id
            )
            SELECT COALESCE(c.officer_id, r.officer_id), COALESCE(c.total, 0), COALESCE(c.high, 0),
                   COALESCE(r.total, 0), COALESCE(r.high, 0)
              FROM caseload_officercaseload c
              FULL OUTER JOIN real r ON r.officer_id = c.officer_id
             WHERE COALESCE(c.total, 0) <> COALESCE(r.total, 0) OR COALESCE(c.high, 0) <> COALESCE(r.high, 0)
             ORDER BY 1
            """
        )
        return [tuple(row) for row in cursor.fetchall()]


def caseload_officers(*, user: User) -> QuerySet[User]:
    """Return the offender managers whose caseloads the user may look at (for filters)."""
    from mosovo.accounts.choices import Role

    qs = User.objects.filter(is_active=True, role__in=[Role.OFFICER, Role.SERGEANT])
    if user.role == Role.INSPECTOR and user.force_id is not None:
        return qs.filter(team__force_id=user.force_id).order_by("last_name", "first_name")
    if user.role in (Role.OFFICER, Role.SERGEANT) and user.team_id is not None:
        return qs.filter(team_id=user.team_id).order_by("last_name", "first_name")
    return qs.none()


def allocation_candidates(*, user: User, rso: RSO) -> tuple[list[User], list[User]]:
    """Return who may take an RSO: officers of its team, and of the force's other teams."""
    from mosovo.accounts.choices import Role

    qs = User.objects.filter(is_active=True, role__in=[Role.OFFICER, Role.SERGEANT]).select_related("team")
    team = list(qs.filter(team_id=rso.team_id).order_by("last_name", "first_name"))
    others = list(
        qs.filter(team__force_id=rso.team.force_id).exclude(team_id=rso.team_id).order_by("team__name", "last_name")
    )
    return team, others


def allocation_preview(*, rso: RSO, officer: User) -> list[CapCheck]:
    """Show what giving an RSO to an officer would do to each officer's 20% ratio."""
    before = CaseState.of(officer_id=rso.allocated_officer_id, status=rso.status, risk_level=rso.risk_level)
    after = CaseState.of(officer_id=officer.pk, status=rso.status, risk_level=rso.risk_level)
    return cap_checks([(before, after)])


def cap_overrides_open(*, user: User) -> QuerySet[CapOverride]:
    """Return the open 20% overrides for the sergeant's team (or the inspector's force)."""
    from mosovo.accounts.choices import Role

    qs = CapOverride.objects.filter(resolved_at__isnull=True).select_related("officer", "created_by", "rso")
    if user.role == Role.SERGEANT and user.team_id is not None:
        return qs.filter(officer__team_id=user.team_id).order_by("created_at")
    if user.role == Role.INSPECTOR and user.force_id is not None:
        return qs.filter(officer__team__force_id=user.force_id).order_by("created_at")
    return qs.none()


def cap_override_get_for_user(*, user: User, override_id: int) -> CapOverride:
    """Return one open override the user may resolve, or 404."""
    from mosovo.accounts.scoping import ScopeDenied
    from mosovo.audit.context import note_denial

    override = cap_overrides_open(user=user).filter(pk=override_id).first()
    if override is None:
        note_denial(object_type="caseload.capoverride", object_ids=[override_id], reason="not in the user's scope")
        raise ScopeDenied
    return override


@dataclass(frozen=True)
class SearchTerms:
    """What an officer searches by; every given term must match."""

    name: str = ""
    date_of_birth: dt.date | None = None
    reference: str = ""
    address: str = ""
    vehicle: str = ""

    def describe(self) -> str:
        """Return the terms as the audit log keeps them."""
        parts = [
            f"name~{self.name!r}" if self.name else "",
            f"date_of_birth={self.date_of_birth.isoformat()}" if self.date_of_birth else "",
            f"reference={self.reference!r}" if self.reference else "",
            f"address~{self.address!r}" if self.address else "",
            f"vehicle={self.vehicle!r}" if self.vehicle else "",
        ]
        return "search: " + ", ".join(p for p in parts if p)

    @property
    def empty(self) -> bool:
        return not (self.name or self.date_of_birth or self.reference or self.address or self.vehicle)


# How alike a name must be to count as a match (pg_trgm similarity, 0 to 1).
NAME_SIMILARITY_THRESHOLD = 0.3
SEARCH_LIMIT = 50


def normalise_registration(value: str) -> str:
    """Return a vehicle registration in capitals without spaces, as it is stored."""
    return "".join(value.split()).upper()


def rso_search(*, user: User, terms: SearchTerms) -> list[RSO]:
    """Find RSOs in the user's scope by name or alias (fuzzy), date of birth, ViSOR or PNC
    reference, address or vehicle registration; best name matches first.

    The terms are kept in the request's consultation event, never in a URL.
    """
    if terms.empty:
        return []
    qs = rso_queryset(user=user)
    order: list[Any] = ["family_name", "given_names", "id"]
    if terms.name:
        name = terms.name.strip().lower()
        full_name = Lower(Concat("family_name", Value(" "), "given_names"))
        alias_score = Subquery(
            Alias.objects.filter(rso=OuterRef("pk"))
            .annotate(score=TrigramSimilarity(Lower("name"), name))
            .order_by("-score")
            .values("score")[:1]
        )
        qs = qs.annotate(
            name_score=Greatest(TrigramSimilarity(full_name, name), Coalesce(alias_score, Value(0.0)))
        ).filter(Q(name_score__gte=NAME_SIMILARITY_THRESHOLD) | Q(family_name__iexact=name))
        order = ["-name_score", *order]
    if terms.date_of_birth:
        qs = qs.filter(date_of_birth=terms.date_of_birth)
    if terms.reference:
        ref = terms.reference.strip()
        qs = qs.filter(Q(visor_reference__iexact=ref) | Q(pnc_id__iexact=ref))
    if terms.address:
        text = terms.address.strip()
        postcode = "".join(text.split()).upper()
        addresses = (
            Address.objects.annotate(postcode_compact=Replace(Upper("postcode"), Value(" "), Value("")))
            .filter(rso=OuterRef("pk"))
            .filter(Q(line1__icontains=text) | Q(town__iexact=text) | Q(postcode_compact=postcode))
        )
        qs = qs.filter(Exists(addresses))
    if terms.vehicle:
        qs = qs.filter(
            Exists(Vehicle.objects.filter(rso=OuterRef("pk"), registration=normalise_registration(terms.vehicle)))
        )
    results = list(qs.order_by(*order)[:SEARCH_LIMIT])
    ids = [rso.pk for rso in results]
    note_consultation(rso_ids=ids, object_type=RSO_TYPE, object_ids=ids, reason=terms.describe())
    return results


def rso_children_page(*, user: User, rso_id: Any, relation: str, page: Any = 1) -> Page[Any]:
    """Return one page of an RSO's convictions, notifications, orders or travel notices.

    The RSO is fetched through its scoped helper (404 outside scope, one consultation).
    """
    rso = rso_get_for_user(user=user, rso_id=rso_id)
    querysets: dict[str, QuerySet[Any]] = {
        "convictions": rso.convictions.all(),
        "notifications": rso.notifications.select_related("receiving_officer"),
        "orders": rso.orders.prefetch_related("prohibitions"),
        "travel": rso.travel_notices.all(),
    }
    return Paginator(querysets[relation], PAGE_SIZE).get_page(page)


# --- Record details (profile, addresses, contacts, identity, photo) ---------------------


@dataclass(frozen=True)
class RecordDetails:
    """What the profile tab lists under the person's details (one query per list)."""

    aliases: list[Alias]
    vehicles: list[Vehicle]
    employment: list[Employment]
    associates: list[Associate]
    identity_documents: list[IdentityDocument]


def rso_record_details(*, rso: RSO) -> RecordDetails:
    """Return the aliases, vehicles, employment, associates and identity documents of an
    RSO already opened through ``rso_get_for_user`` (which noted the consultation)."""
    # ChildQuerySet is typed over Model, hence the casts to each list's model.
    return RecordDetails(
        aliases=cast(list[Alias], list(rso.aliases.all())),
        vehicles=cast(list[Vehicle], list(rso.vehicles.all())),
        employment=cast(
            list[Employment], list(rso.employment.order_by(F("to_date").desc(nulls_first=True), "-from_date", "id"))
        ),
        associates=cast(list[Associate], list(rso.associates.all())),
        identity_documents=cast(list[IdentityDocument], list(rso.identity_documents.all())),
    )


def rso_addresses(*, rso: RSO) -> tuple[list[Address], list[Address]]:
    """Return an RSO's current addresses and its past ones, newest first (the RSO was
    opened through ``rso_get_for_user``)."""
    addresses = cast(list[Address], list(rso.addresses.all()))
    return [a for a in addresses if a.to_date is None], [a for a in addresses if a.to_date is not None]


# --- Notification law: the record tabs -------------------------------------------------
# Each takes an RSO already opened through ``rso_get_for_user`` (so a break-glass reader
# sees the rows of the record they opened, and nothing else) and notes the rows shown.

# The order convictions are listed and weighed in: newest first, so that of two
# indefinite periods the newer governs (the later review date, the cautious side).
CONVICTION_ORDER: Final = ("-relevant_date", "id")


def _note_rows(rso: RSO, object_type: str, ids: Iterable[int]) -> None:
    note_consultation(rso_ids=[rso.pk], object_type=object_type, object_ids=list(ids))


def conviction_facts(conviction: Conviction) -> policy.ConvictionFacts:
    """Return what the s.82 table needs of a stored conviction (ValueError for an unknown disposal)."""
    return policy.ConvictionFacts(
        relevant_date=conviction.relevant_date,
        disposal=Disposal(conviction.disposal),
        custody_months=conviction.custody_months,
        discharge_months=conviction.discharge_months,
        age_on_relevant_date=conviction.age_on_relevant_date,
    )


def governing_conviction(convictions: Iterable[Conviction]) -> tuple[Conviction, policy.GoverningPeriod] | None:
    """Return the conviction whose notification period governs, and that period.

    ``policy.governing_period`` decides (indefinite first, else the latest end; on a tie
    the first listed). Convictions the table cannot apply to are left out; None when
    none is left.
    """
    counted: list[tuple[Conviction, policy.ConvictionFacts]] = []
    for conviction in convictions:
        try:
            facts = conviction_facts(conviction)
            policy.notification_period(facts)
        except ValueError:
            continue
        counted.append((conviction, facts))
    if not counted:
        return None
    governing = policy.governing_period(facts for _, facts in counted)
    return next(conviction for conviction, facts in counted if facts is governing.facts), governing


@dataclass(frozen=True)
class ConvictionRow:
    conviction: Conviction
    period_label: str
    governs: bool


@dataclass(frozen=True)
class ConvictionsTab:
    """The convictions, which governs, and whether a review of indefinite notification is open."""

    rows: list[ConvictionRow]
    governing: policy.GoverningPeriod | None
    review: policy.ReviewStatus | None


def _period_label(conviction: Conviction) -> str:
    if conviction.notification_indefinite:
        return policy.INDEFINITE.label
    if conviction.notification_period_months:
        return policy.NotificationPeriod(months=conviction.notification_period_months).label
    return "Not worked out"


def rso_convictions(*, rso: RSO, today: dt.date) -> ConvictionsTab:
    """Return the convictions tab: each conviction with its period, the governing one, the review status."""
    convictions = cast("list[Conviction]", list(Conviction.objects.filter(rso_id=rso.pk).order_by(*CONVICTION_ORDER)))
    governing = governing_conviction(convictions)
    governing_id = governing[0].pk if governing else None
    rows = [ConvictionRow(c, _period_label(c), c.pk == governing_id) for c in convictions]
    review = None
    if rso.notification_indefinite and rso.indefinite_review_eligible_on is not None:
        review = policy.indefinite_review_status(
            eligible_on=rso.indefinite_review_eligible_on,
            today=today,
            orders_in_force=[OrderType(row.order.order_type) for row in _order_rows(rso, today) if row.in_force],
        )
    _note_rows(rso, "caseload.conviction", [c.pk for c in convictions])
    return ConvictionsTab(rows=rows, governing=governing[1] if governing else None, review=review)


def rso_notifications(*, rso: RSO) -> list[NotificationEvent]:
    """Return the RSO's notifications, newest first, with who received each."""
    events = cast(
        "list[NotificationEvent]",
        list(NotificationEvent.objects.filter(rso_id=rso.pk).select_related("receiving_officer")),
    )
    _note_rows(rso, "caseload.notificationevent", [e.pk for e in events])
    return events


def rso_travel_notices(*, rso: RSO) -> list[ForeignTravelNotice]:
    """Return the RSO's foreign travel notices, latest departure first."""
    notices = cast("list[ForeignTravelNotice]", list(ForeignTravelNotice.objects.filter(rso_id=rso.pk)))
    _note_rows(rso, "caseload.foreigntravelnotice", [n.pk for n in notices])
    return notices


@dataclass(frozen=True)
class ProhibitionRow:
    prohibition: Prohibition
    in_force: bool


@dataclass(frozen=True)
class OrderRow:
    order: CivilOrder
    in_force: bool
    prohibitions: list[ProhibitionRow]


def _prohibition_in_force(prohibition: Prohibition, on: dt.date) -> bool:
    return prohibition.starts_on <= on and (prohibition.ends_on is None or prohibition.ends_on >= on)


def _order_rows(rso: RSO, on: dt.date) -> list[OrderRow]:
    """Return the orders with their prohibitions, each marked in force on ``on`` or not.

    An order is in force from the day it is made until discharged, while any of its
    prohibitions is (an order with none recorded, such as a notification order, counts
    as in force: the cautious reading for the review it may block).
    """
    orders = cast(
        "list[CivilOrder]",
        list(CivilOrder.objects.filter(rso_id=rso.pk).prefetch_related("prohibitions").order_by("-made_on", "id")),
    )
    rows = []
    for order in orders:
        live = order.made_on <= on and (order.discharged_on is None or order.discharged_on > on)
        prohibitions = [ProhibitionRow(p, live and _prohibition_in_force(p, on)) for p in order.prohibitions.all()]
        in_force = live and (not prohibitions or any(row.in_force for row in prohibitions))
        rows.append(OrderRow(order=order, in_force=in_force, prohibitions=prohibitions))
    return rows


def rso_orders(*, rso: RSO, today: dt.date) -> list[OrderRow]:
    """Return the orders tab: each order and prohibition, in force today or ended."""
    rows = _order_rows(rso, today)
    _note_rows(rso, "caseload.civilorder", [row.order.pk for row in rows])
    return rows


def rso_static_scores(*, rso: RSO) -> list[StaticRiskScore]:
    """Return the RSO's static risk scores, newest first."""
    scores = cast("list[StaticRiskScore]", list(StaticRiskScore.objects.filter(rso_id=rso.pk)))
    _note_rows(rso, "caseload.staticriskscore", [s.pk for s in scores])
    return scores


def rso_change_events(*, rso: RSO) -> list[SignificantChangeEvent]:
    """Return the RSO's significant changes, newest first."""
    events = cast("list[SignificantChangeEvent]", list(SignificantChangeEvent.objects.filter(rso_id=rso.pk)))
    _note_rows(rso, "caseload.significantchangeevent", [e.pk for e in events])
    return events


def reactive_eligibility(*, rso: RSO, today: dt.date) -> list[str]:
    """Return why the case may not move to reactive management now (empty: it may).

    Policy (domain s.5): continuously LOW risk for 3 years (local policy) with no
    significant change in that time. "Continuously" is read from the record's history
    (django-pghistory): the level was LOW at the start of the period and never anything
    else since.
    """
    years = local_policy.reactive_eligible_after_years()
    since = policy.add_months(today, -12 * years)
    reasons: list[str] = []
    if rso.management_model == ManagementModel.REACTIVE:
        return ["The case is already under reactive management."]
    if rso.status in CLOSED_STATUSES:
        reasons.append("The case is closed.")
    if rso.risk_level != RiskLevel.LOW:
        reasons.append(f"The risk level is {RiskLevel(rso.risk_level).label.lower()}, not low.")
    events = RSO.pgh_event_model.objects.filter(pgh_obj_id=rso.pk)  # type: ignore[attr-defined]
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    before = events.filter(pgh_created_at__lte=start).order_by("-pgh_created_at", "-pgh_id").first()
    if before is None or before.risk_level != RiskLevel.LOW:
        reasons.append(f"The risk level has not been low since {since:%-d %B %Y} ({years} years).")
    elif events.filter(pgh_created_at__gt=start).exclude(risk_level=RiskLevel.LOW).exists():
        reasons.append(f"The risk level has been above low since {since:%-d %B %Y}.")
    latest_change = cast(
        SignificantChangeEvent | None,
        SignificantChangeEvent.objects.filter(rso=rso, occurred_on__gt=since).order_by("-occurred_on").first(),
    )
    if latest_change is not None:
        reasons.append(
            f"A significant change ({latest_change.get_event_type_display().lower()}) was recorded on "
            f"{latest_change.occurred_on:%-d %B %Y}, within {years} years."
        )
    return reasons


def get_in_rso_scope(
    queryset: Any, *, user: User, pk: Any, object_type: str, rso_path: str, for_change: bool = False
) -> Any:
    """Return one row belonging to an RSO the user may open, or raise ScopeDenied (a 404).

    For the higher apps' records of an RSO (assessments, plans, visits): scope is the
    RSO's team (force for inspectors), and a break-glass grant for the RSO opens its
    records for reading too (never for a change), as it opens the record itself.
    """
    scope = queryset.visible_to(user)
    grants = [] if for_change or not can_do_casework(user) else granted_ids(user, RSO_TYPE)
    if grants:
        scope = scope | queryset.filter(**{f"{rso_path}__in": grants})
    try:
        return scope.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        note_denial(object_type=object_type, object_ids=[pk], reason="outside the user's scope")
        raise ScopeDenied from None


# --- Deadlines: inboxes, counts, the digest, cap breaches --------------------------------

# Upcoming tasks beyond this week are listed this far ahead; later ones are counted.
INBOX_HORIZON_DAYS = 90
_LATE = (DeadlineState.OVERDUE, DeadlineState.ESCALATED)
_NEEDS_ATTENTION = (DeadlineState.DUE_SOON, DeadlineState.OVERDUE, DeadlineState.ESCALATED)


def _open_deadlines(*, user: User) -> QuerySet[Deadline]:
    """Open deadlines whose subject the user may see (RSO deadlines only within scope)."""
    visible = RSO.objects.visible_to(user).values("pk")
    return (
        Deadline.objects.filter(state__in=OPEN_DEADLINE_STATES)
        .filter(Q(rso__isnull=True) | Q(rso_id__in=Subquery(visible)))
        .select_related("rso", "subject_user", "owner", "team")
        .order_by("due_on", "id")
    )


@dataclass(frozen=True)
class TaskInbox:
    """One person's open tasks: overdue, due this week, upcoming (and how many later)."""

    overdue: list[Deadline]
    this_week: list[Deadline]
    upcoming: list[Deadline]
    later: int


def my_tasks(*, user: User, today: dt.date) -> TaskInbox:
    """Return the user's own open tasks, grouped as an officer acts on them."""
    rows = list(
        _open_deadlines(user=user).filter(owner=user, due_on__lte=today + dt.timedelta(days=INBOX_HORIZON_DAYS))
    )
    later = _open_deadlines(user=user).filter(owner=user, due_on__gt=today + dt.timedelta(days=INBOX_HORIZON_DAYS))
    week_end = today + dt.timedelta(days=7)
    return TaskInbox(
        overdue=[row for row in rows if row.state in _LATE],
        this_week=[row for row in rows if row.state not in _LATE and row.due_on <= week_end],
        upcoming=[row for row in rows if row.state not in _LATE and row.due_on > week_end],
        later=later.count(),
    )


@dataclass(frozen=True)
class TeamTasks:
    """What a sergeant oversees: escalations, the rest overdue, cap breaches, unowned tasks."""

    escalated: list[Deadline]
    overdue: list[Deadline]
    cap_breaches: list[Deadline]
    unallocated: list[Deadline]


def _team_filter(user: User) -> Q:
    if user.role == Role.INSPECTOR:
        return Q(team__force_id=user.force_id)
    return Q(team_id=user.team_id)


@dataclass(frozen=True)
class TaskFilters:
    """What the team tasks page is narrowed to (all optional; the dashboard links use them)."""

    officer_id: int | None = None  # tasks the officer owns or that are about them
    kinds: frozenset[str] = frozenset()  # DeadlineKind values
    late_only: bool = False  # only overdue or escalated
    team_id: int | None = None  # one team of the inspector's force

    @property
    def active(self) -> bool:
        return bool(self.officer_id is not None or self.kinds or self.late_only or self.team_id is not None)

    def shows(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


def team_open_deadlines(*, user: User, filters: TaskFilters | None = None) -> QuerySet[Deadline]:
    """Return the open deadlines of the sergeant's team (an inspector's force), narrowed
    by the filters; what the team tasks page lists and the team dashboard counts."""
    if user.role not in (Role.SERGEANT, Role.INSPECTOR):
        return Deadline.objects.none()
    filters = filters or TaskFilters()
    qs = _open_deadlines(user=user).filter(_team_filter(user))
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.officer_id is not None:
        qs = qs.filter(Q(owner_id=filters.officer_id) | Q(subject_user_id=filters.officer_id))
    if filters.kinds:
        qs = qs.filter(kind__in=sorted(filters.kinds))
    if filters.late_only:
        qs = qs.filter(state__in=_LATE)
    return qs


def team_tasks(*, user: User, today: dt.date, filters: TaskFilters | None = None) -> TeamTasks:
    """Return the team's overdue work for a sergeant (an inspector: the force's).

    ``filters`` narrows it (the team dashboard's links).
    """
    if user.role not in (Role.SERGEANT, Role.INSPECTOR):
        return TeamTasks([], [], [], [])
    filters = filters or TaskFilters()
    rows = list(
        team_open_deadlines(user=user, filters=filters)
        .filter(
            Q(state__in=_LATE)
            | Q(kind=DeadlineKind.CAP_BREACH)
            | Q(owner__isnull=True, due_on__lte=today + dt.timedelta(days=7))
        )
        .order_by("due_on", "id")
    )
    return TeamTasks(
        escalated=[r for r in rows if r.state == DeadlineState.ESCALATED and r.kind != DeadlineKind.CAP_BREACH],
        overdue=[r for r in rows if r.state == DeadlineState.OVERDUE and r.kind != DeadlineKind.CAP_BREACH],
        cap_breaches=[r for r in rows if r.kind == DeadlineKind.CAP_BREACH],
        unallocated=[r for r in rows if r.owner_id is None and r.rso_id is not None and r.state not in _LATE],
    )


@dataclass(frozen=True)
class TaskCounts:
    """The numbers in the navigation."""

    mine_late: int
    mine_this_week: int
    team_escalated: int
    cap_breaches: int

    @property
    def mine(self) -> int:
        return self.mine_late + self.mine_this_week

    @property
    def team(self) -> int:
        return self.team_escalated + self.cap_breaches


def task_counts(*, user: User, today: dt.date) -> TaskCounts:
    """Count the user's late and due-this-week tasks, and the team's escalations (one query)."""
    from django.db.models import Count

    week_end = today + dt.timedelta(days=7)
    sergeant = user.role in (Role.SERGEANT, Role.INSPECTOR)
    team = _team_filter(user) if sergeant else Q(pk__in=[])
    figures = _open_deadlines(user=user).aggregate(
        mine_late=Count("id", filter=Q(owner=user, state__in=_LATE)),
        mine_this_week=Count("id", filter=Q(owner=user, due_on__lte=week_end) & ~Q(state__in=_LATE)),
        team_escalated=Count("id", filter=team & Q(state=DeadlineState.ESCALATED) & ~Q(kind=DeadlineKind.CAP_BREACH)),
        cap_breaches=Count("id", filter=team & Q(kind=DeadlineKind.CAP_BREACH)),
    )
    return TaskCounts(**{name: int(value or 0) for name, value in figures.items()})


def _digest_filter(user: User) -> Q:
    wanted = Q(owner=user, state__in=_NEEDS_ATTENTION)
    if user.role == Role.SERGEANT:
        wanted |= Q(team_id=user.team_id) & (
            Q(state=DeadlineState.ESCALATED) | Q(kind=DeadlineKind.CAP_BREACH) | Q(owner__isnull=True, state__in=_LATE)
        )
    return wanted


def digest_items(*, user: User, today: dt.date) -> list[Deadline]:
    """Return what a user's daily digest lists: their tasks due soon or late and, for a
    sergeant, the team's escalations, cap breaches and late unallocated tasks."""
    return list(_open_deadlines(user=user).filter(_digest_filter(user)).order_by("due_on", "id"))


def digest_recipients() -> list[int]:
    """Return the ids of active users with an email address and something for a digest."""
    late_or_soon = Deadline.objects.filter(state__in=_NEEDS_ATTENTION)
    owners = late_or_soon.filter(owner__isnull=False).values("owner_id")
    team_ids = Deadline.objects.filter(
        Q(state=DeadlineState.ESCALATED)
        | Q(kind=DeadlineKind.CAP_BREACH, state__in=OPEN_DEADLINE_STATES)
        | Q(owner__isnull=True, state__in=_LATE)
    ).values("team_id")
    return list(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(pk__in=Subquery(owners)) | Q(role=Role.SERGEANT, team_id__in=Subquery(team_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def cap_breach_get_for_user(*, user: User, deadline_id: Any) -> Deadline:
    """Return an open or closed cap breach of the user's team (sergeant) or force
    (inspector); 404 for anyone else."""
    from django.http import Http404

    if user.role not in (Role.SERGEANT, Role.INSPECTOR) or not str(deadline_id).isdigit():
        raise Http404
    breach = (
        Deadline.objects.filter(pk=int(deadline_id), kind=DeadlineKind.CAP_BREACH)
        .filter(_team_filter(user))
        .select_related("subject_user", "team")
        .first()
    )
    if breach is None:
        raise Http404
    return breach


def team_loads(*, team_id: int) -> list[rebalance.Load]:
    """Return each active offender manager of the team with their open cases (two queries)."""
    officers = list(
        User.objects.filter(team_id=team_id, is_active=True, role__in=(Role.OFFICER, Role.SERGEANT)).order_by("pk")
    )
    loads = {officer.pk: rebalance.Load(officer.pk, officer.display_name) for officer in officers}
    cases = (
        RSO.objects.filter(allocated_officer_id__in=list(loads))
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("pk")
        .values_list("pk", "visor_reference", "risk_level", "allocated_officer_id")
    )
    for rso_id, reference, risk_level, officer_id in cases:
        loads[officer_id].cases.append(rebalance.Case(rso_id, reference, risk_level))
    return list(loads.values())


def rebalance_suggestion(*, team_id: int) -> rebalance.Suggestion:
    """Return the fewest transfers within the team that bring every officer within 20%."""
    return rebalance.suggest_rebalancing(team_loads(team_id=team_id))


# --- pages: the task pages (one deadline, scoped) -----------------------------------------


def deadline_get_for_user(*, user: User, deadline_id: Any) -> Deadline:
    """Return one task the user may act on, or 404: their own, their team's (a sergeant),
    their force's (an inspector); a task about an RSO only while the RSO is in scope."""
    scope = Q(owner_id=user.pk)
    if user.role == Role.SERGEANT:
        scope |= Q(team_id=user.team_id)
    elif user.role == Role.INSPECTOR:
        scope |= Q(team__force_id=user.force_id)
    visible = RSO.objects.visible_to(user).values("pk")
    deadline = None
    if can_do_casework(user) and str(deadline_id).isdigit():
        deadline = (
            Deadline.objects.filter(scope, pk=int(deadline_id))
            .filter(Q(rso__isnull=True) | Q(rso_id__in=Subquery(visible)))
            .select_related("rso", "subject_user", "owner", "team")
            .first()
        )
    if deadline is None:
        note_denial(object_type="caseload.deadline", object_ids=[deadline_id], reason="outside the user's scope")
        raise ScopeDenied
    if deadline.rso_id is not None:
        note_consultation(rso_ids=[deadline.rso_id], object_type=RSO_TYPE, object_ids=[deadline.rso_id])
    return deadline


# --- approvals queue (issue 8) ---
def reactive_request_open(*, rso: RSO) -> ReactiveRequest | None:
    """Return the case's request to move to reactive management still waiting for the
    sergeant, if any (the caller has opened the RSO)."""
    return ReactiveRequest.objects.filter(rso_id=rso.pk, decision="").select_related("requested_by").first()


# --- end approvals queue ---
