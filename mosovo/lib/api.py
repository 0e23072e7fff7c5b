"""The plumbing every write endpoint shares: refuse fields an operation does not take,
turn a service's refusal into a 400 with field messages, a stale version into a 409.

The domain apps' ``apis.py`` call ``write``; it knows nothing of their models: each app
passes its conflict exception, how to show the current state, and any refusals of its
own (the caseload's 20% rule, for example).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

Handler = Callable[[Any], Response]


def unknown_fields(request: Request, input_class: type[serializers.Serializer[Any]]) -> Response | None:
    """Refuse fields the operation does not take (status, approved_by, rso, created_by...)."""
    if not isinstance(request.data, Mapping):
        return None  # the serializer says what is wrong with the body
    unknown = sorted(set(request.data) - set(input_class().fields))
    if unknown:
        return Response({name: ["This field cannot be set here."] for name in unknown}, status=400)
    return None


def refused(error: ValidationError) -> Response:
    """Answer a service's refusal: 400 with its messages by field (or non_field_errors)."""
    detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    return Response(detail, status=400)


def write(
    request: Request,
    input_class: type[serializers.Serializer[Any]],
    action: Callable[[dict[str, Any]], Any],
    render: Callable[[Any], Any] | None,
    *,
    created: bool = False,
    conflict: type[Exception] | None = None,
    current: Callable[[Any], Any] = lambda _: None,
    handlers: Mapping[type[Exception], Handler] | None = None,
) -> Response:
    """Validate the body, run ``action`` (service calls, in one transaction) and answer
    with ``render`` of its result (or 204 without one).

    400: unknown fields, bad values (per field) or a refusal by the service (nothing is
    saved); 409: ``conflict`` (a stale version; the body holds ``current`` of the fresh
    object); ``handlers`` answer other refusals of the app's own.
    """
    unknown = unknown_fields(request, input_class)
    if unknown is not None:
        return unknown
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        with transaction.atomic():
            result = action(dict(data.validated_data))
    except ValidationError as error:
        return refused(error)
    except Exception as error:
        if conflict is not None and isinstance(error, conflict):
            return Response(
                {"detail": str(error), "current": current(getattr(error, "current", None))},
                status=status.HTTP_409_CONFLICT,
            )
        for kind, handler in (handlers or {}).items():
            if isinstance(error, kind):
                return handler(error)
        raise
    if render is None:
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(render(result), status=201 if created else 200)
