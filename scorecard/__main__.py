"""Command line: ``python -m scorecard report ...`` and ``python -m scorecard bieu06a ...``.

Bad arguments (unknown level or unit, malformed period or date, a period without data) print one
Vietnamese line on stderr and exit with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from data_access import queries as q
from data_access.cell_safety import safe_frame
from data_access.engine import get_engine
from meeting_pack.cli import add_briefing_parser, run_briefing
from scorecard import bieu06a as b06
from scorecard import official_cli, service
from scorecard.cli_parser import FORMATS, Parser, UsageError, write_frame
from scorecard.periods import Period, PeriodError, parse_period
from texts import fmt_date, fmt_delta, fmt_number, fmt_percent, fmt_week, t
from texts.lagging import fmt_rank_change

SUMMARY_COLUMNS = [
    "unit_code", "unit_name", "level", "period", "total", "grade", "rank", "delta_week",
    "rank_prev", "rank_change", *[f"group_{i}" for i in range(1, 7)],
]
DETAIL_COLUMNS = ["unit_code", "component", "numerator", "denominator", "ratio", "points", "max_points"]


def _parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m scorecard", description=t("cli.description"))
    p.add_argument("--db", help=t("cli.db.help"))
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    r = sub.add_parser("report", help=t("cli.report.help"))
    r.add_argument("--db", dest="db_sub", help=t("cli.db.help"))
    r.add_argument("--level", required=True, help=t("cli.level.help"))
    r.add_argument("--period", required=True, help=t("cli.period.help"))
    r.add_argument("--ytd", action="store_true", help=t("cli.ytd.help"))
    r.add_argument("--parent", help=t("cli.parent.help"))
    r.add_argument("--detail", action="store_true", help=t("cli.detail.help"))
    r.add_argument("--format", default="table", help=t("cli.format.help"))
    r.add_argument("--out", help=t("cli.out.help"))
    b = sub.add_parser("bieu06a", help=t("cli.bieu06a.help"))
    b.add_argument("--db", dest="db_sub", help=t("cli.db.help"))
    b.add_argument("--from", dest="start", required=True, help=t("cli.from.help"))
    b.add_argument("--to", dest="end", required=True, help=t("cli.to.help"))
    b.add_argument("--unit", help=t("cli.unit.help"))
    b.add_argument("--out", required=True, help=t("cli.out.help"))
    # The meeting pack lives in meeting_pack (python -m meeting_pack); kept here too for the
    # scheduled jobs that call it this way. This module is an entry point, above every layer.
    add_briefing_parser(sub)
    official_cli.add_parser(sub)  # reconcile: official scores beside ours
    return p


# --- report ------------------------------------------------------------------------------------


def _check_level(engine: Engine, level: str) -> None:
    choices = q.levels(engine)["code"].tolist()
    if level not in choices:
        raise UsageError(t("cli.err.level", level=level, choices=", ".join(choices)))


def _check_unit(engine: Engine, code: str) -> None:
    if q.unit_by_code(engine, code).empty:
        raise UsageError(t("cli.err.unit", unit=code))


def _parse_period(label: str, ytd: bool) -> Period:
    try:
        return parse_period(label, ytd=ytd)
    except PeriodError:
        if ytd and parse_ok(label):
            raise UsageError(t("cli.err.ytd")) from None
        raise UsageError(t("cli.err.period", period=label)) from None


def parse_ok(label: str) -> bool:
    try:
        parse_period(label)
    except PeriodError:
        return False
    return True


def report_frame(engine: Engine, level: str, period: Period, parent: str | None, detail: bool) -> pd.DataFrame:
    """The report rows: the summary, or one row per unit and component with ``detail``."""
    if not service.exists_in(engine, level, period):
        span = service.level_span(engine, level)
        vf, vt = span if span is not None else (None, None)
        raise UsageError(t("cli.err.level_not_then", level=level, period=period.label,
                           start=fmt_date(vf) if vf else "…", end=fmt_date(vt) if vt else "…"))
    res = service.scorecard(engine, level, period, parent=parent)
    if res.summary.empty:
        raise UsageError(t("cli.err.no_data", period=period.label))
    if detail:
        return res.components[DETAIL_COLUMNS].reset_index(drop=True)
    return res.summary[SUMMARY_COLUMNS].reset_index(drop=True)


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if c == "ratio":
            out[c] = out[c].astype(float).round(4)
        elif c in ("total", "delta_week", "points", "max_points") or c.startswith("group_"):
            out[c] = out[c].astype(float).round(2)
        elif c in ("numerator", "denominator"):
            out[c] = out[c].astype(float).round(0).astype("int64")
    return out


def _table_text(df: pd.DataFrame) -> str:
    """A fixed-width table with Vietnamese headers and number formats."""
    shown = pd.DataFrame(index=df.index)
    for c in df.columns:
        col = df[c]
        if c == "ratio":
            shown[c] = col.map(fmt_percent)
        elif c == "delta_week":
            shown[c] = col.map(lambda x: fmt_delta(None if pd.isna(x) else float(x)))
        elif c in ("total", "points", "max_points") or c.startswith("group_"):
            shown[c] = col.map(lambda x: fmt_number(float(x), 2))
        elif c in ("numerator", "denominator"):
            shown[c] = col.map(lambda x: fmt_number(float(x), 0))
        elif c in ("rank", "rank_prev"):
            shown[c] = col.map(lambda x: "" if pd.isna(x) else str(int(x)))
        elif c == "rank_change":
            shown[c] = col.map(fmt_rank_change)
        else:
            shown[c] = col.map(lambda x: "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x))
    headers = [t(f"col.{c}") if f"col.{c}" in _known_cols() else c.replace("group_", "Nhóm ") for c in df.columns]
    widths = [max(len(h), *(len(v) for v in shown[c])) if len(shown) else len(h) for h, c in zip(headers, df.columns, strict=True)]
    numeric = {c for c in df.columns if c not in ("unit_code", "unit_name", "level", "period", "grade", "component")}
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for _, row in shown.iterrows():
        cells = [
            (row[c].rjust(w) if c in numeric else row[c].ljust(w))
            for c, w in zip(df.columns, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _period_words(period: Period) -> str:
    """A week or year to date as people read it; months, quarters and years keep their label."""
    if period.kind == "week":
        return fmt_week(period.label, "short")
    if period.kind == "ytd":
        return t("cli.period_ytd", week=fmt_week(period.label, "inline"))
    return period.label


def _known_cols() -> set[str]:
    from texts import CATALOGUE

    return set(CATALOGUE)


def write_report(df: pd.DataFrame, fmt: str, out: str | None) -> str | None:
    """Write the report; returns text for stdout (or None when written to a file)."""
    return write_frame(df, fmt, out, _rounded, _table_text)


def run_report(engine: Engine, args: argparse.Namespace) -> int:
    _check_level(engine, args.level)
    if args.parent:
        _check_unit(engine, args.parent)
    if args.format not in FORMATS:
        raise UsageError(t("cli.err.args", detail=f"--format {args.format}"))
    period = _parse_period(args.period, args.ytd)
    df = report_frame(engine, args.level, period, args.parent, args.detail)
    if args.format == "table" and "level" in df.columns:
        # people read level names; csv and xlsx keep the codes for machines
        names = q.levels(engine).set_index("code")["name"]
        df = df.assign(level=df["level"].map(names).fillna(df["level"]))
    if args.format == "table" and "period" in df.columns:
        df = df.assign(period=_period_words(period))  # "Tuần 52/2024", as the dashboard says it
    text = write_report(df, args.format, args.out)
    if text is not None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        print(t("cli.written", n=len(df), path=args.out), file=sys.stderr)
    return 0


# --- Biểu II.06a --------------------------------------------------------------------------


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(t("cli.err.date", value=value)) from None


def run_bieu06a(engine: Engine, args: argparse.Namespace) -> int:
    start, end = _date(args.start), _date(args.end)
    if start > end:
        raise UsageError(t("cli.err.range", start=fmt_date(start), end=fmt_date(end)))
    if args.unit:
        _check_unit(engine, args.unit)
    df = service.bieu06a(engine, start, end, args.unit)
    if df.empty:
        raise UsageError(t("cli.err.no_data", period=f"{fmt_date(start)}–{fmt_date(end)}"))
    if args.out.lower().endswith(".csv"):
        safe_frame(df).to_csv(args.out, index=False, encoding="utf-8-sig")
        n = len(df)
    else:
        n = b06.write_xlsx(df, args.out, fmt_date(start), fmt_date(end))
    print(t("cli.written", n=n, path=args.out), file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "briefing":
            return run_briefing(args)
        url = getattr(args, "db_sub", None) or args.db
        engine = get_engine(url, read_only=True)
        try:
            if args.command == "report":
                return run_report(engine, args)
            if args.command == "reconcile":
                return official_cli.run(engine, args)
            return run_bieu06a(engine, args)
        finally:
            engine.dispose()
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (SQLAlchemyError, OSError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(t("cli.err.db", detail=detail), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
