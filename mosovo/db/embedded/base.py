"""mosovo's PostgreSQL backend that starts the embedded server on first connection."""

from __future__ import annotations

from typing import Any

from mosovo import embedded_db
from mosovo.db.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        params["host"] = embedded_db.socket_host()
        params.pop("port", None)
        return params
