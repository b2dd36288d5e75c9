from datetime import date

import pandas as pd

from texts import fmt_date, fmt_delta, fmt_number, fmt_percent


def test_vietnamese_number_formats():
    assert fmt_percent(0.985) == "98,5%"
    assert fmt_number(1234.5) == "1.234,5"
    assert fmt_number(1234567, 0) == "1.234.567"
    assert fmt_delta(1.25) == "+1,25"
    assert fmt_delta(-0.5) == "−0,50"
    assert fmt_delta(0.001) == "0,00"
    assert fmt_percent(None) == "–"
    # a unit "không phát sinh" has no rank (pandas.NA) and no total (NaN)
    assert fmt_number(pd.NA, 0) == "–" and fmt_number(float("nan"), 2) == "–"


def test_date_format():
    assert fmt_date(date(2024, 1, 5)) == "05/01/2024"


def test_week_format_is_one_for_people():
    from texts import fmt_week

    assert fmt_week("2024-W52") == "Tuần 52/2024 (23/12 – 29/12/2024)"
    assert fmt_week("2024-W52", "short") == "Tuần 52/2024"
    assert fmt_week("2026-W01", "inline") == "tuần 1/2026"
    assert fmt_week("2026-W01") == "Tuần 1/2026 (29/12 – 04/01/2026)", "a week across New Year"
    # not a week: unchanged (a label from elsewhere is never made up)
    assert fmt_week("2024-W54") == "2024-W54" and fmt_week("2024-12") == "2024-12"


def test_rank_change_format():
    import numpy as np

    from texts.lagging import fmt_rank_change

    assert fmt_rank_change(2) == "▲2" and fmt_rank_change(np.int64(11)) == "▲11"
    assert fmt_rank_change(-1) == "▼1"
    # no change, and no rank to compare with (a new unit, không phát sinh), read the same
    for none in (0, None, pd.NA, float("nan"), pd.array([pd.NA], dtype="Int64")[0]):
        assert fmt_rank_change(none) == "–"
