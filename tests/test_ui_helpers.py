"""Pure helpers behind the pages: advice sentences, Excel export, URL filter labels."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from texts import t
from ui import advice, tables, widgets
from ui.state import Filters, week_label


def _comp(**kw) -> pd.Series:
    base = {"component": "3.3", "name": "Hồ sơ nộp trực tuyến", "numerator": 100,
            "denominator": 400, "ratio": 0.25, "points": 3.0, "max_points": 6.0,
            "points_lost": 3.0, "empty": False}
    base.update(kw)
    return pd.Series(base)


def test_saturation_is_read_back_from_the_score():
    # 3.3 saturates at 50%: a ratio of 25% earns half of the 6 points.
    assert advice.saturation(0.25, 3.0, 6.0) == pytest.approx(0.5)
    assert advice.saturation(0.0, 0.0, 6.0) is None
    assert advice.saturation(1.0, 6.0, 6.0) is None


def test_win_back_counts_what_is_missing():
    text = advice.win_back(_comp())
    # 50% of 400 = 200 needed, 100 achieved: 100 more.
    assert text == t("ui.advice.need_more", need="50,0%", now="25,0%", more="100", den="400")


def test_win_back_full_and_no_activity():
    assert advice.win_back(_comp(points=6.0, points_lost=0.0, ratio=0.6)) == t("ui.advice.full")
    assert advice.win_back(_comp(empty=True, denominator=0)) == t("ui.advice.no_activity")


def test_component_table_formats():
    df = advice.component_table(pd.DataFrame([_comp(), _comp(component="2.1", empty=True)]))
    assert df[t("ui.col.ratio")].tolist() == ["25,0%", t("ui.no_activity")]
    assert df[t("ui.col.points")].iloc[0] == "3,00 / 6"


def test_overdue_table_for_people():
    overdue = pd.DataFrame({
        "code": ["H49-510-1", "H49-510-2"], "procedure_code": ["1.013547", "2.009637"],
        "procedure_name": ["Tách thửa", "Cấp đổi"], "field_name": ["Đất đai", None],
        "received_date": [date(2024, 4, 5), date(2024, 3, 14)],
        "deadline_date": [date(2024, 5, 8), date(2024, 4, 1)], "end_date": [None, date(2024, 5, 9)],
        "days_overdue": [3, 38], "status": [4, 10], "state": ["open", "late"],
    })
    shown = tables.overdue_table(overdue)
    first = shown.iloc[0]
    assert first[t("ui.col.dossier_code")] == "H49-510-2", "most overdue first"
    assert first[t("ui.col.received")] == date(2024, 3, 14), "a date, shown dd/mm/yyyy"
    assert first[t("ui.overdue.col.end")] == date(2024, 5, 9)
    assert shown.iloc[1][t("ui.overdue.col.end")] is None
    assert first[t("ui.overdue.col.state")] == t("ui.overdue.row.late")
    assert shown.iloc[1][t("ui.overdue.col.state")] == "Còn tồn"
    assert first[t("ui.overdue.col.status_now")] == t("ui.status.10")
    assert first[t("ui.col.field")] == "" and first[t("ui.col.days_overdue")] == 38


def test_delta_kwargs_use_true_minus_and_explicit_colour():
    kw = widgets.delta_kwargs(-0.5)
    assert kw["delta"] == "−0,50" and kw["delta_color"] == "red" and kw["delta_arrow"] == "down"
    assert widgets.delta_kwargs(0.001)["delta_arrow"] == "off"
    assert widgets.delta_kwargs(None) == {"delta": None}


def test_week_label_and_period():
    assert week_label("2024-W52") == "Tuần 52/2024 (23/12 – 29/12/2024)"
    f = Filters(week="2024-W52", period_kind="quarter", level="district")
    assert (f.period.start, f.period.end) == (date(2024, 10, 1), date(2024, 12, 31))


def test_unit_link_is_relative_and_carries_the_view():
    from urllib.parse import parse_qs, urlsplit

    from ui import links

    f = Filters(week="2024-W52", period_kind="month", level="district")
    link = links.unit_link(f, "510", "Huyện Nam Giang & Co (x)")
    u = urlsplit(link)
    assert u.path == "don-vi" and not u.scheme and not u.netloc
    assert {k: v[0] for k, v in parse_qs(u.query).items()} == {
        "week": "2024-W52", "period": "month", "level": "district", "unit": "510"}
    assert " " not in link and "(" not in link and "&Co" not in link, "the name is encoded"
    import re
    from urllib.parse import unquote
    assert unquote(re.search(links.NAME_IN_LINK, link).group(1)) == "Huyện Nam Giang & Co (x)"


def test_unit_links_show_markup_literally():
    from texts.safe import md
    from ui import links

    assert md("**x** [a](b) :red[c] $d$") == (
        r"\*\*x\*\* \[a\]\(b\) \:red\[c\] \$d\$")
    assert links.md_unit_link(Filters("2024-W52", "ytd", "department"), "S1", "Sở [Y] tế") == (
        r"[Sở \[Y\] tế](don-vi?week=2024-W52&period=ytd&level=department&unit=S1)")


def test_clicked_reads_customdata_of_a_selection():
    from ui.chartview import clicked

    state = {"selection": {"points": [{"customdata": ["510", "Tuần 52/2024"]}]}}
    assert clicked(state) == "510" and clicked(state, 1) == "Tuần 52/2024"
    assert clicked({"selection": {"points": []}}) is None
    assert clicked({"selection": {"points": [{"customdata": ["", "x"]}]}}) is None, "province"
    assert clicked(None) is None
