"""Deterministic demo data (``python -m data_access demo``): 2024-W01 .. the last complete week.

With the shipped defaults that is Quảng Nam until 30/06/2025 (its departments merging on
01/03/2025), then the new Thành phố Đà Nẵng and its 94 communes. Units come from the ``unit``
table (and the ``unit_lineage`` table for what an absorbing unit takes over), never from a list
here: each dossier is drawn among the units valid on its received day. The catalogue and all
facts are drawn from one ``numpy`` generator seeded with ``seed``, so the same seed, scale and
end give identical rows. Everything after ``init`` runs in one transaction: a failure leaves the
previous data untouched.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select
from tqdm import tqdm

from data_access import schema as s
from data_access.bulk import insert_frame
from data_access.db import has_schema, init_db
from data_access.demo_catalogue import DEPARTMENT_PROCEDURES, fields_frame, procedures_frame
from data_access.demo_dossiers import simulate_dossiers, simulate_feedback
from data_access.demo_model import (
    FEEDBACK_PER_DOSSIER,
    START,
    Era,
    build_eras,
    build_units,
    calendar_days,
    day_weights,
    default_end,
    era_dossiers,
)
from data_access.derive import derive_dossiers, derive_feedback
from data_access.refresh import SnapshotBuilder, refresh
from texts import fmt_number, t

ANNOUNCEMENTS_PER_YEAR = 150

# Fact tables replaced by the demo, children first.
_FACT_TABLES = (
    s.agg_unit_bucket,
    s.agg_overdue,
    s.agg_overdue_procedure,
    s.agg_unit_procedure,
    s.dossier,
    s.feedback,
    s.procedure_announcement,
    s.procedure,
    s.field,
)


def _ensure_schema(engine: Engine) -> None:
    if has_schema(engine):
        with engine.connect() as c:
            if c.execute(select(func.count()).select_from(s.unit)).scalar_one() > 0:
                return
    init_db(engine)


def _read_units(conn: Connection, start: date, end: date) -> pd.DataFrame:
    """Units that existed at some point of the span, with their level and whether the lineage
    gives them a predecessor."""
    u = s.unit.c
    cols = ["code", "level", "kind", "parent_code", "valid_from", "valid_to"]
    rows = conn.execute(select(*(u[c] for c in cols))).mappings()
    df = pd.DataFrame(rows.all(), columns=cols)
    alive = (df["valid_from"].isna() | (df["valid_from"] <= end)) & (
        df["valid_to"].isna() | (df["valid_to"] >= start)
    )
    df = df[alive].copy()
    df["has_predecessor"] = df["code"].isin(set(_read_lineage(conn)["new_code"]))
    return df


def _read_lineage(conn: Connection) -> pd.DataFrame:
    cols = ["old_code", "new_code", "valid_from", "share"]
    rows = conn.execute(select(*(s.unit_lineage.c[c] for c in cols))).mappings()
    return pd.DataFrame(rows.all(), columns=cols)


def _level_ends(conn: Connection, start: date) -> dict[str, int]:
    """Last day index (from ``start``) of each level that ends."""
    rows = conn.execute(select(s.unit_level.c.code, s.unit_level.c.valid_to)).all()
    return {str(c): (v - start).days for c, v in rows if v is not None}


def _read_holidays(conn: Connection) -> np.ndarray:
    days = conn.execute(select(s.holiday.c.day)).scalars().all()
    return np.array(sorted(days), dtype="datetime64[D]")


def _announcements(
    rng: np.random.Generator,
    procs: pd.DataFrame,
    eras: list[Era],
    holidays: np.ndarray,
    start: date,
    end: date,
) -> pd.DataFrame:
    """Announcement decisions (mostly on time) and their publication (within 5 working days),
    by the province valid on the decision date."""
    span = (np.datetime64(end) - np.datetime64(start)).astype(int)
    n = max(int(round(ANNOUNCEMENTS_PER_YEAR * (span + 1) / 365.25)), 1)
    deadline = np.busday_offset(
        np.datetime64(start) + rng.integers(0, span, n).astype("timedelta64[D]"),
        0,
        roll="backward",
        holidays=holidays,
    )
    late = rng.random(n) < 0.22
    decision = np.where(
        late,
        deadline + rng.integers(1, 21, n).astype("timedelta64[D]"),
        deadline - rng.integers(0, 11, n).astype("timedelta64[D]"),
    )
    pub_deadline = np.busday_offset(decision, 5, roll="forward", holidays=holidays)
    pub_late = rng.random(n) < 0.18
    published = np.where(
        pub_late,
        np.busday_offset(pub_deadline, rng.integers(1, 16, n), roll="forward", holidays=holidays),
        np.busday_offset(decision, rng.integers(0, 6, n), roll="forward", holidays=holidays),
    )
    parts = np.where(rng.random(n) < 0.1, rng.integers(4, 7, n), 7)
    code = rng.choice(procs["code"].to_numpy(dtype=object), size=n)
    df = pd.DataFrame(
        {
            "procedure_code": code,
            "unit_code": "",
            "decision_date": pd.to_datetime(decision).date,
            "decision_deadline": pd.to_datetime(deadline).date,
            "published_date": pd.to_datetime(published).date,
            "publication_deadline": pd.to_datetime(pub_deadline).date,
            "parts_complete": parts.astype(int),
        }
    )
    df = df[df["decision_date"] <= end].copy()
    df["published_date"] = df["published_date"].where(df["published_date"] <= end, None)
    day = np.array([(d - start).days for d in df["decision_date"]], dtype=np.int64)
    his = np.array([e.hi for e in eras])
    era_of = np.minimum(np.searchsorted(his, day, side="right"), len(eras) - 1)
    df["unit_code"] = np.array([e.province for e in eras], dtype=object)[era_of]
    return df.sort_values(["decision_date", "procedure_code"], kind="stable").reset_index(drop=True)


def _before_bulk_load(conn: Connection) -> None:
    """Drop the dossier indexes during the load and give SQLite a bigger page cache.

    Building an index once over sorted keys is several times cheaper than maintaining it row
    by row; DDL is transactional in SQLite and PostgreSQL, so a failure restores them.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB, this connection only
    for index in s.dossier.indexes:
        index.drop(conn, checkfirst=True)


def _after_bulk_load(conn: Connection) -> None:
    for index in s.dossier.indexes:
        index.create(conn, checkfirst=True)


def _plan(conn: Connection, rng: np.random.Generator, start: date, end: date) -> tuple:
    """The demo's units, calendar and eras (who exists when, under which province)."""
    units_df = _read_units(conn, start, end)
    lineage = _read_lineage(conn)
    holidays = _read_holidays(conn)
    is_prov = units_df["level"] == "province"
    days = calendar_days(start, end)
    day_w = day_weights(days, holidays)
    units = build_units(rng, units_df[~is_prov], start, len(days))
    eras = build_eras(units, units_df[is_prov], lineage, _level_ends(conn, start), start,
                      len(days))  # fmt: skip
    return units_df, lineage, holidays, days, day_w, units, eras


def planned_dossiers(engine: Engine, scale: float = 1.0, end: date | None = None) -> int:
    """How many dossiers ``generate_demo`` plans at ``scale`` (before its weekly floor of one per
    unit, which adds a few): benchmarks size the demo to a dossier count with it."""
    start, end = START, end or default_end()
    _ensure_schema(engine)
    with engine.connect() as conn:
        _, _, _, _, day_w, _, eras = _plan(conn, np.random.default_rng(0), start, end)
    return sum(max(n, 1) for n in era_dossiers(eras, day_w, scale))


def generate_demo(
    engine: Engine,
    scale: float = 1.0,
    seed: int = 766,
    progress: bool = True,
    snapshot: SnapshotBuilder | None = None,
    end: date | None = None,
) -> dict[str, int]:
    """Replace all facts with demo data; returns row counts per table. ``end``: the last day
    (default: the Sunday of the last complete week, ``default_end``). ``snapshot``: run after
    the refresh, in the same transaction (``scorecard.pipeline.generate_demo`` passes the score
    snapshot's builder)."""
    start, end = START, end or default_end()
    if end < start:
        raise ValueError(f"demo end {end} is before its start {start}")
    _ensure_schema(engine)
    rng = np.random.default_rng(seed)
    with engine.begin() as conn:
        units_df, lineage, holidays, days, day_w, units, eras = _plan(conn, rng, start, end)
        # The catalogue is not versioned (procedure.level / agency_code say who handled it
        # before the reforms): a department that only took over others' procedures has none
        # of its own, and after the reforms the eras route the old ones (Era.scope).
        heirs = set(lineage["new_code"]) - set(lineage["old_code"])
        depts = sorted(c for c in units_df.loc[units_df["level"] == "department", "code"]
                       if c in DEPARTMENT_PROCEDURES or c not in heirs)  # fmt: skip
        procs = procedures_frame(rng, depts)
        n_era = [max(n, 1) for n in era_dossiers(eras, day_w, scale)]
        n_fb_era = [max(int(round(n * FEEDBACK_PER_DOSSIER)), 1) for n in n_era]
        n_dossiers, n_feedback = sum(n_era), sum(n_fb_era)

        bar = tqdm(
            total=n_dossiers + n_feedback,
            desc=t("demo.progress"),
            unit=" dòng",
            disable=not progress,
        )
        bar.set_postfix_str(t("demo.simulating"))
        dossiers = simulate_dossiers(rng, units, procs, days, day_w, holidays, eras, n_era)
        feedback = simulate_feedback(rng, units, days, day_w, holidays, eras, n_fb_era)
        announcements = _announcements(rng, procs, eras, holidays, start, end)
        bar.total = len(dossiers) + len(feedback)  # the weekly floor may add to the plan
        bar.refresh()

        for table in _FACT_TABLES:
            conn.execute(delete(table))
        fields = fields_frame()
        conn.execute(insert(s.field), fields.to_dict("records"))
        insert_frame(conn, s.procedure, procs)
        insert_frame(conn, s.procedure_announcement, announcements)

        bar.set_postfix_str("")
        _before_bulk_load(conn)
        legal_days = procs.set_index("code")["legal_days"]
        hol_dates = [d.item() for d in holidays]
        chunk = 50_000
        for lo in range(0, len(dossiers), chunk):
            part = derive_dossiers(
                dossiers.iloc[lo : lo + chunk], legal_days=legal_days, holidays=hol_dates
            )
            insert_frame(conn, s.dossier, part, chunk_rows=chunk, fast=True)
            bar.update(len(part))
        insert_frame(conn, s.feedback, derive_feedback(feedback), fast=True)
        bar.update(len(feedback))
        bar.set_postfix_str(t("demo.indexing"))
        _after_bulk_load(conn)
        bar.close()

        counts = {
            "field": len(fields),
            "procedure": len(procs),
            "procedure_announcement": len(announcements),
            "dossier": len(dossiers),
            "feedback": len(feedback),
        }
        conn.execute(
            insert(s.load_log).values(
                at=datetime.now(),
                action="demo",
                detail=f"seed={seed} scale={scale} end={end.isoformat()}",
                rows=counts["dossier"] + counts["feedback"],
            )
        )
        # after the load entry, so the log reads "loaded, then refreshed" (check relies on it)
        bar_refresh = tqdm(total=1, desc=t("demo.refreshing"), disable=not progress)
        refresh(conn, snapshot=snapshot)
        bar_refresh.update(1)
        bar_refresh.close()
        # Fresh tables have no planner statistics; without them PostgreSQL picks full scans
        # for the dashboard's joins. "ANALYZE <table>" is valid in SQLite and PostgreSQL alike;
        # naming our own tables keeps it off other schemas' tables on a shared server.
        for table in s.metadata.sorted_tables:
            conn.exec_driver_sql(f'ANALYZE "{table.name}"')
    if progress:
        print(
            t(
                "demo.done",
                dossiers=fmt_number(counts["dossier"], 0),
                feedback=fmt_number(counts["feedback"], 0),
                procedures=fmt_number(counts["procedure"], 0),
            )
        )
    return counts
