"""The dashboard reading a PostgreSQL streaming replica while the command line writes the primary.

With a replica of the test server (``REFORM_TEST_PG_REPLICA_URL``, e.g.
postgresql+psycopg://postgres@127.0.0.1:5433/test, made by ``scripts/pg_replica_setup.sh``): an
import and a refresh into the primary (``python -m data_access``, REFORM_DB_URL) appear through
the replica once it has replayed them: the same data version, the same scores, and on the
dashboard (REFORM_DB_READ_URL) at its next rerun. Without one these tests skip, saying why
(under CI=true with the variable set, an unreachable replica is an error).

A replica that falls behind is made by pausing its replay (``pg_wal_replay_pause()``): the page
then shows the old numbers with the lag caption, from the real probe; after the replay, the new
numbers. The caption's presence and absence are also checked without a replica, the probe
replaced; the probe itself in tests/test_replica_config.py.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers.app import _app, _app_env, _metric, _no_exception, _texts  # noqa: F401 - _app_env: autouse
from helpers.import_files import (
    CATALOGUE,
    CATALOGUE_HEADERS,
    DOSSIER_HEADERS,
    UNIT,
    dossier,
    write_csv,
)
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from data_access import config, replica
from data_access.__main__ import main
from data_access.engine import get_engine
from scorecard import service
from scorecard.periods import period_for_week
from texts import fmt_duration, fmt_number, t
from ui import data

PG_URL = os.environ.get("REFORM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPLICA_URL = os.environ.get("REFORM_TEST_PG_REPLICA_URL", "").strip()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REPLAY_TIMEOUT_S = 30


def _replica_problem() -> str | None:
    """Why the replica tests cannot run, or None."""
    if not REPLICA_URL:
        return ("REFORM_TEST_PG_REPLICA_URL is not set: no PostgreSQL replica to read "
                "(scripts/pg_replica_setup.sh makes one on port 5433)")
    try:
        eng = create_engine(REPLICA_URL, connect_args={"connect_timeout": 3})
        try:
            with eng.connect() as conn:
                standby = conn.execute(text("SELECT pg_is_in_recovery()")).scalar()
        finally:
            eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"replica not reachable at {REPLICA_URL}: {type(exc).__name__}"
    return None if standby else f"{REPLICA_URL} is not a standby (pg_is_in_recovery() is false)"


@pytest.fixture
def urls() -> Iterator[tuple[str, str]]:
    """(primary URL, replica URL) of a fresh schema of the test server, seen on both."""
    problem = _replica_problem()
    if problem:
        if IN_CI and REPLICA_URL:
            pytest.fail(problem)
        pytest.skip(problem)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    option = f"options=-csearch_path%3D{name}"
    try:
        yield tuple(f"{u}{'&' if '?' in u else '?'}{option}" for u in (PG_URL, REPLICA_URL))  # type: ignore[misc]
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def _caught_up(primary: Engine, standby: Engine, what: str = "replay") -> None:
    """Wait until the standby has replayed (``what="replay"``) or received (``"receive"``) all
    the WAL the primary has written so far."""
    with primary.connect() as conn:
        target = conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar()
    probe = text(f"SELECT pg_last_wal_{what}_lsn() >= CAST(:t AS pg_lsn)")  # what: a fixed word
    deadline = time.monotonic() + REPLAY_TIMEOUT_S
    while True:
        with standby.connect() as conn:
            done = conn.execute(probe, {"t": target}).scalar()
        if done:
            return
        assert time.monotonic() < deadline, f"the replica did not {what} {target} in {REPLAY_TIMEOUT_S} s"
        time.sleep(0.1)


def _replayed(primary: Engine, standby: Engine) -> None:
    _caught_up(primary, standby, "replay")


def _cli(primary_url: str, replica_url: str, monkeypatch: pytest.MonkeyPatch, *argv: str) -> None:
    """``python -m data_access ARGV`` with the dashboard configured to read the replica: the
    command line must write the primary all the same."""
    monkeypatch.setenv(config.ENV_VAR, primary_url)
    monkeypatch.setenv(config.READ_ENV_VAR, replica_url)
    assert main(list(argv)) == 0


def _dossiers(tmp: Path, name: str, codes: list[str]) -> str:
    return str(write_csv(tmp / name, DOSSIER_HEADERS, [dossier(c, DonViXuLy=UNIT) for c in codes]))


def _unit_dossiers(engine: Engine) -> str:
    """The dossiers count of UNIT in the latest week's year to date, as the unit page shows it."""
    week = service.latest_week(engine)
    units = service.units(engine)
    parent = units.loc[units["code"].astype(str) == UNIT, "parent_code"].iloc[0]
    summary = service.scorecard(engine, "commune", period_for_week("ytd", week), parent=parent).summary
    return fmt_number(summary[summary["unit_code"].astype(str) == UNIT].iloc[0]["dossiers"], 0)


def _load_first(urls: tuple[str, str], tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    primary_url, replica_url = urls
    cat = str(write_csv(tmp / "cat.csv", CATALOGUE_HEADERS, CATALOGUE))
    _cli(primary_url, replica_url, monkeypatch, "init")
    _cli(primary_url, replica_url, monkeypatch, "import", cat)
    _cli(primary_url, replica_url, monkeypatch, "import", _dossiers(tmp, "first.csv", ["A0", "A1", "A2"]))
    _cli(primary_url, replica_url, monkeypatch, "refresh")


def test_an_import_into_the_primary_is_read_through_the_replica(
        urls: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    primary_url, replica_url = urls
    primary = get_engine(primary_url)
    standby = get_engine(replica_url, read_only=True)  # as the dashboard opens it
    try:
        _load_first(urls, tmp_path, monkeypatch)
        _replayed(primary, standby)
        before = service.data_version(standby)
        assert before == service.data_version(primary)
        assert _unit_dossiers(standby) == _unit_dossiers(primary)

        _cli(primary_url, replica_url, monkeypatch, "import",
             _dossiers(tmp_path, "second.csv", ["B0", "B1", "B2", "B3"]))
        _cli(primary_url, replica_url, monkeypatch, "refresh")
        _replayed(primary, standby)
        after = service.data_version(standby)
        assert after == service.data_version(primary) != before, "the cache key moved"
        assert _unit_dossiers(standby) == _unit_dossiers(primary)
        week = service.latest_week(primary)
        for level in ("province", "commune"):
            ours = service.scorecard(standby, level, period_for_week("ytd", week)).summary
            theirs = service.scorecard(primary, level, period_for_week("ytd", week)).summary
            assert ours.equals(theirs), level

        lag = replica.lag_seconds(standby)
        assert lag is not None and lag >= 0, "a standby always has a lag, 0 when caught up"
        assert replica.lag_seconds(primary) is None
    finally:
        primary.dispose()
        standby.dispose()


@contextmanager
def _replay_paused(replica_url: str) -> Iterator[None]:
    """The standby keeps receiving WAL but replays none of it (a replica that falls behind)."""
    eng = create_engine(replica_url)
    try:
        with eng.connect() as conn:
            try:
                conn.execute(text("SELECT pg_wal_replay_pause()"))
            except DBAPIError as exc:
                pytest.skip(f"cannot pause the replica's replay (superuser needed): {exc.orig}")
        try:
            yield
        finally:
            with eng.connect() as conn:
                conn.execute(text("SELECT pg_wal_replay_resume()"))
    finally:
        eng.dispose()


def _received(primary: Engine, standby: Engine) -> None:
    _caught_up(primary, standby, "receive")


@pytest.mark.slow
def test_the_dashboard_reading_the_replica_shows_the_lag_then_the_import(
        urls: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The acceptance of issue 14, with the real probe: while the replica has not replayed an
    import and refresh, the page shows the old numbers and says how far behind it reads; once
    it has, the next rerun shows the new numbers."""
    primary_url, replica_url = urls
    primary = get_engine(primary_url)
    standby = get_engine(replica_url, read_only=True)
    try:
        _load_first(urls, tmp_path, monkeypatch)
        _replayed(primary, standby)
        before = _unit_dossiers(standby)
        # the page gets no way to the primary: were it to read REFORM_DB_URL, it would stop
        nowhere = f"sqlite:///{tmp_path / 'not-the-primary.db'}"
        at = _app(nowhere, monkeypatch, unit=UNIT)
        monkeypatch.setenv(config.READ_ENV_VAR, replica_url)
        assert data.current_url() == replica_url
        with _replay_paused(replica_url):
            _cli(primary_url, replica_url, monkeypatch, "import",
                 _dossiers(tmp_path, "second.csv", ["B0", "B1", "B2", "B3"]))
            _cli(primary_url, replica_url, monkeypatch, "refresh")
            _received(primary, standby)
            assert service.data_version(standby) != service.data_version(primary)
            lag = replica.lag_seconds(standby)
            assert lag is not None and lag > 0
            monkeypatch.setenv(config.ENV_VAR, nowhere)
            data._replica_lag.clear()  # a probe cached by another test of the same URL: none
            at.run()
            at.switch_page("app_pages/unit.py").run()
            _no_exception(at)
            assert _metric(at, t("ui.col.dossiers")) == before, "the replica's numbers"
            shown = [c.value for c in at.caption if c.value.startswith(t("ui.replica.lag", lag="")[:20])]
            assert len(shown) == 1, _texts(at)
        _replayed(primary, standby)
        after = _unit_dossiers(primary)
        assert after != before and _unit_dossiers(standby) == after
        at.run()  # the next rerun of the same session
        _no_exception(at)
        assert _metric(at, t("ui.col.dossiers")) == after
    finally:
        primary.dispose()
        standby.dispose()


# --- the caption (no replica needed: the probe is replaced) ------------------------------------


@pytest.mark.slow
def test_the_lag_caption_shows_when_the_read_database_is_behind(
        demo_databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The read URL is what the page reads (the primary's URL names a missing file, which
    would stop the page), and the lag the probe reports is under the data's date; none at 0."""
    lags = {"value": 3.4}
    monkeypatch.setattr(data, "replica_lag", lambda _url: lags["value"])
    at = _app(f"sqlite:///{tmp_path / 'no-such-primary.db'}", monkeypatch)
    monkeypatch.setenv(config.READ_ENV_VAR, demo_databases.url("sqlite"))
    caption = t("ui.replica.lag", lag=fmt_duration(3.4))
    assert "3 giây" in caption
    at.run()
    _no_exception(at)
    assert [c.value for c in at.caption].count(caption) == 1, _texts(at)
    lags["value"] = 0.0
    at.run()
    _no_exception(at)
    assert t("ui.replica.lag", lag="").split(",")[0] not in _texts(at), "a caught-up replica: nothing"
