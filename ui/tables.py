"""Display versions of service frames: Vietnamese headers, dd/mm/yyyy dates, status in words."""

from __future__ import annotations

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
            t("ui.col.received"): d["received_date"].map(_date),
            t("ui.col.due"): d["deadline_date"].map(_date),
            t("ui.col.days_overdue"): d["days_overdue"].astype("Int64"),
            t("ui.col.status"): d["status"].map(status_text),
        }
    )
