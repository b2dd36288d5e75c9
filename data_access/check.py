"""``python -m data_access check``: what is in the database and whether it can be trusted.

Prints, in Vietnamese: rows per table, the period covered, freshness, headline rates as of the
data end (on-time by level, online and paid-online share per year, land vs other overdue) and
data-quality warnings. Exit code: 0 when no warning, 1 when there are warnings, 2 when the
database has no schema.

A few grouped scans of the dossier table feed everything, so the check stays quick on
millions of rows; the rest is pandas over small frames.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, case, func, inspect, select
from sqlalchemy.sql import ColumnElement

from data_access import schema as s
from data_access.db import has_schema
from data_access.derive import STATUS_DONE
from texts import fmt_date, fmt_number, fmt_percent, t

EXIT_OK, EXIT_WARNINGS, EXIT_NO_SCHEMA = 0, 1, 2
LAND_NAMES = ("đất đai",)  # a field counts as land when its name says so (code-independent)
_LOAD_ACTIONS = ("demo", "import", "remove")  # each logged before its own refresh


def _sum(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((expr, 1), else_=0)), 0)


def _frame(conn: Connection, stmt) -> pd.DataFrame:  # noqa: ANN001 - SQLAlchemy statement
    res = conn.execute(stmt)
    return pd.DataFrame(res.mappings().all(), columns=list(res.keys()))


def _dossier_groups(conn: Connection, as_of: date) -> pd.DataFrame:
    """One scan: per unit, received bucket and field, every count the report needs."""
    d, p = s.dossier.c, s.procedure.c
    counted = d.counted == 1
    stmt = (
        select(
            d.unit_code,
            d.received_bucket.label("bucket"),
            d.field_code,
            func.count().label("rows"),
            _sum(counted).label("dossiers"),
            _sum(and_(counted, d.overdue_date <= as_of)).label("overdue_asof"),
            _sum(and_(counted, d.overdue_date.is_not(None))).label("overdue_any"),
            _sum(and_(counted, d.channel == 2)).label("online"),
            _sum(and_(counted, p.fee_bearing == 1)).label("fee_dossiers"),
            _sum(and_(counted, p.fee_bearing == 1, d.paid_online > 0)).label("paid_online"),
            _sum(p.code.is_(None)).label("unknown_procedure"),
            _sum(and_(d.status.in_(sorted(STATUS_DONE)), d.end_date.is_(None))).label(
                "done_no_end"
            ),
            _sum(d.due_at < d.received_at).label("due_before_received"),
        )
        .select_from(s.dossier.outerjoin(s.procedure, p.code == d.procedure_code))
        .group_by(d.unit_code, d.received_bucket, d.field_code)
    )
    df = _frame(conn, stmt)
    if not df.empty:
        df["bucket"] = pd.to_datetime(df["bucket"])
    return df


def _print_counts(conn: Connection) -> dict[str, int]:
    print(t("check.section.counts"))
    counts: dict[str, int] = {}
    for table in s.metadata.sorted_tables:
        n = conn.execute(select(func.count()).select_from(table)).scalar_one()
        counts[table.name] = n
        print(t("check.count_row", table=table.name, n=fmt_number(n, 0)))
    return counts


def _when(x: datetime | None) -> str:
    return "–" if x is None else f"{fmt_date(x)} {x:%H:%M}"


def _period(conn: Connection) -> tuple[tuple[date, str], tuple[date, str]]:
    """(first day, week) and (last day, week) received; the bucket index makes this cheap."""
    d = s.dossier.c
    first_bucket = conn.execute(select(func.min(d.received_bucket))).scalar_one()
    last_bucket = conn.execute(select(func.max(d.received_bucket))).scalar_one()
    first = conn.execute(
        select(func.min(d.received_date), func.min(d.received_week)).where(
            d.received_bucket == first_bucket
        )
    ).one()
    last = conn.execute(
        select(func.max(d.received_date), func.max(d.received_week)).where(
            d.received_bucket == last_bucket
        )
    ).one()
    return (first[0], first[1]), (last[0], last[1])


def _print_period(first: tuple[date, str], last: tuple[date, str], groups: pd.DataFrame) -> None:
    print(t("check.section.period"))
    print(
        t("check.period", start=fmt_date(first[0]), start_week=first[1],
          end=fmt_date(last[0]), end_week=last[1])
    )  # fmt: skip
    iso = groups["bucket"].dt.isocalendar()
    weeks = len(iso[["year", "week"]].drop_duplicates())
    print(t("check.weeks", n=fmt_number(weeks, 0)))


def _print_freshness(conn: Connection, last_day: date, today: date) -> None:
    print(t("check.section.freshness"))
    age = fmt_number((today - last_day).days, 0)
    print(t("check.latest_received", day=fmt_date(last_day), days=age))
    log = s.load_log.c
    last_load = conn.execute(
        select(log.at, log.action, log.detail)
        .where(log.action.in_(_LOAD_ACTIONS))
        .order_by(log.at.desc(), log.id.desc())
        .limit(1)
    ).first()
    if last_load is None:
        print(t("check.no_load"))
    else:
        action = t(f"check.action.{last_load.action}")
        detail = last_load.detail or ""
        print(t("check.last_load", at=_when(last_load.at), action=action, detail=detail))
    last_refresh = conn.execute(select(func.max(log.at)).where(log.action == "refresh")).scalar_one()
    print(t("check.last_refresh", at=_when(last_refresh)))


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _print_rates(
    groups: pd.DataFrame, levels: pd.Series, level_names: pd.Series, fields: pd.Series, as_of: date
) -> None:
    print(t("check.section.rates", as_of=fmt_date(as_of)))
    g = groups.assign(level=groups["unit_code"].map(levels).fillna("?"))
    print(t("check.on_time_header"))
    by_level = g.groupby("level")[["dossiers", "overdue_asof"]].sum()
    by_level = by_level.reindex(
        [c for c in level_names.index if c in by_level.index]
        + [c for c in by_level.index if c not in level_names.index]
    )
    by_level.loc[t("check.all_levels")] = by_level.sum()
    for level, r in by_level.iterrows():
        if r["dossiers"]:
            rate = 1 - r["overdue_asof"] / r["dossiers"]
            name = level_names.get(level, level)
            print(t("check.on_time_row", level=name, rate=fmt_percent(rate),
                    n=fmt_number(r["dossiers"], 0)))  # fmt: skip

    print(t("check.online_header"))
    cols = ["dossiers", "online", "fee_dossiers", "paid_online"]
    for year, r in g.groupby(g["bucket"].dt.year)[cols].sum().iterrows():
        online = _ratio(r["online"], r["dossiers"])
        paid = _ratio(r["paid_online"], r["fee_dossiers"])
        print(t("check.online_row", year=year, online=fmt_percent(online), paid=fmt_percent(paid)))

    print(t("check.overdue_header"))
    names = g["field_code"].map(fields).fillna("").astype(str).str.lower()
    land = names.map(lambda n: any(k in n for k in LAND_NAMES)).astype(bool)
    for key, mask in (("check.land_row", land), ("check.other_row", ~land)):
        sub = g.loc[mask, ["dossiers", "overdue_asof"]].sum()
        share = _ratio(sub["overdue_asof"], sub["dossiers"])
        print(t(key, share=fmt_percent(share), n=fmt_number(sub["dossiers"], 0)))


def _indexed(df: pd.DataFrame, value: str) -> pd.Series:
    """A count column indexed by (unit_code, bucket), buckets as timestamps."""
    if df.empty:
        return pd.Series(dtype="int64", name=value)
    df = df.assign(bucket=pd.to_datetime(df["bucket"]))
    return df.set_index(["unit_code", "bucket"])[value].astype("int64")


def _differ(a: pd.Series, b: pd.Series) -> int:
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).fillna(0)
    return int((both["a"] != both["b"]).sum())


def _aggregate_mismatches(conn: Connection, groups: pd.DataFrame) -> dict[str, int]:
    """Unit-bucket cells where an aggregate table disagrees with the fact tables."""
    facts = groups.groupby(["unit_code", "bucket"])[["dossiers", "overdue_any"]].sum()
    a, o, p, f = s.agg_unit_bucket.c, s.agg_overdue.c, s.agg_unit_procedure.c, s.feedback.c
    agg = _frame(conn, select(a.unit_code, a.bucket, a.dossiers, a.feedback))
    over = _frame(
        conn,
        select(o.unit_code, o.bucket, func.sum(o.n).label("n"))
        .where(o.source == "dossier")
        .group_by(o.unit_code, o.bucket),
    )
    op = s.agg_overdue_procedure.c
    over_procs = (
        _frame(conn, select(op.unit_code, op.bucket, func.sum(op.n).label("n"))
               .group_by(op.unit_code, op.bucket))
        if inspect(conn).has_table(s.agg_overdue_procedure.name)  # a refresh creates it
        else None
    )
    procs = _frame(
        conn,
        select(p.unit_code, p.bucket, func.sum(p.dossiers).label("n")).group_by(
            p.unit_code, p.bucket
        ),
    )
    fb = _frame(
        conn,
        select(f.unit_code, f.received_bucket.label("bucket"), func.count().label("n")).group_by(
            f.unit_code, f.received_bucket
        ),
    )
    return {
        "agg_unit_bucket": _differ(facts["dossiers"], _indexed(agg, "dossiers"))
        + _differ(_indexed(fb, "n"), _indexed(agg, "feedback")),
        "agg_overdue": _differ(facts["overdue_any"], _indexed(over, "n")),
        **({} if over_procs is None else
           {"agg_overdue_procedure": _differ(facts["overdue_any"], _indexed(over_procs, "n"))}),
        "agg_unit_procedure": _differ(facts["dossiers"], _indexed(procs, "n")),
    }


def _warnings(
    conn: Connection, groups: pd.DataFrame, levels: pd.Series, last_load: int | None
) -> list[str]:
    out: list[str] = []
    unknown_unit = groups.loc[~groups["unit_code"].isin(levels.index), "rows"].sum()
    checks = (
        ("check.warn.unknown_unit", unknown_unit),
        ("check.warn.unknown_procedure", groups["unknown_procedure"].sum()),
        ("check.warn.done_no_end", groups["done_no_end"].sum()),
        ("check.warn.due_before_received", groups["due_before_received"].sum()),
    )
    for key, n in checks:
        if n:
            out.append(t(key, n=fmt_number(int(n), 0)))
    for table, n in _aggregate_mismatches(conn, groups).items():
        if n:
            out.append(t("check.warn.aggregate", table=table, n=fmt_number(n, 0)))
    # ids, not times: a demo load and its refresh share one transaction and clock tick
    log = s.load_log.c
    last_refresh = conn.execute(select(func.max(log.id)).where(log.action == "refresh")).scalar_one()
    if last_load is not None and (last_refresh is None or last_refresh < last_load):
        out.append(t("check.warn.refresh_stale"))
    return out


def run_check(engine: Engine, today: date | None = None) -> int:
    """Print the report; returns the process exit code."""
    today = today or date.today()
    if not has_schema(engine):
        print(t("check.no_schema"))
        return EXIT_NO_SCHEMA
    print(t("check.title", url=engine.url.render_as_string(hide_password=True)))
    warnings: list[str] = []
    with engine.connect() as conn:
        counts = _print_counts(conn)
        levels = pd.Series(dict(conn.execute(select(s.unit.c.code, s.unit.c.level)).all()))
        lv = s.unit_level.c
        level_names = pd.Series(
            dict(conn.execute(select(lv.code, lv.name).order_by(lv.sort_order)).all()),
            dtype=object,
        )
        fields = pd.Series(
            dict(conn.execute(select(s.field.c.code, s.field.c.name)).all()), dtype=object
        )
        log = s.load_log.c
        last_load = conn.execute(
            select(func.max(log.id)).where(log.action.in_(_LOAD_ACTIONS))
        ).scalar_one()
        if counts["dossier"] == 0:
            print(t("check.no_dossiers"))
        else:
            first, last = _period(conn)
            groups = _dossier_groups(conn, last[0])
            _print_period(first, last, groups)
            _print_freshness(conn, last[0], today)
            _print_rates(groups, levels, level_names, fields, last[0])
            warnings = _warnings(conn, groups, levels, last_load)
    print(t("check.section.quality"))
    for w in warnings:
        print(t("check.warn_line", text=w))
    if not warnings:
        print(t("check.quality_ok"))
        return EXIT_OK
    print(t("check.warn_total", n=len(warnings)))
    return EXIT_WARNINGS
