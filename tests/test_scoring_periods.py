"""ISO weeks around New Year, and how buckets cut a week that straddles two years."""

from __future__ import annotations

from datetime import date

import pytest

from scorecard.periods import (
    PeriodError,
    buckets_between,
    parse_period,
    period_for_week,
    previous_period,
    week_period,
)


def test_2024_w01_starts_on_1_january():
    p = week_period("2024-W01")
    assert (p.start, p.end) == (date(2024, 1, 1), date(2024, 1, 7))
    assert parse_period("2024-W01", ytd=True).start == date(2024, 1, 1)


def test_53_week_years():
    p = week_period("2026-W53")
    assert (p.start, p.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week_period("2020-W53").start == date(2020, 12, 28)
    with pytest.raises(PeriodError):
        week_period("2025-W53")
    with pytest.raises(PeriodError):
        parse_period("2024-W54")


def test_week_straddling_new_year():
    p = week_period("2025-W01")
    assert (p.start, p.end) == (date(2024, 12, 30), date(2025, 1, 5))
    # two buckets: the December slice and the January slice
    assert buckets_between(p.start, p.end) == [date(2024, 12, 31), date(2025, 1, 5)]
    ytd = parse_period("2025-W01", ytd=True)
    assert (ytd.start, ytd.end) == (date(2025, 1, 1), date(2025, 1, 5))
    assert previous_period(ytd).label == "2024-W52"
    assert previous_period(ytd).end == date(2024, 12, 29)
    assert previous_period(week_period("2027-W01")).label == "2026-W53"


def test_month_and_quarter_labels():
    assert parse_period("2024-12").end == date(2024, 12, 31)
    q = parse_period("2024-Q4")
    assert (q.start, q.end) == (date(2024, 10, 1), date(2024, 12, 31))
    assert previous_period(parse_period("2024-Q1")).label == "2023-Q4"
    assert period_for_week("quarter", "2025-W01").label == "2025-Q1"
    for bad in ("2024-13", "2024-Q5", "24-W01", "2024W01", ""):
        with pytest.raises(PeriodError):
            parse_period(bad)
