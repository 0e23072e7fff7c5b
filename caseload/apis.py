"""Caseload API views (DRF): thin, one per operation, over the services and selectors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mosovo.accounts.permissions import HasCaseworkRole

from . import selectors, services
from .serializers import RSOOutput, RSOSummaryInput


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
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": RSOOutput(list(page.object_list), many=True).data,
            }
        )


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
