"""Supervision API views (DRF): thin, one per operation, over the services and selectors.

Read-only figures of the sergeant's dashboard (issue 8 item 7): a team's dashboard
(``?team=<id>``; a sergeant's own team by default) and, for inspectors, the force roll-up.
They carry counts and officers' names, never a case.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mosovo.accounts.models import User
from mosovo.accounts.permissions import HasInspectorRole, HasOverseerRole
from mosovo.accounts.scoping import ScopeDenied

from . import selectors
from .serializers import DashboardOutput, RollupOutput


class DashboardApi(APIView):
    """A team's dashboard figures, as the page shows them."""

    permission_classes = [HasOverseerRole]

    @extend_schema(
        operation_id="supervision_dashboard",
        parameters=[OpenApiParameter("team", int, description="Team id (default: your own team).")],
        responses=DashboardOutput,
    )
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        wanted = request.query_params.get("team") or user.team_id
        if wanted is None:
            teams = selectors.teams_for_user(user=user)
            first = teams.first()
            if first is None:
                raise NotFound
            wanted = first.pk
        try:
            team = selectors.team_get_for_user(user=user, team_id=wanted)
        except ScopeDenied:
            raise NotFound from None
        return Response(DashboardOutput(selectors.team_dashboard(user=user, team=team)).data)


class RollupApi(APIView):
    """Every team of the inspector's force with its totals."""

    permission_classes = [HasInspectorRole]

    @extend_schema(operation_id="supervision_rollup", responses=RollupOutput(many=True))
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        return Response(RollupOutput(selectors.force_rollup(user=user), many=True).data)
