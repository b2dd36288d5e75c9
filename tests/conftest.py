"""Shared fixtures: every database test runs against SQLite and the real PostgreSQL.

PostgreSQL: REFORM_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each test gets its own schema (search_path), dropped afterwards. Outside CI a missing server
skips the PostgreSQL variants with a visible reason; under CI=true it is an error.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from data_access.db import init_db
from data_access.engine import get_engine

PG_URL = os.environ.get(
    "REFORM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEMO_SCALE = float(os.environ.get("REFORM_TEST_DEMO_SCALE", "0.01"))

_pg_ok: bool | None = None


def pg_available() -> bool:
    global _pg_ok
    if _pg_ok is None:
        try:
            eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with eng.connect() as c:
                c.execute(text("select 1"))
            eng.dispose()
            _pg_ok = True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            _pg_ok = False
    return _pg_ok


def _require_pg() -> None:
    if not pg_available():
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI but not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")


class _PgSchema:
    """A throw-away schema on the test server, with a URL that selects it."""

    def __init__(self) -> None:
        self.name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(PG_URL)
        with self.admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{self.name}"'))
        sep = "&" if "?" in PG_URL else "?"
        self.url = f"{PG_URL}{sep}options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        with self.admin.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self.admin.dispose()


def _make_url(backend: str, tmp: Path) -> tuple[str, _PgSchema | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'reform.db'}", None
    _require_pg()
    sch = _PgSchema()
    return sch.url, sch


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database of each backend."""
    url, sch = _make_url(backend, tmp_path)
    yield url
    if sch:
        sch.drop()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A fresh database of each backend with the schema and reference data (``init``)."""
    eng = get_engine(db_url)
    init_db(eng)
    yield eng
    eng.dispose()


@contextmanager
def fresh_engine(backend: str, tmp: Path) -> Iterator[Engine]:
    """As the ``engine`` fixture, for fixtures of a wider scope (a module loads its data once)."""
    url, sch = _make_url(backend, tmp)
    eng = get_engine(url)
    init_db(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        if sch:
            sch.drop()


class DemoDatabases:
    """The small demo database of each backend, built on first use, at most once per test
    process (xdist worker): per-backend tests and a test that compares both share them."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self._tmp = tmp
        self._urls: dict[str, str] = {}
        self._schemas: list[_PgSchema] = []

    def url(self, backend: str) -> str:
        """URL of the demo on ``backend`` ("sqlite" or "postgresql"). Read it, don't write."""
        if backend not in self._urls:
            from scorecard.pipeline import generate_demo

            url, sch = _make_url(backend, self._tmp.mktemp(f"demo_{backend}"))
            if sch:
                self._schemas.append(sch)
            eng = get_engine(url)
            try:
                generate_demo(eng, scale=DEMO_SCALE, seed=766, progress=False)
            finally:
                eng.dispose()
            self._urls[backend] = url
        return self._urls[backend]

    def close(self) -> None:
        for sch in self._schemas:
            sch.drop()


@pytest.fixture(scope="session")
def demo_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDatabases]:
    dbs = DemoDatabases(tmp_path_factory)
    yield dbs
    dbs.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def demo_url(request: pytest.FixtureRequest, demo_databases: DemoDatabases) -> str:
    """A small demo database of each backend, built once per test session. Read it, don't write."""
    return demo_databases.url(request.param)


@pytest.fixture(scope="session")
def demo_engine(demo_url: str) -> Iterator[Engine]:
    eng = get_engine(demo_url)
    yield eng
    eng.dispose()


@pytest.hookimpl(tryfirst=True)  # before -m deselects: `-m "not slow"` leaves the browser out too
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are slow tests: the fast lane (``-m "not slow"``) never starts Chromium."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
