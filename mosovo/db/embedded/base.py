"""PostgreSQL backend that starts the embedded server on first connection."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base

from mosovo import embedded_db


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        params["host"] = embedded_db.socket_host()
        params.pop("port", None)
        return params
