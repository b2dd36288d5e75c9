"""Reads the meeting pack needs that the rest of the service layer has no call for.

Kept apart from ``scorecard/service.py`` (which re-exports them) so the pack's needs do not grow
that module; the pack itself (``meeting_pack``) reads only through ``scorecard.service``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from data_access import queries as q
from scorecard.methodology import select_version
from scorecard.periods import Period, parse_period

# service.overdue_dossiers' columns
OVERDUE_COLUMNS = [
    "code", "procedure_code", "procedure_name", "field_name", "received_date", "deadline_date",
    "end_date", "days_overdue", "status",
]


def group_info(engine: Engine, on: date) -> pd.DataFrame:
    """[group, name, max_points] of the methodology version in force on ``on``, group order.

    Read from the same versioned methodology rows the scoring uses, rather than hard-coding the
    six groups.
    """
    meth = select_version(q.methodology(engine), on)
    g = meth.drop_duplicates("group_code")[["group_code", "group_name", "group_max"]]
    g = g.assign(_o=g["group_code"].astype(int)).sort_values("_o")
    return pd.DataFrame(
        {"group": g["group_code"].astype(str).to_numpy(), "name": g["group_name"].to_numpy(),
         "max_points": g["group_max"].astype(float).to_numpy()}
    )


def overdue_by_procedure(engine: Engine, start: date, end: date) -> pd.DataFrame:
    """[unit_code, key, name, overdue] for every unit at once: dossiers received in
    [start, end] and overdue as of ``end``, per unit and procedure. One grouped query instead of
    one ``overdue_pareto`` per unit; ``scorecard.lagging.pareto`` turns a unit's rows into the
    same Pareto ``overdue_pareto`` gives."""
    return q.overdue_by(engine, start, end, "procedure")


def overdue_dossiers_of(engine: Engine, unit_codes: Sequence[str], period: Period | str) -> pd.DataFrame:
    """[unit_code, ``OVERDUE_COLUMNS``]: ``overdue_dossiers`` of each unit in ``unit_codes``, in
    that order, read in one query (the meeting pack lists hundreds of units)."""
    p = parse_period(period) if isinstance(period, str) else period
    codes = [str(c) for c in unit_codes]
    df = q.overdue_dossiers_of(engine, codes, p.start, p.end) if codes else pd.DataFrame()
    if df.empty:
        return pd.DataFrame(columns=["unit_code", *OVERDUE_COLUMNS])
    order = {c: i for i, c in enumerate(codes)}
    df = _as_of_end(df, p).assign(_o=df["unit_code"].astype(str).map(order))
    df = df.sort_values(["_o", "days_overdue", "code"], ascending=[True, False, True])
    return df[["unit_code", *OVERDUE_COLUMNS]].reset_index(drop=True)


def _as_of_end(df: pd.DataFrame, p: Period) -> pd.DataFrame:
    """``days_overdue`` to the end of processing or the period's end; ``end_date`` only when
    processing ended by the period's end."""
    stop = df["end_date"].map(lambda d: p.end if d is None or pd.isna(d) or d > p.end else d)
    df["days_overdue"] = [(a - b).days for a, b in zip(stop, df["deadline_date"], strict=True)]
    df["end_date"] = df["end_date"].map(lambda d: None if d is None or pd.isna(d) or d > p.end else d)
    return df
