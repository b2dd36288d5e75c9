"""Hostile and broken input to ``python -m data_access``: impossible dates, files that are not
what they claim, hostile spreadsheets, control characters, partial unit files, an unreachable
database, and the ``remove`` command that takes a bad row out again. Each test runs on SQLite
and PostgreSQL (the ``engine`` fixture) and failed on the code before issue 16's hardening."""

from __future__ import annotations

import csv
import tracemalloc
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.db import count, rows, snapshot
from helpers.import_files import (
    CATALOGUE,
    CATALOGUE_HEADERS,
    DOSSIER_HEADERS,
    FEEDBACK_HEADERS,
    UNIT_HEADERS,
    dossier,
    write_csv,
    write_xlsx,
)
from sqlalchemy import Engine, select

from data_access import formats as fm
from data_access import schema as s
from data_access.__main__ import main
from data_access.check import EXIT_OK, run_check
from data_access.importer import (
    DEFAULT_HORIZON_DAYS,
    HORIZON_ENV,
    import_file,
    import_files,
    rejected_path,
)
from data_access.sniff import MAX_CELL_CHARS, MAX_COLUMNS
from data_access.validate import Reference, validate_row
from data_access.validate_frame import validate_frame
from texts import t

TODAY = date.today()


@pytest.fixture
def catalogue(engine: Engine, tmp_path: Path) -> Engine:
    path = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADERS, CATALOGUE)
    assert import_files(engine, [path], progress=False) == 0
    return engine


def _day(d: date, hour: str = "") -> str:
    return d.isoformat() + (f" {hour}" if hour else "")


def _recent(code: str, days_ago: int = 10, **over: object) -> dict:
    """A dossier received ``days_ago`` days before today, finished the next day."""
    rec = TODAY - timedelta(days=days_ago)
    row = dossier(code, NgayTiepNhan=_day(rec, "08:30"), NgayHenTra=_day(rec + timedelta(days=3)),
                  NgayKetThucXuLy=_day(rec + timedelta(days=1), "15:00"),
                  NgayTra=_day(rec + timedelta(days=1)))  # fmt: skip
    row.update(over)
    return row


def _messages(res) -> str:  # noqa: ANN001
    return "\n".join(res.messages)


# --- 1. dates: far future, before every unit; the horizon option ---------------------------


@pytest.mark.parametrize("received", ["2200-01-06", "far"])
def test_far_future_received_is_rejected(catalogue: Engine, tmp_path: Path, received: str):
    day = TODAY + timedelta(days=DEFAULT_HORIZON_DAYS + 30) if received == "far" else date(2200, 1, 6)
    row = dossier("F", NgayTiepNhan=_day(day), NgayHenTra=_day(day + timedelta(days=3)),
                  NgayKetThucXuLy="", NgayTra="", TrangThaiHoSo="4")  # fmt: skip
    before = snapshot(catalogue)
    res = import_file(catalogue, write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [_recent("OK"), row]))
    assert not res.ok
    assert "NgayTiepNhan: ngày " + day.isoformat() + " muộn hơn giới hạn" in _messages(res)
    assert snapshot(catalogue) == before


def test_finished_and_feedback_dates_past_the_horizon(catalogue: Engine, tmp_path: Path):
    late = TODAY + timedelta(days=DEFAULT_HORIZON_DAYS + 1)
    res = import_file(catalogue, write_csv(tmp_path / "d.csv", DOSSIER_HEADERS,
                                           [_recent("A", NgayKetThucXuLy=_day(late))]))  # fmt: skip
    assert not res.ok and "NgayKetThucXuLy: ngày" in _messages(res)
    fb = [("P1", "SCT", _day(TODAY), _day(TODAY + timedelta(days=10)), _day(late), "", "", "", "")]
    res = import_file(catalogue, write_csv(tmp_path / "f.csv", FEEDBACK_HEADERS, fb))
    assert not res.ok and "NgayXuLy: ngày" in _messages(res)
    assert count(catalogue, s.dossier) == 0 and count(catalogue, s.feedback) == 0


def test_date_before_the_earliest_unit_is_rejected(catalogue: Engine, tmp_path: Path):
    with catalogue.connect() as c:
        first = c.execute(select(s.unit.c.valid_from).order_by(s.unit.c.valid_from)).scalar()
    early = first - timedelta(days=1)
    row = dossier("E", NgayTiepNhan=_day(early), NgayHenTra=_day(early + timedelta(days=3)),
                  NgayKetThucXuLy="", NgayTra="", TrangThaiHoSo="4")  # fmt: skip
    res = import_file(catalogue, write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [row]))
    assert not res.ok
    assert t("import.reason.date_too_early", col="NgayTiepNhan", value=early.isoformat(),
             limit=first.isoformat()) in _messages(res)  # fmt: skip


@pytest.mark.slow
def test_horizon_option_and_environment(catalogue: Engine, tmp_path: Path, db_url: str,
                                        monkeypatch: pytest.MonkeyPatch, capsys):  # fmt: skip
    ahead = TODAY + timedelta(days=60)
    row = dossier("H", NgayTiepNhan=_day(ahead), NgayHenTra=_day(ahead + timedelta(days=3)),
                  NgayKetThucXuLy="", NgayTra="", TrangThaiHoSo="4")  # fmt: skip
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [row])
    catalogue.dispose()
    assert main(["--db", db_url, "import", str(path)]) == 1
    monkeypatch.setenv(HORIZON_ENV, "abc")
    assert main(["--db", db_url, "import", str(path)]) == 2
    assert HORIZON_ENV in capsys.readouterr().err
    monkeypatch.setenv(HORIZON_ENV, "90")
    assert main(["--db", db_url, "import", str(path)]) == 0
    monkeypatch.delenv(HORIZON_ENV)
    assert main(["--db", db_url, "import", str(path), "--date-horizon-days", "90"]) == 0
    assert count(catalogue, s.dossier) == 1


def test_window_agrees_between_row_and_frame_validation():
    ref = Reference(frozenset({"U"}), {"P": "F"}, {}, date(2020, 1, 1), date(2025, 1, 31), date(2026, 2, 1))
    base = {"MaHoSo": "A", "MaTTHC": "P", "DonViXuLy": "U", "TrangThaiHoSo": "4"}
    cases = [
        {"NgayTiepNhan": "2025-01-31 23:59", "NgayHenTra": "2026-02-01"},
        {"NgayTiepNhan": "2025-02-01", "NgayHenTra": "2025-02-03"},
        {"NgayTiepNhan": "2019-12-31", "NgayHenTra": "2020-01-03"},
        {"NgayTiepNhan": "01/01/2020", "NgayHenTra": "2026-02-02"},
        {"NgayTiepNhan": "2024-05-05T10:00:00", "NgayTra": "01/02/2025"},
    ]
    import pandas as pd

    frame = pd.DataFrame([{**base, **c} for c in cases], index=range(2, 2 + len(cases)), dtype=object)
    res = validate_frame(fm.DOSSIER, frame.fillna(""), ref)
    for n, c in enumerate(cases, start=2):
        by_row = validate_row(fm.DOSSIER, {**base, **c}, ref)
        if isinstance(by_row, dict):
            assert n in res.valid.index and n not in res.bad, c
        else:
            assert res.bad[n] == by_row, c
    assert set(res.bad) == {3, 4, 5, 6}


# --- remove: a bad row taken out again, aggregates refreshed ---------------------------------


@pytest.mark.slow
def test_remove_command(catalogue: Engine, tmp_path: Path, db_url: str, capsys):
    data = [_recent("A"), _recent("B", days_ago=20), _recent("C", days_ago=40)]
    fb = [("P1", "SCT", _day(TODAY - timedelta(days=5)), _day(TODAY), "", "", "", "", "")]
    assert import_files(catalogue, [write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, data),
                                    write_csv(tmp_path / "f.csv", FEEDBACK_HEADERS, fb)]) == 0  # fmt: skip
    catalogue.dispose()
    assert main(["--db", db_url, "remove", "dossier", "A", "ZZZ"]) == 0
    out = capsys.readouterr()
    assert t("remove.not_found", n=1, codes="ZZZ") in out.err
    assert sorted(d["code"] for d in rows(catalogue, s.dossier)) == ["B", "C"]
    cut = (TODAY - timedelta(days=30)).isoformat()
    assert main(["--db", db_url, "remove", "dossier", "--received-after", cut]) == 0
    assert [d["code"] for d in rows(catalogue, s.dossier)] == ["C"]
    assert main(["--db", db_url, "remove", "feedback", "--received-before", TODAY.isoformat()]) == 0
    assert count(catalogue, s.feedback) == 0
    # nothing matched / no selector / a bad date: a message and a non-zero exit
    assert main(["--db", db_url, "remove", "dossier", "A"]) == 1
    assert main(["--db", db_url, "remove", "dossier"]) == 2
    assert main(["--db", db_url, "remove", "dossier", "--received-after", "hôm qua"]) == 2
    # the aggregates hold exactly the remaining dossier: check finds nothing out of step
    agg = rows(catalogue, s.agg_unit_bucket)
    assert sum(r["dossiers"] for r in agg) == 1 and sum(r["feedback"] for r in agg) == 0
    capsys.readouterr()
    assert run_check(catalogue) == EXIT_OK, capsys.readouterr().out


# --- 2. no tracebacks ---------------------------------------------------------------------------


@pytest.mark.slow
def test_xlsx_that_is_not_a_zip_does_not_stop_the_other_files(catalogue: Engine, tmp_path: Path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"MaHoSo,MaTTHC\nnot a spreadsheet\n")
    good = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [_recent("A")])
    assert import_files(catalogue, [bad, good]) == 1
    out = capsys.readouterr()
    assert t("import.file.not_zip") in out.err
    assert t("import.summary.total", ok=1, failed=1) in out.out
    assert [d["code"] for d in rows(catalogue, s.dossier)] == ["A"]


def test_control_characters_are_row_reasons_not_database_errors(catalogue: Engine, tmp_path: Path):
    data = [_recent("A\x00B"), _recent("C\u202eD"), _recent("OK"),
            _recent("E", MaTTHC="1.001\u2066")]  # fmt: skip
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, data)
    res = import_file(catalogue, path)
    text = _messages(res)
    assert not res.ok and "INSERT" not in text and "COPY" not in text
    assert "Dòng 2: MaHoSo: chứa ký tự điều khiển" in text
    assert "Dòng 3: MaHoSo: chứa ký tự điều khiển" in text and "U+202E" in text
    assert "Dòng 5: MaTTHC: chứa ký tự điều khiển" in text
    res = import_file(catalogue, path, skip_invalid=True)
    assert res.ok and [d["code"] for d in rows(catalogue, s.dossier)] == ["OK"]
    fb = [("P1", "SCT", _day(TODAY), _day(TODAY), "", "Đã\x07 trả lời", "", "", "")]
    res = import_file(catalogue, write_csv(tmp_path / "f.csv", FEEDBACK_HEADERS, fb))
    assert not res.ok and "KetQua: chứa ký tự điều khiển" in _messages(res)


@pytest.mark.parametrize("command", ["check", "refresh", "init", "remove", "import"])
def test_unreachable_database_is_one_line(command: str, tmp_path: Path, capsys):
    args = {"remove": ["remove", "dossier", "A"], "import": ["import", str(tmp_path / "x.csv")]}
    write_csv(tmp_path / "x.csv", DOSSIER_HEADERS, [_recent("A")])
    rc = main(["--db", "postgresql+psycopg://postgres@127.0.0.1:1/x", *args.get(command, [command])])
    out = capsys.readouterr()
    assert rc != 0
    assert "Traceback" not in out.err + out.out and "[SQL" not in out.err
    assert "127.0.0.1" in out.err and len(out.err.strip().splitlines()) <= 2


def _xlsx_with_cell(tmp_path: Path, size: int) -> Path:
    """A dossier workbook whose MaHoSo cell holds ``size`` characters (written into the XML:
    openpyxl will not write a cell longer than Excel allows)."""
    path = write_xlsx(tmp_path / "d.xlsx", DOSSIER_HEADERS, [_recent("A")])
    out = tmp_path / f"cell{size}.xlsx"
    replaced = 0
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if b"<t>A</t>" in data:
                data = data.replace(b"<t>A</t>", b"<t>" + b"A" * size + b"</t>", 1)
                replaced += 1
            dst.writestr(info, data)
    assert replaced == 1
    return out


def test_huge_cell_in_a_small_xlsx_is_refused_in_bounded_memory(catalogue: Engine, tmp_path: Path):
    # one cell of 30 MB that compresses to a few kilobytes
    huge = _xlsx_with_cell(tmp_path, 30_000_000)
    assert huge.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        res = import_file(catalogue, huge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not res.ok and t("import.file.cell_too_long", n=MAX_CELL_CHARS) in _messages(res)
    assert peak < 20_000_000
    assert count(catalogue, s.dossier) == 0


@pytest.mark.slow
def test_cell_longer_than_excel_allows_and_too_many_columns(catalogue: Engine, tmp_path: Path):
    res = import_file(catalogue, _xlsx_with_cell(tmp_path, MAX_CELL_CHARS + 1))
    assert not res.ok and t("import.file.cell_too_long", n=MAX_CELL_CHARS) in _messages(res)
    wide = DOSSIER_HEADERS + [f"Cot{i}" for i in range(MAX_COLUMNS)]
    for path in (write_csv(tmp_path / "w.csv", wide, [_recent("A")]),
                 write_xlsx(tmp_path / "w.xlsx", wide, [_recent("A")])):  # fmt: skip
        res = import_file(catalogue, path)
        assert not res.ok
        assert t("import.file.too_many_columns", n=len(wide), max=MAX_COLUMNS) in _messages(res)
    assert count(catalogue, s.dossier) == 0


# --- 3. check tells the truth -------------------------------------------------------------------


@pytest.mark.slow
def test_check_is_clean_after_an_import_and_a_refresh(catalogue: Engine, tmp_path: Path, db_url: str,
                                                      capsys):  # fmt: skip
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [_recent("A"), _recent("B", days_ago=3)])
    assert import_files(catalogue, [path]) == 0
    capsys.readouterr()
    assert run_check(catalogue) == EXIT_OK, capsys.readouterr().out
    assert t("check.warn.refresh_stale") not in capsys.readouterr().out
    catalogue.dispose()
    assert main(["--db", db_url, "refresh"]) == 0
    capsys.readouterr()
    assert run_check(catalogue) == EXIT_OK, capsys.readouterr().out


# --- 4. partial unit files -------------------------------------------------------------------


def test_partial_unit_file_changes_only_its_columns(catalogue: Engine, tmp_path: Path):
    full = [("99001", "Xã Mới", "commune", "Xã", "519", "2024-01-01", "2030-12-31", "", "15,6", "108.2")]
    assert import_file(catalogue, write_csv(tmp_path / "u.csv", UNIT_HEADERS, full)).ok
    rename = write_csv(tmp_path / "r.csv", ["MaDonVi", "TenDonVi", "Cap"],
                       [("99001", "Xã Mới Đổi Tên", "commune"), ("99002", "Xã Khác", "commune")])  # fmt: skip
    assert import_file(catalogue, rename).ok
    got = {u["code"]: u for u in rows(catalogue, s.unit)}
    u = got["99001"]
    assert u["name"] == "Xã Mới Đổi Tên"
    assert (u["parent_code"], u["valid_from"], u["valid_to"], u["kind"]) == (
        "519", date(2024, 1, 1), date(2030, 12, 31), "Xã")
    assert u["lat"] == pytest.approx(15.6) and u["lon"] == pytest.approx(108.2)
    assert got["99002"]["parent_code"] is None and got["99002"]["valid_from"] is None
    # a blank cell in a column the file has still means "none"
    blank = write_csv(tmp_path / "b.csv", ["MaDonVi", "TenDonVi", "Cap", "MaDonViCha"],
                      [("99001", "Xã Mới Đổi Tên", "commune", "")])  # fmt: skip
    assert import_file(catalogue, blank).ok
    u = {u["code"]: u for u in rows(catalogue, s.unit)}["99001"]
    assert u["parent_code"] is None and u["valid_from"] == date(2024, 1, 1)


def test_partial_catalogue_file_changes_only_its_columns(catalogue: Engine, tmp_path: Path):
    """The same rule for the procedure catalogue: a list of new names keeps every other attribute
    (the ``catalogue`` fixture imported CATALOGUE, in which 3.001 is a fee-bearing department
    procedure of SCT, online level 2, paid online, 10 legal days)."""
    before = {p["code"]: p for p in rows(catalogue, s.procedure)}["3.001"]
    rename = write_csv(tmp_path / "c.csv", ["MaTTHC", "TenTTHC", "CapThucHien"],
                       [("3.001", "Cấp giấy chứng nhận (tên mới)", "department"),
                        ("9.001", "Thủ tục mới", "commune")])  # fmt: skip
    assert import_file(catalogue, rename).ok
    got = {p["code"]: p for p in rows(catalogue, s.procedure)}
    p = got["3.001"]
    assert p["name"] == "Cấp giấy chứng nhận (tên mới)"
    kept = ("field_code", "agency_code", "online_level", "fee_bearing", "online_payment",
            "issues_result", "certification", "legal_days")
    assert {c: p[c] for c in kept} == {c: before[c] for c in kept}
    assert (before["agency_code"], before["online_level"], before["legal_days"]) == ("SCT", 2, 10)
    # a new procedure gets the format's defaults (no result flag given: 1; online level: 0)
    assert (got["9.001"]["online_level"], got["9.001"]["issues_result"]) == (0, 1)


# --- 5. file shapes: extra fields, no rows, encodings ---------------------------------------


def test_row_with_more_cells_than_headers_rejects_the_file(catalogue: Engine, tmp_path: Path):
    path = tmp_path / "d.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(DOSSIER_HEADERS)
        w.writerow([_recent("A").get(h, "") for h in DOSSIER_HEADERS])
        w.writerow([_recent("B").get(h, "") for h in DOSSIER_HEADERS] + ["thừa"])
    res = import_file(catalogue, path)
    assert not res.ok
    assert t("import.file.extra_fields", row=3, n=len(DOSSIER_HEADERS) + 1,
             columns=len(DOSSIER_HEADERS)) in _messages(res)  # fmt: skip
    assert count(catalogue, s.dossier) == 0


def test_header_only_file_imports_nothing_and_fails(catalogue: Engine, tmp_path: Path, capsys):
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [])
    assert import_files(catalogue, [path]) == 1
    assert t("import.error.empty", file=path, kind=t("import.kind.dossier")) in capsys.readouterr().err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-8-sig"])
def test_utf16_and_bom_files_are_read(catalogue: Engine, tmp_path: Path, encoding: str):
    data = [_recent("A"), _recent("Đ1")]
    path = tmp_path / "d.csv"
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(DOSSIER_HEADERS)
        for r in data:
            w.writerow([r.get(h, "") for h in DOSSIER_HEADERS])
    res = import_file(catalogue, path)
    assert res.ok, res.messages
    assert sorted(d["code"] for d in rows(catalogue, s.dossier)) == ["A", "Đ1"]


def test_legacy_code_page_is_refused_clearly(catalogue: Engine, tmp_path: Path):
    path = tmp_path / "u.csv"
    # "Xã Mới Đổi" in Windows-1258: base letters with combining tone marks
    path.write_bytes(b"MaDonVi,TenDonVi,Cap\n99001,Xa\xde M\xf5\xeci \xd0\xf4\xd2i,commune\n")
    res = import_file(catalogue, path)
    assert not res.ok and t("import.file.encoding") in _messages(res)


# --- 6. the rejected-rows file cannot run formulas ---------------------------------------------


@pytest.mark.slow
def test_rejected_file_neutralises_formulas(catalogue: Engine, tmp_path: Path):
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS,
                     [_recent("=HYPERLINK(\"http://x\")", MaTTHC="+cmd|' /C calc'!A0"), _recent("A")])  # fmt: skip
    res = import_file(catalogue, path, skip_invalid=True)
    assert res.ok and res.rejected == 1
    with rejected_path(path).open(encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "'+cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
