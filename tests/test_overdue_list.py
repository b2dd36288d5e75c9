"""The overdue list to act on: which dossiers it holds, its open / returned-late split, and that
its open count is the backlog the lagging reasons give (hand-made data and the small demo, both
backends); its Excel file read back with openpyxl."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pandas as pd
import pytest
from helpers.app import PRE_REFORM
from helpers.scoring import dossier, load, proc
from sqlalchemy import Engine

from data_access import queries as q
from scorecard import service
from scorecard.overdue import ALL, LATE, OPEN, in_state
from scorecard.periods import period_for_week
from texts import fmt_number, fmt_percent, t
from ui import overdue_list, tables
from ui.state import Filters

WEEK = "2024-W10"  # 04/03/2024 – 10/03/2024
T = date(2024, 3, 10)

PROCS = [proc("PD", level="district", legal_days=5), proc("PD2", level="district", field="F2")]


def _rows() -> list[dict]:
    d = date
    return [
        # still open and overdue at T
        dossier("O1", "502", d(2023, 12, 20), proc="PD", due=d(2023, 12, 27), status=4),  # before the year
        dossier("O2", "502", d(2024, 2, 1), proc="PD", due=d(2024, 2, 5), finished=d(2024, 4, 1)),  # ends after T
        dossier("O3", "502", d(2024, 3, 1), proc="PD2", due=d(2024, 3, 6), status=5),  # overdue in the week
        # ended late inside the year to date (L3 inside the week too)
        dossier("L1", "502", d(2024, 1, 10), proc="PD", due=d(2024, 1, 12), finished=d(2024, 1, 20)),
        dossier("L2", "502", d(2023, 12, 28), proc="PD", due=d(2024, 1, 2), finished=d(2024, 1, 5)),
        dossier("L3", "502", d(2024, 3, 4), proc="PD", due=d(2024, 3, 5), finished=d(2024, 3, 8)),
        # not in the list
        dossier("E1", "502", d(2023, 11, 1), proc="PD", due=d(2023, 11, 5), finished=d(2023, 12, 10)),  # ended late before
        dossier("N1", "502", d(2024, 2, 1), proc="PD", due=d(2024, 2, 9), finished=d(2024, 2, 8)),  # on time
        dossier("F1", "502", d(2024, 3, 8), proc="PD", due=d(2024, 3, 20), status=4),  # within deadline at T
        dossier("P1", "502", d(2024, 2, 20), proc="PD", due=d(2024, 3, 1), status=4, paused=20),  # paused: due 21/03
        dossier("F2", "502", d(2024, 3, 12), proc="PD", due=d(2024, 3, 13), status=4),  # received after T
        dossier("X1", "502", d(2024, 2, 1), proc="PD", due=d(2024, 2, 2), status=3),  # refused: not counted
        dossier("Z1", "503", d(2024, 2, 1), proc="PD", due=d(2024, 2, 2), status=4),  # another unit
        # formula-looking codes from the source system, open and overdue
        dossier("=D1", "502", d(2024, 2, 1), proc="PD", due=d(2024, 2, 3), status=4),
        dossier("+D2", "502", d(2024, 3, 1), proc="PD", due=d(2024, 3, 5), finished=d(2024, 3, 7)),
    ]


@pytest.fixture
def data(engine: Engine) -> Engine:
    load(engine, PROCS, _rows())
    return engine


def _codes(df: pd.DataFrame, state: str) -> set[str]:
    return set(in_state(df, state)["code"])


def test_states_year_to_date_and_week(data):
    ytd = service.overdue_list(data, "502", period_for_week("ytd", WEEK))
    assert _codes(ytd, OPEN) == {"O1", "O2", "O3", "=D1"}
    assert _codes(ytd, LATE) == {"L1", "L2", "L3", "+D2"}
    assert _codes(ytd, ALL) == _codes(ytd, OPEN) | _codes(ytd, LATE)
    assert service.overdue_counts(ytd) == {ALL: 8, OPEN: 4, LATE: 4}
    # the week alone: the same open dossiers (judged at the same day), fewer returned late
    week = service.overdue_list(data, "502", WEEK)
    assert _codes(week, OPEN) == _codes(ytd, OPEN)
    assert _codes(week, LATE) == {"L3", "+D2"}
    o2 = ytd.set_index("code").loc["O2"]
    assert o2["state"] == OPEN and o2["end_date"] is None, "ends after T: open at T, no end shown"
    assert o2["days_overdue"] == (T - date(2024, 2, 5)).days
    l1 = ytd.set_index("code").loc["L1"]
    assert l1["days_overdue"] == 8 and l1["end_date"] == date(2024, 1, 20)
    assert ytd["days_overdue"].tolist() == sorted(ytd["days_overdue"], reverse=True)
    assert service.overdue_list(data, "505", WEEK).empty


def test_open_count_is_the_lagging_backlog(data):
    """The reasons say the backlog rose from 3 (a week earlier) to 4; the list has 4 open."""
    listing = service.overdue_list(data, "502", period_for_week("ytd", WEEK))
    n_open = service.overdue_counts(listing)[OPEN]
    # a rule that flags any rise of the backlog (the shipped one wants 10 more dossiers)
    any_rise = pd.DataFrame([{"level": "*", "criterion": "backlog", "param": p, "value": v}
                             for p, v in (("percent", "0"), ("dossiers", "1"), ("weight", "1"))])
    lag = service.lagging(data, "district", WEEK, rules=any_rise).set_index("unit_code")
    reason = t("lag.backlog", before=fmt_number(3, 0), now=fmt_number(n_open, 0),
               up=fmt_number(n_open - 3, 0), pct=t("lag.backlog_pct", pct=fmt_percent((n_open - 3) / 3, 0)))
    assert reason in lag.loc["502", "reasons"]
    assert q.overdue_backlog(data, [T], ["502"])["backlog_0"].tolist() == [n_open]
    # and as Biểu II.06a counts them: overdue still in progress, resolved late in the period
    b06 = service.bieu06a(data, date(2024, 1, 1), T, "502")
    assert int(b06["pending_overdue"].sum()) == n_open
    assert int(b06["resolved_overdue"].sum()) == service.overdue_counts(listing)[LATE]


def _check_demo_unit(engine: Engine, level: str, week: str, code: str, reasons: list[str]) -> None:
    p = period_for_week("ytd", week)
    listing = service.overdue_list(engine, code, p)
    n = service.overdue_counts(listing)
    backlog = q.overdue_backlog(engine, [p.end], [code])
    assert n[OPEN] == (int(backlog["backlog_0"].iloc[0]) if not backlog.empty else 0), code
    b06 = service.bieu06a(engine, p.start, p.end, code)
    assert n[OPEN] == int(b06["pending_overdue"].sum()), code
    assert n[LATE] == int(b06["resolved_overdue"].sum()), code
    assert n[ALL] == n[OPEN] + n[LATE] == len(listing)
    for r in reasons:  # "… tăng từ A lên B hồ sơ …": B is the list's open count
        m = re.fullmatch(re.escape(t("lag.backlog", before="@", now="@", up="@", pct="@"))
                         .replace("@", "(.+)"), r)
        if m:
            assert m.group(2) == fmt_number(n[OPEN], 0), (code, r)


@pytest.mark.parametrize("which", ["latest", "pre_reform"])
def test_demo_open_count_equals_lagging_backlog(demo_engine, which):
    week = service.latest_week(demo_engine) if which == "latest" else PRE_REFORM
    checked = 0
    for level in ("department", "district", "commune"):
        if not service.exists_in(demo_engine, level, period_for_week("ytd", week)):
            continue
        lag = service.lagging(demo_engine, level, week)
        for r in lag.head(4).itertuples(index=False):
            _check_demo_unit(demo_engine, level, week, str(r.unit_code), list(r.reasons))
            checked += 1
    assert checked >= 4


def test_excel_title_dates_frozen_header_filter_and_safe_text(data):
    listing = service.overdue_list(data, "502", period_for_week("ytd", WEEK))
    shown = tables.overdue_table(listing)
    f = Filters(week=WEEK, period_kind="ytd", level="district")
    title = overdue_list.excel_title(f, "Huyện Đại Lộc", ALL, today=date(2026, 12, 7))
    assert title == ("Hồ sơ quá hạn (còn tồn và đã trả quá hạn) – Huyện Đại Lộc – Lũy kế từ đầu năm, "
                     "từ 01/01/2024 đến 10/03/2024 – lập ngày 07/12/2026")
    wb = openpyxl.load_workbook(io.BytesIO(overdue_list.to_excel(shown, title, "Hồ sơ quá hạn")))
    ws = wb.active
    assert ws.title == "Hồ sơ quá hạn"
    assert ws["A1"].value == title and "Huyện Đại Lộc" in title and "07/12/2026" in title
    header = [c.value for c in ws[2]]
    assert header == list(shown.columns)
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:J{len(shown) + 2}"
    rows = list(ws.iter_rows(min_row=3, values_only=False))
    assert len(rows) == len(listing) == 8
    col = {h: i for i, h in enumerate(header)}
    by_code = {r[0].value: r for r in rows}
    l1 = by_code["L1"]
    for name, day in ((t("ui.col.received"), date(2024, 1, 10)), (t("ui.col.due"), date(2024, 1, 12)),
                      (t("ui.overdue.col.end"), date(2024, 1, 20))):
        cell = l1[col[name]]
        assert cell.is_date and cell.number_format == "DD/MM/YYYY", name
        assert cell.value.date() == day
    assert by_code["O1"][col[t("ui.overdue.col.end")]].value is None, "open: no end date"
    days = l1[col[t("ui.col.days_overdue")]]
    assert days.data_type == "n" and days.value == 8
    assert l1[col[t("ui.overdue.col.state")]].value == t("ui.overdue.row.late")
    # a code that looks like a formula is text, never a formula
    assert "'=D1" in by_code and "'+D2" in by_code
    assert all(c.data_type != "f" for r in rows for c in r)
