"""AUTHZ-00 and AUTHZ-01: every URL, as every principal, with every method, matches the matrix.

For URLs with object scope the call is made with an own-scope object and an out-of-scope
one; out of scope must answer 404. Every response body is scanned for canary text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arms.models import Assessment, Factor, FactorCatalogue, FactorRating, Plan, PlanAction
from caseload.models import (
    RSO,
    Address,
    Alias,
    Associate,
    CapOverride,
    CivilOrder,
    Conviction,
    Deadline,
    Employment,
    IdentityDocument,
    ReactiveRequest,
    Vehicle,
)
from mosovo.accounts.models import BreakGlassGrant, TrainingRecord, User
from supervision.choices import RUBRIC_FIELDS
from supervision.models import AgreedAction, PlanAudit, SupervisionSession
from tests.conftest import CANARY, CANARY_OTHER_FORCE, Casework, Personas, verified_login
from tests.factories import OfficerFactory, RSOFactory, SergeantFactory
from tests.security.matrix import METHODS, PRINCIPALS, load_matrix, project_routes, rule_for
from visits.models import ComplianceCheck, DeviceExamination, SafetyAssessment, Visit

RULES = load_matrix()
ROUTES = project_routes()
DENIED_REDIRECTS = ("/accounts/sign-in/", "/accounts/security-code/", "/admin/login/")


def test_authz_00_every_url_pattern_is_in_the_matrix() -> None:
    missing = [route.key for route in ROUTES if rule_for(RULES, route.key) is None]
    assert not missing, f"URL patterns missing from mosovo/access_matrix.yaml: {missing}"


def test_authz_00_the_matrix_names_only_urls_that_exist() -> None:
    keys = {route.key for route in ROUTES}
    stale = [key for key in RULES if "*" not in key and key not in keys]
    assert not stale, f"matrix entries for URLs that do not exist: {stale}"


MFA_PAGES = ("/accounts/security-code/", "/accounts/security-code/set-up/")


def final_path(client: Client, response: Any, limit: int = 4) -> tuple[Any, str | None]:
    """Follow redirects (GET) to the end; return the last response and its path."""
    path = None
    while response.status_code in (301, 302, 303) and limit:
        path = response["Location"].split("?")[0]
        response = client.get(response["Location"])
        limit -= 1
    return response, path


def is_denied(
    first: Any, last: Any, landed: str | None, url: str, *, allowed_check: bool, unverified: bool = False
) -> bool:
    if first.status_code in (401, 403, 404, 405, 429):
        return True
    if landed is None:
        return last.status_code in (401, 403, 404, 405, 429)
    # Moving between the second-factor pages (enrol, verify) is part of using them, and a
    # password-only session sent on to finish its second factor has been let in as far
    # as it may go.
    if allowed_check and landed in MFA_PAGES and (url.startswith("/accounts/security-code/") or unverified):
        return False
    return landed in DENIED_REDIRECTS or last.status_code in (401, 403, 404, 405, 429)


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return str(b"".join(response.streaming_content).decode(errors="replace"))
    return str(response.content.decode(errors="replace"))


@dataclass
class World:
    personas: Personas
    casework: Casework
    disabled: User
    grant_a: BreakGlassGrant
    grant_b: BreakGlassGrant
    override_a: CapOverride
    override_b: CapOverride
    override_x: CapOverride
    clients: dict[str, Client] = field(default_factory=dict)
    arms_sets: dict[str, ArmsSet] = field(default_factory=dict)
    visit_sets: dict[str, tuple[Visit, Visit]] = field(default_factory=dict)

    def visit_id(self, name: str, scope: str, principal: str, own: bool) -> int:
        """Return the id of a visit (planned, or being recorded) or of one of its devices."""
        where = "own" if own else ("other_force" if principal == "INSPECTOR" else "team_b")
        key = f"visits-{where}"
        if key not in self.visit_sets:
            p, c = self.personas, self.casework
            team, officer, marker = {
                "own": (p.team_a, p.officer_a, ""),
                "team_b": (p.team_b, p.officer_b, CANARY),
                "other_force": (c.rso_other_force.team, None, CANARY_OTHER_FORCE),
            }[where]
            self.visit_sets[key] = visit_set(team, officer or p.inspector, marker)
        planned, started = self.visit_sets[key]
        if name == "visit_id":
            return (planned if scope == "planned_visit" else started).pk
        # A fresh device for every call: a permitted POST may remove it.
        return DeviceExamination.objects.create(
            visit=started,
            device_type="PHONE",
            what_was_checked=f"Matrix device {started.rso.family_name}",
            added_by=started.lead_officer,
        ).pk

    def arms_id(self, name: str, scope: str, principal: str, own: bool) -> int:
        """Return the id of an ARMS object of the right state, own team or out of scope."""
        where = "own" if own else ("other_force" if principal == "INSPECTOR" else "team_b")
        if where not in self.arms_sets:
            p, c = self.personas, self.casework
            team, officer, approver, marker = {
                "own": (p.team_a, p.officer_a, p.sergeant_a, ""),
                "team_b": (p.team_b, p.officer_b, p.officer_b, CANARY),
                "other_force": (c.rso_other_force.team, None, p.inspector, CANARY_OTHER_FORCE),
            }[where]
            self.arms_sets[where] = arms_set(team, officer, approver, marker)
        arms = self.arms_sets[where]
        assessment = arms.submitted if scope == "submitted_assessment" else arms.draft
        plan = {"approved_plan": arms.approved_plan, "submitted_plan": arms.submitted_plan}.get(scope, arms.draft_plan)
        if name == "assessment_id":
            return assessment.pk
        if name == "rating_id":
            return assessment.ratings.values_list("pk", flat=True).first() or 0
        if name == "plan_id":
            return plan.pk
        if plan.status == "APPROVED":
            return plan.actions.values_list("pk", flat=True).first() or 0
        # A fresh action on the draft for every call: a permitted POST may remove it.
        return arms_action(plan, marker=arms.marker).pk

    def deadline_id(self, scope: str, principal: str, own: bool) -> int:
        """Return a fresh open task (a permitted POST may close it): one an officer closes
        by hand on an RSO (scope ``deadline``) or a cap breach (scope ``cap_breach``), of
        team A, or out of scope (team B; another force for an inspector)."""
        p, c = self.personas, self.casework
        rso = c.rso_a if own else (c.rso_other_force if principal == "INSPECTOR" else c.rso_b)
        n = next(_ITEM_IDS)
        if scope == "cap_breach":
            officer = p.officer_a if own else p.officer_b
            return Deadline.objects.create(
                key=f"CAP_BREACH:user:{officer.pk}:matrix{n}",
                kind="CAP_BREACH",
                subject_user=officer,
                team=rso.team,
                due_on=date(2026, 1, 5),
                detail={"high": 1, "total": 2},
            ).pk
        return Deadline.objects.create(
            key=f"NOTIFICATION_END:rso:{rso.pk}:matrix{n}",
            kind="NOTIFICATION_END",
            rso=rso,
            team=rso.team,
            owner=rso.allocated_officer,
            due_on=date(2026, 1, 5),
            state="OVERDUE",
        ).pk

    def supervision_id(self, name: str, principal: str, own: bool) -> int:
        """Return a fresh supervision object (or person) of team A, or out of scope: team B,
        or another force for an inspector or an administrator (who see their force)."""
        p, c = self.personas, self.casework
        if own:
            where, officer, rso = "own", p.officer_a, c.rso_a
        elif principal in ("INSPECTOR", "ADMIN"):
            where, rso = "other_force", c.rso_other_force
            officer = User.objects.get(username="officer_x")
        else:
            where, officer, rso = "team_b", p.officer_b, c.rso_b
        marker = {"own": "", "team_b": CANARY, "other_force": CANARY_OTHER_FORCE}[where]
        team = officer.team
        assert team is not None
        if name == "officer_id":
            return officer.pk
        if name == "record_id":
            return TrainingRecord.objects.create(
                user=officer, course="OSP", completed_on=date(2020, 1, 1) + timedelta(days=next(_ITEM_IDS) % 2000)
            ).pk
        if name == "reactive_request_id":
            ReactiveRequest.objects.filter(rso=rso, decision="").delete()
            return ReactiveRequest.objects.create(rso=rso, requested_by=officer, reason=f"Matrix {marker}").pk
        if name == "audit_id":
            plan = self.arms_id("plan_id", "approved_plan", principal, own)
            return PlanAudit.objects.create(
                plan_id=plan,
                rso_id=Plan.objects.get(pk=plan).rso_id,
                team=team,
                officer=officer,
                sampled_by=officer,
                state="COMPLETED",
                audited_by=officer,
                completed_at=timezone.now(),
                score=50,
                feedback=f"Matrix feedback {marker}",
                **dict.fromkeys(RUBRIC_FIELDS, 1),
            ).pk
        sergeant = p.sergeant_a if own else SergeantFactory.create(team=team)
        session = SupervisionSession.objects.create(
            team=team,
            sergeant=sergeant,
            officer=officer,
            held_on=date(2026, 1, 5),
            reflective_notes=f"Matrix notes {marker}",
            wellbeing_notes=f"Matrix wellbeing {marker}",
        )
        if name == "session_id":
            return session.pk
        assert name == "agreed_action_id"
        return AgreedAction.objects.create(
            session=session, description=f"Matrix action {marker}", due_on=date(2026, 2, 1)
        ).pk

    def user(self, principal: str) -> User | None:
        return {
            "OFFICER": self.personas.officer_a,
            "SERGEANT": self.personas.sergeant_a,
            "INSPECTOR": self.personas.inspector,
            "ADMIN": self.personas.admin,
            "AUDITOR": self.personas.auditor,
            "UNVERIFIED": self.personas.officer_a,
            "DISABLED": self.disabled,
        }.get(principal)

    def client(self, principal: str, *, fresh: bool = False) -> Client:
        """Return a client signed in as the principal (reused unless ``fresh``)."""
        if not fresh and principal in self.clients:
            return self.clients[principal]
        client = Client()
        user = self.user(principal)
        if principal == "UNVERIFIED":
            assert user is not None
            client.force_login(user)
        elif principal == "DISABLED":
            assert user is not None
            user.is_active = True
            user.save(update_fields=["is_active"])
            verified_login(client, user)
            user.is_active = False
            user.save(update_fields=["is_active"])
        elif user is not None:
            verified_login(client, user)
        self.clients[principal] = client
        return client

    def kwargs(self, names: list[str], scope: str, principal: str, own: bool) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in names:
            if name == "rso_id":
                if own:
                    values[name] = self.casework.rso_a.pk
                elif principal == "INSPECTOR":
                    values[name] = self.casework.rso_other_force.pk
                else:
                    values[name] = self.casework.rso_b.pk
            elif name == "grant_id":
                values[name] = (self.grant_a if own else self.grant_b).pk
            elif name == "override_id":
                other = self.override_x if principal == "INSPECTOR" else self.override_b
                values[name] = (self.override_a if own else other).pk
            elif name == "item_id":  # a row of the RSO's details: see record_detail_item below
                if own:
                    values[name] = record_detail_item(self.casework.rso_a)
                else:
                    other_rso = self.casework.rso_other_force if principal == "INSPECTOR" else self.casework.rso_b
                    values[name] = record_detail_item(other_rso)
            elif name in ("assessment_id", "rating_id", "plan_id", "action_id"):
                values[name] = self.arms_id(name, scope, principal, own)
            elif name in ("visit_id", "device_id"):
                values[name] = self.visit_id(name, scope, principal, own)
            elif name == "deadline_id":
                values[name] = self.deadline_id(scope, principal, own)
            elif name in SUPERVISION_IDS:
                values[name] = self.supervision_id(name, principal, own)
            elif name in ("object_id", "id"):
                values[name] = self.personas.officer_a.pk
            elif name == "app_label":
                values[name] = "accounts"
            elif name == "content_type_id":
                values[name] = ContentType.objects.get_for_model(User).pk
            elif name == "url":
                values[name] = "no-such-page/"
            elif name == "pk":
                values[name] = 1
            else:
                raise AssertionError(f"the matrix test does not know how to fill <{name}>: teach World.kwargs")
        return values


SUPERVISION_IDS = ("session_id", "agreed_action_id", "audit_id", "officer_id", "record_id", "reactive_request_id")


# --- item_id (record details) ---------------------------------------------------------
# One row of each type an <item_id> URL names (alias, address, vehicle, employment,
# associate, identity document, conviction, civil order) on the given RSO, all with the
# same fresh id, so that every <item_id> URL names a real row of its own type. Fresh on every call: a permitted POST
# removes or ends the row it names, and the next principal needs another.
_ITEM_IDS = itertools.count(1_000_000)


def record_detail_item(rso: RSO) -> int:
    pk = next(_ITEM_IDS)
    since = date(2020, 1, 1)
    Alias.objects.create(pk=pk, rso=rso, name="Matrix Alias")
    Address.objects.create(pk=pk, rso=rso, line1="1 Matrix Road", town="Testville", from_date=since)
    Vehicle.objects.create(pk=pk, rso=rso, registration="MX20ABC")
    Employment.objects.create(pk=pk, rso=rso, employer="Matrix Ltd", from_date=since)
    Associate.objects.create(pk=pk, rso=rso, name="Matrix Associate", relationship="friend")
    IdentityDocument.objects.create(pk=pk, rso=rso, document_type="PASSPORT", masked_number="****1234")
    Conviction.objects.create(
        pk=pk, rso=rso, offence="Matrix offence", relevant_date=since, disposal="OTHER", age_on_relevant_date=30
    )
    CivilOrder.objects.create(pk=pk, rso=rso, order_type="SHPO", court="Matrix Crown Court", made_on=since)
    return pk


# --- ARMS objects (assessment_id, rating_id, plan_id, action_id) ----------------------
# For each place (own team, team B, another force): an RSO with an approved assessment,
# a plan approved (version 1) and a draft (version 2), and an open assessment (a draft on
# one RSO, a submitted one on another). Out-of-scope text carries the canary marker.


@dataclass
class ArmsSet:
    draft: Assessment
    submitted: Assessment
    approved_plan: Plan
    draft_plan: Plan
    submitted_plan: Plan
    marker: str


def arms_assessment(rso: RSO, *, by: User | None, status: str, marker: str, approver: User | None = None) -> Assessment:
    author = by or approver
    assert author is not None
    assessment = Assessment.objects.create(
        rso=rso,
        catalogue=FactorCatalogue.objects.get(version=1),
        created_by=author,
        sources=["INTERVIEW"],
        interview_dates=[date(2026, 1, 5)],
        proposed_risk_level="LOW",
        risk_priority="LOW",
        protective_priority="LOW",
        level_reason=f"Matrix reason {marker}",
    )
    FactorRating.objects.bulk_create(
        FactorRating(assessment=assessment, factor=factor, rating="LOW", evidence=f"Matrix evidence {marker}")
        for factor in assessment.catalogue.factors.all()
    )
    if status != "DRAFT":
        Assessment.objects.filter(pk=assessment.pk).update(
            status="SUBMITTED", submitted_by=author, submitted_at=timezone.now()
        )
    if status == "APPROVED":
        Assessment.objects.filter(pk=assessment.pk).update(
            status="APPROVED", approved_by=approver, approved_at=timezone.now()
        )
    assessment.refresh_from_db()
    return assessment


def arms_action(plan: Plan, *, marker: str) -> PlanAction:
    factor = Factor.objects.filter(catalogue__version=1).first()
    assert factor is not None
    return PlanAction.objects.create(
        plan=plan,
        factor=factor,
        action_type="SUPPORT",
        description=f"Matrix action {marker}",
        agency="POLICE",
        owner="PC Matrix",
    )


def arms_set(team: Any, officer: User | None, approver: User, marker: str) -> ArmsSet:
    def person() -> RSO:
        return RSOFactory.create(team=team, allocated_officer=officer, family_name=f"Arms{marker}")

    rso = person()
    approved = arms_assessment(rso, by=officer, status="APPROVED", marker=marker, approver=approver)
    draft = arms_assessment(rso, by=officer, status="DRAFT", marker=marker, approver=approver)
    submitted = arms_assessment(person(), by=officer, status="SUBMITTED", marker=marker, approver=approver)
    author = officer or approver
    plans = []
    for number in (1, 2):
        plan = Plan.objects.create(
            rso=rso,
            number=number,
            assessment=approved,
            visit_interval_months=12,
            created_by=author,
            contingencies=f"Matrix contingencies {marker}",
        )
        arms_action(plan, marker=marker)
        if number == 1:  # approved before the next version opens (one open version per RSO)
            Plan.objects.filter(pk=plan.pk).update(
                status="APPROVED",
                submitted_by=author,
                submitted_at=timezone.now(),
                approved_by=approver,
                approved_at=timezone.now(),
            )
            plan.refresh_from_db()
        plans.append(plan)
    # A plan version waiting for the sergeant, on a case of its own (one open version per RSO).
    waiting = person()
    waiting_assessment = arms_assessment(waiting, by=officer, status="APPROVED", marker=marker, approver=approver)
    submitted_plan = Plan.objects.create(
        rso=waiting,
        number=1,
        assessment=waiting_assessment,
        visit_interval_months=12,
        created_by=author,
        contingencies=f"Matrix contingencies {marker}",
        status="SUBMITTED",
        submitted_by=author,
        submitted_at=timezone.now(),
    )
    arms_action(submitted_plan, marker=marker)
    return ArmsSet(
        draft=draft,
        submitted=submitted,
        approved_plan=plans[0],
        draft_plan=plans[1],
        submitted_plan=submitted_plan,
        marker=marker,
    )


# --- Visits (visit_id, device_id) ------------------------------------------------------
# For each place: a planned visit with one officer awaiting the sergeant's approval, and a
# visit being recorded (safety assessment done, checklist drawn up). Built with the ORM:
# the matrix checks access, not the rules.


def visit_set(team: Any, officer: User, marker: str) -> tuple[Visit, Visit]:
    rso = RSOFactory.create(
        team=team, allocated_officer=officer if officer.team_id == team.pk else None, family_name=f"Visit{marker}"
    )
    planned = Visit.objects.create(
        rso=rso,
        visit_type="SCHEDULED",
        planned_for=timezone.now(),
        lead_officer=officer,
        created_by=officer,
        single_officer_reason=f"Matrix reason {marker}",
    )
    started = Visit.objects.create(
        rso=rso,
        visit_type="SCHEDULED",
        planned_for=timezone.now(),
        lead_officer=officer,
        created_by=officer,
        single_officer_reason="Matrix",
        single_officer_approved_by=officer,
        status="STARTED",
        started_at=timezone.now(),
        started_by=officer,
        people_present=f"Matrix people {marker}",
    )
    for visit in (planned, started):
        SafetyAssessment.objects.create(visit=visit, dogs=f"Matrix dog {marker}", updated_by=officer)
    ComplianceCheck.objects.create(visit=started, kind="REQUIREMENT", code="HOME_ADDRESS", label="Lives there")
    return planned, started


# -------------------------------------------------------------------------------------


def over_the_limit(officer: User, by: User) -> CapOverride:
    """An open 20% override for an officer whose only case is high risk (so it stays open)."""
    override = CapOverride.objects.create(officer=officer, reason="Only officer trained for this case", created_by=by)
    RSOFactory.create(team=officer.team, allocated_officer=officer, risk_level="HIGH")
    return override


@pytest.fixture
def world(personas: Personas, casework: Casework) -> World:
    disabled = OfficerFactory.create(username="disabled_officer", team=personas.team_a)

    def grant(team: Any, rso: Any, by: User) -> BreakGlassGrant:
        return BreakGlassGrant.objects.create(
            user=by,
            object_type="caseload.rso",
            object_id=rso.pk,
            object_label=rso.visor_reference,
            team=team,
            reason_code="COVERING",
            reason_text="Covering a colleague on leave",
            session_key_hash="0" * 64,
            created_at=timezone.now(),
        )

    return World(
        personas=personas,
        casework=casework,
        disabled=disabled,
        grant_a=grant(personas.team_a, casework.rso_a, personas.officer_b),
        grant_b=grant(personas.team_b, casework.rso_b, personas.officer_a),
        override_a=over_the_limit(personas.officer_a, personas.sergeant_a),
        override_b=over_the_limit(personas.officer_b, personas.officer_b),
        override_x=over_the_limit(
            OfficerFactory.create(username="officer_x", team=casework.rso_other_force.team), personas.inspector
        ),
    )


def call(client: Client, method: str, url: str) -> Any:
    if method in ("PUT", "PATCH"):
        return client.generic(method, url, "{}", content_type="application/json")
    if method == "POST":
        return client.post(url, {})
    return client.generic(method, url)


@pytest.mark.parametrize("route", ROUTES, ids=[route.key for route in ROUTES])
def test_authz_01_url_matches_the_matrix_for_every_principal_and_method(world: World, route: Any) -> None:
    rule = rule_for(RULES, route.key)
    assert rule is not None, f"{route.key} is not in the matrix"
    problems: list[str] = []
    for principal in PRINCIPALS:
        for method in METHODS:
            allowed = rule.allows(principal, method)
            objects = [True, False] if rule.scope != "none" and route.kwargs else [True]
            for own in objects:
                url = (
                    reverse(route.name, kwargs=world.kwargs(route.kwargs, rule.scope, principal, own))
                    if route.name
                    else None
                )
                if url is None:
                    # An unnamed pattern (the admin's catch-all): call it by path.
                    url = "/admin/no-such-page/"
                # Signing out ends the session: those calls get a session of their own.
                client = world.client(principal, fresh="logout" in (route.key or ""))
                response = call(client, method, url)
                body = body_of(response)
                last, landed = final_path(client, response)
                label = f"{principal} {method} {url} ({'own' if own else 'out of scope'}) -> {response.status_code}"
                if landed:
                    label += f" -> {landed} {last.status_code}"
                if principal in rule.unchecked:
                    pass
                elif (
                    allowed
                    and own
                    and is_denied(response, last, landed, url, allowed_check=True, unverified=principal == "UNVERIFIED")
                ):
                    problems.append(f"expected allowed: {label}")
                elif not allowed and not is_denied(response, last, landed, url, allowed_check=False):
                    problems.append(f"expected denied: {label}")
                elif allowed and not own and response.status_code != 404:
                    problems.append(f"expected 404 for an out-of-scope object: {label}")
                for text in (body, body_of(last)):
                    if CANARY_OTHER_FORCE in text or (CANARY in text and principal != "INSPECTOR"):
                        problems.append(f"canary text in the response: {label}")
    assert not problems, "\n".join(problems)
