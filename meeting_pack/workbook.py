"""The weekly workbook (XLSX): league tables, communes by district, component detail, the
overdue dossiers and Biểu II.06a, written with xlsxwriter (several times faster than openpyxl
over the overdue list's hundreds of thousands of cells; the cells, formats and layout are the
ones the openpyxl version wrote).

Every text cell passes through ``data_access.cell_safety.safe_cell``: a unit, procedure or
field name (or a dossier code) starting with ``=``, ``+``, ``-`` or ``@`` is stored as text with
an apostrophe in front (``'=…``) instead of becoming a live formula. Numbers and dates are
written as numbers and dates.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from typing import SupportsFloat

import pandas as pd
from sqlalchemy import Engine
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from data_access.cell_safety import safe_cell
from meeting_pack import official
from meeting_pack.data import (
    GROUPS,
    Briefing,
    LevelData,
    bieu06a_period,
    collect,
    deck_level_data,
    extra_levels,
    level_data,
    province_org,
    scored_note,
    unit_order,
)
from meeting_pack.deck_parts import FONT, NAVY, text_color_on
from scorecard import bieu06a as b06
from scorecard import service
from scorecard.periods import Period
from texts import CATALOGUE, fmt_date, t


def build_workbook(engine: Engine, week: str, briefing: Briefing | None = None) -> bytes:
    """The weekly workbook (XLSX) for ``week``; ``briefing`` reuses fetched data."""
    b = briefing or collect(engine, week)
    for code in b.other_levels:  # the deck alone did not fetch them
        if code not in b.levels:
            data = level_data(engine, code, b.ytd)
            if data is not None:
                b.levels[code] = data
    q = bieu06a_period(b.week)
    # The two reads that scan the dossier table run on connections of their own while this
    # thread writes the other sheets: the database works (the driver releases the GIL) while
    # Python writes, on the server's second core. They read as a caller would, in no read scope.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pack-read") as pool:
        bieu = pool.submit(service.bieu06a, engine, q.start, q.end)
        overdue = pool.submit(_overdue_read, engine, b)
        return _write_book(engine, b, q, bieu, overdue)


def _write_book(engine: Engine, b: Briefing, q: Period, bieu: Future[pd.DataFrame],
                overdue: Future[tuple[dict[str, str], pd.DataFrame]]) -> bytes:
    buf = io.BytesIO()
    wb = _Book(buf, {"in_memory": True})
    # the levels of the week: the deck's, then those ranked here only (communes grouped by
    # district where districts exist in the period; after 01/07/2025 communes are a deck level,
    # a flat league)
    for lv in deck_level_data(b):
        _league_sheet(wb, b, lv)
    for lv in extra_levels(b):
        parent = b.levels.get(lv.parent_level) if lv.parent_level else None
        if lv.parent_level and parent is None:
            parent = _parent_names(engine, lv, b.ytd.end)
        if parent is None:
            _league_sheet(wb, b, lv)
        else:
            _grouped_sheet(wb, b, lv, parent)
    _components_sheet(wb, b)
    _official_sheet(wb, engine, b)  # official scores of the week's month beside ours, if imported
    _overdue_sheet(wb, b, *overdue.result())
    _bieu06a_sheet(wb, bieu.result(), q, unit_order(b),
                   t("brief.b06_reporter", province=province_org(b)))
    wb.close()
    return buf.getvalue()


def _official_sheet(wb: _Book, engine: Engine, b: Briefing) -> None:
    sheet = official.sheet_table(engine, b)
    if sheet is not None:
        _write_table(wb, _sheet(wb, sheet.name), sheet.title, sheet.header, sheet.rows,
                     sheet.widths, sheet.formats)  # fmt: skip


THIN_BORDER = "A6A6A6"


class _Book(Workbook):
    """A workbook that makes each distinct format once."""

    def __init__(self, target: io.BytesIO, options: dict[str, object]) -> None:
        super().__init__(target, options)
        self.pack_formats: dict[tuple, Format] = {}


def _fmt(wb: _Book, **props: object) -> Format:
    """The workbook's format with these properties (xlsxwriter's names), made once."""
    key = tuple(sorted((k, str(v)) for k, v in props.items()))
    if key not in wb.pack_formats:
        wb.pack_formats[key] = wb.add_format(props)
    return wb.pack_formats[key]


def _font(name: str = FONT, bold: bool = False, italic: bool = False, size: float | None = None,
          color: str | None = None) -> dict[str, object]:
    out: dict[str, object] = {"font_name": name}
    if bold:
        out["bold"] = True
    if italic:
        out["italic"] = True
    if size is not None:
        out["font_size"] = size
    if color is not None:
        out["font_color"] = "#" + color
    return out


def _head(wb: _Book) -> Format:
    """The header cells: white bold on navy, wrapped and centred, thin grey borders."""
    return _fmt(wb, **_font(bold=True, color="FFFFFF"), pattern=1, bg_color="#" + NAVY,
                text_wrap=True, valign="vcenter", align="center", border=1,
                border_color="#" + THIN_BORDER)


def _title(wb: _Book) -> Format:
    return _fmt(wb, **_font(bold=True, size=13, color=NAVY))


def _width(w: float) -> float:
    """xlsxwriter adds Excel's cell padding to a width; openpyxl stored it as given: the width
    that makes xlsxwriter store ``w``, so columns stay as wide as they were."""
    return max(0.0, (w * 7 - 5) / 7) if w >= 1 else w


def _sheet(wb: _Book, name: str) -> Worksheet:
    return wb.add_worksheet(_sheet_name(name))


def _put(wb: _Book, ws: Worksheet, r: int, c: int, v: object, fmt: Format | None) -> None:
    """One cell (0-based), typed as openpyxl typed it: text as text (never a formula: callers
    pass ``safe_cell`` text), numbers, dates with the column's format, nothing for None or ""
    (openpyxl wrote no value for an empty string either)."""
    if v is None or (isinstance(v, str) and not v):
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(v, str):
        ws.write_string(r, c, v, fmt)
    elif isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, datetime | date):
        if fmt is None:  # openpyxl's own formats for a date without one
            fmt = _fmt(wb, num_format="yyyy-mm-dd h:mm:ss"
                       if isinstance(v, datetime) else "yyyy-mm-dd")
        ws.write_datetime(r, c, v, fmt)
    else:
        ws.write_number(r, c, v, fmt)


def _write_table(
    wb: _Book,
    ws: Worksheet,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    formats: Sequence[str | None],
    fills: dict[tuple[int, int], str] | None = None,
    start_row: int = 3,
) -> None:
    """Title in row 1, header at ``start_row``, data below; frozen header, filter, widths."""
    ws.write_string(0, 0, safe_cell(title), _title(wb))
    head = _head(wb)
    for j, h in enumerate(header):
        ws.write_string(start_row - 1, j, safe_cell(h), head)
        ws.set_column(j, j, _width(widths[j]))
    fills = fills or {}
    # Data cells keep the workbook's default font (it has Vietnamese glyphs); a formatted
    # column gets its number format only.
    plain = [_fmt(wb, num_format=f) if f else None for f in formats]
    plain += [None] * max(0, len(header) - len(plain))
    # The common cells (text, whole numbers, dates, blanks) written here directly, the rest by
    # ``_put``: the overdue sheet has about a million cells, where each call counts.
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
    for i, row in enumerate(rows):
        r = start_row + i
        for j, v in enumerate(row):
            fmt = plain[j] if j < len(plain) else None
            if fills:
                color = fills.get((i, j))
                if color:
                    props: dict[str, object] = {
                        **_font(bold=True, color=text_color_on(color)), "pattern": 1,
                        "bg_color": "#" + color.lstrip("#").upper()}
                    if formats[j]:
                        props["num_format"] = formats[j]
                    fmt = _fmt(wb, **props)
            kind = type(v)
            if kind is str:
                if v:
                    write_string(r, j, safe_cell(v), fmt)
                elif fmt is not None:
                    ws.write_blank(r, j, None, fmt)
            elif kind is int:
                write_number(r, j, v, fmt)
            elif kind is date and fmt is not None:
                write_datetime(r, j, v, fmt)
            elif v is None:
                if fmt is not None:
                    ws.write_blank(r, j, None, fmt)
            else:
                _put(wb, ws, r, j, None if (isinstance(v, float) and math.isnan(v)) else safe_cell(v),
                     fmt)
    ws.freeze_panes(start_row, 0)
    if rows:
        ws.autofilter(start_row - 1, 0, start_row - 1 + len(rows), len(header) - 1)


def _float(x: SupportsFloat | None) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


LEAGUE_HEADER_KEYS = ("brief.col_rank", "brief.wb_col_unit_code", "brief.col_unit", "brief.col_total", "brief.col_grade", "brief.wb_col_delta",
                      "brief.wb_col_rank_change")


def _league_header(b: Briefing) -> list[str]:
    return [t(k) for k in LEAGUE_HEADER_KEYS] + [
        f"{i}. {n}" for i, n in zip(range(1, 7), b.groups["name"], strict=False)
    ] + [t("brief.wb_col_dossiers")]


def _league_row(r: pd.Series, lv: LevelData) -> list[object]:
    """A league row; a unit with nothing to score has no rank, total or grade ("Không phát
    sinh"), one that began during the period "(từ dd/mm/yyyy)" after its name."""
    scored = pd.notna(r["total"])
    return [
        int(r["rank"]) if pd.notna(r["rank"]) else None, str(r["unit_code"]),
        str(r["unit_name"]) + scored_note(lv, r["unit_code"]), _float(r["total"]),
        str(r["grade"]) if scored and r["grade"] else t("brief.not_scored"),
        _float(r.get("delta_week")), _rank_change(r.get("rank_change")),
        *[_float(r[g]) for g in GROUPS], _float(r.get("dossiers")),
    ]


def _rank_change(x: object) -> int | None:
    """Places gained since the previous week (negative: lost); None when either week has no rank."""
    try:
        return None if x is None or pd.isna(x) else int(x)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _grade_fills(colors: pd.Series, column: int) -> dict[tuple[int, int], str]:
    return {(i, column): str(c) for i, c in enumerate(colors) if isinstance(c, str) and c}


# Codes are written as strings, so they need no text format ("@"): each format set is a
# style lookup, and the overdue list has hundreds of thousands of cells.
# the rank change stays a number (places gained), shown ▲2 / ▼1 / – like the dashboard
_LEAGUE_FORMATS = [None, None, None, "0.00", None, "+0.00;-0.00;0.00", '"▲"0;"▼"0;"–"'] + ["0.00"] * 6 + ["#,##0"]
_LEAGUE_WIDTHS = [7, 11, 46, 9, 12, 12, 10] + [13] * 6 + [11]


def _league_sheet(wb: _Book, b: Briefing, lv: LevelData) -> None:
    ws = _sheet(wb, t("brief.wb_sheet_league", level=lv.name))
    rows = [_league_row(r, lv) for _, r in lv.summary.iterrows()]
    fills = _grade_fills(lv.summary["grade_color"], 4)
    _write_table(wb, ws, t("brief.wb_league_heading", level=lv.name.upper(), end=fmt_date(b.ytd.end)),
                 _league_header(b), rows, _LEAGUE_WIDTHS, _LEAGUE_FORMATS, fills)


def _parent_names(engine: Engine, lv: LevelData, on: date) -> LevelData:
    """The parent level's units as a (score-less) LevelData, for grouping when the pack did not
    fetch that level's league table."""
    assert lv.parent_level is not None
    units = service.units(engine, level=lv.parent_level, on=on)
    summary = units.rename(columns={"code": "unit_code", "name": "unit_name"})
    names = service.levels(engine).set_index("code")["name"]
    name = str(names.get(lv.parent_level, lv.parent_level))
    return LevelData(lv.parent_level, name[:1].lower() + name[1:], summary, pd.DataFrame())


def _grouped_sheet(wb: _Book, b: Briefing, lv: LevelData, parent: LevelData) -> None:
    """A level's units grouped by their parent unit (communes by district, in the districts'
    league order), ranked within the level."""
    ws = _sheet(wb, t("brief.wb_sheet_league", level=lv.name))
    s = lv.summary
    names = dict(zip(parent.summary["unit_code"], parent.summary["unit_name"], strict=False))
    order = {c: i for i, c in enumerate(parent.summary["unit_code"])}
    s = s.assign(_o=s["parent_code"].map(order).fillna(len(order)))
    s = s.sort_values(["_o", "parent_code", "rank", "unit_name"], kind="stable", na_position="last")
    # Ranks are among all units of the level in the province (the engine's ranking), not within
    # the parent; the header says so.
    header = [t("brief.wb_col_parent", parent=parent.name), t("brief.wb_col_rank_province"),
              *_league_header(b)[1:]]
    rows = [[names.get(r["parent_code"], r["parent_code"]), *_league_row(r, lv)] for _, r in s.iterrows()]
    fills = _grade_fills(s["grade_color"], 5)
    heading = t("brief.wb_communes_heading", level=lv.name.upper(), parent=parent.name.upper(),
                end=fmt_date(b.ytd.end))
    _write_table(wb, ws, heading, header, rows, [26, *_LEAGUE_WIDTHS], [None, *_LEAGUE_FORMATS], fills)


def _components_sheet(wb: _Book, b: Briefing) -> None:
    ws = _sheet(wb, t("brief.wb_sheet_components"))
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
    _write_table(wb, ws, t("brief.wb_components_heading", start=fmt_date(b.ytd.start), end=fmt_date(b.ytd.end)),
                 header, rows, [11, 11, 40, 7, 9, 52, 12, 12, 9, 9, 9, 9, 11],
                 [None, None, None, None, None, None, "#,##0", "#,##0", "0.0%", "0.00", "0.00", "0.00", None])


def _overdue_read(engine: Engine, b: Briefing) -> tuple[dict[str, str], pd.DataFrame]:
    """({unit_code: name} of every unit with overdue dossiers, in the levels' league order, and
    their overdue dossiers, read in one query)."""
    names: dict[str, str] = {}
    for lv in b.levels.values():
        for code, name in zip(lv.summary["unit_code"], lv.summary["unit_name"], strict=False):
            if b.overdue_counts.get(code):  # skip units that have none
                names.setdefault(code, name)
    return names, service.overdue_dossiers_of(engine, list(names), b.ytd)


def _overdue_sheet(wb: _Book, b: Briefing, names: dict[str, str], od: pd.DataFrame) -> None:
    ws = _sheet(wb, t("brief.wb_sheet_overdue"))
    header = [t("brief.wb_col_unit_code"), t("brief.col_unit"), t("brief.wb_col_dossier_code"),
              t("brief.wb_col_procedure_code"), t("brief.wb_col_procedure_name"), t("brief.wb_col_field"),
              t("brief.wb_col_received"), t("brief.wb_col_deadline"), t("brief.wb_col_end"),
              t("brief.wb_col_days_overdue"), t("brief.wb_col_status")]
    rows: list[list[object]] = []
    if not od.empty:
        statuses: dict[object, object] = {}  # a few distinct codes: named once each
        for unit, code, proc, proc_name, field, received, deadline, end, days, status in zip(
            od["unit_code"], od["code"], od["procedure_code"], od["procedure_name"],
            od["field_name"], od["received_date"], od["deadline_date"], od["end_date"],
            od["days_overdue"], od["status"], strict=True,
        ):
            if status not in statuses:
                statuses[status] = status_name(status)
            rows.append([unit, names.get(unit), code, proc, proc_name, field, _date(received),
                         _date(deadline), _date(end), None if pd.isna(days) else int(days),
                         statuses[status]])
    _write_table(wb, ws, t("brief.wb_overdue_heading", start=fmt_date(b.ytd.start), end=fmt_date(b.ytd.end)),
                 header, rows, [11, 34, 22, 12, 60, 26, 14, 14, 14, 10, 18],
                 [None, None, None, None, None, None, "dd/mm/yyyy", "dd/mm/yyyy", "dd/mm/yyyy", None, None])


def status_name(code: int | str | None) -> int | str | None:
    """The dashboard's Vietnamese name of a dossier status code (the code if it has none)."""
    if code is None:
        return code
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
    # each unit under its own name, its validity after it when it began or ended in the range
    labels = df["unit_name"]
    if "validity" in df:
        labels = pd.Series([b06.unit_label(n, v) for n, v in zip(df["unit_name"], df["validity"], strict=True)],
                           index=df.index)
    names = labels.groupby(df["unit_code"], sort=False).first()
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


def _bieu06a_sheet(wb: _Book, df: pd.DataFrame, q: Period, order: dict[str, int],
                   reporter: str) -> None:
    ws = _sheet(wb, t("brief.wb_sheet_bieu06a"))
    ncol = 2 + len(BIEU06A_COLUMNS)
    ws.write_string(0, 0, t("b06.form"), _fmt(wb, **_font(italic=True)))
    titles = (
        (2, t("b06.title")),
        (3, t("b06.period", start=fmt_date(q.start), end=fmt_date(q.end))),
        (4, reporter),
    )
    for r, text in titles:
        font = _font(bold=True, size=13, color=NAVY) if r == 2 else _font(bold=True)
        ws.merge_range(r - 1, 0, r - 1, ncol - 1, text, _fmt(wb, **font, align="center"))
    ws.write_string(4, ncol - 1, t("brief.b06_unit_note"), _fmt(wb, **_font(italic=True), align="right"))
    h1, h2, h3 = BIEU06A_HEADER_ROWS
    head = _head(wb)
    # As in the Circular 01/2020 template: STT and the unit column span the three header rows;
    # each block has its "Tổng số" over two rows and a "Trong đó" band over its parts. Every
    # header cell is formatted, those under a merge too (their borders show).
    for r in (h1, h2, h3, h3 + 1):
        for j in range(ncol):
            ws.write_blank(r - 1, j, None, head)
    col = 3
    for group in ("b06.received", "b06.resolved", "b06.pending"):
        members = [sub for _, g, sub in b06.OFFICIAL_LAYOUT if g == group]
        a, z = col - 1, col + len(members) - 2  # 0-based first and last column of the block
        ws.merge_range(h1 - 1, a, h1 - 1, z, t(group), head)
        ws.merge_range(h2 - 1, a, h3 - 1, a, t(members[0]), head)
        ws.merge_range(h2 - 1, a + 1, h2 - 1, z, t("brief.b06_of_which"), head)
        for i, sub in enumerate(members[1:], start=1):
            ws.write_string(h3 - 1, a + i, t(sub), head)
        col += len(members)
    ws.merge_range(h1 - 1, 0, h3 - 1, 0, t("b06.stt"), head)
    ws.merge_range(h1 - 1, 1, h3 - 1, 1, t("brief.b06_unit_field"), head)
    for j in range(ncol):
        ws.write_string(h3, j, f"({j + 1})", head)
    ws.set_row(h1 - 1, 32)
    ws.set_row(h3 - 1, 62)
    for j, w in enumerate([7, 48] + [13] * len(BIEU06A_COLUMNS)):
        ws.set_column(j, j, _width(w))
    r = BIEU06A_FIRST_DATA_ROW - 1
    rows = bieu06a_rows(df, order)
    if not rows:
        ws.write_string(r, 1, t("brief.b06_empty"), _fmt(wb, **_font()))
    border = {"border": 1, "border_color": "#" + THIN_BORDER}
    style = {
        (bold_row, part): _fmt(
            wb, **_font(bold=bold_row), **border,
            **({"num_format": "#,##0"} if part == "n" else {}),
            # Fields sit indented under their unit's total row, as on the paper form.
            **({"indent": 2} if part == "label" and not bold_row else {}),
        )
        for bold_row in (False, True)
        for part in ("stt", "label", "n")
    }
    for stt, label, values, kind in rows:
        b = kind != "field"
        _put(wb, ws, r, 0, safe_cell(stt), style[(b, "stt")])
        ws.write_string(r, 1, safe_cell(label), style[(b, "label")])
        for j, v in enumerate(values, start=2):
            ws.write_number(r, j, v, style[(b, "n")])
        r += 1
    ws.freeze_panes(BIEU06A_FIRST_DATA_ROW - 1, 2)
    ws.repeat_rows(h1 - 1, h3)
    ws.set_landscape()
