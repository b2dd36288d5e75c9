"""PowerPoint building blocks for the meeting deck: the 16:9 slide with its furniture, text
boxes, native tables and native (editable) charts, in the deck's font and colours.

Names from the database (units, procedures, components, grades) go through
``data_access.cell_safety.safe_cell`` before they reach a table cell (``deck`` does that where it
builds the rows: formatted numbers such as "+0,16" must stay as they are) or a chart category
(here: python-pptx writes categories into the chart's embedded workbook). A name starting with
``=`` would otherwise become a live formula once a table is pasted into a spreadsheet.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import cast

from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData, ChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.shapes.autoshape import Shape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.text.text import _Run
from pptx.util import Inches, Pt

from data_access.cell_safety import safe_cell
from meeting_pack.data import Briefing, province_org
from texts import fmt_week, t

# Arial has every Vietnamese glyph on the machines that show the deck (Windows, macOS,
# LibreOffice maps it to the metric-compatible Liberation Sans); it is set on every run because
# a theme font may fall back to one without the stacked diacritics.
FONT = "Arial"
NAVY = "1F3864"
GREY = "595959"
LIGHT = "D9D9D9"
UP = "1B7837"
DOWN = "C0392B"


def rgb(hex_color: str) -> RGBColor:
    """A pptx colour from "#RRGGBB" or "RRGGBB"."""
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def text_color_on(hex_color: str) -> str:
    """White text on dark fills, black on light ones (relative luminance)."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return "FFFFFF" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.55 else "000000"


def style_run(run: _Run, size: float, bold: bool = False, color: str = "000000") -> None:
    f = run.font
    f.name = FONT
    f.size = Pt(size)
    f.bold = bold
    f.color.rgb = rgb(color)


def textbox(
    slide: Slide,
    x: float,
    y: float,
    w: float,
    h: float,
    lines: Sequence[str] | str,
    size: float = 18,
    bold: bool = False,
    color: str = "000000",
    align: str = "left",
) -> Shape:
    """A text box, one paragraph per line, every run in the deck font."""
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
        style_run(p.add_run(), size, bold, color)
        p.runs[0].text = line
    return box


TITLE_ONLY = "Title Only"


def title_text(
    slide: Slide,
    x: float,
    y: float,
    w: float,
    h: float,
    text: str,
    size: float = 28,
    bold: bool = True,
    color: str = NAVY,
    align: str = "left",
) -> None:
    """The slide's title, in its layout's title placeholder, placed and styled like a ``textbox``
    (the master's centring, 44 pt and shrink-to-fit are overridden, so the deck looks as before)."""
    ph = slide.shapes.title
    assert ph is not None, "a deck layout has a title placeholder"
    ph.left, ph.top, ph.width, ph.height = Inches(x), Inches(y), Inches(w), Inches(h)
    tf = ph.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.TOP
    tf.auto_size = MSO_AUTO_SIZE.NONE
    p = tf.paragraphs[0]
    p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[align]
    p.line_spacing = 1.0
    run = p.add_run()
    run.text = text
    style_run(run, size, bold, color)


# A content slide's title fits one line of the 12.4-inch title box at 28 pt up to about this
# many characters (bold sans, Vietnamese diacritics): a longer one (a long unit name with its
# rank and score) is set smaller rather than run into the rule under it.
TITLE_CHARS_AT_28 = 56
TITLE_MIN_SIZE = 20


def title_size(text: str, size: float = 28) -> float:
    """The font size that keeps ``text`` on one title line (never below ``TITLE_MIN_SIZE``)."""
    fits = TITLE_CHARS_AT_28 * 28 / size
    if len(text) <= fits:
        return size
    return max(TITLE_MIN_SIZE, math.floor(size * fits / len(text) * 2) / 2)  # whole or half points


class Deck:
    """A 16:9 presentation with the slide furniture every content slide shares."""

    W, H = 13.333, 7.5

    def __init__(self, b: Briefing) -> None:
        self.b = b
        self.prs = Presentation()
        self.prs.slide_width = Inches(self.W)
        self.prs.slide_height = Inches(self.H)
        # "Title Only": every slide's title sits in a title placeholder, so PowerPoint's outline,
        # "go to slide" and screen readers name each slide; the layout adds nothing else
        self.layout = self.prs.slide_layouts.get_by_name(TITLE_ONLY) or self.prs.slide_layouts[5]

    def new_slide(self) -> Slide:
        return self.prs.slides.add_slide(self.layout)

    def slide(self, title: str) -> Slide:
        s = self.new_slide()
        title_text(s, 0.45, 0.25, self.W - 0.9, 0.8, title, size=title_size(title), bold=True, color=NAVY)
        bar = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.45), Inches(1.02), Inches(self.W - 0.9), Inches(0.04))
        bar.fill.solid()
        bar.fill.fore_color.rgb = rgb(NAVY)
        bar.line.fill.background()
        footer = f"{t('brief.org_short', province=province_org(self.b))} · {fmt_week(self.b.week)}"
        textbox(s, 0.45, self.H - 0.42, 10, 0.35, footer, size=11, color=GREY)
        textbox(s, self.W - 1.45, self.H - 0.42, 1.0, 0.35, str(len(self.prs.slides)), size=11, color=GREY, align="right")
        return s

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def table(
    slide: Slide,
    x: float,
    y: float,
    widths: Sequence[float],
    rows: Sequence[Sequence[str]],
    size: float = 16,
    row_h: float = 0.45,
    header_h: float | None = None,
    fills: dict[tuple[int, int], str] | None = None,
    align: Sequence[str] | None = None,
) -> GraphicFrame:
    """A native table; row 0 is the header. ``fills`` colours single cells (grade colours)."""

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
            cell.fill.fore_color.rgb = rgb(fill)
            color = text_color_on(fill)
            tf = cell.text_frame
            tf.word_wrap = True
            for k, line in enumerate(str(value).split("\n")):
                p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
                a = (align[j] if align else "left") if i else "center"
                p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[a]
                r = p.add_run()
                r.text = line
                style_run(r, size, bold=(i == 0), color=color)
    return shape


def chart(
    slide: Slide,
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
) -> Chart:
    """A native (editable) PowerPoint bar chart. ``kind``: bar, bar_stacked, column."""

    data = CategoryChartData(number_format=number_format)
    # python-pptx writes categories and series names into the chart's embedded workbook with
    # xlsxwriter, which turns text starting with "=" into a formula.
    data.categories = [safe_cell(c) for c in categories]
    for name, values in series:
        data.add_series(safe_cell(name), [float(v) for v in values])
    chart_type = {
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "bar_stacked": XL_CHART_TYPE.BAR_STACKED,
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    }[kind]
    # python-pptx annotates add_chart as taking its deprecated ChartData alias and returning the
    # Chart; it takes any CategoryChartData and returns the GraphicFrame that holds the chart.
    frame = cast(
        GraphicFrame,
        slide.shapes.add_chart(
            chart_type, Inches(x), Inches(y), Inches(w), Inches(h), cast(ChartData, data)
        ),
    )
    chart = frame.chart
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
    chart.value_axis.major_gridlines.format.line.color.rgb = rgb(LIGHT)
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
        s.format.fill.fore_color.rgb = rgb(color)
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
            sdl.font.color.rgb = rgb(color)
            sdl.show_value = True
    return chart




def pages(n: int, per_page: int) -> list[tuple[int, int]]:
    """Balanced [start, stop) slices: 18 rows at 10 a page give 9 + 9, not 10 + 8; 94 give
    ten pages of 9 or 10, not nine of 10 and one of 4."""
    if n <= per_page:
        return [(0, n)]
    k = math.ceil(n / per_page)
    size, extra = divmod(n, k)
    bounds = [0]
    for i in range(k):
        bounds.append(bounds[-1] + size + (1 if i < extra else 0))
    return list(zip(bounds[:-1], bounds[1:], strict=True))

