"""``python -m data_access check``: sections, Vietnamese formats, exit codes, warnings."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import insert, select, update

from data_access import schema
from data_access.check import EXIT_NO_SCHEMA, EXIT_OK, EXIT_WARNINGS, run_check
from data_access.demo_model import START, default_end
from data_access.engine import get_engine
from scorecard.pipeline import generate_demo
from texts import t

SECTIONS = (
    "check.section.counts",
    "check.section.period",
    "check.section.freshness",
    "check.section.quality",
)


def _run(engine, capsys) -> tuple[int, str]:
    rc = run_check(engine, today=date(2025, 1, 6))
    return rc, capsys.readouterr().out


@pytest.mark.slow
def test_demo_database_is_clean(demo_url, capsys):
    # read-only, as the dashboard would open it: check must not write anything
    eng = get_engine(demo_url, read_only=True)
    try:
        rc, out = _run(eng, capsys)
    finally:
        eng.dispose()
    assert rc == EXIT_OK, out
    for key in SECTIONS:
        assert t(key).strip() in out
    assert t("check.section.rates", as_of="").split("(")[0].strip() in out
    assert t("check.quality_ok").strip() in out
    first, last = START.isocalendar(), default_end().isocalendar()
    assert f"{first[0]}-W{first[1]:02d}" in out and f"{last[0]}-W{last[1]:02d}" in out
    assert START.strftime("%d/%m/%Y") in out
    for level in ("Sở, ban, ngành", "Cấp huyện", "Cấp xã", "Toàn tỉnh"):
        assert level in out
    assert f"Năm {START.year}" in out and f"Năm {default_end().year}" in out
    assert "Đất đai" in out
    # Vietnamese number formats: 98,5% and 16.000
    assert re.search(r"\b\d{1,3},\d%", out)
    assert re.search(r"\b\d{1,3}\.\d{3}\b", out)
    assert "dossier" in out and "agg_unit_bucket" in out
    assert "(cách hôm nay" in out


@pytest.mark.slow
def test_rates_in_output_are_plausible(demo_url, capsys):
    eng = get_engine(demo_url, read_only=True)
    try:
        _, out = _run(eng, capsys)
    finally:
        eng.dispose()

    def pct(label: str) -> float:
        m = re.search(re.escape(label) + r"\s+(\d+,\d)%", out)
        assert m, (label, out)
        return float(m.group(1).replace(",", "."))

    assert pct("Sở, ban, ngành") > pct("Cấp xã") > pct("Cấp huyện")
    assert pct("Đất đai") > pct("Các lĩnh vực khác")
    online = {y: float(v.replace(",", ".")) for y, v in re.findall(r"Năm (\d{4}): trực tuyến (\d+,\d)%", out)}
    assert online[str(default_end().year)] > online[str(START.year)]


def test_no_schema(db_url, capsys):
    eng = get_engine(db_url)
    try:
        rc, out = _run(eng, capsys)
    finally:
        eng.dispose()
    assert rc == EXIT_NO_SCHEMA
    assert t("check.no_schema") in out


def test_empty_database(engine, capsys):
    rc, out = _run(engine, capsys)
    assert rc == EXIT_OK
    assert t("check.no_dossiers") in out
    assert t("check.section.counts").strip() in out


@pytest.mark.slow
def test_warnings(engine, capsys):
    generate_demo(engine, scale=0.0005, progress=False)
    d = schema.dossier
    with engine.begin() as c:
        codes = c.execute(
            select(d.c.code).where(d.c.status == 10, d.c.counted == 1).order_by(d.c.code).limit(4)
        ).scalars().all()
        c.execute(update(d).where(d.c.code == codes[0]).values(unit_code="KHONGCO"))
        c.execute(update(d).where(d.c.code == codes[1]).values(procedure_code="9.999999"))
        c.execute(update(d).where(d.c.code == codes[2]).values(end_date=None))
        c.execute(update(d).where(d.c.code == codes[3]).values(due_at=datetime(2020, 1, 1, 17)))
    rc, out = _run(engine, capsys)
    assert rc == EXIT_WARNINGS
    for key in (
        "check.warn.unknown_unit",
        "check.warn.unknown_procedure",
        "check.warn.done_no_end",
        "check.warn.due_before_received",
    ):
        assert t(key, n="1") in out, key
    # the moved dossier leaves two unit-bucket cells out of step with the aggregates
    assert t("check.warn.aggregate", table="agg_unit_bucket", n="2") in out
    assert t("check.warn.aggregate", table="agg_unit_procedure", n="2") in out
    assert t("check.quality_ok") not in out


@pytest.mark.slow
def test_load_after_refresh_is_flagged(engine, capsys):
    generate_demo(engine, scale=0.0005, progress=False)
    with engine.begin() as c:
        c.execute(insert(schema.load_log).values(at=datetime.now(), action="import", detail="x"))
    rc, out = _run(engine, capsys)
    assert rc == EXIT_WARNINGS
    assert t("check.warn.refresh_stale") in out
    assert t("check.action.import") in out
