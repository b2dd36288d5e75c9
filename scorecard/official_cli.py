"""``python -m scorecard reconcile --period 2026-03 --level department [--unit CODE]
--format csv|xlsx|table [--out FILE]``: official vs computed, per unit, total, group and
component, with the likely reason of each difference (``scorecard.official_service``).

The period is an official one: a month (``2026-03``), a quarter (``2026-Q1``) or a year
(``2026``, year to date). Mistakes end in one Vietnamese line and exit code 2.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd
from sqlalchemy import Engine

from data_access import queries as q
from scorecard import official_service as osv
from scorecard.cli_parser import FORMATS, UsageError, write_frame
from scorecard.periods import PeriodError, parse_period
from texts import fmt_number, fmt_percent, t

NUMBERS = ("official_numerator", "official_denominator", "computed_numerator", "computed_denominator")
POINTS = ("official_points", "computed_points", "diff_points")
RATIOS = ("official_ratio", "computed_ratio")


def add_parser(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("reconcile", help=t("official.cli.help"))
    r.add_argument("--db", dest="db_sub", help=t("cli.db.help"))
    r.add_argument("--period", required=True, help=t("official.cli.period"))
    r.add_argument("--level", required=True, help=t("cli.level.help"))
    r.add_argument("--unit", help=t("official.cli.unit"))
    r.add_argument("--format", default="table", help=t("cli.format.help"))
    r.add_argument("--out", help=t("cli.out.help"))


def _period(label: str) -> str:
    try:
        p = parse_period(label)
    except PeriodError:
        raise UsageError(t("official.cli.bad_period", period=label)) from None
    if p.kind not in ("month", "quarter", "year"):
        raise UsageError(t("official.cli.bad_period", period=label))
    return p.label


def reconcile_frame(engine: Engine, level: str, period: str, unit: str | None = None) -> pd.DataFrame:
    """The rows the command writes (``official_service.level_reconciliation``)."""
    choices = q.levels(engine)["code"].astype(str).tolist()
    if level not in choices:
        raise UsageError(t("cli.err.level", level=level, choices=", ".join(choices)))
    df = osv.level_reconciliation(engine, level, period)
    if unit is not None:
        df = df[df["unit_code"].astype(str) == unit]
    if df.empty:
        raise UsageError(t("official.cli.none", period=period, level=level)
                         + (f" ({unit})" if unit else ""))  # fmt: skip
    return df.reset_index(drop=True)


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in POINTS:
        out[c] = out[c].astype(float).round(2)
    for c in RATIOS:
        out[c] = out[c].astype(float).round(4)
    out["above"] = out["above"].fillna(False).astype(bool).map({True: 1, False: 0})
    out["reason"] = out["reason"].where(out["reason"].notna(), "")
    return out


def _table(df: pd.DataFrame) -> str:
    shown = pd.DataFrame(index=df.index)
    for c in df.columns:
        col = df[c]
        if c in POINTS:
            shown[c] = col.map(lambda x: "" if pd.isna(x) else fmt_number(float(x), 2))
        elif c in NUMBERS:
            shown[c] = col.map(lambda x: "" if pd.isna(x) else fmt_number(float(x), 0))
        elif c in RATIOS:
            shown[c] = col.map(lambda x: "" if pd.isna(x) else fmt_percent(float(x)))
        elif c == "above":
            shown[c] = col.map(lambda x: "●" if x is True or x == 1 else "")
        else:
            shown[c] = col.map(lambda x: "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x))
    headers = [t(f"official.cli.col.{c}") for c in df.columns]
    widths = [max(len(h), *(len(v) for v in shown[c])) for h, c in zip(headers, df.columns, strict=True)]
    right = set(POINTS) | set(NUMBERS) | set(RATIOS)
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]  # fmt: skip
    for _, row in shown.iterrows():
        lines.append("  ".join(row[c].rjust(w) if c in right else row[c].ljust(w)
                               for c, w in zip(df.columns, widths, strict=True)).rstrip())  # fmt: skip
    return "\n".join(lines)


def write(df: pd.DataFrame, fmt: str, out: str | None) -> str | None:
    """Write the rows; text for stdout, or None when written to ``out``."""
    return write_frame(df, fmt, out, _rounded, _table)


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise UsageError(t("cli.err.args", detail=f"--format {args.format}"))
    period = _period(args.period)
    df = reconcile_frame(engine, args.level, period, args.unit)
    text = write(df, args.format, args.out)
    if text is None:
        print(t("cli.written", n=len(df), path=args.out), file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
