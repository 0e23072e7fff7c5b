"""Caseload API views (DRF): thin, one per operation, over the services and selectors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.accounts.permissions import HasCaseworkRole, HasOverseerRole
from mosovo.audit.context import note_consultation, note_denial
from mosovo.lib.api import refused, unknown_fields

from . import selectors, services
from .serializers import (
    ConvictionInput,
    ConvictionOutput,
    NotificationInput,
    NotificationOutput,
    OrderOutput,
    RSOOutput,
    RSOSummaryInput,
    TaskOutput,
    TeamTaskOutput,
    TravelOutput,
    grouped_tasks,
    page_payload,
)


class RSOListApi(APIView):
    """The RSOs the user may see, 50 to a page."""

    permission_classes = [HasCaseworkRole]

    @extend_schema(
        operation_id="rsos_list",
        responses=inline_serializer(
            "RSOPage",
            {
                "count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
                "results": RSOOutput(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        page = selectors.rso_page(user=request.user, page=request.query_params.get("page", 1))  # type: ignore[arg-type]
        return Response(page_payload(page, RSOOutput))


class RSODetailApi(APIView):
    """One RSO; PATCH changes the summary (other fields are not writable here)."""

    permission_classes = [HasCaseworkRole]

    @extend_schema(operation_id="rsos_retrieve", responses=RSOOutput)
    def get(self, request: Request, rso_id: int) -> Response:
        rso = selectors.rso_get_for_user(user=request.user, rso_id=rso_id)  # type: ignore[arg-type]
        return Response(RSOOutput(rso).data)

    @extend_schema(operation_id="rsos_summary_update", request=RSOSummaryInput, responses={200: RSOOutput, 409: None})
    def patch(self, request: Request, rso_id: int) -> Response:
        rso = selectors.rso_get_for_user(user=request.user, rso_id=rso_id, for_change=True)  # type: ignore[arg-type]
        unknown = sorted(set(request.data) - set(RSOSummaryInput().fields))
        if unknown:
            return Response({field: ["This field cannot be changed here."] for field in unknown}, status=400)
        data = RSOSummaryInput(data=request.data)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = data.validated_data
        try:
            rso = services.rso_update_summary(
                rso=rso,
                summary=values["summary"],
                version=values["version"],
                by=request.user,  # type: ignore[arg-type]
            )
        except services.StaleVersion as conflict:
            return Response(
                {"detail": str(conflict), "current": RSOOutput(conflict.current).data}, status=status.HTTP_409_CONFLICT
            )
        return Response(RSOOutput(rso).data)


def _create(request: Request, rso_id: int, input_serializer: type[Any], service: Any, output: type[Any]) -> Response:
    """Validate the input, call the service (which audits and recomputes), answer 201 or 400.

    Writes are for the team's officers and sergeants; inspectors read.
    """
    if request.user.role not in (Role.OFFICER, Role.SERGEANT):  # type: ignore[union-attr,operator]
        note_denial(object_type="view", object_ids=["api create"], reason="inspectors may not record casework")
        raise NotFound
    rso = selectors.rso_get_for_user(user=request.user, rso_id=rso_id, for_change=True)  # type: ignore[arg-type]
    unknown = unknown_fields(request, input_serializer)
    if unknown is not None:
        return unknown
    data = input_serializer(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        created = service(rso=rso, by=request.user, **data.validated_data)
    except ValidationError as error:
        return refused(error)
    return Response(output(created).data, status=201)


CREATORS: dict[str, tuple[type[Any], Any]] = {
    "convictions": (ConvictionInput, services.conviction_add),
    "notifications": (NotificationInput, services.notification_record),
}


def _children_api(relation: str, output: type[Any], doc: str) -> type[APIView]:
    """Build the endpoint for one kind of an RSO's records (one class per kind): GET lists
    them; POST, where offered, records one through the same service as the page."""

    class ChildListApi(APIView):
        permission_classes = [HasCaseworkRole]
        http_method_names = ["get", "post", "options"] if relation in CREATORS else ["get", "options"]

        @extend_schema(
            operation_id=f"rsos_{relation}_create", request=CREATORS.get(relation, (None,))[0], responses={201: output}
        )
        def post(self, request: Request, rso_id: int) -> Response:
            input_serializer, service = CREATORS[relation]
            return _create(request, rso_id, input_serializer, service, output)

        @extend_schema(operation_id=f"rsos_{relation}_list", responses=output(many=True))
        def get(self, request: Request, rso_id: int) -> Response:
            page = selectors.rso_children_page(
                user=request.user,  # type: ignore[arg-type]
                rso_id=rso_id,
                relation=relation,
                page=request.query_params.get("page", 1),
            )
            return Response(page_payload(page, output))

    ChildListApi.__doc__ = doc
    ChildListApi.__name__ = ChildListApi.__qualname__ = f"RSO{relation.title()}Api"
    return ChildListApi


RSOConvictionsApi = _children_api("convictions", ConvictionOutput, "An RSO's convictions with their computed periods.")
RSONotificationsApi = _children_api("notifications", NotificationOutput, "An RSO's notifications, newest first.")
RSOOrdersApi = _children_api("orders", OrderOutput, "An RSO's civil orders with their prohibitions.")
RSOTravelApi = _children_api("travel", TravelOutput, "An RSO's foreign travel notices.")


# --- opsapi: the task API (the same selectors as the task pages) ---------------------------


def _note_listed(rows: list[dict[str, Any]]) -> None:
    """Record in the audit log which RSOs the list showed (by reference), as the pages do."""
    rso_ids = sorted({row["rso_id"] for row in rows if row["rso_id"] is not None})
    if rso_ids:
        note_consultation(rso_ids=rso_ids, object_type=selectors.RSO_TYPE, object_ids=rso_ids)


class TasksApi(APIView):
    """The user's own open tasks as one list: overdue (escalated included), due within the
    week, then upcoming within 90 days; each row says its group."""

    permission_classes = [HasCaseworkRole]

    @extend_schema(operation_id="tasks_list", responses=TaskOutput(many=True))
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        inbox = selectors.my_tasks(user=user, today=timezone.localdate())
        rows = grouped_tasks(
            TaskOutput,
            [("overdue", inbox.overdue), ("this_week", inbox.this_week), ("upcoming", inbox.upcoming)],
        )
        _note_listed(rows)
        return Response(rows)


class TeamTasksApi(APIView):
    """What a sergeant oversees as one list: escalated tasks, the rest overdue, officers
    over the 20% rule (with their figures), and tasks of unallocated cases due within the
    week (an inspector: the force's)."""

    permission_classes = [HasOverseerRole]

    @extend_schema(operation_id="tasks_team_list", responses=TeamTaskOutput(many=True))
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        team = selectors.team_tasks(user=user, today=timezone.localdate())
        rows = grouped_tasks(
            TeamTaskOutput,
            [
                ("escalated", team.escalated),
                ("overdue", team.overdue),
                ("cap_breaches", team.cap_breaches),
                ("unallocated", team.unallocated),
            ],
        )
        _note_listed(rows)
        return Response(rows)


# --- end of opsapi ---
