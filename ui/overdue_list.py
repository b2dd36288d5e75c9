"""The overdue list of one unit, to act on (unit page and lagging page).

- A filter: still open at the period's end (còn tồn, the default), returned late in the period
  (đã trả quá hạn), or all. It is kept in the URL (``overdue=late|all``; absent = open), so a
  copied link reopens the same list.
- One line of counts that agree with the lagging reasons: "open" is exactly the backlog the
  reasons read (``scorecard.overdue``), for the same unit and day.
- The table, and its Excel file: a title row (unit, period in words, date made), the header,
  real date cells shown dd/mm/yyyy, the header row frozen with a filter on it, and text that a
  spreadsheet cannot run as a formula (``data_access.cell_safety``).

No personal data: the dossier table has none, and nothing is added here.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import streamlit as st
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from data_access import freshness
from data_access.cell_safety import safe_cell
from scorecard.overdue import ALL, LATE, OPEN, STATES, in_state, overdue_counts
from scorecard.periods import Period
from texts import fmt_date, fmt_number, t
from texts.safe import tm
from ui import state, tables

PARAM = "overdue"  # the URL parameter of the filter; absent means the default, OPEN
DATE_FORMAT = "DD/MM/YYYY"  # Excel's number format and st.column_config's (moment.js) alike
_DATE_COLUMNS = ("ui.col.received", "ui.col.due", "ui.overdue.col.end")


def to_excel(frame: pd.DataFrame, title: str, sheet: str) -> bytes:
    """An in-memory .xlsx of ``tables.overdue_table``: ``title`` in row 1, the header in row 2 (frozen,
    with a filter), real dates formatted dd/mm/yyyy, whole numbers as numbers, and every text
    cell formula-safe. Nothing is written on the server."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its one sheet
    ws.title = sheet[:31]
    ws.cell(1, 1, safe_cell(title)).font = Font(bold=True, size=13)
    bold = Font(bold=True)
    for j, name in enumerate(frame.columns, start=1):
        ws.cell(2, j, safe_cell(str(name))).font = bold
    dates = {j for j, c in enumerate(frame.columns, start=1) if c in {t(k) for k in _DATE_COLUMNS}}
    for i, row in enumerate(frame.itertuples(index=False), start=3):
        for j, v in enumerate(row, start=1):
            if v is None or v is pd.NA or (isinstance(v, float) and v != v):
                continue
            if j in dates:
                ws.cell(i, j, v).number_format = DATE_FORMAT
            elif isinstance(v, str):
                ws.cell(i, j, safe_cell(v))
            else:
                ws.cell(i, j, int(v))
    last = get_column_letter(max(1, len(frame.columns)))
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{last}{len(frame) + 2}"
    for j, name in enumerate(frame.columns, start=1):
        width = max([len(str(name)), *(len(str(v)) for v in frame.iloc[:200, j - 1])])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(12, width + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def excel_title(f: state.Filters, unit_name: str, chosen: str, today: date | None = None) -> str:
    """The Excel file's title row: which dossiers, the unit, the period in words, the day made."""
    p = f.period
    return t("ui.overdue.xlsx_title", state=t(f"ui.overdue.title_state.{chosen}"), unit=unit_name,
             period=t(f"ui.period.{f.period_kind}"), start=fmt_date(p.start), end=fmt_date(p.end),
             today=fmt_date(today or freshness.today()))


def pick_state(key: str) -> str:
    """The filter (open / late / all), read from the URL when the page is opened and written
    back to it on every run."""
    skey = f"{key}_state"
    if skey not in st.session_state:
        wanted = st.query_params.get(PARAM)
        if wanted is not None and wanted not in STATES:
            # from a link: never echoed as markup, and shortened like the other URL notices
            st.info(tm("ui.overdue.bad_state", value=str(wanted)[:20]))
            wanted = None
        st.session_state[skey] = wanted or OPEN
    chosen = st.segmented_control(
        t("ui.overdue.filter"), STATES, format_func=lambda s: t(f"ui.overdue.state.{s}"),
        key=skey, required=True, help=t("ui.overdue.filter_help"),
    ) or OPEN
    if chosen == OPEN:
        if PARAM in st.query_params:
            del st.query_params[PARAM]
    elif st.query_params.get(PARAM) != chosen:
        st.query_params[PARAM] = chosen
    return chosen


# On screen: short headers and widths that fit a 1366 px laptop's 1,040 px (the Excel file
# keeps the full headers, and today's status, which the screen leaves out: the list is about
# the state at the period's end).
_SCREEN: dict[str, tuple[str, int]] = {
    "ui.col.dossier_code": ("ui.col.dossier_code", 120),
    "ui.col.procedure": ("ui.col.procedure", 230),
    "ui.col.procedure_code": ("ui.col.procedure_code", 96),
    "ui.col.field": ("ui.col.field", 120),
    "ui.col.received": ("ui.overdue.scol.received", 92),
    "ui.col.due": ("ui.overdue.scol.due", 92),
    "ui.overdue.col.end": ("ui.overdue.scol.end", 92),
    "ui.col.days_overdue": ("ui.overdue.scol.days", 76),
    "ui.overdue.col.state": ("ui.overdue.scol.state", 110),
}


def _screen_columns() -> dict:
    cfg: dict = {t("ui.overdue.col.status_now"): None}
    for key, (label, width) in _SCREEN.items():
        if key in _DATE_COLUMNS:
            cfg[t(key)] = st.column_config.DateColumn(t(label), format=DATE_FORMAT, width=width,
                                                      help=t(key))
        else:
            cfg[t(key)] = st.column_config.Column(t(label), width=width, help=t(key))
    return cfg


def show(listing: pd.DataFrame, f: state.Filters, unit_name: str, code: str, key: str) -> None:
    """The filter, the counts, what the list holds, the table and its Excel download."""
    p: Period = f.period
    if listing.empty:
        st.info(t("ui.lagging.no_overdue"))
        return
    chosen = pick_state(key)
    n = overdue_counts(listing)
    end, start = fmt_date(p.end), fmt_date(p.start)
    st.markdown(t("ui.overdue.counts", all=fmt_number(n[ALL], 0), open=fmt_number(n[OPEN], 0),
                  late=fmt_number(n[LATE], 0), end=end))
    st.caption(t("ui.overdue.caption", start=start, end=end))
    rows = in_state(listing, chosen)
    if rows.empty:
        st.info(t(f"ui.overdue.none_in_state.{chosen}", start=start, end=end))
        return
    shown = tables.overdue_table(rows)
    st.dataframe(
        shown, hide_index=True, width="stretch", height=min(420, 35 * len(shown) + 40),
        column_config=_screen_columns(),
    )
    title = excel_title(f, unit_name, chosen)
    st.download_button(
        t("ui.lagging.download"),
        # built when clicked, not on every rerun: the workbook costs more than the whole page
        data=lambda: to_excel(shown, title, t("ui.lagging.sheet")),
        file_name=f"ho-so-qua-han_{code}_{f.week}_{chosen}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=key,
    )
