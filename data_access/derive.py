"""Derived keys computed once when dossiers and feedback are loaded (demo and import alike).

Storing them makes every query a plain comparison that reads the same in every SQL dialect:
- ``received_week`` / ``received_bucket``: the ISO week and the week-and-month bucket;
- ``deadline_date``: the due date (or the procedure's legal duration in working days, counted
  with the holidays table) extended by the days paused for supplements;
- ``end_date``: the day processing ended, for dossiers in a "done" status;
- ``overdue_date``: the first day the dossier counts as overdue (deadline + 1), or NULL when it
  ended on or before its deadline. "Overdue as of T" is then ``overdue_date <= T``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

# TrangThaiHoSo buckets (SCORECARD.md section 2).
STATUS_NOT_COUNTED = frozenset({1, 3})
STATUS_IN_PROGRESS = frozenset({2, 4})
STATUS_PAUSED = frozenset({5, 6, 8})
STATUS_DONE = frozenset({7, 9, 10})
ALL_STATUSES = STATUS_NOT_COUNTED | STATUS_IN_PROGRESS | STATUS_PAUSED | STATUS_DONE
CHANNELS = frozenset({1, 2, 3})  # 1 in person, 2 online, 3 post


def _days(s: pd.Series) -> pd.Series:
    """Normalise to datetime64 at midnight (a date), keeping NaT."""
    return pd.to_datetime(s).dt.normalize()


def bucket_end_series(days: pd.Series) -> pd.Series:
    """Vectorised ``scorecard.periods.bucket_end`` over a datetime64 series (NaT stays NaT)."""
    sunday = days + pd.to_timedelta(6 - days.dt.day_of_week, unit="D")
    month_end = days + pd.offsets.MonthEnd(0)
    return sunday.where(sunday <= month_end, month_end)


def iso_week_series(days: pd.Series) -> pd.Series:
    iso = days.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)


def add_working_days(
    start: pd.Series, n_days: pd.Series, holidays: Iterable[date]
) -> pd.Series:
    """``start`` plus ``n_days`` working days (Mon-Fri, not a holiday); NaT where n is missing."""
    ok = start.notna() & n_days.notna()
    out = pd.Series(pd.NaT, index=start.index, dtype="datetime64[ns]")
    if ok.any():
        begin = start[ok].values.astype("datetime64[D]")
        n = n_days[ok].astype("int64").values
        hol = np.array(sorted(holidays), dtype="datetime64[D]")
        # roll forward first so that a dossier received on a Sunday counts from Monday
        res = np.busday_offset(begin, n, roll="forward", holidays=hol)
        out.loc[ok] = pd.to_datetime(res)
    return out


def derive_dossiers(
    df: pd.DataFrame, legal_days: pd.Series | None = None, holidays: Iterable[date] = ()
) -> pd.DataFrame:
    """Add the derived columns to a frame of dossiers with the raw schema columns.

    ``legal_days`` maps procedure code to its legal duration in working days; it is used only
    for dossiers without a due date (those without either get their received day as deadline).
    """
    out = df.copy()
    status = out["status"].astype("int64")
    received = _days(out["received_at"])
    due = _days(out["due_at"]) if "due_at" in out else pd.Series(pd.NaT, index=out.index)
    if legal_days is not None and due.isna().any():
        n = out["procedure_code"].map(legal_days)
        due = due.fillna(add_working_days(received, n, holidays))
    due = due.fillna(received)
    paused = out.get("paused_days", pd.Series(0, index=out.index)).fillna(0).astype("int64")
    deadline = due + pd.to_timedelta(paused, unit="D")

    finished = _days(out["finished_at"]) if "finished_at" in out else None
    returned = _days(out["returned_at"]) if "returned_at" in out else None
    end = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    if finished is not None:
        end = finished
    if returned is not None:
        end = end.fillna(returned)
    end = end.where(status.isin(STATUS_DONE))

    counted = ~status.isin(STATUS_NOT_COUNTED)
    in_time = end.notna() & (end <= deadline)
    overdue = (deadline + pd.Timedelta(days=1)).where(counted & ~in_time)

    out["counted"] = counted.astype("int64")
    out["received_date"] = received.dt.date
    out["received_week"] = iso_week_series(received)
    out["received_bucket"] = bucket_end_series(received).dt.date
    out["deadline_date"] = deadline.dt.date
    out["end_date"] = _to_date_or_none(end)
    out["overdue_date"] = _to_date_or_none(overdue)
    out["overdue_bucket"] = _to_date_or_none(bucket_end_series(overdue))
    return out


def derive_feedback(df: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns to a frame of feedback items (PAKN)."""
    out = df.copy()
    received = _days(out["received_at"])
    due = _days(out["due_at"])
    handled = _days(out["handled_at"])
    in_time = handled.notna() & (handled <= due)
    overdue = (due + pd.Timedelta(days=1)).where(~in_time)
    out["received_date"] = received.dt.date
    out["received_week"] = iso_week_series(received)
    out["received_bucket"] = bucket_end_series(received).dt.date
    out["overdue_date"] = _to_date_or_none(overdue)
    out["overdue_bucket"] = _to_date_or_none(bucket_end_series(overdue))
    return out


def _to_date_or_none(s: pd.Series) -> pd.Series:
    """datetime64 -> python date objects, NaT -> None (what the database drivers expect)."""
    return s.dt.date.astype(object).where(s.notna(), None)
