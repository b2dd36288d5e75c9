"""Display versions of service frames: Vietnamese headers, dates, status in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from texts import CATALOGUE, t


def status_text(code: object) -> str:
    try:
        key = f"ui.status.{int(code)}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(code or "")
    return CATALOGUE.get(key, str(code))


def _each_distinct(s: pd.Series, fn: Callable[[object], str]) -> pd.Series:
    """``s.map(fn)`` computed once per distinct value: a year's overdue list has thousands of
    rows but a few hundred days and a handful of statuses, and this runs on every rerun."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = [fn(u) for u in uniques] + [fn(None)]  # the last slot: missing (code -1)
    return pd.Series([texts[c] for c in codes], index=s.index, dtype="str")


def _day(v: object) -> date | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    return pd.Timestamp(v).date()


def _state_text(state: object) -> str:
    return CATALOGUE.get(f"ui.overdue.row.{state}", "") if state else ""


def overdue_table(df: pd.DataFrame) -> pd.DataFrame:
    """``service.overdue_list`` as users and the Excel file see it, most overdue first:
    Vietnamese headers, dates as dates (shown dd/mm/yyyy by ``ui.overdue_list``), the state at the
    period's end and today's status in words."""
    d = df.sort_values(["days_overdue", "code"], ascending=[False, True])
    return pd.DataFrame(
        {
            t("ui.col.dossier_code"): d["code"].astype(str),
            t("ui.col.procedure"): d["procedure_name"].fillna("").astype(str),
            t("ui.col.procedure_code"): d["procedure_code"].astype(str),
            t("ui.col.field"): d["field_name"].fillna("").astype(str),
            t("ui.col.received"): [_day(v) for v in d["received_date"]],
            t("ui.col.due"): [_day(v) for v in d["deadline_date"]],
            t("ui.overdue.col.end"): [_day(v) for v in d["end_date"]],
            t("ui.col.days_overdue"): d["days_overdue"].astype("Int64"),
            t("ui.overdue.col.state"): _each_distinct(d["state"], _state_text),
            t("ui.overdue.col.status_now"): _each_distinct(d["status"], status_text),
        },
        index=d.index,
    )
