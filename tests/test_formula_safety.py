"""Formula injection (issue 16): every spreadsheet, CSV and deck table the product writes shows a
unit, procedure or field name, or a dossier code, starting with ``=``, ``+``, ``-`` or ``@`` as
typed text, never as a live formula; numbers stay numbers.

The convention (``data_access.cell_safety``, OWASP): such text is stored with an apostrophe in
front, so an xlsx cell holds the string ``'=…`` (``data_type == "s"``) and a CSV field reads
``'=…``. A CSV field may still start with ``-`` when it is a number (a negative score change):
a number is not a formula.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import fresh_engine
from helpers.scoring import dossier, load, proc
from openpyxl import load_workbook
from pptx import Presentation
from sqlalchemy import update

import meeting_pack
from data_access import schema as s
from data_access.cell_safety import FORMULA_STARTS
from scorecard import service
from scorecard.__main__ import main
from texts import t
from ui import overdue_list, tables

WEEK = "2024-W51"
D = lambda m, d: date(2024, m, d)  # noqa: E731

# One risky name per leading character, for each kind of text that reaches a spreadsheet.
UNIT_NAMES = {
    "502": '=HYPERLINK("http://example.invalid","Tam Kỳ")',  # district
    "503": "+Hội An",  # district
    "STP": "-Sở Tư pháp",  # department
    "20335": "@Xã Tam Thăng",  # commune
}
PROC_NAMES = {"PD": "=1+2 Đăng ký đất đai", "PC": "+Cấp phép", "PS": "-Chứng thực", "PA": "@Hộ tịch"}
FIELD_NAMES = {"F1": "=SUM(A1:A9)", "F2": "@Lĩnh vực hộ tịch"}
DOSSIER_CODES = ["=D1", "+D2", "-D3", "@D4", "=D5"]
RISKY = [*UNIT_NAMES.values(), *PROC_NAMES.values(), *FIELD_NAMES.values(), *DOSSIER_CODES]

PROCS = [
    proc("PD", name=PROC_NAMES["PD"]),
    proc("PA", name=PROC_NAMES["PA"], field="F2"),
    proc("PC", level="commune", name=PROC_NAMES["PC"]),
    proc("PS", level="department", agency="STP", name=PROC_NAMES["PS"], field="F2"),
]
DOSSIERS = [
    # overdue (finished late, or still open after the deadline): they reach the overdue lists
    dossier("=D1", "502", D(12, 16), proc="PD", due=D(12, 18), finished=D(12, 20)),
    dossier("+D2", "502", D(12, 17), proc="PA", due=D(12, 18), status=4),
    dossier("-D3", "503", D(12, 16), proc="PD", due=D(12, 17), finished=D(12, 21)),
    dossier("@D4", "STP", D(12, 16), proc="PS", due=D(12, 17), finished=D(12, 20)),
    dossier("=D5", "20335", D(12, 16), proc="PC", due=D(12, 17), finished=D(12, 19)),
    # and on time, so the scores differ
    dossier("OK1", "502", D(12, 16), proc="PD", due=D(12, 20), finished=D(12, 17), synced=1),
    dossier("OK2", "503", D(12, 18), proc="PD", due=D(12, 20), finished=D(12, 19), channel=2),
    dossier("OK3", "STP", D(12, 18), proc="PS", due=D(12, 20), finished=D(12, 19)),
]

# A formatted number as the deck shows it: "+0,16", "-1,2", "−3".
_FORMATTED_NUMBER = re.compile(r"^[+\-−]?\d[\d.,]*%?$")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def risky(request, tmp_path_factory):
    """A database whose names and codes start with formula characters, per backend."""
    with fresh_engine(request.param, tmp_path_factory.mktemp(f"risky_{request.param}")) as eng:
        with eng.begin() as conn:
            for code, name in UNIT_NAMES.items():
                conn.execute(update(s.unit).where(s.unit.c.code == code)
                             .values(name=name, short_name=None))
        load(eng, PROCS, DOSSIERS, fields=FIELD_NAMES)
        yield eng


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _xlsx_cells(data: bytes | Path):
    wb = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield ws.title, c


def _assert_safe_xlsx(data: bytes | Path, expected: list[str]) -> list:
    """No formula anywhere; each of ``expected`` shown as typed ("'" + text). Returns the cells."""
    cells = list(_xlsx_cells(data))
    assert cells
    formulas = [(sheet, c.coordinate, c.value) for sheet, c in cells if c.data_type == "f"]
    assert formulas == []
    texts = [c.value for _, c in cells if isinstance(c.value, str)]
    assert not [v for v in texts if v.startswith(FORMULA_STARTS)]
    for name in expected:
        assert any(v == "'" + name or v.startswith("'" + name) for v in texts), name
    return [c for _, c in cells]


def _assert_safe_csv(text: str, expected: list[str]) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) > 1
    for row in rows:
        for field in row:
            if field.startswith(FORMULA_STARTS):
                float(field)  # only a number may start with "-" or "+"
    fields = [f for row in rows for f in row]
    for name in expected:
        assert "'" + name in fields, name
    return rows


# --- the meeting pack -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack(risky):
    b = meeting_pack.collect(risky, WEEK)
    return meeting_pack.build_deck(risky, WEEK, b), meeting_pack.build_workbook(risky, WEEK, b)


@pytest.mark.slow
def test_pack_workbook_has_no_formula_on_any_sheet(pack):
    _, book = pack
    cells = _assert_safe_xlsx(book, RISKY)
    # the names, codes and the overdue list all made it, apostrophe first, on their sheets
    wb = load_workbook(io.BytesIO(book))
    assert len(wb.sheetnames) >= 6
    league = wb.worksheets[1]  # districts
    row = next(r for r in league.iter_rows(min_row=4) if r[2].value == "'" + UNIT_NAMES["502"])
    assert row[0].data_type == "n" and isinstance(row[0].value, int)  # rank
    assert row[3].data_type == "n" and isinstance(row[3].value, float)  # total
    assert any(c.data_type == "d" for c in cells), "dates stay dates (overdue list)"


def _deck_table_lines(deck: bytes) -> list[str]:
    """Every line of every table body cell (row 0 is the header, from the text catalogue)."""
    prs = Presentation(io.BytesIO(deck))
    return [
        line
        for slide in prs.slides for sh in slide.shapes if sh.has_table
        for row in list(sh.table.rows)[1:] for c in row.cells for line in c.text.split("\n")
    ]


def test_pack_deck_tables_and_charts_are_neutralised(pack):
    deck, _ = pack
    lines = _deck_table_lines(deck)
    assert lines
    risky_lines = [x for x in lines if x.startswith(FORMULA_STARTS)]
    assert [x for x in risky_lines if not _FORMATTED_NUMBER.match(x)] == []
    for code in ("502", "503", "STP"):  # departments and districts have league tables
        assert "'" + UNIT_NAMES[code] in lines, code
    # Chart data lives in an embedded workbook per chart (python-pptx writes it with xlsxwriter).
    prs = Presentation(io.BytesIO(deck))
    charts = [sh.chart for slide in prs.slides for sh in slide.shapes if sh.has_chart]
    assert charts
    for ch in charts:
        blob = ch.part.chart_workbook.xlsx_part.blob
        assert [c for _, c in _xlsx_cells(blob) if c.data_type == "f"] == []
        assert not [c for c in ch.plots[0].categories if str(c).startswith(FORMULA_STARTS)]


# --- python -m scorecard ----------------------------------------------------------------------


def test_bieu06a_xlsx(risky, tmp_path, capsys):
    out = tmp_path / "b06.xlsx"
    rc = main(["--db", _url(risky), "bieu06a", "--from", "2024-12-16", "--to", "2024-12-22",
               "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    cells = _assert_safe_xlsx(out, [UNIT_NAMES["502"], UNIT_NAMES["STP"]])
    labels = [c.value for c in cells if c.column == 2 and isinstance(c.value, str)]
    assert f"'{UNIT_NAMES['502']} – {FIELD_NAMES['F1']}" in labels
    counts = [c for c in cells if c.column >= 3 and c.row > 7]  # below the "(1)…(13)" row
    assert counts and all(c.data_type == "n" for c in counts)


@pytest.mark.slow
def test_bieu06a_csv(risky, tmp_path, capsys):
    out = tmp_path / "b06.csv"
    rc = main(["--db", _url(risky), "bieu06a", "--from", "2024-12-16", "--to", "2024-12-22",
               "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    rows = _assert_safe_csv(out.read_text(encoding="utf-8-sig"),
                            [UNIT_NAMES["502"], FIELD_NAMES["F1"], FIELD_NAMES["F2"]])
    header = rows[0]
    i = header.index("received_total")
    assert all(r[i].isdigit() for r in rows[1:])


def test_report_xlsx(risky, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    rc = main(["--db", _url(risky), "report", "--level", "district", "--period", WEEK,
               "--format", "xlsx", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    cells = _assert_safe_xlsx(out, [UNIT_NAMES["502"], UNIT_NAMES["503"]])
    header = {c.value: c.column for c in cells if c.row == 1}
    for numeric in ("total", "rank", "group_1"):
        col = [c for c in cells if c.column == header[numeric] and c.row > 1]
        assert col and all(c.data_type == "n" for c in col), numeric


def test_report_csv(risky, capsys):
    rc = main(["--db", _url(risky), "report", "--level", "district", "--period", WEEK,
               "--format", "csv"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    rows = _assert_safe_csv(out, [UNIT_NAMES["502"], UNIT_NAMES["503"]])
    i = rows[0].index("total")
    # scored districts have a number; those without activity (không phát sinh) none
    scored = [r for r in rows[1:] if r[i] != ""]
    assert len(scored) >= 2 and all(float(r[i]) >= 0 for r in scored)


def test_report_csv_file(risky, tmp_path, capsys):
    out = tmp_path / "r.csv"
    rc = main(["--db", _url(risky), "report", "--level", "department", "--period", WEEK,
               "--format", "csv", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    _assert_safe_csv(out.read_text(encoding="utf-8-sig"), [UNIT_NAMES["STP"]])


# --- the dashboard's overdue-list download ----------------------------------------------------


def test_dashboard_overdue_download(risky):
    od = service.overdue_list(risky, "502", WEEK)
    assert set(od["code"]) >= {"=D1", "+D2"}
    # the title row names the unit, whose name may look like a formula too
    data = overdue_list.to_excel(tables.overdue_table(od), UNIT_NAMES["502"], "Hồ sơ quá hạn")
    cells = _assert_safe_xlsx(data, ["=D1", "+D2", PROC_NAMES["PD"], PROC_NAMES["PA"],
                                     FIELD_NAMES["F1"], FIELD_NAMES["F2"], UNIT_NAMES["502"]])
    header = {c.value: c.column for c in cells if c.row == 2}
    days = [c for c in cells if c.column == header[t("ui.col.days_overdue")] and c.row > 2]
    assert days and all(c.data_type == "n" for c in days)
