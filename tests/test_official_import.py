"""Official scores: ``python -m data_access import`` of the portal's JSON documents and of the
flat CSV/XLSX table (PORTAL_SCORES.md; README "Điểm chính thức"), on SQLite and PostgreSQL.

Matching by alias and by name; bad JSON, a wrong period, an unknown unit, a score above its
maximum: the whole file rejected with its reason, nothing written; --skip-invalid; a newer
snapshot updates instead of duplicating; the national document's other provinces."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from helpers import official as fx
from helpers.db import rows, table_counts
from helpers.import_files import UNIT_HEADERS, write_csv, write_xlsx
from sqlalchemy import Engine

from data_access import schema as s
from data_access.__main__ import main as data_main
from data_access.importer import rejected_path
from data_access.queries import official as qo
from scorecard import official_service as osv
from scorecard.pipeline import import_file, import_files

TODAY = date(2026, 12, 1)
SNAP = date(2025, 11, 5)


def _import(engine: Engine, path: Path, skip: bool = False, snapshot: date | None = SNAP):
    return import_file(engine, path, skip_invalid=skip, today=TODAY, snapshot_date=snapshot)


def _official(engine: Engine) -> list[dict]:
    return rows(engine, s.official_score)


def _latest(engine: Engine, code: str = "total") -> dict[str, float]:
    df = qo.official_latest(engine, period="2025-10", code=code)
    return dict(zip(df["unit_key"], df["score"], strict=True))


def _text(res) -> str:  # noqa: ANN001
    return "\n".join(res.messages)


def test_provincial_document_is_matched_by_name_and_stored(engine: Engine, tmp_path: Path):
    res = _import(engine, fx.write_json(tmp_path / "p.json", fx.provincial()))
    assert res.ok, res.messages
    stored = _official(engine)
    units = {r["unit_code"] for r in stored}
    # UBND Thành phố Đà Nẵng, Sở Tài chính, Sở Y tế, UBND Phường Hải Vân
    assert units == {"48", "STC", "SYT", "48.20194"}
    assert {r["scope"] for r in stored} == {"unit"}
    assert {r["snapshot_date"] for r in stored} == {SNAP}
    assert {(r["period_type"], r["period"]) for r in stored} == {("month", "2025-10")}
    # every unit's total, six groups and 17 components; Sở Y tế only its total
    assert len(stored) == 3 * (1 + 6 + 17) + 1 == res.inserted
    c14 = next(r for r in stored if r["unit_code"] == "48.20194" and r["code"] == "1.4")
    assert (c14["kind"], c14["numerator"], c14["denominator"]) == ("component", 850, 1000)
    assert c14["ratio"] == pytest.approx(0.85)  # the portal's 85.0 (0-100) stored as a share
    hv = next(r for r in stored if r["unit_code"] == "48.20194" and r["code"] == "total")
    assert (hv["rank"], hv["parent_key"], hv["portal_id"]) == (31, "48", fx.HAI_VAN[0])
    assert "2025-10" in _text(res) or "tháng 10/2025" in _text(res)


def test_alias_from_the_units_file_matches_a_name_the_portal_writes_otherwise(engine: Engine,
                                                                              tmp_path: Path):
    doc = fx.provincial()
    doc["children"][2]["name"] = "UBND P. Hải Vân (Liên Chiểu cũ)"  # no name match
    path = fx.write_json(tmp_path / "p.json", doc)
    before = table_counts(engine)
    res = _import(engine, path)
    assert not res.ok and "P. Hải Vân" in _text(res) and "BiDanhCong" in _text(res)
    assert table_counts(engine) == before  # nothing written
    # the alias is the portal's agency id, given in the units file of the same command
    units = write_csv(tmp_path / "units.csv", [*UNIT_HEADERS, "BiDanhCong"], [
        {"MaDonVi": "48.20194", "TenDonVi": "Phường Hải Vân", "Cap": "commune", "MaDonViCha": "48",
         "HieuLucTu": "2025-07-01", "BiDanhCong": f"{fx.HAI_VAN[0]}; P. Hải Vân"}])
    assert import_files(engine, [path, units], progress=False, snapshot_date=SNAP) == 0
    assert {a["alias"]: a["unit_code"] for a in rows(engine, s.unit_alias)} == {
        fx.HAI_VAN[0]: "48.20194", "P. Hải Vân": "48.20194"}
    assert "48.20194" in {r["unit_code"] for r in _official(engine)}


def test_alias_by_name_in_a_table(engine: Engine, tmp_path: Path):
    units = write_csv(tmp_path / "units.csv", ["MaDonVi", "TenDonVi", "Cap", "BiDanhCong"],
                      [{"MaDonVi": "STC", "TenDonVi": "Sở Tài chính", "Cap": "department",
                        "BiDanhCong": "Sở Tài chính thành phố Đà Nẵng"}])  # fmt: skip
    assert import_files(engine, [units], progress=False) == 0
    table = fx.write_table(tmp_path / "t.csv", [fx.row("Sở Tài chính thành phố Đà Nẵng", "TONG", 85.5)])
    res = _import(engine, table)
    assert res.ok, res.messages
    assert _latest(engine) == {"STC": 85.5}


def test_a_name_must_keep_its_type_word_and_exist_in_the_period(engine: Engine, tmp_path: Path):
    doc = fx.provincial()
    # Thành phố Tam Kỳ was a district until 30/06/2025: not a unit of October 2025
    doc["children"].append(fx.unit(("000.30.00.H48", "UBND Thành phố Tam Kỳ", ""), 70.0))
    # "Thành phố Hải Vân" is not "Phường Hải Vân"
    doc["children"].append(fx.unit(("000.30.01.H48", "UBND Thành phố Hải Vân", ""), 70.0))
    res = _import(engine, fx.write_json(tmp_path / "p.json", doc))
    assert not res.ok
    text = _text(res)
    assert "Thành phố Tam Kỳ" in text and "không tồn tại trong kỳ" in text
    assert "Thành phố Hải Vân" in text and "không khớp đơn vị nào" in text
    assert _official(engine) == []


@pytest.mark.parametrize("bad, expected", [
    ('{"timeType": "month", "year": 2025, "value": 10, "parent": ', "JSON không hợp lệ ở dòng 1"),
    ("[1, 2]", "không phải là một tài liệu điểm"),
    (dict(fx.provincial(), value=13), "tháng không hợp lệ «13»"),
    (dict(fx.provincial(), timeType="week"), "loại kỳ không hợp lệ"),
    (dict(fx.provincial(), value=12), "sai kỳ: ngày lấy số liệu 05/11/2025 trước khi tháng 12/2025"),
    (dict(fx.provincial(), year=2027, value=1), "sai kỳ: tháng 1/2027 bắt đầu ngày 01/01/2027"),
    ({"timeType": "month", "year": 2025, "value": 10, "children": []}, "thiếu đơn vị cha"),
])  # fmt: skip
def test_bad_json_or_wrong_period_rejects_the_whole_file(engine: Engine, tmp_path: Path, bad, expected):
    path = fx.write_json(tmp_path / "bad.json", bad if isinstance(bad, str) else json.dumps(bad))
    before = table_counts(engine)
    for skip in (False, True):  # --skip-invalid cannot rescue a file that means nothing
        res = _import(engine, path, skip=skip)
        assert not res.ok
        assert expected in _text(res), res.messages
        assert "Không có dữ liệu nào được ghi" in _text(res)
        assert table_counts(engine) == before
    assert not rejected_path(path).exists()


def test_unknown_parent_rejects_the_whole_file(engine: Engine, tmp_path: Path):
    doc = fx.provincial()
    doc["parent"]["name"] = "UBND Tỉnh Không Có"
    doc["children"] = [c for c in doc["children"] if c["name"] != fx.PROVINCE[1]]
    res = _import(engine, fx.write_json(tmp_path / "p.json", doc), skip=True)
    assert not res.ok and "UBND Tỉnh Không Có" in _text(res) and "BiDanhCong" in _text(res)
    assert _official(engine) == []


def test_unknown_child_rejects_whole_unless_skip_invalid_which_lists_it(engine: Engine, tmp_path: Path):
    doc = fx.provincial()
    doc["children"].append(fx.unit(("000.99.99.H48", "UBND Xã Không Có", ""), 77.0, 5,
                                   fx.full_metrics()))  # fmt: skip
    path = fx.write_json(tmp_path / "p.json", doc)
    res = _import(engine, path)
    assert not res.ok
    assert "children[3] «UBND Xã Không Có» (mã trên Cổng 000.99.99.H48): không khớp đơn vị nào" in _text(res)
    assert _official(engine) == []
    res = _import(engine, path, skip=True)
    assert res.ok and res.rejected == 24
    assert "UBND Xã Không Có" in _text(res)  # listed after the import
    assert {r["unit_code"] for r in _official(engine)} == {"48", "STC", "SYT", "48.20194"}
    lines = rejected_path(path).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",")[-1] == "LyDo" and len(lines) == 1 + 24
    assert all("UBND Xã Không Có" in x for x in lines[1:])


def test_score_above_its_maximum_rejects_the_whole_file(engine: Engine, tmp_path: Path):
    doc = fx.provincial()
    comp = doc["children"][0]["metrics"][0]["children"][0]  # Sở Tài chính, 1.4 (max 6)
    comp["score"] = 6.5
    doc["children"][1]["score"] = 101  # Sở Y tế's total
    path = fx.write_json(tmp_path / "p.json", doc)
    before = table_counts(engine)
    res = _import(engine, path)
    assert not res.ok
    text = _text(res)
    assert "1.4: điểm 6,50 lớn hơn điểm tối đa 6,00" in text
    assert "Tổng điểm: điểm 101,00 lớn hơn điểm tối đa 100" in text
    assert table_counts(engine) == before
    res = _import(engine, path, skip=True)
    assert res.ok and res.rejected == 2


def test_newer_snapshot_updates_rather_than_duplicates(engine: Engine, tmp_path: Path):
    path = fx.write_json(tmp_path / "p.json", fx.provincial())
    assert _import(engine, path).ok
    first = len(_official(engine))
    again = _import(engine, path)  # the same snapshot again: updated in place
    assert again.ok and (again.inserted, again.updated) == (0, first)
    assert len(_official(engine)) == first
    newer = fx.write_json(tmp_path / "p2.json", fx.provincial(score_shift=-1.0))
    assert _import(engine, newer, snapshot=date(2025, 11, 12)).ok
    latest = qo.official_latest(engine, period="2025-10")
    # one row per unit and code, the newer snapshot's
    assert not latest.duplicated(["unit_key", "code"]).any() and len(latest) == first
    assert _latest(engine)["48.20194"] == pytest.approx(79.55)
    assert set(latest["snapshot_date"]) == {date(2025, 11, 12)}
    # an older snapshot imported afterwards does not hide the newer one
    assert _import(engine, path, snapshot=date(2025, 11, 1)).ok
    assert _latest(engine)["48.20194"] == pytest.approx(79.55)


def test_national_document_keeps_other_provinces_and_gives_our_rank(engine: Engine, tmp_path: Path):
    res = _import(engine, fx.write_json(tmp_path / "n.json", fx.national()))
    assert res.ok, res.messages
    stored = _official(engine)
    scopes = {r["unit_key"]: r["scope"] for r in stored}
    assert scopes["48"] == "unit" and scopes["cong:000.00.00.G22"] == "nation"
    assert sorted(k for k, v in scopes.items() if v == "province") == [
        "cong:000.00.00.H01", "cong:000.00.00.H02", "cong:000.00.00.H03"]
    assert all(r["unit_code"] is None for r in stored if r["scope"] != "unit")
    st = osv.standing(engine, "2025-10")
    assert (st["unit_code"], st["rank"], st["n"], st["average"], st["score"]) == ("48", 2, 4, 80.1, 88.5)
    assert "xếp hạng 2/4" in _text(res)
    # the provincial document of the same snapshot later does not take our province off the list
    assert _import(engine, fx.write_json(tmp_path / "p.json", fx.provincial())).ok
    assert osv.standing(engine, "2025-10")["n"] == 4


def test_flat_table_csv_and_xlsx(engine: Engine, tmp_path: Path):
    good = [
        fx.row("Sở Tài chính", "TONG", "85,5", XepHang="3"),
        fx.row("Sở Tài chính", "transparency", 15, DiemToiDa=18),
        fx.row("Sở Tài chính", "1.4", 5.5, TuSo=900, MauSo=1000, DiemToiDa=6),
        fx.row("STC", "2", 18, DiemToiDa=20),  # our own code works too
        fx.row("UBND Phường Hải Vân", "tổng", 80, LoaiKy="quý", Ky="Q4/2025", NgayLaySoLieu="2026-01-10"),
    ]
    res = _import(engine, fx.write_table(tmp_path / "t.csv", good), snapshot=None)
    assert res.ok, res.messages
    stored = {(r["unit_code"], r["period"], r["code"]): r for r in _official(engine)}
    assert set(stored) == {("STC", "2025-10", "total"), ("STC", "2025-10", "1"), ("STC", "2025-10", "1.4"),
                           ("STC", "2025-10", "2"), ("48.20194", "2025-Q4", "total")}
    assert stored[("STC", "2025-10", "total")]["score"] == 85.5 and stored[("STC", "2025-10", "total")]["rank"] == 3
    assert stored[("STC", "2025-10", "1.4")]["ratio"] == pytest.approx(0.9)
    assert stored[("48.20194", "2025-Q4", "total")]["snapshot_date"] == date(2026, 1, 10)
    xlsx = write_xlsx(tmp_path / "t.xlsx", fx.OFFICIAL_HEADERS, [fx.row("Sở Y tế", "TONG", 70.25)])
    assert _import(engine, xlsx, snapshot=None).ok
    assert _latest(engine)["SYT"] == 70.25


def test_flat_table_rows_give_their_reasons_and_nothing_is_written(engine: Engine, tmp_path: Path):
    bad = [
        fx.row("Sở Tài chính", "TONG", 85),
        fx.row("Sở Không Có", "TONG", 85),
        fx.row("Sở Tài chính", "1.4", 7, DiemToiDa=6),
        fx.row("Sở Tài chính", "9", 1),
        fx.row("Sở Tài chính", "2", 1, Ky="13/2025"),
        fx.row("Sở Tài chính", "TONG", 85),
        fx.row("Sở Tài chính", "3", 1, NgayLaySoLieu=""),
    ]
    path = fx.write_table(tmp_path / "t.csv", bad)
    res = _import(engine, path, snapshot=None)
    assert not res.ok
    text = _text(res)
    assert "dòng 3 «Sở Không Có»" in text and "không khớp đơn vị nào" in text
    assert "dòng 4: 1.4: điểm 7,00 lớn hơn điểm tối đa 6,00" in text
    assert "dòng 5: MaChiSo không hợp lệ «9»" in text
    assert "dòng 6: tháng không hợp lệ «13»" in text
    assert "dòng 7: trùng" in text
    assert "dòng 8: thiếu NgayLaySoLieu" in text
    assert _official(engine) == []
    res = _import(engine, path, skip=True, snapshot=None)
    assert res.ok and res.rejected == 6 and _latest(engine) == {"STC": 85}


def test_cli_snapshot_date_option(engine: Engine, tmp_path: Path, capsys):
    path = fx.write_json(tmp_path / "p.json", fx.provincial())
    url = engine.url.render_as_string(hide_password=False)
    assert data_main(["--db", url, "import", "--snapshot-date", "2025-11-20", str(path)]) == 0
    assert "20/11/2025" in capsys.readouterr().out
    assert {r["snapshot_date"] for r in _official(engine)} == {date(2025, 11, 20)}
    assert data_main(["--db", url, "import", str(fx.write_json(tmp_path / "b.json", "{oops"))]) == 1
    assert "JSON không hợp lệ" in capsys.readouterr().err


def test_readme_documents_the_official_table_columns():
    import re

    from data_access import formats as fm

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = re.search(r"<!-- import-formats:start -->(.*)<!-- import-formats:end -->", readme, re.S)
    assert section is not None
    documented = set(re.findall(r"`([A-Za-z]+)`", section.group(1)))
    assert [c.header for c in fm.OFFICIAL.columns if c.header not in documented] == []
    assert "BiDanhCong" in documented


def test_a_database_of_an_earlier_release_gains_the_tables(engine: Engine, tmp_path: Path):
    """Made before official scores existed (no tables, no group map): reads are empty, the
    first import creates the tables and loads the shipped group codes and thresholds."""
    with engine.begin() as conn:
        for table in reversed(s.OFFICIAL_TABLES):
            table.drop(conn)
    assert qo.official_periods(engine).empty and qo.official_settings(engine) == {}
    assert osv.periods(engine).empty and osv.standing(engine, "2025-10") is None
    assert _import(engine, fx.write_json(tmp_path / "p.json", fx.provincial())).ok
    assert len(qo.portal_groups(engine)) == 6 and qo.official_settings(engine)["diff_threshold"] == 0.5
    assert _latest(engine)["48.20194"] == pytest.approx(80.55)
