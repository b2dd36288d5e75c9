"""``python -m data_access sql NAME``: every named statement compiles for both dialects and the
printed SQL runs as printed on both backends; an unknown name is a Vietnamese message, exit 2."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from data_access.__main__ import main
from data_access.queries import registry
from texts import t

NAMES = registry.names()


def test_the_registry_holds_the_main_queries():
    # the measures, the series rows, the refresh's aggregates and the snapshot read at least
    for name in ("bucket_totals", "bucket_measure_rows", "refresh_dossier_buckets",
                 "score_week_rows", "bieu06a_counts"):  # fmt: skip
        assert name in NAMES


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("name", NAMES)
def test_every_name_compiles(name: str, dialect: str):
    sql = registry.compiled_sql(name, dialect)
    assert sql.lstrip().upper().startswith("SELECT")
    assert "__[POSTCOMPILE" not in sql  # IN lists rendered, not left as placeholders


def test_printed_sql_runs_on_the_backend(engine: Engine):
    """What a reviewer reads is what the database accepts: each statement, compiled for the
    engine's dialect with its example literals, executes (on an empty schema). A statement
    registered for some backends only (the replica probe) runs on those."""
    with engine.connect() as conn:
        for name in NAMES:
            if not registry.REGISTRY[name].runs_on(engine.dialect.name):
                continue
            sql = registry.compiled_sql(name, engine.dialect.name)
            conn.exec_driver_sql(sql).all()


def test_cli_prints_sql_and_lists_names(capsys: pytest.CaptureFixture[str]):
    assert main(["sql", "bucket_totals", "--dialect", "postgresql"]) == 0
    out = capsys.readouterr().out
    assert "FROM agg_unit_bucket" in out and "'2024-01-01'" in out
    assert main(["sql", "--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == NAMES


@pytest.mark.parametrize("argv", [["sql", "khong_co"], ["sql"]])
def test_unknown_or_missing_name_exits_2_in_vietnamese(argv: list[str],
                                                       capsys: pytest.CaptureFixture[str]):  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    expected = t("sql.unknown", name="khong_co") if len(argv) > 1 else t("sql.missing")
    assert err.strip() == expected
