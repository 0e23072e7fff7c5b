"""Visits API views (DRF): thin, one per operation, over the services and selectors.

Scope as on the pages: an RSO's team (officers and sergeant) plans and records its
visits, inspectors read the force's, and everything else answers 404. Approving a
single-officer visit is for the team's sergeant. Bad input answers 400 with a message
per field and changes nothing; a record saved at an old ``version`` answers 409 with the
current state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from arms.apis import HasSergeantRole, TeamWritesInspectorsRead
from caseload import selectors as caseload_selectors
from caseload.serializers import page_payload
from mosovo.accounts.models import User
from mosovo.audit.context import note_denial
from mosovo.lib.api import write

from . import selectors, services
from .models import DeviceExamination, SafetyAssessment, Visit
from .serializers import (
    CancelInput,
    DeviceInput,
    DeviceOutput,
    NoInput,
    RecordInput,
    SafetyInput,
    SafetyOutput,
    VisitOutput,
    VisitPlanInput,
    VisitSummaryOutput,
    VisitVersionInput,
)

# What a visit's record keeps when a PATCH leaves a field out.
RECORD_FIELDS = services.RECORD_FIELDS
NO_SUCH_OFFICER = {
    "lead_officer": "Choose an officer of the person's team to lead the visit",
    "second_officer": "The second officer must be an offender manager or sergeant of the same team",
}


def _user(request: Request) -> User:
    return cast(User, request.user)


def _visit_data(visit: Visit) -> Any:
    return VisitOutput(selectors.visit_view(visit=visit)).data


def _current_data(current: Any) -> Any:
    if isinstance(current, Visit):
        return _visit_data(current)
    if isinstance(current, SafetyAssessment):
        return SafetyOutput(current).data
    return None


def _write(
    request: Request,
    input_class: type[serializers.Serializer[Any]],
    action: Callable[[dict[str, Any]], Any],
    render: Callable[[Any], Any] | None,
    *,
    created: bool = False,
) -> Response:
    """``mosovo.lib.api.write`` with the visits' conflict (a stale version)."""
    return write(
        request, input_class, action, render, created=created, conflict=services.Conflict, current=_current_data
    )


def _officer(user_id: int | None, field: str) -> User | None:
    """Return the user the client named, or refuse on the field (the service checks the team)."""
    if user_id is None:
        return None
    officer = User.objects.filter(pk=user_id).first()
    if officer is None:
        raise ValidationError({field: NO_SUCH_OFFICER[field]})
    return officer


def _device_in(request: Request, visit_id: int, device_id: int) -> DeviceExamination:
    """Return the device to remove, which must be one of the visit's (404 otherwise)."""
    visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=True)
    device = selectors.device_get_for_user(user=_user(request), device_id=device_id, for_change=True)
    if device.visit_id != visit.pk:
        note_denial(object_type=services.DEVICE_TYPE, object_ids=[device_id], reason="not part of this visit")
        raise NotFound
    return device


ERRORS = {
    400: OpenApiResponse(description="Bad input: a message per field (or non_field_errors); nothing saved."),
    404: OpenApiResponse(description="Not found, or outside the user's scope."),
}
VISIT_CONFLICT = OpenApiResponse(
    response=inline_serializer("VisitConflict", {"detail": serializers.CharField(), "current": VisitOutput()}),
    description="The version sent is stale: nothing saved; ``current`` is the state now.",
)
SAFETY_CONFLICT = OpenApiResponse(
    response=inline_serializer("SafetyConflict", {"detail": serializers.CharField(), "current": SafetyOutput()}),
    description="The version sent is stale: nothing saved; ``current`` is the safety assessment now.",
)


# --- Visits ---------------------------------------------------------------------------------


class RSOVisitsApi(APIView):
    """An RSO's visits: GET lists them, newest first; POST plans one."""

    permission_classes = [TeamWritesInspectorsRead]

    @extend_schema(
        operation_id="visits_rso_visits_list",
        responses=inline_serializer(
            "VisitSummaryPage",
            {
                "count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
                "results": VisitSummaryOutput(many=True),
            },
        ),
    )
    def get(self, request: Request, rso_id: int) -> Response:
        rso = caseload_selectors.rso_get_for_user(user=_user(request), rso_id=rso_id)
        rows = selectors.rso_visits(rso=rso)
        page = Paginator(rows, caseload_selectors.PAGE_SIZE).get_page(request.query_params.get("page", 1))
        return Response(page_payload(page, VisitSummaryOutput))

    @extend_schema(
        operation_id="visits_rso_visits_plan", request=VisitPlanInput, responses={201: VisitOutput, **ERRORS}
    )
    def post(self, request: Request, rso_id: int) -> Response:
        rso = caseload_selectors.rso_get_for_user(user=_user(request), rso_id=rso_id, for_change=True)

        def plan(values: dict[str, Any]) -> Visit:
            return services.visit_plan(
                rso=rso,
                visit_type=values["visit_type"],
                planned_for=values["planned_for"],
                lead_officer=_officer(values["lead_officer"], "lead_officer"),
                second_officer=_officer(values.get("second_officer"), "second_officer"),
                single_officer_reason=values.get("single_officer_reason", ""),
                by=_user(request),
            )

        return _write(request, VisitPlanInput, plan, _visit_data, created=True)


class VisitDetailApi(APIView):
    """One visit: the plan, the safety assessment, the record, observations, compliance
    checklist and devices."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["get", "options"]

    @extend_schema(operation_id="visits_retrieve", responses={200: VisitOutput, 404: ERRORS[404]})
    def get(self, request: Request, visit_id: int) -> Response:
        visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id)
        return Response(_visit_data(visit))


class VisitSafetyApi(APIView):
    """Record or update the pre-visit safety assessment (``reviewed`` must be true)."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["put", "options"]

    @extend_schema(
        operation_id="visits_safety_update",
        request=SafetyInput,
        responses={200: SafetyOutput, **ERRORS, 409: SAFETY_CONFLICT},
    )
    def put(self, request: Request, visit_id: int) -> Response:
        visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=True)
        return _write(
            request,
            SafetyInput,
            lambda values: services.safety_assessment_record(visit=visit, by=_user(request), **values),
            lambda safety: SafetyOutput(safety).data,
        )


class VisitStartApi(APIView):
    """Start recording: refused (400) without the safety assessment, or with one officer
    whose going alone a sergeant has not approved."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="visits_start", request=None, responses={200: VisitOutput, **ERRORS})
    def post(self, request: Request, visit_id: int) -> Response:
        visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=True)
        return _write(request, NoInput, lambda _: services.visit_start(visit=visit, by=_user(request)), _visit_data)


class VisitRecordApi(APIView):
    """Save the visit record as a draft at the ``version`` read; fields left out keep
    their value. ``observations`` and ``compliance`` change only the rows sent."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["patch", "options"]

    @extend_schema(
        operation_id="visits_record_update",
        request=RecordInput,
        responses={200: VisitOutput, **ERRORS, 409: VISIT_CONFLICT},
    )
    def patch(self, request: Request, visit_id: int) -> Response:
        visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=True)

        def save(values: dict[str, Any]) -> Visit:
            return services.visit_record_save(
                visit=visit,
                version=values["version"],
                by=_user(request),
                **{name: values.get(name, getattr(visit, name)) for name in RECORD_FIELDS},
                observations={row["factor_id"]: row["note"] for row in values.get("observations", [])},
                compliance={row["id"]: (row["result"], row["note"]) for row in values.get("compliance", [])},
            )

        return _write(request, RecordInput, save, _visit_data)


class VisitCompleteApi(APIView):
    """Complete the record. What is missing answers 400, by field."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="visits_complete",
        request=VisitVersionInput,
        responses={200: VisitOutput, **ERRORS, 409: VISIT_CONFLICT},
    )
    def post(self, request: Request, visit_id: int) -> Response:
        visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=True)
        return _write(
            request,
            VisitVersionInput,
            lambda values: services.visit_complete(visit=visit, version=values["version"], by=_user(request)),
            _visit_data,
        )


class VisitDevicesApi(APIView):
    """Add a device examined at the visit (while it is being recorded)."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="visits_devices_create", request=DeviceInput, responses={201: DeviceOutput, **ERRORS})
    def post(self, request: Request, visit_id: int) -> Response:
        visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=True)
        return _write(
            request,
            DeviceInput,
            lambda values: services.device_add(visit=visit, by=_user(request), **values),
            lambda device: DeviceOutput(device).data,
            created=True,
        )


class VisitDeviceApi(APIView):
    """Remove a device entered in error (while the visit is being recorded)."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["delete", "options"]

    @extend_schema(
        operation_id="visits_devices_destroy",
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **ERRORS},
    )
    def delete(self, request: Request, visit_id: int, device_id: int) -> Response:
        device = _device_in(request, visit_id, device_id)
        return _write(request, NoInput, lambda _: services.device_remove(device=device, by=_user(request)), None)


class VisitApproveSingleApi(APIView):
    """A sergeant of the team approves one officer making the visit alone."""

    permission_classes = [HasSergeantRole]
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="visits_approve_single", request=None, responses={200: VisitOutput, **ERRORS})
    def post(self, request: Request, visit_id: int) -> Response:
        visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=True)
        return _write(
            request,
            NoInput,
            lambda _: services.visit_single_officer_approve(visit=visit, by=_user(request)),
            _visit_data,
        )


class VisitCancelApi(APIView):
    """Cancel a planned visit, with the reason."""

    permission_classes = [TeamWritesInspectorsRead]
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="visits_cancel", request=CancelInput, responses={200: VisitOutput, **ERRORS})
    def post(self, request: Request, visit_id: int) -> Response:
        visit = selectors.visit_get_for_user(user=_user(request), visit_id=visit_id, for_change=True)
        return _write(
            request,
            CancelInput,
            lambda values: services.visit_cancel(visit=visit, reason=values["reason"], by=_user(request)),
            _visit_data,
        )
