"""Periods: ISO weeks, months, quarters, years and year-to-date, and the buckets they are made of.

A *bucket* is the intersection of an ISO week and a calendar month, identified by its last day.
Every week, month, quarter, year and year-to-date-as-of-a-week's-end is an exact union of
buckets, so weekly aggregates keyed by bucket answer all of them, and "as of the period end" is
always the end of a bucket.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

KINDS = ("week", "month", "quarter", "year", "ytd")

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period label that cannot be understood."""


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] with the label users see and type."""

    kind: str  # one of KINDS
    label: str  # "2024-W52", "2024-12", "2024-Q4", "2024", or "2024-W52" for ytd
    start: date
    end: date

    @property
    def as_of(self) -> date:
        """The moment open dossiers are judged at: the period's last day."""
        return self.end


def month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def bucket_end(d: date) -> date:
    """Last day of the week-and-month bucket that holds ``d``."""
    sunday = d + timedelta(days=6 - d.weekday())
    return min(sunday, month_end(d))


def iso_week_label(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


# The week parsers are pure and their results immutable: memoised, since a page run asks for the
# same few hundred weeks a thousand times (the week picker's labels, the trend charts' axes).
@functools.lru_cache(maxsize=4096)
def week_start(label: str) -> date:
    m = _WEEK.match(label)
    if not m:
        raise PeriodError(label)
    y, w = int(m.group(1)), int(m.group(2))
    try:
        return date.fromisocalendar(y, w, 1)
    except ValueError as exc:
        raise PeriodError(label) from exc


@functools.lru_cache(maxsize=4096)
def week_period(label: str) -> Period:
    start = week_start(label)
    return Period("week", label, start, start + timedelta(days=6))


@functools.lru_cache(maxsize=4096)
def ytd_period(week_label: str) -> Period:
    """Year-to-date as of the end of an ISO week: from 1 January of the year the week ends in."""
    wk = week_period(week_label)
    return Period("ytd", week_label, date(wk.end.year, 1, 1), wk.end)


def parse_period(label: str, ytd: bool = False) -> Period:
    """Parse "2024-W52", "2024-12", "2024-Q4" or "2024"; ``ytd`` turns a week into year-to-date."""
    label = (label or "").strip()
    if _WEEK.match(label):
        return ytd_period(label) if ytd else week_period(label)
    if ytd:
        raise PeriodError(label)
    m = _MONTH.match(label)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise PeriodError(label)
        start = date(y, mo, 1)
        return Period("month", label, start, month_end(start))
    m = _QUARTER.match(label)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        start = date(y, 3 * q - 2, 1)
        return Period("quarter", label, start, month_end(date(y, 3 * q, 1)))
    m = _YEAR.match(label)
    if m:
        y = int(m.group(1))
        return Period("year", label, date(y, 1, 1), date(y, 12, 31))
    raise PeriodError(label)


@functools.lru_cache(maxsize=4096)
def period_for_week(kind: str, week_label: str) -> Period:
    """The period of a kind that a dashboard shows when a week is selected."""
    wk = week_period(week_label)
    if kind == "week":
        return wk
    if kind == "ytd":
        return ytd_period(week_label)
    end = wk.end
    if kind == "month":
        return parse_period(f"{end.year}-{end.month:02d}")
    if kind == "quarter":
        return parse_period(f"{end.year}-Q{(end.month - 1) // 3 + 1}")
    if kind == "year":
        return parse_period(str(end.year))
    raise PeriodError(kind)


def previous_period(p: Period) -> Period:
    """The period just before: last week, last week's year-to-date, last month, ..."""
    if p.kind in ("week", "ytd"):
        prev = iso_week_label(week_start(p.label) - timedelta(days=7))
        return ytd_period(prev) if p.kind == "ytd" else week_period(prev)
    before = p.start - timedelta(days=1)
    if p.kind == "month":
        return parse_period(f"{before.year}-{before.month:02d}")
    if p.kind == "quarter":
        return parse_period(f"{before.year}-Q{(before.month - 1) // 3 + 1}")
    return parse_period(str(before.year))


def weeks_between(first: str, last: str) -> list[str]:
    """ISO week labels from ``first`` to ``last`` inclusive."""
    d, end = week_start(first), week_start(last)
    out = []
    while d <= end:
        out.append(iso_week_label(d))
        d += timedelta(days=7)
    return out


def buckets_between(start: date, end: date) -> list[date]:
    """Bucket ends of all buckets inside [start, end]."""
    out = []
    d = start
    while d <= end:
        b = bucket_end(d)
        out.append(b)
        d = b + timedelta(days=1)
    return out


def as_date(v: object) -> date | None:
    """A stored date (date, datetime, pandas Timestamp, NaT/NaN/None) as a date, or None: the
    validity columns come back as any of these, depending on the backend and pandas."""
    if v is None:
        return None
    if isinstance(v, datetime):  # pandas.Timestamp too (a datetime subclass); NaT is one
        return None if v != v else v.date()
    if isinstance(v, date):
        return v
    try:
        return None if v != v else date.fromisoformat(str(v)[:10])  # NaN, or an ISO string
    except ValueError:
        return None
