"""A read URL (a PostgreSQL streaming replica) for the dashboard, the primary for the command line;
the replica-lag probe (None on SQLite and on a primary) and its caption's words."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, event, inspect
from sqlalchemy.exc import OperationalError

from data_access import config, replica
from data_access.__main__ import main
from data_access.engine import get_engine
from data_access.queries import registry
from texts import fmt_duration, t

ROOT = Path(__file__).resolve().parent.parent
PRIMARY = "postgresql+psycopg://writer@primary.example/reform"
REPLICA = "postgresql+psycopg://reader@replica.example/reform"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    monkeypatch.delenv(config.READ_ENV_VAR, raising=False)


def _secrets(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(body, encoding="utf-8")
    return path


# --- configuration ---------------------------------------------------------------------------


def test_without_a_read_url_the_dashboard_reads_the_database(tmp_path: Path):
    none = tmp_path / "absent.toml"
    assert config.read_url(none) is None
    assert config.dashboard_url(none) == config.database_url(none) == config.default_url()
    only_url = _secrets(tmp_path, f'[database]\nurl = "{PRIMARY}"\n')
    assert config.read_url(only_url) is None
    assert config.dashboard_url(only_url) == PRIMARY


def test_read_url_from_secrets_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    secrets = _secrets(tmp_path, f'[database]\nurl = "{PRIMARY}"\nread_url = "{REPLICA}"\n')
    assert config.database_url(secrets) == PRIMARY, "the command line writes the primary"
    assert config.dashboard_url(secrets) == REPLICA, "the dashboard reads the replica"
    monkeypatch.setenv(config.READ_ENV_VAR, "sqlite:////tmp/copy.db")
    assert config.dashboard_url(secrets) == "sqlite:////tmp/copy.db", "the environment wins"
    assert config.database_url(secrets) == PRIMARY


def test_a_database_named_in_the_environment_is_not_read_through_a_replica_of_secrets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    secrets = _secrets(tmp_path, f'[database]\nurl = "{PRIMARY}"\nread_url = "{REPLICA}"\n')
    monkeypatch.setenv(config.ENV_VAR, "sqlite:////tmp/other.db")
    assert config.read_url(secrets) is None
    assert config.dashboard_url(secrets) == "sqlite:////tmp/other.db"
    monkeypatch.setenv(config.READ_ENV_VAR, REPLICA)  # both in the environment: a pair again
    assert config.dashboard_url(secrets) == REPLICA


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_read_url_is_no_read_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank: str):
    secrets = _secrets(tmp_path, f'[database]\nurl = "{PRIMARY}"\nread_url = "{blank}"\n')
    monkeypatch.setenv(config.READ_ENV_VAR, blank)
    assert config.read_url(secrets) is None
    assert config.dashboard_url(secrets) == PRIMARY


def test_the_dashboard_reads_the_read_url_and_the_cli_writes_the_primary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from ui import data

    primary, copy = tmp_path / "primary.db", tmp_path / "copy.db"
    monkeypatch.setenv(config.ENV_VAR, f"sqlite:///{primary}")
    monkeypatch.setenv(config.READ_ENV_VAR, f"sqlite:///{copy}")
    assert data.current_url() == f"sqlite:///{copy}"
    assert main(["init"]) == 0
    assert not copy.exists(), "the command line never writes the read URL"
    eng = get_engine(f"sqlite:///{primary}", read_only=True)
    try:
        assert "load_log" in inspect(eng).get_table_names()
    finally:
        eng.dispose()
    assert not data.needs_auto_demo(data.current_url()), "a configured read URL is never built"


# --- the probe -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("in_recovery", "caught_up", "age", "lag"),
    [
        (False, None, None, None),  # a primary
        (None, None, None, None),
        (True, True, 3600.0, 0.0),  # replayed all it received: an idle primary is no lag
        (True, False, 3.5, 3.5),
        (True, None, 12.0, 12.0),  # not receiving (primary unreachable): the upper bound
        (True, False, None, None),  # nothing replayed since it started: unknown
        (True, False, -0.2, 0.0),  # clocks a little apart
    ],
)
def test_lag_from_the_probe_row(in_recovery, caught_up, age, lag):
    assert replica.lag_from(in_recovery, caught_up, age) == lag


def test_probe_is_none_on_sqlite_and_on_a_primary(engine: Engine):
    """SQLite: no query at all; PostgreSQL primary (REFORM_TEST_PG_URL): not in recovery."""
    ro = get_engine(engine.url.render_as_string(hide_password=False), read_only=True)
    statements: list[str] = []
    event.listen(ro, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        assert replica.lag_seconds(ro) is None
        with ro.connect() as conn:
            assert replica.lag_seconds(conn) is None
    finally:
        ro.dispose()
    if engine.dialect.name == "sqlite":
        assert statements == []
    else:
        assert any("pg_is_in_recovery" in s for s in statements)


def test_probe_is_registered_for_postgresql_only_and_kept_out_of_the_queries():
    entry = registry.REGISTRY["replica_lag"] if "replica_lag" in registry.names() else None
    assert entry is not None and entry.dialects == ("postgresql",)
    assert entry.runs_on("postgresql") and not entry.runs_on("sqlite")
    assert "pg_last_wal_replay_lsn()" in registry.compiled_sql("replica_lag", "postgresql")
    for path in sorted((ROOT / "data_access" / "queries").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "pg_last_" not in source and "pg_is_in_recovery" not in source, path.name


def test_ui_probe_skips_sqlite_and_survives_a_failure(monkeypatch: pytest.MonkeyPatch):
    from ui import data

    def boom(_bind):  # noqa: ANN001, ANN202
        raise OperationalError("SELECT 1", {}, Exception("replica gone"))

    monkeypatch.setattr(replica, "lag_seconds", boom)
    assert data.replica_lag("sqlite:////nowhere/x.db") is None
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    assert data.replica_lag(url) is None, "a failing probe hides the caption, nothing more"
    monkeypatch.setattr(replica, "lag_seconds", lambda _bind: 4.0)
    assert data.replica_lag(url) == 4.0
    monkeypatch.setattr(replica, "lag_seconds", lambda _bind: 9.0)
    assert data.replica_lag(url) == 4.0, f"cached for {data.REPLICA_LAG_TTL} s"
    data._replica_lag.clear()
    assert data.replica_lag(url) == 9.0


# --- the caption's words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.0, "dưới 1 giây"),
        (0.4, "dưới 1 giây"),
        (3.9, "3 giây"),
        (59.99, "59 giây"),
        (60, "1 phút"),
        (125, "2 phút 5 giây"),
        (3600, "1 giờ"),
        (3725, "1 giờ 2 phút"),  # two units at most: the seconds are left out
        (2 * 86400 + 3 * 3600 + 59, "2 ngày 3 giờ"),
        (1500 * 86400, "1.500 ngày"),
    ],
)
def test_duration_in_words(seconds: float, words: str):
    assert fmt_duration(seconds) == words


def test_lag_caption_text():
    assert t("ui.replica.lag", lag=fmt_duration(3.2)) == (
        "Số liệu đọc từ bản sao, chậm 3 giây so với máy chủ chính"
    )
