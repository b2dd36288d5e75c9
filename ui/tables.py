"""Display versions of service frames: Vietnamese headers, dd/mm/yyyy dates, status in words."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from texts import CATALOGUE, fmt_date, t


def status_text(code: object) -> str:
    try:
        key = f"ui.status.{int(code)}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(code or "")
    return CATALOGUE.get(key, str(code))


def _date(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return ""
    try:
        return fmt_date(pd.Timestamp(v).date())
    except (TypeError, ValueError):
        return str(v)


def _each_distinct(s: pd.Series, fn: Callable[[object], str]) -> pd.Series:
    """``s.map(fn)`` computed once per distinct value: a year's overdue list has thousands of
    rows but a few hundred days and a handful of statuses, and this runs on every rerun."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = [fn(u) for u in uniques] + [fn(None)]  # the last slot: missing (code -1)
    return pd.Series([texts[c] for c in codes], index=s.index, dtype="str")


def overdue_table(df: pd.DataFrame) -> pd.DataFrame:
    """The overdue dossier list as users and the Excel file see it, most overdue first."""
    d = df.sort_values("days_overdue", ascending=False)
    return pd.DataFrame(
        {
            t("ui.col.dossier_code"): d["code"].astype(str),
            t("ui.col.procedure"): d["procedure_name"].astype(str),
            t("ui.col.procedure_code"): d["procedure_code"].astype(str),
            t("ui.col.field"): d["field_name"].fillna("").astype(str)
            if "field_name" in d else "",
            t("ui.col.received"): _each_distinct(d["received_date"], _date),
            t("ui.col.due"): _each_distinct(d["deadline_date"], _date),
            t("ui.col.days_overdue"): d["days_overdue"].astype("Int64"),
            t("ui.col.status"): _each_distinct(d["status"], status_text),
        }
    )
