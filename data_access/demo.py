"""Deterministic demo data: Quảng Nam, 2023-W01 .. 2024-W52 (``python -m data_access demo``).

Units come from the ``unit`` table (the defaults), never from a list here. The catalogue and
all facts are drawn from one ``numpy`` generator seeded with ``seed``, so the same seed and
scale give identical rows. Everything after ``init`` runs in one transaction: a failure leaves
the previous data untouched.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select
from tqdm import tqdm

from data_access import schema as s
from data_access.bulk import insert_frame
from data_access.db import has_schema, init_db
from data_access.demo_catalogue import fields_frame, procedures_frame
from data_access.demo_dossiers import simulate_dossiers, simulate_feedback
from data_access.demo_model import (
    DOSSIERS_PER_YEAR,
    END,
    FEEDBACK_PER_YEAR,
    START,
    build_units,
    calendar_days,
    day_weights,
)
from data_access.derive import derive_dossiers, derive_feedback
from data_access.refresh import SnapshotBuilder, refresh
from texts import fmt_number, t

ANNOUNCEMENTS_PER_YEAR = 150
_YEARS = 2  # 2023 and 2024

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


def _read_units(conn: Connection) -> pd.DataFrame:
    """Units that existed during the demo years, with their level."""
    u = s.unit.c
    rows = conn.execute(
        select(u.code, u.level, u.kind, u.parent_code, u.valid_from, u.valid_to)
    ).mappings()
    df = pd.DataFrame(rows.all(), columns=["code", "level", "kind", "parent_code", "valid_from", "valid_to"])
    alive = (df["valid_from"].isna() | (df["valid_from"] <= END)) & (
        df["valid_to"].isna() | (df["valid_to"] >= START)
    )
    return df[alive]


def _read_holidays(conn: Connection) -> np.ndarray:
    days = conn.execute(select(s.holiday.c.day)).scalars().all()
    return np.array(sorted(days), dtype="datetime64[D]")


def _announcements(
    rng: np.random.Generator, procs: pd.DataFrame, province: str, holidays: np.ndarray
) -> pd.DataFrame:
    """Announcement decisions (mostly on time) and their publication (within 5 working days)."""
    n = ANNOUNCEMENTS_PER_YEAR * _YEARS
    span = (np.datetime64(END) - np.datetime64(START)).astype(int)
    deadline = np.busday_offset(
        np.datetime64(START) + rng.integers(0, span, n).astype("timedelta64[D]"),
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
            "unit_code": province,
            "decision_date": pd.to_datetime(decision).date,
            "decision_deadline": pd.to_datetime(deadline).date,
            "published_date": pd.to_datetime(published).date,
            "publication_deadline": pd.to_datetime(pub_deadline).date,
            "parts_complete": parts.astype(int),
        }
    )
    end = pd.Timestamp(END).date()
    df = df[df["decision_date"] <= end].copy()
    df["published_date"] = df["published_date"].where(df["published_date"] <= end, None)
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


def generate_demo(
    engine: Engine,
    scale: float = 1.0,
    seed: int = 766,
    progress: bool = True,
    snapshot: SnapshotBuilder | None = None,
) -> dict[str, int]:
    """Replace all facts with demo data; returns row counts per table. ``snapshot``: run after the
    refresh, in the same transaction (``scorecard.pipeline.generate_demo`` passes the score
    snapshot's builder)."""
    _ensure_schema(engine)
    rng = np.random.default_rng(seed)
    with engine.begin() as conn:
        units_df = _read_units(conn)
        holidays = _read_holidays(conn)
        province = units_df.loc[units_df["level"] == "province", "code"]
        province_code = str(province.iloc[0]) if len(province) else "49"
        depts = sorted(units_df.loc[units_df["level"] == "department", "code"])
        procs = procedures_frame(rng, depts)
        units = build_units(rng, units_df[units_df["level"] != "province"])
        days = calendar_days()
        day_w = day_weights(days, holidays)
        n_dossiers = max(int(round(DOSSIERS_PER_YEAR * _YEARS * scale)), 1)
        n_feedback = max(int(round(FEEDBACK_PER_YEAR * _YEARS * scale)), 1)

        bar = tqdm(
            total=n_dossiers + n_feedback,
            desc=t("demo.progress"),
            unit=" dòng",
            disable=not progress,
        )
        bar.set_postfix_str(t("demo.simulating"))
        dossiers = simulate_dossiers(rng, units, procs, days, day_w, holidays, n_dossiers)
        feedback = simulate_feedback(rng, units, days, day_w, holidays, n_feedback)
        announcements = _announcements(rng, procs, province_code, holidays)

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
        for start in range(0, len(dossiers), chunk):
            part = derive_dossiers(
                dossiers.iloc[start : start + chunk], legal_days=legal_days, holidays=hol_dates
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
                detail=f"seed={seed} scale={scale}",
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
