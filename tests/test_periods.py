from datetime import date

import pytest

from scorecard.periods import (
    PeriodError,
    bucket_end,
    buckets_between,
    parse_period,
    period_for_week,
    previous_period,
    weeks_between,
)


def test_iso_weeks_around_new_year():
    w1 = parse_period("2024-W01")
    assert (w1.start, w1.end) == (date(2024, 1, 1), date(2024, 1, 7))
    w53 = parse_period("2026-W53")
    assert (w53.start, w53.end) == (date(2026, 12, 28), date(2027, 1, 3))
    with pytest.raises(PeriodError):
        parse_period("2024-W53")  # 2024 has 52 ISO weeks


def test_ytd_starts_on_first_of_january_of_the_week_end_year():
    p = parse_period("2025-W01", ytd=True)
    assert (p.start, p.end) == (date(2025, 1, 1), date(2025, 1, 5))


def test_month_quarter_year():
    assert parse_period("2024-02").end == date(2024, 2, 29)
    q = parse_period("2024-Q4")
    assert (q.start, q.end) == (date(2024, 10, 1), date(2024, 12, 31))
    assert parse_period("2024").kind == "year"
    for bad in ("2024-13", "2024-Q5", "24-W01", "", "2024-W1"):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_buckets_split_weeks_at_month_ends():
    # 2024-W05 runs Mon 29 Jan .. Sun 4 Feb: two buckets.
    assert bucket_end(date(2024, 1, 30)) == date(2024, 1, 31)
    assert bucket_end(date(2024, 2, 1)) == date(2024, 2, 4)
    wk = parse_period("2024-W05")
    assert buckets_between(wk.start, wk.end) == [date(2024, 1, 31), date(2024, 2, 4)]
    month = parse_period("2024-02")
    assert buckets_between(month.start, month.end)[-1] == date(2024, 2, 29)


def test_previous_and_week_periods():
    assert previous_period(parse_period("2024-W01")).label == "2023-W52"
    assert previous_period(parse_period("2024-W01", ytd=True)).end == date(2023, 12, 31)
    assert previous_period(parse_period("2024-01")).label == "2023-12"
    assert period_for_week("quarter", "2024-W52").label == "2024-Q4"
    assert len(weeks_between("2023-W01", "2024-W52")) == 104
