"""New data shows on the next rerun: the loaders' cache is keyed on the data version.

Found by an outside test: after an import and a refresh a unit page kept showing the old count of
dossiers for up to ten minutes (the cache TTL), and the code comment claimed a refresh cleared it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.app import _app, _app_env, _metric, _no_exception  # noqa: F401 - _app_env: autouse
from helpers.import_files import CATALOGUE, CATALOGUE_HEADERS, UNIT, write_csv
from helpers.import_files import import_dossiers as _import
from sqlalchemy import Engine

from data_access.importer import import_files
from data_access.refresh import refresh
from scorecard import service
from scorecard.periods import period_for_week
from texts import fmt_number, t


def _expected(engine: Engine) -> str:
    week = service.latest_week(engine)
    unit = service.units(engine)
    parent = unit.loc[unit["code"].astype(str) == UNIT, "parent_code"].iloc[0]
    summary = service.scorecard(engine, "commune", period_for_week("ytd", week), parent=parent).summary
    row = summary[summary["unit_code"].astype(str) == UNIT].iloc[0]
    return fmt_number(row["dossiers"], 0)


@pytest.mark.slow
def test_import_and_refresh_show_on_the_next_rerun(engine: Engine, tmp_path: Path, monkeypatch):
    url = engine.url.render_as_string(hide_password=False)
    assert import_files(engine, [write_csv(tmp_path / "cat.csv", CATALOGUE_HEADERS, CATALOGUE)],
                        progress=False) == 0  # fmt: skip
    _import(engine, tmp_path, "first.csv", [f"A{i}" for i in range(3)])
    before = _expected(engine)

    at = _app(url, monkeypatch, unit=UNIT)
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert _metric(at, t("ui.col.dossiers")) == before

    # more dossiers through the importer, then a refresh, in the same database
    _import(engine, tmp_path, "second.csv", [f"B{i}" for i in range(4)])
    with engine.begin() as conn:
        refresh(conn)
    after = _expected(engine)
    assert after != before

    at.run()  # the same session's next interaction: no restart, no waiting for a timer
    _no_exception(at)
    assert _metric(at, t("ui.col.dossiers")) == after

    # a session opened now sees the same numbers
    fresh = _app(url, monkeypatch, unit=UNIT)
    fresh.run()
    fresh.switch_page("app_pages/unit.py").run()
    _no_exception(fresh)
    assert _metric(fresh, t("ui.col.dossiers")) == after
