"""Pure helpers behind the pages: advice sentences, Excel export, URL filter labels."""

from __future__ import annotations

from datetime import date

import pandas as pd

from texts import t
from ui import advice, tables, widgets
from ui.state import Filters, week_label


def _comp(**kw) -> pd.Series:
    base = {"component": "3.3", "name": "Hồ sơ nộp trực tuyến", "numerator": 100,
            "denominator": 400, "ratio": 0.25, "points": 3.0, "max_points": 6.0,
            "points_lost": 3.0, "empty": False, "saturation": 0.5}
    base.update(kw)
    return pd.Series(base)


def test_win_back_uses_the_methodology_saturation():
    # 3.3 saturates at 50%: at 0% (0 points) it needs 50% (200 of 400), not 100% as the old
    # read-back from the points said
    zero = advice.win_back(_comp(numerator=0, ratio=0.0, points=0.0, points_lost=6.0), "dossiers")
    assert zero == t("advice.need_more", need="50,0%", now="0,0%", more="200", den="400",
                     noun="hồ sơ")
    assert advice.win_back(_comp(), "dossiers") == t(
        "advice.need_more", need="50,0%", now="25,0%", more="100", den="400", noun="hồ sơ")


def test_win_back_full_and_no_activity():
    assert advice.win_back(_comp(points=6.0, points_lost=0.0, ratio=0.6)) == t("advice.full")
    assert advice.win_back(_comp(empty=True, denominator=0), "fee_dossiers") == t(
        "advice.no_activity", noun="hồ sơ có phí")


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


# --- group maxima are the methodology's (data), never constants ------------------------------


def _catalogue(maxima: dict[str, float]) -> pd.DataFrame:
    """A methodology in force with made-up group maxima (not the published 18/20/…)."""
    return pd.DataFrame([
        {"component": f"{g}.1", "name": "x", "group_code": g, "group_max": m, "max_points": m / 2,
         "saturation": 1.0}
        for g, m in maxima.items()
    ])


def test_group_max_reads_the_methodology():
    from ui import views

    made_up = {"1": 15.0, "2": 25.0, "3": 10.0, "4": 12.0, "5": 16.0, "6": 22.0}
    got = views.group_max(_catalogue(made_up))
    assert got == {f"group_{g}": m for g, m in made_up.items()}
    # component detail (the unit page) carries group_max too; without it, the sum of the maxima
    legacy = _catalogue(made_up).drop(columns="group_max")
    assert views.group_max(legacy)["group_2"] == 12.5
    # no methodology: unknown (shown "–"), not an assumed 18/20/12/10/18/22
    empty = views.group_max(pd.DataFrame())
    assert set(empty) == set(widgets.GROUPS) and all(v != v for v in empty.values())
    assert not hasattr(widgets, "GROUP_MAX")


def test_league_help_and_map_maxima_follow_the_methodology():
    from ui import mapview, views

    maxima = views.group_max(_catalogue({"1": 15.0, "2": 25.0}))
    cfg = widgets.league_column_config(with_trend=False, group_max=maxima)
    assert cfg["group_2"]["help"] == t("ui.help.group", name=widgets.group_label("group_2", short=False),
                                       max="25")
    summary = pd.DataFrame({"unit_code": ["A"], "total": [50.0], "group_2": [20.0]})
    vals = mapview.metric_values("group_2", summary, pd.DataFrame(), maxima)
    assert vals["max"].tolist() == [25.0]
