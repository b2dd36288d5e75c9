"""Engines: read-write for the command line, read-only for the dashboard."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from data_access.config import database_url


def _sqlite_path(url: str) -> str | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return None
    return u.database or None


def get_engine(url: str | None = None, read_only: bool = False) -> Engine:
    """An engine for ``url`` (default: the configured one).

    Read-only engines open SQLite files with ``mode=ro`` and put every PostgreSQL session in
    ``default_transaction_read_only``, so no page can change data even by mistake. (Deployments
    should also connect as the SELECT-only role; see SECURITY.md.)
    """
    url = url or database_url()
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = _sqlite_path(url)
        if path and path != ":memory:":
            if read_only:
                uri = f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true"
                engine = create_engine(uri)
            else:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url)
        else:
            engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=OFF")
            if not read_only:
                # WAL lets the dashboard read while an import writes.
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if backend == "postgresql":
        connect_args: dict[str, object] = {}
        if read_only:
            # Keep any options already in the URL (tests put search_path there).
            existing = make_url(url).query.get("options", "")
            if isinstance(existing, tuple):
                existing = " ".join(existing)
            connect_args["options"] = f"{existing} -c default_transaction_read_only=on".strip()
            if "connect_timeout" not in make_url(url).query:
                # An unreachable server must turn into a banner within seconds, not hang a page.
                connect_args["connect_timeout"] = 5
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    return create_engine(url, pool_pre_ping=True)
