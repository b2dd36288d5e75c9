"""Engines: read-write for the command line, read-only for the dashboard."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from data_access.config import database_url
from data_access.watchdog import WATCHDOG

# --- SQLite: what a read-only connection may do ----------------------------------------------------
# ``mode=ro`` alone is not enough: ATTACH 'file:…?mode=rw' opens the same file writable, VACUUM
# INTO writes a copy anywhere, temp tables and PRAGMAs change state. The authorizer allows only
# reading, and denies everything else (default deny, so a new SQLite action is denied too).
_SQLITE_ALLOWED = frozenset({
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_TRANSACTION,  # BEGIN/COMMIT/ROLLBACK of the driver
    sqlite3.SQLITE_SAVEPOINT,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,  # WITH RECURSIVE
})
# PRAGMAs that only describe the schema (SQLAlchemy's reflection uses them); any other PRAGMA is
# allowed only without a value (reading a setting), except those that act even then.
_SQLITE_INTROSPECTION_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "database_list", "collation_list", "function_list", "module_list",
    "pragma_list", "compile_options",
})
_SQLITE_ACTING_PRAGMAS = frozenset({
    "optimize", "wal_checkpoint", "incremental_vacuum", "shrink_memory", "integrity_check",
    "quick_check", "foreign_key_check",
})


def sqlite_read_only_authorizer(action: int, arg1: str | None, arg2: str | None,
                                _db: str | None, _trigger: str | None) -> int:
    """sqlite3 authorizer of the dashboard's connections: reads only."""
    if action in _SQLITE_ALLOWED:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in _SQLITE_INTROSPECTION_PRAGMAS:
            return sqlite3.SQLITE_OK
        if arg2 is None and name not in _SQLITE_ACTING_PRAGMAS:
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


# --- PostgreSQL: sessions that cannot hang a page -------------------------------------------------

STATEMENT_TIMEOUT_ENV = "REFORM_PG_STATEMENT_TIMEOUT"
STATEMENT_TIMEOUT_S = 60  # as the reader role of scripts/create_readonly_role.sql
CONNECT_TIMEOUT_S = 5
# A dead peer (no ACKs) is cut after 10 s of unacknowledged data (tcp_user_timeout) and an idle
# pooled connection within 4 + 2 x 2 = 8 s (keepalives); see data_access/watchdog.py for a peer
# that acknowledges and never answers.
_PG_NETWORK_ARGS: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 4,
    "keepalives_interval": 2,
    "keepalives_count": 2,
    "tcp_user_timeout": 10_000,  # milliseconds
}


def statement_timeout_s() -> int:
    """REFORM_PG_STATEMENT_TIMEOUT (seconds, > 0) or 60: the longest a page's query may run."""
    raw = os.environ.get(STATEMENT_TIMEOUT_ENV, "").strip()
    try:
        value = int(raw)
    except ValueError:
        return STATEMENT_TIMEOUT_S
    return value if value > 0 else STATEMENT_TIMEOUT_S


def _pg_read_only_args(url: str) -> dict[str, object]:
    query = make_url(url).query
    # Keep any options already in the URL (tests put search_path there).
    existing = query.get("options", "")
    if isinstance(existing, tuple):
        existing = " ".join(existing)
    options = (
        f"{existing} -c default_transaction_read_only=on"
        f" -c statement_timeout={statement_timeout_s() * 1000}"
        # a page never holds a transaction open: a forgotten one must not hold locks
        " -c idle_in_transaction_session_timeout=60000"
    )
    args: dict[str, object] = {"options": options.strip()}
    if "connect_timeout" not in query:
        # An unreachable server must turn into a banner within seconds, not hang a page.
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    for k, v in _PG_NETWORK_ARGS.items():
        if k not in query:
            args[k] = v
    return args


def _socket_of(dbapi_conn: object) -> int | None:
    pgconn = getattr(dbapi_conn, "pgconn", None)  # psycopg 3
    try:
        # any DBAPI connection (duck-typed): one without fileno() raises, caught below
        return int(pgconn.socket) if pgconn is not None else int(dbapi_conn.fileno())  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a closed connection has no socket: nothing to watch
        return None


def _watch(engine: Engine, connect_args: dict[str, object]) -> None:
    """Register every call of ``engine`` (queries and the pool's pre-ping) with the watchdog."""
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    probe_params = {**cparams, **connect_args, "connect_timeout": 2}

    def probe() -> None:
        dbapi = engine.dialect.dbapi
        assert dbapi is not None  # typed Optional; loaded when the engine was created
        conn = dbapi.connect(*cargs, **probe_params)
        try:
            conn.cursor().execute("SELECT 1")
        finally:
            conn.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202, ARG001
        fd = _socket_of(conn.connection.dbapi_connection)
        if fd is not None:
            conn.info["_watchdog"] = WATCHDOG.start_call(fd, probe)

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202, ARG001
        WATCHDOG.end_call(conn.info.pop("_watchdog", None))

    @event.listens_for(engine, "handle_error")
    def _failed(ctx):  # noqa: ANN001, ANN202
        if ctx.connection is not None:
            WATCHDOG.end_call(ctx.connection.info.pop("_watchdog", None))

    # the pool's ping (``_ping_when_idle``) runs on the raw connection, outside the events above
    plain_ping = engine.dialect.do_ping

    def watched_ping(dbapi_conn) -> bool:  # noqa: ANN001
        fd = _socket_of(dbapi_conn)
        token = WATCHDOG.start_call(fd, probe) if fd is not None else None
        try:
            return plain_ping(dbapi_conn)
        finally:
            WATCHDOG.end_call(token)

    # patching a method on the dialect instance: mypy compares it with the unbound method
    engine.dialect.do_ping = watched_ping  # type: ignore[method-assign,assignment]


# A pooled connection is pinged before use only when it sat idle this long. SQLAlchemy's
# pool_pre_ping pings on every checkout, and a page run checks out a dozen connections in quick
# succession: a round trip each (several ms a run) for connections used a moment ago. A server
# that went away within this window fails the query instead; the pool is then invalidated and the
# page shows its outage banner, whose retry reconnects.
PING_AFTER_IDLE_S = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling (SQLAlchemy's checkout-event recipe), skipped for a
    connection checked in less than ``PING_AFTER_IDLE_S`` ago."""

    @event.listens_for(engine, "connect")
    def _fresh(dbapi_conn, record):  # noqa: ANN001, ANN202, ARG001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _idle(dbapi_conn, record):  # noqa: ANN001, ANN202, ARG001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_conn, record, proxy):  # noqa: ANN001, ANN202, ARG001
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)  # the watchdog's version on the dashboard
        except Exception as err:  # noqa: BLE001 - any failure: the pool replaces the connection
            raise exc.DisconnectionError() from err
        if not alive:
            raise exc.DisconnectionError()


def _sqlite_path(url: str) -> str | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return None
    return u.database or None


def get_engine(url: str | None = None, read_only: bool = False) -> Engine:
    """An engine for ``url`` (default: the configured one).

    Read-only engines open SQLite files with ``mode=ro``, ``query_only`` and an authorizer that
    denies every write, ATTACH and DETACH; they open every PostgreSQL session with
    ``default_transaction_read_only``, a statement timeout, TCP keepalives and a watchdog, so no
    page can change data even by mistake, nor hang on a silent network. (Deployments should also
    connect as the SELECT-only role; see SECURITY.md.)
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
            else:
                cur.execute("PRAGMA query_only=1")
            cur.close()
            if read_only:
                # no attached database at all (VACUUM INTO attaches its target), then reads only
                dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
                dbapi_conn.set_authorizer(sqlite_read_only_authorizer)

        return engine
    if backend == "postgresql":
        connect_args = _pg_read_only_args(url) if read_only else {}
        # Read-only: autocommit, each statement its own (read-only) transaction. A page's reads
        # never needed one around them (READ COMMITTED gave every statement its own snapshot
        # anyway), and without it psycopg sends no BEGIN before a connection's first statement
        # and the pool no ROLLBACK when it is returned: two round trips fewer per use, a dozen
        # uses per page run.
        engine = create_engine(url, connect_args=connect_args,
                               **({"isolation_level": "AUTOCOMMIT"} if read_only else {}))
        if read_only:
            _watch(engine, connect_args)
        _ping_when_idle(engine)
        return engine
    engine = create_engine(url)
    _ping_when_idle(engine)
    return engine
