"""The demo generator: determinism, shape, realism at small scale, consistency of aggregates."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import DEMO_SCALE
from helpers.reference import REFERENCE_UNITS
from sqlalchemy import func, select, text

from data_access import schema
from data_access.demo import planned_dossiers
from data_access.demo_model import (
    DEFAULT_DOSSIERS_PER_YEAR,
    DOSSIERS_PER_YEAR,
    START,
    default_end,
)
from scorecard.pipeline import generate_demo

END = default_end()  # the demo_engine fixture's demo ends there too (its default)
AS_OF = END.isoformat()
REFORM = "2025-07-01"  # the shipped defaults' two-tier reform (TWO_TIER_2025.md)
SMALL = 0.002
# Every unit receives at least one dossier a week, so a small scale over the whole span still
# makes ~30,000 dossiers: the slow tests use short spans, one of them across the reforms.
SHORT_END = date(2024, 3, 31)
ACROSS_END = date(2025, 7, 13)


def _iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _count(conn, table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _frame(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.DataFrame(c.execute(text(sql)).mappings().all())


def _sample(engine) -> pd.DataFrame:
    cols = ", ".join(c.name for c in schema.dossier.columns)
    df = _frame(engine, f"SELECT {cols} FROM dossier ORDER BY code")
    return df.iloc[:: max(len(df) // 200, 1)].reset_index(drop=True)


@pytest.mark.slow
def test_deterministic_and_replaces_facts(engine):
    first = generate_demo(engine, scale=SMALL, seed=1, progress=False, end=ACROSS_END)
    rows_first = _sample(engine)
    fb_first = _frame(engine, "SELECT * FROM feedback ORDER BY code")
    second = generate_demo(engine, scale=SMALL, seed=1, progress=False, end=ACROSS_END)
    assert first == second
    pd.testing.assert_frame_equal(rows_first, _sample(engine))
    pd.testing.assert_frame_equal(fb_first, _frame(engine, "SELECT * FROM feedback ORDER BY code"))
    with engine.connect() as c:
        # replaced, not appended
        assert _count(c, schema.dossier) == first["dossier"]
        assert _count(c, schema.procedure) == first["procedure"]
        assert _count(c, schema.feedback) == first["feedback"]
        actions = c.execute(select(schema.load_log.c.action)).scalars().all()
    assert actions.count("demo") == 2


@pytest.mark.slow
@pytest.mark.slow
def test_planned_dossiers_sizes_the_demo(engine):
    """planned_dossiers (what benchmarks size the demo with) is what generate_demo makes, but
    for the floor of one dossier per unit and week, which only adds."""
    planned = planned_dossiers(engine, scale=SMALL, end=ACROSS_END)
    made = generate_demo(engine, scale=SMALL, seed=1, progress=False, end=ACROSS_END)["dossier"]
    assert planned <= made
    assert planned_dossiers(engine, scale=2 * SMALL, end=ACROSS_END) == pytest.approx(2 * planned, rel=0.01)


def test_other_seed_differs(engine):
    generate_demo(engine, scale=SMALL, seed=1, progress=False, end=SHORT_END)
    a = _sample(engine)
    generate_demo(engine, scale=SMALL, seed=2, progress=False, end=SHORT_END)
    b = _sample(engine)
    assert not a.equals(b)


@pytest.mark.slow
def test_progress_false_prints_nothing(engine, capsys):
    generate_demo(engine, scale=0.0005, progress=False, end=SHORT_END)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


@pytest.mark.slow
def test_creates_schema_when_missing(db_url):
    from data_access.engine import get_engine

    eng = get_engine(db_url)
    try:
        counts = generate_demo(eng, scale=0.0005, progress=False, end=SHORT_END)
        with eng.connect() as c:
            assert _count(c, schema.unit) == REFERENCE_UNITS  # init ran first
            assert _count(c, schema.dossier) == counts["dossier"] > 0
    finally:
        eng.dispose()


def test_counts_and_catalogue(demo_engine):
    with demo_engine.connect() as c:
        n_dossiers = _count(c, schema.dossier)
        n_procs = _count(c, schema.procedure)
        n_fields = _count(c, schema.field)
        n_ann = _count(c, schema.procedure_announcement)
        n_fb = _count(c, schema.feedback)
    years = ((END - START).days + 1) / 365.25
    per_year = sorted([DEFAULT_DOSSIERS_PER_YEAR, *DOSSIERS_PER_YEAR.values()])
    units = _frame(demo_engine, "SELECT COUNT(*) AS n FROM unit WHERE level <> 'province'")
    floor = units["n"].iloc[0] * ((END - START).days + 1) / 7  # at most 1 a week per unit
    assert 0.9 * per_year[0] * years * DEMO_SCALE <= n_dossiers
    assert n_dossiers <= 1.1 * per_year[-1] * years * DEMO_SCALE + floor
    assert 400 <= n_procs <= 600
    assert 15 <= n_fields <= 22
    assert 100 * years <= n_ann <= 200 * years
    assert n_fb > 20
    procs = _frame(demo_engine, "SELECT * FROM procedure")
    assert procs["code"].str.fullmatch(r"[12]\.\d{6}").all()
    assert set(procs["level"]) == {"department", "district", "commune"}
    # The catalogue is not versioned: the departments of 2024 own procedures; a department
    # created by a merger (SNNMT) handles its predecessors' instead.
    depts_2024 = _frame(demo_engine, "SELECT code FROM unit WHERE level = 'department' "
                        f"AND (valid_from IS NULL OR valid_from <= '{START.isoformat()}')")
    agencies = set(procs.loc[procs["level"] == "department", "agency_code"])
    assert agencies == set(depts_2024["code"])
    assert procs.loc[procs["level"] != "department", "agency_code"].isna().all()
    assert set(procs["online_level"]) == {0, 1, 2}
    fee = procs[procs["fee_bearing"] == 1]
    assert 0 < fee["online_payment"].sum() < len(fee)  # some fee-bearing without payment
    assert procs.loc[procs["certification"] == 1, "level"].isin(["district", "commune"]).any()


def test_every_unit_receives_dossiers(demo_engine):
    units = _frame(
        demo_engine,
        "SELECT code FROM unit WHERE level <> 'province' "
        f"AND (valid_from IS NULL OR valid_from <= '{AS_OF}') "
        f"AND (valid_to IS NULL OR valid_to >= '{START.isoformat()}')",
    )
    got = _frame(demo_engine, "SELECT DISTINCT unit_code FROM dossier")
    assert set(got["unit_code"]) == set(units["code"])


def test_every_dossier_and_feedback_unit_is_valid_on_its_received_day(demo_engine):
    for table in ("dossier", "feedback"):
        day = "d.received_date"
        df = _frame(
            demo_engine,
            f"SELECT COUNT(*) AS n FROM {table} d JOIN unit u ON u.code = d.unit_code "
            f"WHERE (u.valid_from IS NOT NULL AND {day} < u.valid_from) "
            f"OR (u.valid_to IS NOT NULL AND {day} > u.valid_to)",
        )
        assert df["n"].iloc[0] == 0, table


def test_the_two_tier_reform(demo_engine):
    """After 30/06/2025 no district and no 2022 commune; before 01/07/2025 no 2025 commune."""
    df = _frame(
        demo_engine,
        "SELECT SUM(CASE WHEN d.received_date >= '" + REFORM + "' AND (u.level = 'district' "
        "OR (u.level = 'commune' AND u.parent_code <> '48')) THEN 1 ELSE 0 END) AS old_after, "
        "SUM(CASE WHEN d.received_date < '" + REFORM + "' AND u.parent_code = '48' "
        "THEN 1 ELSE 0 END) AS new_before, COUNT(*) AS n "
        "FROM dossier d JOIN unit u ON u.code = d.unit_code",
    )
    r = df.iloc[0]
    assert r["old_after"] == 0 and r["new_before"] == 0 and r["n"] > 0


def test_latest_week_covers_todays_units(demo_engine):
    """The 94 communes and the 13 departments valid at the end all receive dossiers in the
    latest week (counted from the unit table)."""
    valid = _frame(
        demo_engine,
        "SELECT level, COUNT(*) AS n FROM unit WHERE level <> 'province' "
        f"AND (valid_from IS NULL OR valid_from <= '{AS_OF}') "
        f"AND (valid_to IS NULL OR valid_to >= '{AS_OF}') GROUP BY level",
    )
    expected = dict(zip(valid["level"], valid["n"], strict=True))
    assert expected == {"commune": 94, "department": 13}
    got = _frame(
        demo_engine,
        "SELECT u.level, COUNT(DISTINCT d.unit_code) AS n FROM dossier d "
        f"JOIN unit u ON u.code = d.unit_code WHERE d.received_week = '{_iso_week(END)}' "
        "GROUP BY u.level",
    )
    assert dict(zip(got["level"], got["n"], strict=True)) == expected


def test_announcements_by_the_province_of_the_day(demo_engine):
    df = _frame(
        demo_engine,
        "SELECT COUNT(*) AS n, SUM(CASE WHEN u.code IS NULL THEN 1 ELSE 0 END) AS bad "
        "FROM procedure_announcement a LEFT JOIN unit u ON u.code = a.unit_code "
        "AND u.level = 'province' AND (u.valid_from IS NULL OR u.valid_from <= a.decision_date) "
        "AND (u.valid_to IS NULL OR u.valid_to >= a.decision_date)",
    )
    assert df["n"].iloc[0] > 0 and df["bad"].iloc[0] == 0
    units = _frame(demo_engine, "SELECT DISTINCT unit_code FROM procedure_announcement")
    assert set(units["unit_code"]) == {"49", "48"}


def test_heirs_handle_their_predecessors_procedures(demo_engine):
    """After the mergers an absorbing department receives its predecessors' procedures; after
    the reform the communes receive the district procedures."""
    df = _frame(
        demo_engine,
        "SELECT d.unit_code, p.level, p.agency_code, MIN(d.received_date) AS d0 FROM dossier d "
        "JOIN procedure p ON p.code = d.procedure_code JOIN unit u ON u.code = d.unit_code "
        "WHERE (p.agency_code IS NOT NULL AND p.agency_code <> d.unit_code) OR p.level <> u.level "
        "GROUP BY d.unit_code, p.level, p.agency_code",
    )
    lin = _frame(demo_engine, "SELECT old_code, new_code, valid_from FROM unit_lineage")
    merged = df[df["agency_code"].notna()]
    assert set(merged["unit_code"]) == {"SNNMT", "SKHCN", "SNV", "SXD", "STC"}
    heirs = {(r.old_code, r.new_code): str(r.valid_from) for r in lin.itertuples()}
    for r in merged.itertuples():
        assert str(r.d0) >= heirs[(r.agency_code, r.unit_code)]
    moved = df[df["agency_code"].isna()]
    assert set(moved["level"]) == {"district"}
    assert str(moved["d0"].min()) >= REFORM


def test_default_end_is_the_last_complete_week():
    assert default_end(date(2026, 12, 2)) == date(2026, 11, 29)  # a Wednesday
    assert default_end(date(2026, 11, 30)) == date(2026, 11, 29)  # a Monday
    assert default_end(date(2026, 11, 29)) == date(2026, 11, 22)  # Sunday: not complete yet
    assert default_end().isoweekday() == 7


def test_dossiers_only_reference_known_units_and_procedures(demo_engine):
    df = _frame(
        demo_engine,
        "SELECT COUNT(*) AS n FROM dossier d LEFT JOIN unit u ON u.code = d.unit_code "
        "LEFT JOIN procedure p ON p.code = d.procedure_code WHERE u.code IS NULL OR p.code IS NULL",
    )
    assert df["n"].iloc[0] == 0
    # department dossiers are for that department's own procedures or, from a merger on, its
    # predecessors'; other levels' for their level's or, once a level is gone, its procedures
    df = _frame(
        demo_engine,
        "SELECT COUNT(*) AS n FROM dossier d JOIN unit u ON u.code = d.unit_code "
        "JOIN procedure p ON p.code = d.procedure_code "
        "WHERE NOT (p.level = u.level AND (p.agency_code IS NULL OR p.agency_code = u.code "
        "  OR EXISTS (SELECT 1 FROM unit_lineage l WHERE l.old_code = p.agency_code "
        "    AND l.new_code = u.code AND l.valid_from <= d.received_date))) "
        "AND NOT (p.agency_code IS NULL AND EXISTS (SELECT 1 FROM unit_level v "
        "  WHERE v.code = p.level AND v.valid_to < d.received_date))",
    )
    assert df["n"].iloc[0] == 0


def test_period_and_statuses(demo_engine):
    df = _frame(
        demo_engine,
        "SELECT MIN(received_week) AS w0, MAX(received_week) AS w1, "
        "MIN(received_date) AS d0, MAX(received_date) AS d1, "
        "SUM(CASE WHEN due_at IS NULL THEN 1 ELSE 0 END) AS no_due, COUNT(*) AS n FROM dossier",
    )
    r = df.iloc[0]
    assert (r["w0"], r["w1"]) == (_iso_week(START), _iso_week(END))
    assert str(r["d0"]) == START.isoformat() and str(r["d1"]) <= AS_OF
    assert 0.01 < r["no_due"] / r["n"] < 0.06
    statuses = set(_frame(demo_engine, "SELECT DISTINCT status FROM dossier")["status"])
    assert {1, 2, 3, 4, 5, 7, 9, 10} <= statuses
    bad = _frame(
        demo_engine,
        "SELECT COUNT(*) AS n FROM dossier WHERE (status IN (7, 9, 10) AND end_date IS NULL) "
        f"OR (status NOT IN (7, 9, 10) AND finished_at IS NOT NULL) OR end_date > '{AS_OF}' "
        "OR (paid_online > 0 AND procedure_code IN (SELECT code FROM procedure WHERE fee_bearing = 0))",
    )
    assert bad["n"].iloc[0] == 0


def _rate_by(engine, key_sql: str, join: str = "") -> pd.Series:
    df = _frame(
        engine,
        f"SELECT {key_sql} AS k, COUNT(*) AS n, "
        f"SUM(CASE WHEN overdue_date <= '{AS_OF}' THEN 1 ELSE 0 END) AS overdue, "
        "SUM(CASE WHEN channel = 2 THEN 1 ELSE 0 END) AS online "
        f"FROM dossier d {join} WHERE d.counted = 1 GROUP BY {key_sql}",
    )
    return df.set_index("k")


def test_realistic_rates(demo_engine):
    by_level = _rate_by(demo_engine, "u.level", "JOIN unit u ON u.code = d.unit_code")
    on_time = 1 - by_level["overdue"] / by_level["n"]
    assert on_time["department"] > 0.97
    assert on_time["department"] > on_time["commune"] > on_time["district"]
    assert 0.75 < on_time["district"] < 0.95
    assert 0.85 < on_time["commune"] < 0.96

    by_field = _rate_by(demo_engine, "d.field_code")
    overdue_share = by_field["overdue"] / by_field["n"]
    big = by_field["n"] >= 200
    assert overdue_share[big].idxmax() == "DDAI"

    by_year = _rate_by(demo_engine, "SUBSTR(d.received_week, 1, 4)")
    online = by_year["online"] / by_year["n"]
    assert online[str(END.year)] > online[str(START.year)] + 0.1


def test_aggregates_match_dossiers(demo_engine):
    df = _frame(
        demo_engine,
        "SELECT (SELECT COUNT(*) FROM dossier WHERE counted = 1) AS dossiers, "
        "(SELECT SUM(dossiers) FROM agg_unit_bucket) AS agg, "
        "(SELECT SUM(dossiers) FROM agg_unit_procedure) AS agg_proc, "
        "(SELECT COUNT(*) FROM dossier WHERE counted = 1 AND overdue_date IS NOT NULL) AS overdue, "
        "(SELECT SUM(n) FROM agg_overdue WHERE source = 'dossier') AS agg_overdue, "
        "(SELECT COUNT(*) FROM feedback) AS feedback, "
        "(SELECT SUM(feedback) FROM agg_unit_bucket) AS agg_feedback",
    )
    r = df.iloc[0]
    assert r["dossiers"] == r["agg"] == r["agg_proc"]
    assert r["overdue"] == r["agg_overdue"]
    assert r["feedback"] == r["agg_feedback"]


def test_no_personal_data(demo_engine):
    personal = ("name", "phone", "email", "address", "applicant", "cccd", "cmnd", "id_number")
    for table in (schema.dossier, schema.feedback, schema.procedure_announcement):
        assert not set(personal) & {c.name for c in table.columns}
    fb = _frame(demo_engine, "SELECT DISTINCT outcome FROM feedback")
    assert set(fb["outcome"].dropna()) <= {"Đã trả lời", "Chuyển cơ quan có thẩm quyền"}


@pytest.mark.parametrize("table", ["dossier", "feedback"])
def test_codes_unique(demo_engine, table):
    df = _frame(demo_engine, f"SELECT COUNT(*) AS n, COUNT(DISTINCT code) AS k FROM {table}")
    assert df["n"].iloc[0] == df["k"].iloc[0]


def _table(engine, table) -> pd.DataFrame:
    """Read through Core so that dates come back typed on both backends."""
    with engine.connect() as c:
        res = c.execute(select(table).order_by(table.c.code))
        return pd.DataFrame(res.mappings().all(), columns=list(res.keys()))


@pytest.mark.slow
def test_fast_insert_reads_back_like_core(engine):
    """The driver-level path (SQLite tuples / PostgreSQL COPY) stores what Core would."""
    from data_access.bulk import insert_frame

    generate_demo(engine, scale=0.0005, progress=False, end=SHORT_END)
    before = _table(engine, schema.dossier)
    fb_before = _table(engine, schema.feedback)
    raw = before.copy()
    for c in ("received_at", "due_at", "finished_at", "returned_at"):
        raw[c] = pd.to_datetime(raw[c])
    fb_raw = fb_before.copy()
    fb_raw["handled_at"] = pd.to_datetime(fb_raw["handled_at"])
    fb_raw["satisfied"] = fb_raw["satisfied"].astype("Int16")
    for fast in (False, True):
        with engine.begin() as c:
            c.execute(schema.dossier.delete())
            c.execute(schema.feedback.delete())
            insert_frame(c, schema.dossier, raw, chunk_rows=500, fast=fast)
            insert_frame(c, schema.feedback, fb_raw, chunk_rows=7, fast=fast)
        pd.testing.assert_frame_equal(before, _table(engine, schema.dossier))
        pd.testing.assert_frame_equal(fb_before, _table(engine, schema.feedback))
