"""``python -m data_access import``: every kind of file, all-or-nothing, --skip-invalid, upsert,
personal data, XLSX and CSV. Runs on SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import csv
from datetime import date, datetime
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
from sqlalchemy import Engine, inspect, select

from data_access import importer
from data_access import schema as s
from data_access.importer import rejected_path
from scorecard.pipeline import import_file, import_files


@pytest.fixture
def catalogue(engine: Engine, tmp_path: Path) -> Engine:
    """The engine with a small procedure catalogue, imported like any other file."""
    path = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADERS, CATALOGUE)
    assert import_files(engine, [path], progress=False) == 0
    return engine


# --- catalogue --------------------------------------------------------------------------------


def test_catalogue_import(catalogue: Engine):
    procs = {p["code"]: p for p in rows(catalogue, s.procedure)}
    assert set(procs) == {"1.001", "1.002", "2.001", "3.001"}
    assert procs["1.001"]["level"] == "commune" and procs["1.001"]["legal_days"] == 3
    assert procs["3.001"]["level"] == "department" and procs["3.001"]["agency_code"] == "SCT"
    assert (procs["1.002"]["fee_bearing"], procs["1.002"]["online_payment"],
            procs["1.002"]["certification"], procs["1.002"]["online_level"]) == (1, 1, 1, 1)  # fmt: skip
    fields = {f["code"]: f["name"] for f in rows(catalogue, s.field)}
    assert fields == {"HT": "Hộ tịch", "CT": "Chứng thực", "XD": "Xây dựng", "TM": "Thương mại"}
    with catalogue.connect() as c:
        log = c.execute(select(s.load_log).where(s.load_log.c.action == "import")).mappings().all()
    assert len(log) == 1 and log[0]["rows"] == 4 and "catalogue.csv" in log[0]["detail"]


@pytest.mark.slow
def test_catalogue_change_refreshes_dependent_aggregates(catalogue: Engine, tmp_path: Path):
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [dossier("A", DuocThanhToanTrucTuyen="1")])
    assert import_file(catalogue, path).ok
    fee = [(r["fee_dossiers"], r["paid_online"]) for r in rows(catalogue, s.agg_unit_bucket)]
    assert fee == [(0, 0)]  # 1.001 is free: a payment does not count
    changed = [list(CATALOGUE[0]) for _ in range(1)]
    changed[0][7] = "1"  # 1.001 becomes fee-bearing
    assert import_file(catalogue, write_csv(tmp_path / "c2.csv", CATALOGUE_HEADERS, changed)).ok
    assert count(catalogue, s.procedure) == 4
    fee = [(r["fee_dossiers"], r["paid_online"]) for r in rows(catalogue, s.agg_unit_bucket)]
    assert fee == [(1, 1)]


# --- dossiers: CSV, XLSX, both date styles ------------------------------------------------------


@pytest.mark.slow
def test_dossier_csv_both_date_styles(catalogue: Engine, tmp_path: Path, capsys):
    data = [
        dossier("A"),
        dossier("B", NgayTiepNhan="09/01/2024 09:15", NgayHenTra="12/01/2024", NgayKetThucXuLy="",
                NgayTra="", TrangThaiHoSo="4", MaTTHC="2.001", DonViXuLy="502", KenhThucHien=""),
        dossier("C", NgayTiepNhan="2024-01-10T10:00:00", NgayHenTra="2024-01-12", MaTTHC="3.001",
                DonViXuLy="SCT", NgayKetThucXuLy="15/01/2024 08:00:00", NgayTra="",
                TrangThaiHoSo="9", DuocThanhToanTrucTuyen="2", SoNgayTamDung="1"),
    ]  # fmt: skip
    path = write_csv(tmp_path / "dossiers.csv", DOSSIER_HEADERS, data, sep=";")
    assert import_files(catalogue, [path]) == 0
    assert "đã nhập 3 dòng (3 mới, 0 cập nhật)" in capsys.readouterr().out
    got = {d["code"]: d for d in rows(catalogue, s.dossier)}
    a, b, c = got["A"], got["B"], got["C"]
    assert a["received_at"] == datetime(2024, 1, 8, 8, 30) and a["field_code"] == "HT"
    assert (a["status"], a["channel"], a["digitised"], a["synced"]) == (10, 2, 1, 1)
    assert a["end_date"] == date(2024, 1, 10) and a["overdue_date"] is None
    assert a["received_week"] == "2024-W02" and a["received_bucket"] == date(2024, 1, 14)
    assert b["received_at"] == datetime(2024, 1, 9, 9, 15) and b["channel"] == 1
    assert b["due_at"] == datetime(2024, 1, 12) and b["overdue_date"] == date(2024, 1, 13)
    # C: due 12/01 plus one paused day, ended 15/01 -> overdue from 14/01
    assert c["deadline_date"] == date(2024, 1, 13) and c["overdue_date"] == date(2024, 1, 14)
    assert c["paid_online"] == 2 and c["field_code"] == "TM"
    agg = {r["unit_code"]: r for r in rows(catalogue, s.agg_unit_bucket)}
    assert set(agg) == {"20335", "502", "SCT"}
    assert agg["SCT"]["dossiers"] == 1 and agg["SCT"]["paid_online"] == 1
    assert agg["20335"]["online"] == 1 and agg["502"]["online"] == 0
    overdue = {(r["unit_code"], r["overdue_bucket"]) for r in rows(catalogue, s.agg_overdue)}
    assert overdue == {("502", date(2024, 1, 14)), ("SCT", date(2024, 1, 14))}


@pytest.mark.slow
def test_dossier_xlsx_with_date_cells_and_text(catalogue: Engine, tmp_path: Path):
    data = [
        dossier("X1", NgayTiepNhan=datetime(2024, 3, 4, 7, 45), NgayHenTra=datetime(2024, 3, 8),
                NgayKetThucXuLy=None, NgayTra=None, TrangThaiHoSo=4, KenhThucHien=3),
        dossier("X2", NgayTiepNhan="05/03/2024 10:00", NgayHenTra="2024-03-07", TrangThaiHoSo=10,
                NgayKetThucXuLy=datetime(2024, 3, 6, 9), NgayTra="", KenhThucHien=2.0),
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "dossiers.xlsx", DOSSIER_HEADERS + ["HoTen"],
                      [{**r, "HoTen": "Lê Thị Xuân"} for r in data])  # fmt: skip
    res = import_file(catalogue, path)
    assert res.ok and res.inserted == 2, res.messages
    got = {d["code"]: d for d in rows(catalogue, s.dossier)}
    assert got["X1"]["received_at"] == datetime(2024, 3, 4, 7, 45)
    assert got["X1"]["channel"] == 3 and got["X1"]["status"] == 4
    assert got["X2"]["received_at"] == datetime(2024, 3, 5, 10) and got["X2"]["channel"] == 2
    assert got["X2"]["end_date"] == date(2024, 3, 6)
    assert any("HoTen" in m for m in res.messages)


@pytest.mark.slow
def test_xlsx_invalid_rows_use_spreadsheet_row_numbers(catalogue: Engine, tmp_path: Path):
    data = [dossier("X1"), dossier("X2", NgayTiepNhan="hôm qua")]
    res = import_file(catalogue, write_xlsx(tmp_path / "bad.xlsx", DOSSIER_HEADERS, data))
    assert not res.ok and count(catalogue, s.dossier) == 0
    assert any("Dòng 3: NgayTiepNhan: ngày không hợp lệ «hôm qua»" in m for m in res.messages)


# --- invalid rows: all or nothing -----------------------------------------------------------

BAD_ROWS = {
    "unknown unit": ({"DonViXuLy": "99999"}, "DonViXuLy: đơn vị không có trong danh mục «99999»"),
    "unknown procedure": ({"MaTTHC": "9.999"}, "MaTTHC: thủ tục không có trong danh mục TTHC"),
    "bad date": ({"NgayTiepNhan": "2024-02-30"}, "NgayTiepNhan: ngày không hợp lệ «2024-02-30»"),
    "due before received": ({"NgayHenTra": "07/01/2024"}, "NgayHenTra (2024-01-07) trước NgayTiepNhan"),
    "unknown status": ({"TrangThaiHoSo": "12"}, "TrangThaiHoSo: mã trạng thái hồ sơ không hợp lệ «12»"),
    "unknown channel": ({"KenhThucHien": "5"}, "KenhThucHien: kênh thực hiện không hợp lệ «5»"),
    "missing value": ({"DonViXuLy": ""}, "thiếu DonViXuLy"),
    "duplicate code": ({"MaHoSo": "A"}, "MaHoSo «A» trùng với một dòng phía trên"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_one_bad_row_rejects_the_whole_file(catalogue: Engine, tmp_path: Path, capsys, case):
    over, reason = BAD_ROWS[case]
    data = [dossier("A"), dossier("B"), dossier("C", **over), dossier("D")]
    before = snapshot(catalogue)
    rc = import_files(catalogue, [write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, data)])
    err = capsys.readouterr().err
    assert rc != 0
    assert snapshot(catalogue) == before  # nothing written: no dossier, aggregate or log row
    assert "KHÔNG nhập vì 1 trong 4 dòng không hợp lệ" in err
    assert f"Dòng 4: {reason}" in err  # header is row 1, so the third data row is row 4
    assert "Dòng 2" not in err and "Dòng 3" not in err
    assert not rejected_path(tmp_path / "d.csv").exists()


def test_error_listing_is_capped(catalogue: Engine, tmp_path: Path, capsys):
    data = [dossier(f"H{i}", TrangThaiHoSo="0") for i in range(60)] + [dossier("OK")]
    rc = import_files(catalogue, [write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, data)])
    err = capsys.readouterr().err
    assert rc == 1 and count(catalogue, s.dossier) == 0
    assert "60 trong 61 dòng" in err
    assert "Dòng 51:" in err and "Dòng 52:" not in err  # first 50 invalid rows: 2..51
    assert "và 10 dòng lỗi khác" in err


def test_failure_while_writing_rolls_everything_back(catalogue: Engine, tmp_path: Path, monkeypatch):
    """A crash after rows were inserted (here in the refresh) leaves the database as it was."""

    def boom(conn, buckets, **kwargs):  # noqa: ANN001, ANN003, ARG001
        raise RuntimeError("killed")

    before = snapshot(catalogue)
    monkeypatch.setattr(importer, "refresh", boom)
    res = import_file(catalogue, write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [dossier("A")]))
    assert not res.ok and "killed" in res.messages[0]
    assert snapshot(catalogue) == before


def test_unknown_kind_and_missing_headers(catalogue: Engine, tmp_path: Path, capsys):
    odd = write_csv(tmp_path / "odd.csv", ["Cot1", "Cot2"], [("1", "2")])
    missing = write_csv(tmp_path / "m.csv", ["MaHoSo", "MaTTHC"], [("A", "1.001")])
    assert import_files(catalogue, [odd, missing, tmp_path / "nope.csv"]) == 1
    err = capsys.readouterr().err
    assert "không nhận ra loại dữ liệu" in err
    assert "thiếu cột bắt buộc DonViXuLy, NgayTiepNhan, TrangThaiHoSo" in err
    assert "Không tìm thấy tệp" in err
    assert count(catalogue, s.dossier) == 0


# --- --skip-invalid -------------------------------------------------------------------------


@pytest.mark.slow
def test_skip_invalid_writes_valid_rows_and_a_rejected_file(catalogue: Engine, tmp_path: Path, capsys):
    data = [
        dossier("A"),
        dossier("B", DonViXuLy="99999", HoTen="Phạm Văn Bình"),
        dossier("C"),
        dossier("A", TrangThaiHoSo="4"),  # duplicate: the first A wins
        dossier("E", NgayHenTra="2023-12-31", KenhThucHien="9"),
    ]
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS + ["HoTen"], data)
    rc = import_files(catalogue, [path], skip_invalid=True)
    out = capsys.readouterr().out
    assert rc == 0
    assert "đã nhập 2 dòng" in out and "Bỏ qua 3 dòng không hợp lệ" in out
    stored = {d["code"]: d["status"] for d in rows(catalogue, s.dossier)}
    assert stored == {"A": 10, "C": 10}
    assert rows(catalogue, s.agg_unit_bucket)[0]["dossiers"] == 2

    rej = rejected_path(path)
    assert rej.name == "d.csv.rejected.csv" and rej.parent == path.parent
    with rej.open(encoding="utf-8-sig") as f:
        got = list(csv.DictReader(f))
    assert [r["Dong"] for r in got] == ["3", "5", "6"]
    assert [r["MaHoSo"] for r in got] == ["B", "A", "E"]
    assert "DonViXuLy: đơn vị không có trong danh mục «99999»" in got[0]["LyDo"]
    assert "trùng với một dòng phía trên" in got[1]["LyDo"]
    assert "NgayHenTra (2023-12-31) trước NgayTiepNhan" in got[2]["LyDo"]
    assert "KenhThucHien" in got[2]["LyDo"]
    assert "HoTen" not in got[0] and "Phạm Văn Bình" not in rej.read_text(encoding="utf-8-sig")


# --- upsert ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_reimport_updates_without_duplicates_and_moves_aggregates(catalogue: Engine, tmp_path: Path):
    first = [dossier("A"), dossier("B", TrangThaiHoSo="4", NgayKetThucXuLy="", NgayTra=""),
             dossier("C")]  # fmt: skip
    assert import_file(catalogue, write_csv(tmp_path / "w1.csv", DOSSIER_HEADERS, first)).ok
    buckets = {(r["unit_code"], r["bucket"]): r["dossiers"] for r in rows(catalogue, s.agg_unit_bucket)}
    assert buckets == {("20335", date(2024, 1, 14)): 3}

    later = [
        dossier("B", TrangThaiHoSo="10", NgayKetThucXuLy="2024-01-15", NgayTra="2024-01-15"),
        # a later export corrects C's received date into the next week (and month bucket)
        dossier("C", NgayTiepNhan="2024-01-16 08:00", NgayHenTra="2024-01-19", NgayKetThucXuLy="",
                NgayTra="", TrangThaiHoSo="4"),
        dossier("D", NgayTiepNhan="2024-01-17", NgayHenTra="2024-01-19", NgayKetThucXuLy="2024-01-18",
                NgayTra="2024-01-18"),
    ]  # fmt: skip
    res = import_file(catalogue, write_csv(tmp_path / "w2.csv", DOSSIER_HEADERS, later))
    assert res.ok and (res.inserted, res.updated) == (1, 2)
    got = {d["code"]: d for d in rows(catalogue, s.dossier)}
    assert sorted(got) == ["A", "B", "C", "D"] and count(catalogue, s.dossier) == 4
    assert got["B"]["status"] == 10 and got["B"]["overdue_date"] == date(2024, 1, 12)
    assert got["C"]["received_bucket"] == date(2024, 1, 21) and got["C"]["status"] == 4
    buckets = {(r["unit_code"], r["bucket"]): r["dossiers"] for r in rows(catalogue, s.agg_unit_bucket)}
    assert buckets == {("20335", date(2024, 1, 14)): 2, ("20335", date(2024, 1, 21)): 2}
    overdue = {(r["bucket"], r["overdue_bucket"]): r["n"] for r in rows(catalogue, s.agg_overdue)}
    # B ended late; C is still open, so it becomes overdue the day after its deadline
    assert overdue == {(date(2024, 1, 14), date(2024, 1, 14)): 1, (date(2024, 1, 21), date(2024, 1, 21)): 1}

    # the same export again changes nothing
    before = snapshot(catalogue)
    res = import_file(catalogue, write_csv(tmp_path / "w2.csv", DOSSIER_HEADERS, later))
    assert res.ok and (res.inserted, res.updated) == (0, 3)
    after = snapshot(catalogue)
    assert {k: v for k, v in after.items() if k != "load_log"} == {
        k: v for k, v in before.items() if k != "load_log"
    }


# --- personal data --------------------------------------------------------------------------


@pytest.mark.slow
def test_personal_data_columns_are_never_stored(catalogue: Engine, tmp_path: Path, capsys):
    personal = {"HoTen": "Nguyễn Văn Ánh", "SoCMND": "201234567", "Số điện thoại": "0905123456",
                "Email": "anh@example.vn", "Địa chỉ": "12 Phan Châu Trinh, Tam Kỳ",
                "CCCD": "049090001234"}  # fmt: skip
    headers = ["MaHoSo", "HoTen", *DOSSIER_HEADERS[1:], *list(personal)[1:]]
    path = write_csv(tmp_path / "d.csv", headers, [{**dossier("A"), **personal}])
    assert import_files(catalogue, [path]) == 0
    out = capsys.readouterr().out
    assert "Đã loại bỏ 6 cột dữ liệu cá nhân" in out
    for h in personal:
        assert h in out

    insp = inspect(catalogue)
    words = ("ten", "cmnd", "cccd", "phone", "dienthoai", "email", "diachi", "address", "name")
    for table in insp.get_table_names():
        for col in insp.get_columns(table):
            n = col["name"].lower()
            if table == "dossier":
                assert not any(w in n for w in words), n
    with catalogue.connect() as c:
        for table in s.metadata.sorted_tables:
            for r in c.execute(select(table)):
                text = " ".join(str(v) for v in r)
                for value in personal.values():
                    assert value not in text, (table.name, value)
    assert count(catalogue, s.dossier) == 1


# --- units and feedback ---------------------------------------------------------------------

@pytest.mark.slow
def test_units_import_and_use_in_the_same_command(catalogue: Engine, tmp_path: Path):
    units = [
        # a commune whose parent district comes later in the same file
        ("99001", "Xã Mới", "commune", "Xã", "990", "2025-01-01", "", "", "", ""),
        ("990", "Huyện Mới", "Cấp huyện", "Huyện", "49", "01/01/2025", "", "", "15,6", "108.2"),
        ("519", "Huyện Nông Sơn", "district", "Huyện", "49", "2020-01-01", "31/12/2024", "509", "", ""),
    ]
    units_path = write_csv(tmp_path / "units.csv", UNIT_HEADERS, units)
    dossiers_path = write_csv(
        tmp_path / "d.csv", DOSSIER_HEADERS,
        [dossier("N1", DonViXuLy="99001", NgayTiepNhan="2025-02-03", NgayHenTra="2025-02-05",
                 NgayKetThucXuLy="2025-02-04", NgayTra="2025-02-04")],
    )  # fmt: skip
    # given in the "wrong" order: units are imported first all the same
    assert import_files(catalogue, [dossiers_path, units_path]) == 0
    got = {u["code"]: u for u in rows(catalogue, s.unit)}
    assert got["99001"]["parent_code"] == "990" and got["99001"]["level"] == "commune"
    assert got["990"]["level"] == "district" and got["990"]["valid_from"] == date(2025, 1, 1)
    assert got["990"]["lat"] == pytest.approx(15.6) and got["990"]["lon"] == pytest.approx(108.2)
    assert got["519"]["valid_to"] == date(2024, 12, 31) and got["519"]["successor_code"] == "509"
    assert got["502"]["name"] == "Thành phố Tam Kỳ"  # untouched
    assert count(catalogue, s.dossier) == 1
    assert rows(catalogue, s.agg_unit_bucket)[0]["unit_code"] == "99001"


def test_units_bad_rows(catalogue: Engine, tmp_path: Path):
    units = [("X1", "Đơn vị", "thôn", "", "ZZZ", "2025-01-01", "2024-01-01", "", "91", "")]
    res = import_file(catalogue, write_csv(tmp_path / "u.csv", UNIT_HEADERS, units))
    assert not res.ok and "X1" not in {u["code"] for u in rows(catalogue, s.unit)}
    listing = "\n".join(res.messages)
    for fragment in ("Cap: cấp không có", "MaDonViCha: đơn vị không có", "HieuLucDen (2024-01-01)",
                     "ViDo: giá trị ngoài phạm vi"):  # fmt: skip
        assert fragment in listing


@pytest.mark.slow
def test_feedback_import(catalogue: Engine, tmp_path: Path):
    data = [
        ("P1", "SCT", "2024-01-08", "2024-01-18", "15/01/2024", "Đã trả lời", "1", "0", "0905111222"),
        ("P2", "SCT", "2024-01-09 10:00", "2024-01-12", "2024-01-20", "Đã trả lời", "0", "1", ""),
        ("P3", "502", "10/01/2024", "2024-01-11", "", "", "", "", ""),
    ]
    path = write_xlsx(tmp_path / "pakn.xlsx", FEEDBACK_HEADERS,
                      [dict(zip(FEEDBACK_HEADERS, r, strict=True)) for r in data])  # fmt: skip
    res = import_file(catalogue, path)
    assert res.ok and res.inserted == 3, res.messages
    got = {f["code"]: f for f in rows(catalogue, s.feedback)}
    assert got["P1"]["satisfied"] == 1 and got["P1"]["overdue_date"] is None
    assert got["P2"]["satisfied"] == 0 and got["P2"]["re_raised"] == 1
    assert got["P2"]["overdue_date"] == date(2024, 1, 13)
    assert got["P3"]["satisfied"] is None and got["P3"]["handled_at"] is None
    assert got["P3"]["overdue_date"] == date(2024, 1, 12)
    agg = {r["unit_code"]: r for r in rows(catalogue, s.agg_unit_bucket)}
    assert (agg["SCT"]["feedback"], agg["SCT"]["feedback_dissatisfied"],
            agg["SCT"]["feedback_reraised"]) == (2, 1, 1)  # fmt: skip
    assert agg["502"]["feedback"] == 1 and agg["502"]["dossiers"] == 0
    sources = {(r["unit_code"], r["source"]) for r in rows(catalogue, s.agg_overdue)}
    assert sources == {("SCT", "feedback"), ("502", "feedback")}
    assert "0905111222" not in repr(rows(catalogue, s.feedback))

    bad = write_csv(tmp_path / "bad.csv", FEEDBACK_HEADERS,
                    [("P9", "SCT", "2024-01-08", "2024-01-01", "", "", "2", "", "")])  # fmt: skip
    res = import_file(catalogue, bad)
    assert not res.ok and count(catalogue, s.feedback) == 3
    assert any("HanXuLy (2024-01-01) trước NgayTiepNhan" in m for m in res.messages)
    assert any("HaiLong: giá trị không hợp lệ «2»" in m for m in res.messages)


@pytest.mark.slow
def test_command_line(catalogue: Engine, tmp_path: Path, db_url: str):
    from data_access.__main__ import main

    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADERS, [dossier("A"), dossier("B", MaTTHC="x")])
    catalogue.dispose()
    assert main(["--db", db_url, "import", str(path)]) == 1
    assert main(["--db", db_url, "import", str(path), "--skip-invalid"]) == 0
    assert [d["code"] for d in rows(catalogue, s.dossier)] == ["A"]
