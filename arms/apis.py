"""ARMS API views (DRF): thin, one per operation, over the services and selectors.

Scope as on the pages: an RSO's team (officers and sergeant) reads and writes its
assessments and plans, inspectors read the force's, and everything else answers 404.
Returning and approving are for sergeants. Bad input answers 400 with a message per field
and changes nothing; a save based on an old ``version`` answers 409 with the current
state; a new risk level that would break the 20% rule answers 400 with the numbers on
``override_reason``, as the review page does.

There is no PDF over the API: exporting a plan is a disclosure, made on the plan's page
with a recorded reason and recipient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload import selectors as caseload_selectors
from caseload.allocation import CapExceeded
from caseload.serializers import page_payload
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.permissions import HasCaseworkRole, HasRole
from mosovo.audit.context import note_denial
from mosovo.lib.api import write

from . import selectors, services
from .models import Assessment, FactorRating, Plan, PlanAction
from .serializers import (
    OTHER_FIELDS,
    SOURCES_FIELDS,
    SUMMARY_FIELDS,
    ActionChangeInput,
    ActionInput,
    ActionOutput,
    AssessmentApproveInput,
    AssessmentInput,
    AssessmentOutput,
    AssessmentSummaryOutput,
    CapCheckOutput,
    CatalogueOutput,
    NoInput,
    PlanApproveInput,
    PlanInput,
    PlanOutput,
    PlanSummaryOutput,
    RatingInput,
    RatingOutput,
    ReturnInput,
    VersionInput,
)

WRITERS: frozenset[str] = frozenset({Role.OFFICER, Role.SERGEANT})
NO_PDF = (
    " The plan's PDF is not offered over the API: exporting it is a disclosure, made on the plan's page "
    "with a recorded reason and recipient."
)


class TeamWritesInspectorsRead(HasCaseworkRole):
    """Officers, sergeants and inspectors read; only officers and sergeants write (the
    services then check the team). Inspectors' writes answer 404, as pages they may not
    use do."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method not in SAFE_METHODS and _user(request).role not in WRITERS:
            note_denial(
                object_type="view", object_ids=[type(view).__name__], reason="inspectors may not record casework"
            )
            raise NotFound
        return True


class HasSergeantRole(HasRole):
    """Sergeants only (returning and approving); the service checks it is their team."""

    roles = frozenset({Role.SERGEANT})


# --- Helpers ------------------------------------------------------------------------------


def _user(request: Request) -> User:
    return cast(User, request.user)


def _assessment_data(assessment: Assessment) -> Any:
    return AssessmentOutput(selectors.assessment_for_api(assessment=assessment)).data


def _plan_data(plan: Plan) -> Any:
    return PlanOutput(selectors.plan_for_api(plan=plan)).data


def _current_data(current: Any) -> Any:
    if isinstance(current, Assessment):
        return _assessment_data(current)
    if isinstance(current, Plan):
        return _plan_data(current)
    if isinstance(current, FactorRating):
        return RatingOutput(current).data
    return None


def _cap_exceeded(over: CapExceeded) -> Response:
    return Response(
        {
            "override_reason": [f"{over} Give a reason to go over the limit, or change nothing."],
            "cap": [CapCheckOutput(check).data for check in over.checks],
        },
        status=400,
    )


def _write(
    request: Request,
    input_class: type[serializers.Serializer[Any]],
    action: Callable[[dict[str, Any]], Any],
    render: Callable[[Any], Any] | None,
    *,
    created: bool = False,
) -> Response:
    """``mosovo.lib.api.write`` with ARMS's conflict and the 20% rule's refusal."""
    return write(
        request,
        input_class,
        action,
        render,
        created=created,
        conflict=services.Conflict,
        current=_current_data,
        handlers={CapExceeded: _cap_exceeded},
    )


def _rating_in(request: Request, assessment_id: int, rating_id: int) -> FactorRating:
    """Return the rating to change, which must be one of the assessment's (404 otherwise)."""
    assessment = selectors.assessment_get_for_user(user=_user(request), assessment_id=assessment_id, for_change=True)
    rating = selectors.rating_get_for_user(user=_user(request), rating_id=rating_id, for_change=True)
    if rating.assessment_id != assessment.pk:
        note_denial(object_type=services.RATING_TYPE, object_ids=[rating_id], reason="not part of this assessment")
        raise NotFound
    return rating


def _action_in(request: Request, plan_id: int, action_id: int) -> PlanAction:
    """Return the action to change, which must be one of the plan version's (404 otherwise)."""
    plan = selectors.plan_get_for_user(user=_user(request), plan_id=plan_id, for_change=True)
    action = selectors.action_get_for_user(user=_user(request), action_id=action_id, for_change=True)
    if action.plan_id != plan.pk:
        note_denial(object_type=services.ACTION_TYPE, object_ids=[action_id], reason="not part of this plan version")
        raise NotFound
    return action


ERRORS = {
    400: OpenApiResponse(description="Bad input: a message per field (or non_field_errors); nothing saved."),
    404: OpenApiResponse(description="Not found, or outside the user's scope."),
}


def _conflict_response(name: str, output: serializers.Serializer[Any]) -> OpenApiResponse:
    return OpenApiResponse(
        response=inline_serializer(name, {"detail": serializers.CharField(), "current": output}),
        description="The version sent is stale: nothing saved; ``current`` is the state now.",
    )


ASSESSMENT_CONFLICT = _conflict_response("AssessmentConflict", AssessmentOutput())
RATING_CONFLICT = _conflict_response("RatingConflict", RatingOutput())
PLAN_CONFLICT = _conflict_response("PlanConflict", PlanOutput())


# --- Assessments ----------------------------------------------------------------------------


class RSOAssessmentsApi(APIView):
    """An RSO's ARMS assessments: GET lists them, newest first; POST starts a draft,
    prefilled from the last approved one."""

    permission_classes = [TeamWritesInspectorsRead]

    @extend_schema(
        operation_id="arms_rso_assessments_list",
        responses=inline_serializer(
            "AssessmentSummaryPage",
            {
                "count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
                "results": AssessmentSummaryOutput(many=True),
            },
        ),
    )
    def get(self, request: Request, rso_id: int) -> Response:
        rso = caseload_selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
        rows = selectors.rso_assessments(rso=rso)
        page = Paginator(rows, caseload_selectors.PAGE_SIZE).get_page(request.query_params.get("page", 1))
        return Response(page_payload(page, AssessmentSummaryOutput))

    @extend_schema(operation_id="arms_rso_assessments_start", request=None, responses={201: AssessmentOutput, **ERRORS})
    def post(self, request: Request, rso_id: int) -> Response:
        rso = caseload_selectors.rso_get_for_user(user=_user(request), rso_id=rso_id, for_change=True)
        return _write(
            request,
            NoInput,
            lambda _: services.assessment_start(rso=rso, by=_user(request)),
            _assessment_data,
            created=True,
        )


class AssessmentDetailApi(APIView):
    """One assessment. PATCH saves any of its sections (sources; the other assessment for
    women and under-18s; the summary) at the ``version`` read; fields left out keep their
    value."""

    permission_classes = [TeamWritesInspectorsRead]

    @extend_schema(operation_id="arms_assessments_retrieve", responses={200: AssessmentOutput, 404: ERRORS[404]})
    def get(self, request: Request, assessment_id: int) -> Response:
        assessment = selectors.assessment_get_for_user(user=_user(request), assessment_id=assessment_id)
        return Response(_assessment_data(assessment))

    @extend_schema(
        operation_id="arms_assessments_update",
        request=AssessmentInput,
        responses={
            200: AssessmentOutput,
            **ERRORS,
            409: ASSESSMENT_CONFLICT,
        },
    )
    def patch(self, request: Request, assessment_id: int) -> Response:
        assessment = selectors.assessment_get_for_user(
            user=_user(request), assessment_id=assessment_id, for_change=True
        )
        by = _user(request)

        def save(values: dict[str, Any]) -> Assessment:
            current = assessment
            version = values["version"]
            sections: tuple[tuple[tuple[str, ...], Callable[..., Assessment]], ...] = (
                (SOURCES_FIELDS, services.assessment_update_sources),
                (OTHER_FIELDS, services.assessment_update_other),
                (SUMMARY_FIELDS, services.assessment_update_summary),
            )
            touched = [(names, service) for names, service in sections if any(n in values for n in names)]
            if not touched:
                raise ValidationError("Send at least one field to change, with the version.")
            for names, service in touched:
                # Fields left out keep their value: the services save whole sections.
                section = {name: values.get(name, getattr(current, name)) for name in names}
                current = service(assessment=current, version=version, by=by, **section)
                version = current.version
            return current

        return _write(request, AssessmentInput, save, _assessment_data)


class AssessmentRatingApi(APIView):
    """One factor of an assessment: its rating, evidence and action, at its own ``version``
    (factors are saved one at a time)."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["patch", "options"]

    @extend_schema(
        operation_id="arms_assessments_ratings_update",
        request=RatingInput,
        responses={200: RatingOutput, **ERRORS, 409: RATING_CONFLICT},
    )
    def patch(self, request: Request, assessment_id: int, rating_id: int) -> Response:
        rating = _rating_in(request, assessment_id, rating_id)
        return _write(
            request,
            RatingInput,
            lambda values: services.factor_rating_update(
                rating=rating,
                value=values.get("rating", rating.rating),
                evidence=values.get("evidence", rating.evidence),
                action=values.get("action", rating.action),
                version=values["version"],
                by=_user(request),
            ),
            lambda saved: RatingOutput(saved).data,
        )


class AssessmentSubmitApi(APIView):
    """Send a complete draft to the team's sergeant. What is missing answers 400, by field
    (``sources``, ``factor-<code>``, ``level_reason``...)."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="arms_assessments_submit",
        request=VersionInput,
        responses={200: AssessmentOutput, **ERRORS, 409: ASSESSMENT_CONFLICT},
    )
    def post(self, request: Request, assessment_id: int) -> Response:
        assessment = selectors.assessment_get_for_user(
            user=_user(request), assessment_id=assessment_id, for_change=True
        )
        return _write(
            request,
            VersionInput,
            lambda values: services.assessment_submit(
                assessment=assessment, version=values["version"], by=_user(request)
            ),
            _assessment_data,
        )


class AssessmentReturnApi(APIView):
    """A sergeant of the team returns a submitted assessment with comments."""

    permission_classes = [HasSergeantRole]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="arms_assessments_return", request=ReturnInput, responses={200: AssessmentOutput, **ERRORS}
    )
    def post(self, request: Request, assessment_id: int) -> Response:
        assessment = selectors.assessment_get_for_user(
            user=_user(request), assessment_id=assessment_id, for_change=True
        )
        return _write(
            request,
            ReturnInput,
            lambda values: services.assessment_return(
                assessment=assessment, comments=values["comments"], by=_user(request)
            ),
            _assessment_data,
        )


class AssessmentApproveApi(APIView):
    """A sergeant of the team (not the one who submitted) approves a submitted assessment:
    the RSO's risk level becomes the proposed level, through the 20% rule. Over the limit
    answers 400 with the numbers unless ``override_reason`` is given."""

    permission_classes = [HasSergeantRole]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="arms_assessments_approve",
        request=AssessmentApproveInput,
        responses={
            200: AssessmentOutput,
            400: OpenApiResponse(
                response=inline_serializer(
                    "CapRefusal",
                    {
                        "override_reason": serializers.ListField(child=serializers.CharField()),
                        "cap": CapCheckOutput(many=True),
                    },
                ),
                description="Bad input or refused by the service; over the 20% rule: the numbers in ``cap``.",
            ),
            404: ERRORS[404],
        },
    )
    def post(self, request: Request, assessment_id: int) -> Response:
        assessment = selectors.assessment_get_for_user(
            user=_user(request), assessment_id=assessment_id, for_change=True
        )
        return _write(
            request,
            AssessmentApproveInput,
            lambda values: services.assessment_approve(
                assessment=assessment,
                by=_user(request),
                comments=values.get("comments", ""),
                override_reason=values.get("override_reason") or None,
            ),
            _assessment_data,
        )


# --- Plans --------------------------------------------------------------------------------


class RSOPlansApi(APIView):
    """An RSO's risk management plan: GET lists every version, newest first; POST opens a
    new version (a copy of the current plan, resting on the latest approved assessment)."""

    permission_classes = [TeamWritesInspectorsRead]

    @extend_schema(
        operation_id="arms_rso_plans_list",
        responses=inline_serializer(
            "PlanSummaryPage",
            {
                "count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
                "results": PlanSummaryOutput(many=True),
            },
        ),
    )
    def get(self, request: Request, rso_id: int) -> Response:
        rso = caseload_selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
        rows = selectors.rso_plans(rso=rso)
        page = Paginator(rows, caseload_selectors.PAGE_SIZE).get_page(request.query_params.get("page", 1))
        return Response(page_payload(page, PlanSummaryOutput))

    @extend_schema(operation_id="arms_rso_plans_start", request=None, responses={201: PlanOutput, **ERRORS})
    def post(self, request: Request, rso_id: int) -> Response:
        rso = caseload_selectors.rso_get_for_user(user=_user(request), rso_id=rso_id, for_change=True)
        return _write(
            request, NoInput, lambda _: services.plan_start(rso=rso, by=_user(request)), _plan_data, created=True
        )


class PlanDetailApi(APIView):
    """One plan version with its actions. PATCH saves the plan's own fields (visit
    interval, contingencies, what is shared, what changed) at the ``version`` read."""

    permission_classes = [TeamWritesInspectorsRead]

    @extend_schema(
        operation_id="arms_plans_retrieve",
        description="One plan version with its actions and approval trail." + NO_PDF,
        responses={200: PlanOutput, 404: ERRORS[404]},
    )
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(user=_user(request), plan_id=plan_id)
        return Response(_plan_data(plan))

    @extend_schema(
        operation_id="arms_plans_update",
        request=PlanInput,
        responses={200: PlanOutput, **ERRORS, 409: PLAN_CONFLICT},
    )
    def patch(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(user=_user(request), plan_id=plan_id, for_change=True)
        names = (
            "visit_interval_months",
            "visit_interval_reason",
            "contingencies",
            "shared_with_person",
            "change_summary",
        )

        def save(values: dict[str, Any]) -> Plan:
            # Fields left out keep their value: the service saves them all.
            return services.plan_update(
                plan=plan,
                version=values["version"],
                by=_user(request),
                **{name: values.get(name, getattr(plan, name)) for name in names},
            )

        return _write(request, PlanInput, save, _plan_data)


def _action_values(values: dict[str, Any], current: PlanAction | None = None) -> dict[str, Any]:
    """Map the API's fields to the services' arguments; those left out keep their value."""
    return {
        "factor_id": values.get("factor", current.factor_id if current else None),
        "action_type": values.get("action_type", current.action_type if current else ""),
        "description": values.get("description", current.description if current else ""),
        "agency": values.get("agency", current.agency if current else ""),
        "owner": values.get("owner", current.owner if current else ""),
        "due_on": values.get("due_on", current.due_on if current else None),
        "status": values.get("status") or (current.status if current else "NOT_STARTED"),
        "shareable": values.get("shareable", current.shareable if current else False),
    }


class PlanActionsApi(APIView):
    """Add an action to a draft plan version."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="arms_plans_actions_create", request=ActionInput, responses={201: ActionOutput, **ERRORS}
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(user=_user(request), plan_id=plan_id, for_change=True)
        return _write(
            request,
            ActionInput,
            lambda values: services.plan_action_add(plan=plan, by=_user(request), **_action_values(values)),
            lambda action: ActionOutput(action).data,
            created=True,
        )


class PlanActionApi(APIView):
    """One action of a plan version. PATCH changes it on a draft; ``{"status": ...}``
    alone records progress (also on the current approved plan). DELETE removes it from a
    draft."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["patch", "delete", "options"]

    @extend_schema(
        operation_id="arms_plans_actions_update", request=ActionChangeInput, responses={200: ActionOutput, **ERRORS}
    )
    def patch(self, request: Request, plan_id: int, action_id: int) -> Response:
        action = _action_in(request, plan_id, action_id)
        by = _user(request)

        def save(values: dict[str, Any]) -> PlanAction:
            if set(values) == {"status"}:
                return services.plan_action_set_status(action=action, status=values["status"], by=by)
            return services.plan_action_update(action=action, by=by, **_action_values(values, action))

        return _write(request, ActionChangeInput, save, lambda saved: ActionOutput(saved).data)

    @extend_schema(
        operation_id="arms_plans_actions_destroy",
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **ERRORS},
    )
    def delete(self, request: Request, plan_id: int, action_id: int) -> Response:
        action = _action_in(request, plan_id, action_id)
        return _write(request, NoInput, lambda _: services.plan_action_remove(action=action, by=_user(request)), None)


class PlanSubmitApi(APIView):
    """Send a plan version for approval. What is missing answers 400, by field."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="arms_plans_submit",
        request=VersionInput,
        responses={200: PlanOutput, **ERRORS, 409: PLAN_CONFLICT},
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(user=_user(request), plan_id=plan_id, for_change=True)
        return _write(
            request,
            VersionInput,
            lambda values: services.plan_submit(plan=plan, version=values["version"], by=_user(request)),
            _plan_data,
        )


class PlanReturnApi(APIView):
    """A sergeant of the team returns a submitted plan version with comments."""

    permission_classes = [HasSergeantRole]
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="arms_plans_return", request=ReturnInput, responses={200: PlanOutput, **ERRORS})
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(user=_user(request), plan_id=plan_id, for_change=True)
        return _write(
            request,
            ReturnInput,
            lambda values: services.plan_return(plan=plan, comments=values["comments"], by=_user(request)),
            _plan_data,
        )


class PlanApproveApi(APIView):
    """A sergeant of the team (not the one who submitted) approves a plan version: it
    becomes the current plan."""

    permission_classes = [HasSergeantRole]
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="arms_plans_approve", request=PlanApproveInput, responses={200: PlanOutput, **ERRORS})
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(user=_user(request), plan_id=plan_id, for_change=True)
        return _write(
            request,
            PlanApproveInput,
            lambda values: services.plan_approve(plan=plan, by=_user(request), comments=values.get("comments", "")),
            _plan_data,
        )


# --- Reference data -------------------------------------------------------------------------


class FactorCatalogueApi(APIView):
    """The current ARMS factor catalogue: its version and every factor with its guidance."""

    permission_classes = [HasCaseworkRole]

    @extend_schema(operation_id="arms_factors_retrieve", responses=CatalogueOutput)
    def get(self, request: Request) -> Response:
        return Response(CatalogueOutput(selectors.factor_catalogue_current()).data)
