"""The meeting pack: the weekly briefing deck (PPTX) and workbook (XLSX) for reform meetings.

Pure generation from ``scorecard.service`` results, so the pack shows exactly the numbers the
dashboard shows; no Streamlit here, so the CLI, a scheduled job and the dashboard's download
buttons all produce the same bytes. The weekly ranking the province publishes is the
year-to-date score as of the week's end (SCORECARD.md §4), so that is the headline period
throughout; week-only figures are added where they tell what changed.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from data_access import queries
from scorecard import bieu06a as b06
from scorecard import lagging as lagging_mod
from scorecard import service
from scorecard.methodology import select_version
from scorecard.periods import (
    Period,
    PeriodError,
    period_for_week,
    previous_period,
    week_period,
    ytd_period,
)
from texts import CATALOGUE, fmt_date, fmt_delta, fmt_number, fmt_percent, t

# Levels shown as league tables in the deck, in this order. Communes (a few hundred) are ranked
# in the workbook only, grouped by their district, because no slide can hold them legibly.
DECK_LEVELS = ("department", "district")
COMMUNE_LEVEL = "commune"
BOTTOM_N = 5
GROUPS = tuple(f"group_{i}" for i in range(1, 7))


class BriefingError(ValueError):
    """A week the pack cannot be made for; ``str()`` is a one-line Vietnamese message."""


# --- data: everything the deck and workbook show, fetched once ---------------------------------


@dataclass
class LevelData:
    """One ranked level: its league table (summary) and component detail, year-to-date."""

    code: str
    name: str  # the level's name for titles, lower-case initial: "sở, ban, ngành", "cấp huyện"
    summary: pd.DataFrame
    components: pd.DataFrame
    lagging: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class Briefing:
    week: str
    week_period: Period
    ytd: Period
    prev_ytd: Period
    data_until: date | None
    groups: pd.DataFrame  # [group, name, max_points] in group order
    province: pd.Series  # the province summary row, year-to-date
    province_prev: pd.Series | None  # the same as of last week
    province_week: pd.Series | None  # week-only
    province_components: pd.DataFrame
    levels: dict[str, LevelData]
    level_names: pd.DataFrame  # service.levels: [code, name, plural, sort_order, ranked]
    # Pareto of overdue dossiers by procedure, for the units the deck singles out.
    overdue_by_unit: dict[str, pd.DataFrame] = field(default_factory=dict)
    overdue_counts: dict[str, int] = field(default_factory=dict)  # unit → overdue dossiers, ytd


def _first_row(df: pd.DataFrame) -> pd.Series | None:
    return None if df is None or df.empty else df.iloc[0]


def group_info(engine: Engine, on: date) -> pd.DataFrame:
    """[group, name, max_points] of the methodology version in force on ``on``, group order.

    The service API has no call for group names and maxima, so this reads the same methodology
    rows the scoring uses (data, versioned) rather than hard-coding the six groups.
    """
    meth = select_version(queries.methodology(engine), on)
    g = meth.drop_duplicates("group_code")[["group_code", "group_name", "group_max"]]
    g = g.assign(_o=g["group_code"].astype(int)).sort_values("_o")
    return pd.DataFrame(
        {"group": g["group_code"].astype(str).to_numpy(), "name": g["group_name"].to_numpy(),
         "max_points": g["group_max"].astype(float).to_numpy()}
    )


def collect(engine: Engine, week: str, communes: bool = True) -> Briefing:
    """Fetch every number of the pack for ``week`` (ISO label such as ``2024-W52``).

    ``communes=False`` skips the commune league, which only the workbook shows (the deck alone
    is then faster; ``build_workbook`` fetches it when missing). Raises BriefingError for a
    malformed week or one without data.
    """
    week = (week or "").strip()
    try:
        wk = week_period(week)
    except PeriodError as exc:
        raise BriefingError(t("brief.err_week", week=week)) from exc
    if week not in set(service.available_weeks(engine)):
        raise BriefingError(t("brief.err_no_data", week=week))
    ytd = ytd_period(week)
    prev = previous_period(ytd)

    prov = service.scorecard(engine, "province", ytd)
    if prov.summary.empty:
        raise BriefingError(t("brief.err_no_data", week=week))
    levels: dict[str, LevelData] = {}
    for code in (*DECK_LEVELS, COMMUNE_LEVEL) if communes else DECK_LEVELS:
        data = _level_data(engine, code, ytd)
        if data is not None:
            levels[code] = data
    for code in DECK_LEVELS:
        if code in levels:
            levels[code].lagging = service.lagging(engine, code, week, bottom_n=BOTTOM_N)

    b = Briefing(
        week=week,
        week_period=wk,
        ytd=ytd,
        prev_ytd=prev,
        data_until=service.data_until(engine),
        groups=group_info(engine, ytd.end),
        province=prov.summary.iloc[0],
        province_prev=_first_row(service.scorecard(engine, "province", prev).summary),
        province_week=_first_row(service.scorecard(engine, "province", wk).summary),
        province_components=prov.components,
        levels=levels,
        level_names=service.levels(engine),
    )
    # One grouped query for every unit instead of one per unit: the same rows
    # service.overdue_pareto reads, put through the same Pareto function.
    by_proc = queries.overdue_by(engine, ytd.start, ytd.end, "procedure")
    b.overdue_counts = (
        by_proc.groupby("unit_code")["overdue"].sum().astype(int).to_dict() if not by_proc.empty else {}
    )
    for code in singled_out_units(b):
        mine = by_proc[by_proc["unit_code"] == code] if not by_proc.empty else by_proc
        b.overdue_by_unit[code] = lagging_mod.pareto(mine)
    return b


def _level_data(engine: Engine, code: str, ytd: Period) -> LevelData | None:
    """The year-to-date league table and components of one level (None if no such level)."""
    lv = service.levels(engine).set_index("code")
    if code not in lv.index:
        return None
    res = service.scorecard(engine, code, ytd)
    summary = _with_unit_info(res.summary, service.units(engine, level=code))
    name = str(lv.loc[code, "name"])
    return LevelData(code, name[:1].lower() + name[1:], summary, res.components)


def _with_unit_info(summary: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add short_name, parent_code, lat, lon (from the unit list) to a league table."""
    if summary.empty:
        return summary.assign(short_name=None, parent_code=None, lat=None, lon=None)
    info = units[["code", "short_name", "parent_code", "lat", "lon"]].rename(
        columns={"code": "unit_code"}
    )
    # A left merge keeps the engine's order (rank, then code for ties): the pack must list
    # units exactly as the dashboard does.
    return summary.merge(info, on="unit_code", how="left").reset_index(drop=True)


def bottom_units(level: LevelData, n: int = BOTTOM_N) -> pd.DataFrame:
    """The last ``n`` units of a league table, best of them first."""
    return level.summary.tail(n)


def singled_out_units(b: Briefing) -> list[str]:
    """Units the deck shows overdue procedures for: the lagging ones and the bottom five."""
    codes: list[str] = []
    for code in DECK_LEVELS:
        if code not in b.levels:
            continue
        lv = b.levels[code]
        if not lv.lagging.empty:
            codes += list(lv.lagging["unit_code"])
        codes += list(bottom_units(lv)["unit_code"])
    return list(dict.fromkeys(codes))


def display_name(row: pd.Series, limit: int = 30) -> str:
    """The unit's name, or its short name when the full one would not fit a chart label."""
    name = str(row.get("unit_name") or "")
    short = row.get("short_name")
    if len(name) > limit and isinstance(short, str) and short:
        return short
    return name


# Generic administrative prefixes; dropped on the map, where space is tight and the level is
# obvious from the slide title.
_ADMIN_PREFIX = re.compile(r"^(Thành phố|Thị xã|Huyện|Quận|Thị trấn|Phường|Xã)\s+")


def map_label(row: pd.Series) -> str:
    short = row.get("short_name")
    if isinstance(short, str) and short:
        return short
    return _ADMIN_PREFIX.sub("", str(row.get("unit_name") or ""))


def _num(x: object, decimals: int = 2) -> str:
    return fmt_number(None if x is None else float(x), decimals)


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- PPTX ---------------------------------------------------------------------------------------

# Arial has every Vietnamese glyph on the machines that show the deck (Windows, macOS,
# LibreOffice maps it to the metric-compatible Liberation Sans); it is set on every run because
# a theme font may fall back to one without the stacked diacritics.
FONT = "Arial"
NAVY = "1F3864"
GREY = "595959"
LIGHT = "D9D9D9"
UP = "1B7837"
DOWN = "C0392B"


def _rgb(hex_color: str) -> object:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _text_color_on(hex_color: str) -> str:
    """White text on dark fills, black on light ones (relative luminance)."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return "FFFFFF" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.55 else "000000"


def _style_run(run: object, size: float, bold: bool = False, color: str = "000000") -> None:
    from pptx.util import Pt

    f = run.font
    f.name = FONT
    f.size = Pt(size)
    f.bold = bold
    f.color.rgb = _rgb(color)


def _textbox(
    slide: object,
    x: float,
    y: float,
    w: float,
    h: float,
    lines: Sequence[str] | str,
    size: float = 18,
    bold: bool = False,
    color: str = "000000",
    align: str = "left",
) -> object:
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.TOP
    if isinstance(lines, str):
        lines = [lines]
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[
            align
        ]
        _style_run(p.add_run(), size, bold, color)
        p.runs[0].text = line
    return box


class _Deck:
    """A 16:9 presentation with the slide furniture every content slide shares."""

    W, H = 13.333, 7.5

    def __init__(self, b: Briefing) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.b = b
        self.prs = Presentation()
        self.prs.slide_width = Inches(self.W)
        self.prs.slide_height = Inches(self.H)
        self._blank = self.prs.slide_layouts[6]

    def slide(self, title: str) -> object:
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Inches

        s = self.prs.slides.add_slide(self._blank)
        _textbox(s, 0.45, 0.25, self.W - 0.9, 0.8, title, size=28, bold=True, color=NAVY)
        bar = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.45), Inches(1.02), Inches(self.W - 0.9), Inches(0.04))
        bar.fill.solid()
        bar.fill.fore_color.rgb = _rgb(NAVY)
        bar.line.fill.background()
        footer = f"{t('brief.org_short')} · {t('brief.week', week=self.b.week, start=fmt_date(self.b.week_period.start), end=fmt_date(self.b.week_period.end))}"
        _textbox(s, 0.45, self.H - 0.42, 10, 0.35, footer, size=11, color=GREY)
        _textbox(s, self.W - 1.45, self.H - 0.42, 1.0, 0.35, str(len(self.prs.slides)), size=11, color=GREY, align="right")
        return s

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def _table(
    slide: object,
    x: float,
    y: float,
    widths: Sequence[float],
    rows: Sequence[Sequence[str]],
    size: float = 16,
    row_h: float = 0.45,
    header_h: float | None = None,
    fills: dict[tuple[int, int], str] | None = None,
    align: Sequence[str] | None = None,
) -> object:
    """A native table; row 0 is the header. ``fills`` colours single cells (grade colours)."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    fills = fills or {}
    shape = slide.shapes.add_table(
        len(rows), len(widths), Inches(x), Inches(y), Inches(sum(widths)), Inches(row_h * len(rows))
    )
    tbl = shape.table
    tbl.first_row = True
    for j, w in enumerate(widths):
        tbl.columns[j].width = Inches(w)
    for i, row in enumerate(rows):
        tbl.rows[i].height = Inches(header_h if i == 0 and header_h else row_h)
        for j, value in enumerate(row):
            cell = tbl.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(0.06)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            fill = NAVY if i == 0 else fills.get((i, j), "FFFFFF" if i % 2 else "F2F2F2")
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(fill)
            color = _text_color_on(fill)
            tf = cell.text_frame
            tf.word_wrap = True
            for k, line in enumerate(str(value).split("\n")):
                p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
                a = (align[j] if align else "left") if i else "center"
                p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[a]
                r = p.add_run()
                r.text = line
                _style_run(r, size, bold=(i == 0), color=color)
    return shape


def _chart(
    slide: object,
    kind: str,
    x: float,
    y: float,
    w: float,
    h: float,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    colors: Sequence[str],
    number_format: str = "0.00",
    legend: bool = True,
    labels: bool = True,
    size: float = 14,
    label_colors: Sequence[str] | None = None,
) -> object:
    """A native (editable) PowerPoint bar chart. ``kind``: bar, bar_stacked, column."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import (
        XL_CHART_TYPE,
        XL_LABEL_POSITION,
        XL_LEGEND_POSITION,
        XL_TICK_LABEL_POSITION,
    )
    from pptx.util import Inches, Pt

    data = CategoryChartData(number_format=number_format)
    data.categories = list(categories)
    for name, values in series:
        data.add_series(name, [float(v) for v in values])
    chart_type = {
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "bar_stacked": XL_CHART_TYPE.BAR_STACKED,
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    }[kind]
    chart = slide.shapes.add_chart(
        chart_type, Inches(x), Inches(y), Inches(w), Inches(h), data
    ).chart
    chart.font.name = FONT
    chart.font.size = Pt(size)
    chart.has_legend = legend and len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(size)
    if kind.startswith("bar"):
        # Bar charts draw the first category at the bottom; reading order is top-down.
        chart.category_axis.reverse_order = True
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = _rgb(LIGHT)
    chart.has_title = False
    # Data labels carry the numbers; value-axis labels would only repeat them (and sit on top
    # once the categories are reversed).
    chart.value_axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    chart.category_axis.tick_labels.font.size = Pt(size)
    # LOW keeps category names left of the plot even when bars go negative (movers).
    chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    plot = chart.plots[0]
    plot.gap_width = 60
    if kind == "bar_stacked":
        plot.overlap = 100
    for s, color in zip(plot.series, colors, strict=False):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = _rgb(color)
        s.invert_if_negative = False
    if labels:
        plot.has_data_labels = True
        dl = plot.data_labels
        dl.number_format = number_format
        dl.number_format_is_linked = False
        dl.font.size = Pt(size)
        dl.font.name = FONT
        if kind != "bar_stacked":
            dl.position = XL_LABEL_POSITION.OUTSIDE_END
        for s, color in zip(plot.series, label_colors or [], strict=False):
            # Per-series labels: white on the dark bar, dark on the light one.
            sdl = s.data_labels
            sdl.number_format = number_format
            sdl.number_format_is_linked = False
            sdl.font.size = Pt(size)
            sdl.font.name = FONT
            sdl.font.color.rgb = _rgb(color)
            sdl.show_value = True
    return chart


def _title_slide(d: _Deck) -> None:
    b = d.b
    s = d.prs.slides.add_slide(d._blank)
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.0), d.prs.slide_width, Inches(2.6))
    band.fill.solid()
    band.fill.fore_color.rgb = _rgb(NAVY)
    band.line.fill.background()
    _textbox(s, 0.8, 0.8, 11.7, 0.8, t("brief.org"), size=24, bold=True, color=NAVY, align="center")
    _textbox(s, 0.8, 2.25, 11.7, 1.2, t("brief.title"), size=36, bold=True, color="FFFFFF", align="center")
    _textbox(s, 0.8, 3.55, 11.7, 0.8, t("brief.subtitle"), size=24, color="FFFFFF", align="center")
    wk = b.week_period
    lines = [
        t("brief.week", week=b.week, start=fmt_date(wk.start), end=fmt_date(wk.end)),
        t("brief.scope", end=fmt_date(b.ytd.end)),
        t("brief.freshness", date=fmt_date(b.data_until)) if b.data_until else t("brief.freshness_none"),
    ]
    _textbox(s, 0.8, 4.95, 11.7, 1.6, lines, size=22, color="000000", align="center")
    _textbox(s, 0.8, 6.7, 11.7, 0.4, t("brief.generated", at=datetime.now().strftime("%H:%M %d/%m/%Y")), size=12, color=GREY, align="center")


def _delta(now: pd.Series, before: pd.Series | None, col: str) -> float | None:
    if before is None or pd.isna(before.get(col)) or pd.isna(now.get(col)):
        return None
    return float(now[col]) - float(before[col])


def _province_slide(d: _Deck) -> None:
    b = d.b
    p = b.province
    s = d.slide(t("brief.province_title", total=_num(p["total"]), grade=p["grade"]))
    sub = [t("brief.province_delta", delta=fmt_delta(_delta(p, b.province_prev, "total")))]
    if b.province_week is not None:
        sub.append(
            t(
                "brief.province_week_only",
                week=b.week,
                total=_num(b.province_week["total"]),
                dossiers=fmt_number(b.province_week.get("dossiers"), 0),
            )
        )
    _textbox(s, 0.45, 1.15, 12.4, 0.8, sub, size=18, color=GREY)
    names = [f"{i}. {n}" for i, n in zip(range(1, 7), b.groups["name"], strict=False)]
    now = [float(p[g]) for g in GROUPS]
    series = [(t("brief.series_this_week"), now)]
    colors = [NAVY]
    if b.province_prev is not None:
        series.append((t("brief.series_last_week"), [float(b.province_prev[g]) for g in GROUPS]))
        colors.append("8FAADC")
    _chart(s, "bar", 0.3, 2.0, 6.3, 4.95, names, series, colors, size=14)
    rows = [[t("brief.col_group"), t("brief.col_points"), t("brief.col_max"), t("brief.col_change"), t("brief.col_week_only")]]
    for i, g in enumerate(GROUPS):
        rows.append(
            [
                f"{i + 1}. {b.groups['name'].iloc[i]}",
                _num(p[g]),
                fmt_number(b.groups["max_points"].iloc[i], 0),
                fmt_delta(_delta(p, b.province_prev, g)),
                _num(b.province_week[g]) if b.province_week is not None else "–",
            ]
        )
    rows.append(
        [
            t("brief.group_total"),
            _num(p["total"]),
            fmt_number(b.groups["max_points"].sum(), 0),
            fmt_delta(_delta(p, b.province_prev, "total")),
            _num(b.province_week["total"]) if b.province_week is not None else "–",
        ]
    )
    _table(s, 6.75, 2.1, [2.65, 0.85, 0.75, 0.95, 0.95], rows, size=14, row_h=0.55,
           align=["left", "right", "right", "right", "right"])


def _pages(n: int, per_page: int) -> list[tuple[int, int]]:
    """Balanced [start, stop) slices: 18 rows at 10 a page give 9 + 9, not 10 + 8."""
    if n <= per_page:
        return [(0, n)]
    k = math.ceil(n / per_page)
    size = math.ceil(n / k)
    return [(i, min(i + size, n)) for i in range(0, n, size)]


LEAGUE_ROWS_PER_SLIDE = 10


def league_rows(summary: pd.DataFrame) -> list[list[str]]:
    """League table rows as shown on the slides (also what the tests read back)."""
    rows = []
    for _, r in summary.iterrows():
        rows.append(
            [
                str(int(r["rank"])),
                str(r["unit_name"]),
                _num(r["total"]),
                str(r["grade"]),
                fmt_delta(r.get("delta_week")),
                *[_num(r[g], 1) for g in GROUPS],
            ]
        )
    return rows


def _league_slides(d: _Deck, lv: LevelData) -> None:
    if lv.summary.empty:
        return
    header = [t("brief.col_rank"), t("brief.col_unit"), t("brief.col_total"), t("brief.col_grade"), t("brief.col_change")]
    header += [t("brief.col_group_n", n=i) for i in range(1, 7)]
    rows = league_rows(lv.summary)
    pages = _pages(len(rows), LEAGUE_ROWS_PER_SLIDE)
    widths = [0.8, 4.45, 1.0, 1.45, 1.15] + [0.6] * 6
    align = ["center", "left", "right", "center", "right"] + ["right"] * 6
    for k, (a, z) in enumerate(pages):
        title = t("brief.league_title", level=lv.name)
        if len(pages) > 1:
            title += " " + t("brief.league_part", part=k + 1, parts=len(pages))
        s = d.slide(title)
        fills = {
            (i + 1, 3): str(lv.summary["grade_color"].iloc[a + i]) for i in range(z - a)
        }
        _table(s, 0.45, 1.3, widths, [header, *rows[a:z]], size=16, row_h=0.5, fills=fills, align=align)
        _textbox(s, 0.45, 6.55, 12.4, 0.4, t("brief.league_note"), size=14, color=GREY)


def _map_slide(d: _Deck, lv: LevelData, png: bytes | None, note: str) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    s = d.slide(t("brief.map_title", level=lv.name))
    if png:
        s.shapes.add_picture(io.BytesIO(png), Inches(0.45), Inches(1.2), height=Inches(5.7))
    else:
        _textbox(s, 0.45, 3.0, 8.0, 1.0, t("brief.map_missing"), size=20, color=GREY)
    # The legend is native text so it stays editable and crisp on any projector.
    _textbox(s, 9.0, 1.3, 3.9, 0.5, t("brief.map_legend"), size=20, bold=True, color=NAVY)
    legend = (
        lv.summary.groupby(["grade", "grade_color"], sort=False).size().reset_index(name="n")
    )
    order = {g: i for i, g in enumerate(lv.summary.sort_values("total", ascending=False)["grade"].unique())}
    legend = legend.assign(o=legend["grade"].map(order)).sort_values("o")
    y = 1.9
    for r in legend.itertuples():
        sw = s.shapes.add_shape(MSO_SHAPE.OVAL, Inches(9.05), Inches(y + 0.08), Inches(0.32), Inches(0.32))
        sw.fill.solid()
        sw.fill.fore_color.rgb = _rgb(str(r.grade_color))
        sw.line.color.rgb = _rgb("FFFFFF")
        _textbox(s, 9.5, y, 3.4, 0.45, f"{r.grade}: {r.n}", size=18)
        y += 0.55
    best = lv.summary.iloc[0]
    worst = lv.summary.iloc[-1]
    _textbox(
        s, 9.0, y + 0.3, 3.9, 2.2,
        [f"↑ {map_label(best)}: {_num(best['total'])}", f"↓ {map_label(worst)}: {_num(worst['total'])}"],
        size=18,
    )
    _textbox(s, 9.0, 6.3, 3.9, 0.7, note, size=12, color=GREY)


def movers(b: Briefing, n: int = 5) -> pd.DataFrame:
    """The ``n`` biggest rises and ``n`` biggest falls of the week among the deck's levels."""
    frames = [lv.summary for c, lv in b.levels.items() if c in DECK_LEVELS and not lv.summary.empty]
    if not frames:
        return pd.DataFrame(columns=["unit_code", "unit_name", "delta_week"])
    allu = pd.concat(frames, ignore_index=True).dropna(subset=["delta_week"])
    allu = allu.assign(delta_week=allu["delta_week"].astype(float).round(2))
    up = allu[allu["delta_week"] > 0].nlargest(n, "delta_week")
    down = allu[allu["delta_week"] < 0].nsmallest(n, "delta_week").iloc[::-1]
    return pd.concat([up, down], ignore_index=True)


def _movers_slide(d: _Deck) -> None:
    s = d.slide(t("brief.movers_title"))
    m = movers(d.b)
    if m.empty:
        _textbox(s, 0.45, 3.0, 12.4, 1.0, t("brief.movers_none"), size=20, color=GREY)
        return
    cats = [display_name(r) for _, r in m.iterrows()]
    chart = _chart(
        s, "bar", 0.45, 1.25, 12.4, 5.2, cats,
        [(t("brief.movers_series"), list(m["delta_week"]))], [UP], number_format="+0.00;-0.00;0.00",
        legend=False, size=14,
    )
    # Colour each bar by direction; invert_if_negative alone would give an unfilled bar.
    series = chart.plots[0].series[0]
    for i, v in enumerate(m["delta_week"]):
        pt = series.points[i]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = _rgb(UP if v > 0 else DOWN)
    _textbox(s, 0.45, 6.55, 12.4, 0.4, t("brief.movers_note"), size=14, color=GREY)


def _as_list(x: object) -> list[str]:
    """Lagging's list columns (reasons, overdue procedures) as a list of strings."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return []
    if isinstance(x, str):
        return [x]
    return [str(v) for v in x]


def _top_procedures(b: Briefing, unit_code: str, n: int, width: int) -> list[str]:
    """"name (k hồ sơ)" for a unit's procedures with the most overdue dossiers; the name is
    clipped, never the count, which is what the meeting acts on."""
    par = b.overdue_by_unit.get(unit_code)
    if par is None or par.empty:
        return []
    return [
        t("brief.proc_count", name=_clip(r["name"] or r["key"], width), n=fmt_number(r["overdue"], 0))
        for _, r in par.head(n).iterrows()
    ]


LAGGING_ROWS_PER_SLIDE = 3  # each row holds up to three reasons and three procedures


def lagging_rows(b: Briefing, lv: LevelData) -> list[tuple[list[str], str | None]]:
    """(cells, grade colour) per lagging unit, most urgent first, as the slides show them."""
    scores = lv.summary.set_index("unit_code")
    out: list[tuple[list[str], str | None]] = []
    for _, r in lv.lagging.head(BOTTOM_N).iterrows():
        sc = scores.loc[r["unit_code"]] if r["unit_code"] in scores.index else None
        unit = str(r["unit_name"])
        color = None
        if sc is not None:
            unit += f"\n{_num(sc['total'])} điểm\n{t('brief.col_rank')} {int(sc['rank'])}/{len(scores)}"
            color = str(sc["grade_color"])
        # Why it lags, then where its points go (the components costing it most).
        items = _as_list(r["reasons"])[:2] + _as_list(r.get("worst_components"))[:2]
        reasons = "\n".join(f"• {_clip(x, 110)}" for x in items)
        procs = "\n".join(f"• {x}" for x in _top_procedures(b, r["unit_code"], 3, 52)) or "–"
        out.append(([unit, reasons, procs], color))
    return out


def _lagging_slides(d: _Deck, lv: LevelData) -> None:
    rows = lagging_rows(d.b, lv)
    if not rows:
        s = d.slide(t("brief.lagging_title", level=lv.name))
        _textbox(s, 0.45, 3.0, 12.4, 1.0, t("brief.lagging_none"), size=20, color=GREY)
        return
    header = [t("brief.col_unit"), t("brief.col_reasons"), t("brief.col_procedures")]
    pages = _pages(len(rows), LAGGING_ROWS_PER_SLIDE)
    for k, (a, z) in enumerate(pages):
        title = t("brief.lagging_title", level=lv.name)
        if len(pages) > 1:
            title += " " + t("brief.league_part", part=k + 1, parts=len(pages))
        s = d.slide(title)
        fills = {(i + 1, 0): c for i, (_, c) in enumerate(rows[a:z]) if c}
        _table(s, 0.45, 1.3, [2.7, 5.2, 4.5], [header, *[c for c, _ in rows[a:z]]],
               size=14, row_h=1.65, header_h=0.5, fills=fills)


UNIT_COMPONENTS = 3  # components costing the most, on a unit slide
UNIT_PROCEDURES = 3  # procedures with the most overdue dossiers, on a unit slide


def costly_components(lv: LevelData, unit_code: str, n: int = UNIT_COMPONENTS) -> pd.DataFrame:
    """The components that cost a unit the most points (none that cost nothing)."""
    comp = lv.components[lv.components["unit_code"] == unit_code]
    return comp[comp["points_lost"] > 0.005].nlargest(n, "points_lost")


def _unit_slide(d: _Deck, lv: LevelData, row: pd.Series) -> None:
    b = d.b
    s = d.slide(
        t("brief.unit_title", name=row["unit_name"], rank=int(row["rank"]), count=len(lv.summary),
          total=_num(row["total"]), grade=row["grade"])
    )
    _textbox(s, 0.45, 1.12, 5.9, 0.45, t("brief.unit_delta", delta=fmt_delta(row.get("delta_week"))), size=16, color=GREY)
    names = [f"{i}. {n}" for i, n in zip(range(1, 7), b.groups["name"], strict=False)]
    pts = [float(row[g]) for g in GROUPS]
    lost = [max(0.0, float(m) - p) for m, p in zip(b.groups["max_points"], pts, strict=False)]
    _chart(
        s, "bar_stacked", 0.3, 1.55, 5.95, 5.45, names,
        [(t("brief.series_points"), pts), (t("brief.series_lost"), lost)],
        [NAVY, "F4B183"], number_format="0.0;-0.0;", size=14, label_colors=["FFFFFF", "000000"],
    )
    x, w = 6.4, 6.5
    _textbox(s, x, 1.12, w, 0.45, t("brief.unit_costly"), size=18, bold=True, color=NAVY)
    rows = [[t("brief.col_component"), t("brief.col_ratio"), t("brief.col_points"), t("brief.col_lost")]]
    for _, c in costly_components(lv, row["unit_code"]).iterrows():
        ratio = t("brief.no_activity") if bool(c.get("empty")) else fmt_percent(c["ratio"])
        rows.append([f"{c['component']} {_clip(c['name'], 66)}", ratio,
                     f"{_num(c['points'])}/{fmt_number(c['max_points'], 0)}", _num(c["points_lost"])])
    if len(rows) > 1:
        _table(s, x, 1.57, [3.95, 0.9, 1.0, 0.65], rows, size=14, row_h=0.6, header_h=0.45,
               align=["left", "right", "right", "right"])
    y = 1.57 + 0.45 + 0.6 * UNIT_COMPONENTS + 0.15
    _textbox(s, x, y, w, 0.45, t("brief.unit_overdue"), size=18, bold=True, color=NAVY)
    par = b.overdue_by_unit.get(row["unit_code"])
    if par is None or par.empty:
        _textbox(s, x, y + 0.5, w, 0.45, t("brief.unit_no_overdue"), size=16, color=GREY)
        return
    rows = [[t("brief.col_procedure"), t("brief.col_overdue"), t("brief.col_share")]]
    for _, r in par.head(UNIT_PROCEDURES).iterrows():
        rows.append([_clip(r["name"] or r["key"], 80), fmt_number(r["overdue"], 0), fmt_percent(r["share"], 0)])
    _table(s, x, y + 0.45, [4.6, 0.95, 0.95], rows, size=14, row_h=0.6, header_h=0.45,
           align=["left", "right", "right"])


def build_deck(engine: Engine, week: str, briefing: Briefing | None = None) -> bytes:
    """The weekly briefing deck (16:9 PPTX) for ``week``; ``briefing`` reuses fetched data."""
    b = briefing or collect(engine, week, communes=False)
    d = _Deck(b)
    _title_slide(d)
    _province_slide(d)
    for code in DECK_LEVELS:
        lv = b.levels.get(code)
        if lv is None or lv.summary.empty:
            continue
        _league_slides(d, lv)
        if lv.summary["lat"].notna().any():
            png, note = render_map(lv.summary)
            _map_slide(d, lv, png, note)
    _movers_slide(d)
    for code in DECK_LEVELS:
        if code in b.levels:
            _lagging_slides(d, b.levels[code])
    for code in DECK_LEVELS:
        lv = b.levels.get(code)
        if lv is None or lv.summary.empty:
            continue
        for _, row in bottom_units(lv).iterrows():
            _unit_slide(d, lv, row)
    return d.to_bytes()


# --- map picture ------------------------------------------------------------------------------

_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def _pil_font(size: int) -> object:
    from PIL import ImageFont

    for path in _FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _geojson_rings(path: str) -> dict[str, list[list[tuple[float, float]]]]:
    """Outer rings per feature code from a GeoJSON file (Polygon and MultiPolygon)."""
    with open(path, encoding="utf-8") as fh:
        gj = json.load(fh)
    out: dict[str, list[list[tuple[float, float]]]] = {}
    for f in gj.get("features", []):
        props = f.get("properties") or {}
        code = str(props.get("code") or props.get("ma") or "")
        geom = f.get("geometry") or {}
        polys = geom.get("coordinates", [])
        if geom.get("type") == "Polygon":
            polys = [polys]
        elif geom.get("type") != "MultiPolygon":
            continue
        out.setdefault(code, []).extend([[(x, y) for x, y, *_ in poly[0]] for poly in polys])
    return out


def render_map(summary: pd.DataFrame, px: int = 1500) -> tuple[bytes | None, str]:
    """A static PNG map of the units coloured by grade, and its caption.

    Seat points from the units' lat/lon always; district boundaries too when the environment
    variable REFORM_GEOJSON_DISTRICTS names a GeoJSON file (the project ships none: boundary
    files carry their own licences, so the user supplies one).
    """
    from PIL import Image, ImageDraw

    pts = summary.dropna(subset=["lat", "lon"])
    if pts.empty:
        return None, ""
    rings: dict[str, list[list[tuple[float, float]]]] = {}
    gj_path = os.environ.get("REFORM_GEOJSON_DISTRICTS", "")
    note = t("brief.map_note_points")
    if gj_path and Path(gj_path).is_file():
        try:
            rings = _geojson_rings(gj_path)
            note = t("brief.map_note_boundaries", source=os.environ.get("REFORM_GEOJSON_ATTRIBUTION") or Path(gj_path).name)
        except (OSError, ValueError, TypeError):
            rings = {}
    xs = list(pts["lon"]) + [x for rs in rings.values() for r in rs for x, _ in r]
    ys = list(pts["lat"]) + [y for rs in rings.values() for r in rs for _, y in r]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    pad = 0.08 * max(x1 - x0, y1 - y0, 0.1)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    # Equirectangular with cos(lat) so the province keeps its shape at this latitude.
    kx = math.cos(math.radians((y0 + y1) / 2))
    w_deg, h_deg = (x1 - x0) * kx, y1 - y0
    width = px
    height = int(px * h_deg / w_deg) if w_deg else px
    height = max(600, min(height, int(px * 1.1)))
    scale = min(width / w_deg, height / h_deg)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - x0) * kx * scale, height - (lat - y0) * scale)

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    colors = dict(zip(summary["unit_code"].astype(str), summary["grade_color"], strict=False))
    for code, rs in rings.items():
        fill = colors.get(code, "#eeeeee")
        for r in rs:
            draw.polygon([xy(x, y) for x, y in r], fill=_tint(fill), outline="#606060")
    # About 14 pt once the picture is on the slide (5.7 in high).
    font = _pil_font(int(width / 38))
    bold = _pil_font(int(width / 34))
    rad = width / 85
    marks = []
    for _, r in pts.iterrows():
        cx, cy = xy(float(r["lon"]), float(r["lat"]))
        marks.append((cx, cy, r))
        draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=str(r["grade_color"]), outline="black", width=2)
    # Greedy label placement: the first of a few positions around the point that stays inside
    # the picture and clear of labels and points already placed (seats can be 8 km apart).
    taken = [(cx - rad, cy - rad, cx + rad, cy + rad) for cx, cy, _ in marks]
    for cx, cy, r in sorted(marks, key=lambda m: m[0]):
        label = f"{map_label(r)} {_num(r['total'], 1)}"
        f = bold if r["rank"] == 1 else font
        x0_, y0_, x1_, y1_ = draw.textbbox((0, 0), label, font=f)
        tw, th = x1_ - x0_, y1_ - y0_
        options = []
        for k in (1.0, 2.2, 3.4):  # near the point first, then further out with a leader line
            gap = rad * k + 6
            options += [
                (cx + gap, cy - th / 2), (cx - gap - tw, cy - th / 2),
                (cx - tw / 2, cy - gap - th), (cx - tw / 2, cy + gap),
                (cx + gap, cy - gap - th), (cx + gap, cy + gap),
                (cx - gap - tw, cy - gap - th), (cx - gap - tw, cy + gap),
            ]

        def overlap(o: tuple[float, float], tw: float = tw, th: float = th) -> float:
            """Area shared with labels and points already placed; inf if off the picture."""
            bx = (o[0] - 3, o[1] - 3, o[0] + tw + 3, o[1] + th + 3)
            if bx[0] < 0 or bx[1] < 0 or bx[2] > width or bx[3] > height:
                return math.inf
            return sum(
                max(0.0, min(bx[2], c[2]) - max(bx[0], c[0])) * max(0.0, min(bx[3], c[3]) - max(bx[1], c[1]))
                for c in taken
            )

        # The first clear position, else the least crowded one.
        ox, oy = next((o for o in options if overlap(o) == 0), None) or min(options, key=overlap)
        taken.append((ox - 3, oy - 3, ox + tw + 3, oy + th + 3))
        near_x = min(max(cx, ox), ox + tw)
        near_y = min(max(cy, oy), oy + th)
        if math.hypot(near_x - cx, near_y - cy) > rad * 1.8:
            draw.line([(cx, cy), (near_x, near_y)], fill="#404040", width=2)
            draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=str(r["grade_color"]), outline="black", width=2)
        # A white halo keeps labels legible over boundaries.
        draw.text((ox - x0_, oy - y0_), label, fill="black", font=f, stroke_width=4, stroke_fill="white")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue(), note


def _tint(hex_color: str, keep: float = 0.45) -> str:
    """A lighter version of a grade colour for polygon fills, so points and labels stand out."""
    h = hex_color.lstrip("#")
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02x}" for c in rgb)


# --- XLSX -------------------------------------------------------------------------------------


def bieu06a_period(week: str) -> Period:
    """The Biểu II.06a range in the pack: quarter-to-date as of the week's end (offices report
    quarterly; to date so the figures match the week being discussed)."""
    wk = week_period(week)
    q = period_for_week("quarter", week)
    return Period("quarter", q.label, q.start, wk.end)


def unit_order(b: Briefing) -> dict[str, int]:
    """Report order of units: by level as the deck shows them, communes grouped under their
    district, each by code (GSO codes follow the official list order)."""
    order: dict[str, int] = {}
    for code in DECK_LEVELS:
        if code in b.levels:
            for u in sorted(b.levels[code].summary["unit_code"].astype(str)):
                order[u] = len(order)
    if COMMUNE_LEVEL in b.levels:
        s = b.levels[COMMUNE_LEVEL].summary
        s = s.assign(_p=s["parent_code"].map(order).fillna(len(order)))
        for u in s.sort_values(["_p", "unit_code"])["unit_code"].astype(str):
            order[u] = len(order)
    return order


def build_workbook(engine: Engine, week: str, briefing: Briefing | None = None) -> bytes:
    """The weekly workbook (XLSX) for ``week``; ``briefing`` reuses fetched data."""
    from openpyxl import Workbook

    b = briefing or collect(engine, week)
    if COMMUNE_LEVEL not in b.levels:
        data = _level_data(engine, COMMUNE_LEVEL, b.ytd)
        if data is not None:
            b.levels[COMMUNE_LEVEL] = data
    wb = Workbook()
    wb.remove(wb.active)
    for code in DECK_LEVELS:
        if code in b.levels:
            _league_sheet(wb, b, b.levels[code])
    if COMMUNE_LEVEL in b.levels:
        _commune_sheet(wb, b, b.levels[COMMUNE_LEVEL], b.levels.get("district"))
    _components_sheet(wb, b)
    _overdue_sheet(wb, engine, b)
    q = bieu06a_period(b.week)
    _bieu06a_sheet(wb, service.bieu06a(engine, q.start, q.end), q, unit_order(b))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xl_styles() -> dict[str, object]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="A6A6A6")
    return {
        "head_font": Font(name=FONT, bold=True, color="FFFFFF"),
        "head_fill": PatternFill("solid", fgColor=NAVY),
        "title_font": Font(name=FONT, bold=True, size=13, color=NAVY),
        "font": Font(name=FONT),
        "bold": Font(name=FONT, bold=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="center", horizontal="center"),
    }


def _named_style(wb: object, name: str, **attrs: object) -> str:
    """Register a named style once per workbook and return its name. Assigning a named style is
    one lookup per cell; setting border, font and format separately is several (about five times
    slower over the tens of thousands of cells in the report and the overdue list)."""
    from openpyxl.styles import NamedStyle

    if name not in wb.named_styles:
        wb.add_named_style(NamedStyle(name=name, **attrs))
    return name


def _write_table(
    ws: object,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    formats: Sequence[str | None],
    fills: dict[tuple[int, int], str] | None = None,
    start_row: int = 3,
) -> None:
    """Title in row 1, header at ``start_row``, data below; frozen header, filter, widths."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    st = _xl_styles()
    ws.cell(1, 1, title).font = st["title_font"]
    for j, h in enumerate(header, start=1):
        c = ws.cell(start_row, j, h)
        c.font, c.fill, c.alignment, c.border = st["head_font"], st["head_fill"], st["wrap"], st["border"]
        ws.column_dimensions[get_column_letter(j)].width = widths[j - 1]
    fills = fills or {}
    wb = ws.parent
    styles = [
        _named_style(wb, f"pack {f}", number_format=f) if f else None for f in formats
    ]
    for i, row in enumerate(rows, start=start_row + 1):
        for j, v in enumerate(row, start=1):
            # Data cells keep the workbook's default font (it has Vietnamese glyphs): styling
            # each of the overdue list's ~600,000 cells would double the time to write it.
            c = ws.cell(i, j, None if (isinstance(v, float) and math.isnan(v)) else v)
            if styles[j - 1]:
                c.style = styles[j - 1]
            color = fills.get((i - start_row - 1, j - 1))
            if color:
                c.fill = PatternFill("solid", fgColor=color.lstrip("#").upper())
                c.font = Font(name=FONT, bold=True, color=_text_color_on(color))
    ws.freeze_panes = ws.cell(start_row + 1, 1)
    if rows:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(header))}{start_row + len(rows)}"


def _float(x: object) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


LEAGUE_HEADER_KEYS = ("brief.col_rank", "brief.wb_col_unit_code", "brief.col_unit", "brief.col_total", "brief.col_grade", "brief.wb_col_delta")


def _league_header(b: Briefing) -> list[str]:
    return [t(k) for k in LEAGUE_HEADER_KEYS] + [
        f"{i}. {n}" for i, n in zip(range(1, 7), b.groups["name"], strict=False)
    ] + [t("brief.wb_col_dossiers")]


def _league_row(r: pd.Series) -> list[object]:
    return [
        int(r["rank"]), str(r["unit_code"]), str(r["unit_name"]), _float(r["total"]), str(r["grade"]),
        _float(r.get("delta_week")), *[_float(r[g]) for g in GROUPS], _float(r.get("dossiers")),
    ]


# Codes are written as strings, so they need no text format ("@"): each format set is a
# style lookup, and the overdue list has hundreds of thousands of cells.
_LEAGUE_FORMATS = [None, None, None, "0.00", None, "+0.00;-0.00;0.00"] + ["0.00"] * 6 + ["#,##0"]
_LEAGUE_WIDTHS = [7, 11, 46, 9, 12, 12] + [13] * 6 + [11]


def _league_sheet(wb: object, b: Briefing, lv: LevelData) -> None:
    ws = wb.create_sheet(_sheet_name(t("brief.wb_sheet_league", level=lv.name)))
    rows = [_league_row(r) for _, r in lv.summary.iterrows()]
    fills = {(i, 4): str(c) for i, c in enumerate(lv.summary["grade_color"])}
    _write_table(ws, t("brief.wb_league_heading", level=lv.name.upper(), end=fmt_date(b.ytd.end)),
                 _league_header(b), rows, _LEAGUE_WIDTHS, _LEAGUE_FORMATS, fills)


def _commune_sheet(wb: object, b: Briefing, lv: LevelData, districts: LevelData | None) -> None:
    """Communes grouped by district (in the districts' league order), ranked within the level."""
    ws = wb.create_sheet(_sheet_name(t("brief.wb_sheet_communes")))
    s = lv.summary
    names: dict[str, str] = {}
    order: dict[str, int] = {}
    if districts is not None and not districts.summary.empty:
        names = dict(zip(districts.summary["unit_code"], districts.summary["unit_name"], strict=False))
        order = {c: i for i, c in enumerate(districts.summary["unit_code"])}
    s = s.assign(_o=s["parent_code"].map(order).fillna(len(order)))
    s = s.sort_values(["_o", "parent_code", "rank", "unit_name"], kind="stable")
    # Ranks are among all communes of the province (the engine's commune ranking), not within
    # the district; the header says so.
    header = [t("brief.wb_col_parent"), t("brief.wb_col_rank_province"), *_league_header(b)[1:]]
    rows = [[names.get(r["parent_code"], r["parent_code"]), *_league_row(r)] for _, r in s.iterrows()]
    fills = {(i, 5): str(c) for i, c in enumerate(s["grade_color"])}
    _write_table(ws, t("brief.wb_communes_heading", end=fmt_date(b.ytd.end)), header, rows,
                 [26, *_LEAGUE_WIDTHS], [None, *_LEAGUE_FORMATS], fills)


def _components_sheet(wb: object, b: Briefing) -> None:
    ws = wb.create_sheet(_sheet_name(t("brief.wb_sheet_components")))
    level_names = dict(zip(b.level_names["code"], b.level_names["name"], strict=False))
    province = str(b.province.get("level") or "province")
    frames = [
        b.province_components.assign(
            _level=level_names.get(province, province), _name=str(b.province["unit_name"])
        )
    ]
    for code, lv in b.levels.items():
        if lv.components.empty:
            continue
        nm = dict(zip(lv.summary["unit_code"], lv.summary["unit_name"], strict=False))
        frames.append(
            lv.components.assign(_level=level_names.get(code, code), _name=lv.components["unit_code"].map(nm))
        )
    comp = pd.concat(frames, ignore_index=True)
    header = [t("brief.wb_col_level"), t("brief.wb_col_unit_code"), t("brief.col_unit"), t("brief.wb_col_group"),
              t("brief.wb_col_component_code"), t("brief.col_component"), t("brief.wb_col_numerator"),
              t("brief.wb_col_denominator"), t("brief.col_ratio"), t("brief.wb_col_points"), t("brief.wb_col_max"),
              t("brief.wb_col_lost"), t("brief.wb_col_empty")]
    cols = ["_level", "unit_code", "_name", "group_code", "component", "name", "numerator",
            "denominator", "ratio", "points", "max_points", "points_lost", "empty"]
    rows = [
        [lvl, str(code), nm, str(g), str(c), cname, _float(n), _float(d), _float(r), _float(p),
         _float(m), _float(lost), t("brief.wb_yes") if bool(e) else ""]
        for lvl, code, nm, g, c, cname, n, d, r, p, m, lost, e in comp[cols].itertuples(index=False)
    ]
    _write_table(ws, t("brief.wb_components_heading", start=fmt_date(b.ytd.start), end=fmt_date(b.ytd.end)),
                 header, rows, [11, 11, 40, 7, 9, 52, 12, 12, 9, 9, 9, 9, 11],
                 [None, None, None, None, None, None, "#,##0", "#,##0", "0.0%", "0.00", "0.00", "0.00", None])


def _overdue_sheet(wb: object, engine: Engine, b: Briefing) -> None:
    ws = wb.create_sheet(_sheet_name(t("brief.wb_sheet_overdue")))
    frames = []
    for lv in b.levels.values():
        for code, name in zip(lv.summary["unit_code"], lv.summary["unit_name"], strict=False):
            if not b.overdue_counts.get(code):
                continue  # skip a query that would return nothing
            od = service.overdue_dossiers(engine, code, b.ytd)
            if not od.empty:
                frames.append(od.assign(pack_unit=code, pack_name=name))
    header = [t("brief.wb_col_unit_code"), t("brief.col_unit"), t("brief.wb_col_dossier_code"),
              t("brief.wb_col_procedure_code"), t("brief.wb_col_procedure_name"), t("brief.wb_col_field"),
              t("brief.wb_col_received"), t("brief.wb_col_deadline"), t("brief.wb_col_end"),
              t("brief.wb_col_days_overdue"), t("brief.wb_col_status")]
    rows: list[list[object]] = []
    if frames:
        od = pd.concat(frames, ignore_index=True)
        for r in od.itertuples(index=False):
            rows.append([r.pack_unit, r.pack_name, r.code, r.procedure_code, r.procedure_name, r.field_name,
                         _date(r.received_date), _date(r.deadline_date), _date(r.end_date),
                         None if pd.isna(r.days_overdue) else int(r.days_overdue), status_name(r.status)])
    _write_table(ws, t("brief.wb_overdue_heading", start=fmt_date(b.ytd.start), end=fmt_date(b.ytd.end)),
                 header, rows, [11, 34, 22, 12, 60, 26, 14, 14, 14, 10, 18],
                 [None, None, None, None, None, None, "dd/mm/yyyy", "dd/mm/yyyy", "dd/mm/yyyy", None, None])


def status_name(code: object) -> object:
    """The dashboard's Vietnamese name of a dossier status code (the code if it has none)."""
    try:
        key = f"ui.status.{int(code)}"
    except (TypeError, ValueError):
        return code
    return t(key) if key in CATALOGUE else code


def _date(x: object) -> date | None:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    if isinstance(x, datetime):
        return x.date()
    if isinstance(x, date):
        return x
    return pd.Timestamp(x).date()


def _sheet_name(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]


# Biểu II.06a: columns (3)..(13) in the official order come from scorecard.bieu06a, so the
# dashboard, the report module and the pack cannot disagree on the layout.
BIEU06A_COLUMNS = tuple(c for c, _, _ in b06.OFFICIAL_LAYOUT)
BIEU06A_HEADER_ROWS = (6, 7, 8)  # three header rows; the next one numbers the columns (1)…(13)
BIEU06A_FIRST_DATA_ROW = 10


def bieu06a_rows(df: pd.DataFrame, order: dict[str, int] | None = None) -> list[tuple[str, str, list[int], str]]:
    """(STT, label, the 11 counts, row kind) as the form lists them: the grand total first, then
    per unit its total row followed by its fields. Units in ``order`` (unit code → position),
    else by code. Totals are plain sums, so every row keeps the form's identities."""
    if df.empty:
        return []
    cols = list(BIEU06A_COLUMNS)
    df = df.copy()
    df[cols] = df[cols].astype("int64")
    order = order or {}
    df["_o"] = df["unit_code"].map(order).fillna(len(order))
    df = df.sort_values(["_o", "unit_code", "field_code"], kind="stable")
    # groupby sums in one pass; a per-unit loop of small frames is seconds on 4,000 rows.
    totals = df.groupby("unit_code", sort=False)[cols].sum()
    names = df.groupby("unit_code", sort=False)["unit_name"].first()
    out: list[tuple[str, str, list[int], str]] = [
        ("", t("b06.grand_total"), [int(v) for v in df[cols].sum()], "grand_total")
    ]
    fields: dict[str, list[tuple[str, list[int]]]] = {}
    for rec in df[["unit_code", "field_name", *cols]].itertuples(index=False):
        fields.setdefault(rec[0], []).append((str(rec[1]), [int(v) for v in rec[2:]]))
    for i, code in enumerate(totals.index, start=1):
        name = names[code] if isinstance(names[code], str) else str(code)
        out.append((str(i), name, [int(v) for v in totals.loc[code]], "unit_total"))
        for k, (label, values) in enumerate(fields[code], start=1):
            out.append((f"{i}.{k}", label, values, "field"))
    return out


def _bieu06a_sheet(wb: object, df: pd.DataFrame, q: Period, order: dict[str, int]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    st = _xl_styles()
    ws = wb.create_sheet(_sheet_name(t("brief.wb_sheet_bieu06a")))
    ncol = 2 + len(BIEU06A_COLUMNS)
    last = get_column_letter(ncol)
    ws["A1"] = t("b06.form")
    ws["A1"].font = Font(name=FONT, italic=True)
    titles = (
        (2, t("b06.title")),
        (3, t("b06.period", start=fmt_date(q.start), end=fmt_date(q.end))),
        (4, t("brief.b06_reporter")),
    )
    for r, text in titles:
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.cell(r, 1, text).font = st["title_font"] if r == 2 else st["bold"]
        ws.cell(r, 1).alignment = Alignment(horizontal="center")
    ws.cell(5, ncol, t("brief.b06_unit_note")).font = Font(name=FONT, italic=True)
    ws.cell(5, ncol).alignment = Alignment(horizontal="right")
    h1, h2, h3 = BIEU06A_HEADER_ROWS
    # As in the Circular 01/2020 template: STT and the unit column span the three header rows;
    # each block has its "Tổng số" over two rows and a "Trong đó" band over its parts.
    col = 3
    for group in ("b06.received", "b06.resolved", "b06.pending"):
        members = [sub for _, g, sub in b06.OFFICIAL_LAYOUT if g == group]
        a, z = get_column_letter(col), get_column_letter(col + len(members) - 1)
        ws.merge_cells(f"{a}{h1}:{z}{h1}")
        ws[f"{a}{h1}"] = t(group)
        ws.merge_cells(f"{a}{h2}:{a}{h3}")
        ws[f"{a}{h2}"] = t(members[0])
        ws.merge_cells(f"{get_column_letter(col + 1)}{h2}:{z}{h2}")
        ws[f"{get_column_letter(col + 1)}{h2}"] = t("brief.b06_of_which")
        for i, sub in enumerate(members[1:], start=1):
            ws.cell(h3, col + i, t(sub))
        col += len(members)
    for rng, text in ((f"A{h1}:A{h3}", t("b06.stt")), (f"B{h1}:B{h3}", t("brief.b06_unit_field"))):
        ws.merge_cells(rng)
        ws[rng.split(":")[0]] = text
    for j in range(1, ncol + 1):
        ws.cell(h3 + 1, j, f"({j})")
        for r in (h1, h2, h3, h3 + 1):
            c = ws.cell(r, j)
            c.font, c.fill, c.alignment, c.border = st["head_font"], st["head_fill"], st["wrap"], st["border"]
    ws.row_dimensions[h1].height = 32
    ws.row_dimensions[h3].height = 62
    for j, w in enumerate([7, 48] + [13] * len(BIEU06A_COLUMNS), start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    r = BIEU06A_FIRST_DATA_ROW
    rows = bieu06a_rows(df, order)
    if not rows:
        ws.cell(r, 2, t("brief.b06_empty")).font = st["font"]
    plain, bold = Font(name=FONT), Font(name=FONT, bold=True)
    style = {
        (bold_row, part): _named_style(
            wb, f"pack b06 {part}{' bold' if bold_row else ''}", border=st["border"],
            font=bold if bold_row else plain,
            number_format="#,##0" if part == "n" else "General",
            # Fields sit indented under their unit's total row, as on the paper form.
            alignment=Alignment(indent=2 if part == "label" and not bold_row else 0),
        )
        for bold_row in (False, True)
        for part in ("stt", "label", "n")
    }
    for stt, label, values, kind in rows:
        b = kind != "field"
        ws.cell(r, 1, stt).style = style[(b, "stt")]
        ws.cell(r, 2, label).style = style[(b, "label")]
        for j, v in enumerate(values, start=3):
            ws.cell(r, j, v).style = style[(b, "n")]
        r += 1
    ws.freeze_panes = ws.cell(BIEU06A_FIRST_DATA_ROW, 3)
    ws.print_title_rows = f"{h1}:{h3 + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
