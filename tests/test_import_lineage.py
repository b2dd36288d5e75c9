"""``python -m data_access import`` of lineage files (old unit -> new unit from a day, optional
share), and the lineage row a units file writes for a unit that ends with a successor. Runs on
SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers.db import count, rows, snapshot
from helpers.import_files import LINEAGE_HEADERS, UNIT_HEADERS, write_csv
from sqlalchemy import Engine, delete, func, select

from data_access import formats as fm
from data_access import queries as q
from data_access import schema as s
from data_access.importer import rejected_path
from data_access.validate import Reference, overfull_shares, validate_lineage, validate_row
from data_access.validate_frame import validate_frame
from scorecard.pipeline import import_file, import_files

# An old district and an old commune that end on 30/06/2025, two new communes from 01/07/2025,
# and a department absorbed on 01/03/2025 by one that keeps its code (no dates: always valid).
UNITS = [
    {"MaDonVi": "D1", "TenDonVi": "Huyện Cũ", "Cap": "district", "MaDonViCha": "49",
     "HieuLucTu": "2020-01-01", "HieuLucDen": "2025-06-30"},
    {"MaDonVi": "X0", "TenDonVi": "Xã Cũ", "Cap": "commune", "MaDonViCha": "D1",
     "HieuLucTu": "2020-01-01", "HieuLucDen": "2025-06-30"},
    {"MaDonVi": "C1", "TenDonVi": "Xã Mới Một", "Cap": "commune", "MaDonViCha": "49",
     "HieuLucTu": "2025-07-01"},
    {"MaDonVi": "C2", "TenDonVi": "Xã Mới Hai", "Cap": "commune", "MaDonViCha": "49",
     "HieuLucTu": "01/07/2025"},
    {"MaDonVi": "SA", "TenDonVi": "Sở bị hợp nhất", "Cap": "department", "MaDonViCha": "49",
     "HieuLucDen": "2025-02-28"},
    {"MaDonVi": "SB", "TenDonVi": "Sở tiếp nhận", "Cap": "department", "MaDonViCha": "49"},
]  # fmt: skip

GOOD = [
    {"MaDonViCu": "D1", "MaDonViMoi": "C1", "NgayHieuLuc": "2025-07-01", "TyLe": "0.6"},
    {"MaDonViCu": "D1", "MaDonViMoi": "C2", "NgayHieuLuc": "01/07/2025", "TyLe": "40%"},
    {"MaDonViCu": "SA", "MaDonViMoi": "SB", "NgayHieuLuc": "2025-03-01", "TyLe": ""},
]


@pytest.fixture
def units(engine: Engine, tmp_path: Path) -> Engine:
    """The engine with the hand-made units above, imported like any other file (and none of
    the default lineage rows of the seed province, so that every row seen is the test's)."""
    _no_default_lineage(engine)
    path = write_csv(tmp_path / "units.csv", UNIT_HEADERS, UNITS)
    assert import_files(engine, [path]) == 0
    return engine


def _no_default_lineage(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(delete(s.unit_lineage))


def _lineage(engine: Engine) -> dict[tuple[str, str, date], float | None]:
    return {(r["old_code"], r["new_code"], r["valid_from"]): r["share"] for r in rows(engine, s.unit_lineage)}


def _refreshes(engine: Engine) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).where(s.load_log.c.action == "refresh")).scalar_one()


def _lineage_file(tmp_path: Path, name: str, data: list[dict], headers: list[str] = LINEAGE_HEADERS) -> Path:
    return write_csv(tmp_path / name, headers, data)


# --- formats ----------------------------------------------------------------------------------


def test_lineage_kind_is_detected_apart_from_units():
    assert fm.detect_kind(LINEAGE_HEADERS) is fm.LINEAGE
    assert fm.detect_kind(["Mã đơn vị cũ", "ma_don_vi_moi", "Ngày hiệu lực"]) is fm.LINEAGE
    assert fm.detect_kind(UNIT_HEADERS) is fm.UNITS  # MaDonViCha, MaDonViKeThua: still units
    assert fm.detect_kind(["ma_don_vi", "TenDonVi", "Cap"]) is fm.UNITS
    assert fm.IMPORT_ORDER["units"] < fm.IMPORT_ORDER["lineage"] < fm.IMPORT_ORDER["catalogue"]


def test_readme_documents_every_import_column():
    """formats.py promises README.md documents every column of every kind (between the markers)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = re.search(r"<!-- import-formats:start -->(.*)<!-- import-formats:end -->", readme, re.S)
    assert section is not None
    documented = set(re.findall(r"`([A-Za-z]+)`", section.group(1)))
    missing = [c.header for k in fm.KINDS for c in k.columns if c.header not in documented]
    assert missing == []


def test_shares_and_their_sum_rules():
    ref = Reference(units=frozenset({"D1", "C1"}))
    row = {"MaDonViCu": "D1", "MaDonViMoi": "C1", "NgayHieuLuc": "2025-07-01"}
    shares = {}
    for text in ("0,4", "40%", "40,5 %", "1", "", "0.000001"):
        out = validate_lineage({**row, "TyLe": text}, ref)
        assert isinstance(out, dict), (text, out)
        shares[text] = out["share"]
    assert shares == {"0,4": pytest.approx(0.4), "40%": pytest.approx(0.4), "40,5 %": pytest.approx(0.405),
                      "1": 1.0, "": None, "0.000001": pytest.approx(1e-6)}  # fmt: skip
    assert validate_lineage({**row, "TyLe": "1.5"}, ref) == [
        "TyLe: tỷ lệ phải lớn hơn 0 và không quá 1 (ví dụ 0,4 hoặc 40%), không phải «1.5»"]
    assert validate_lineage({**row, "TyLe": "nửa"}, ref) == ["TyLe: không phải là số «nửa»"]
    day = date(2025, 7, 1)
    # within the tolerance, bad cells do not count, other days and units are other groups
    assert overfull_shares([("D1", "2025-07-01", "33,4%"), ("D1", "01/07/2025", "33.3%"),
                            ("D1", "2025-07-01", "0.333"), ("D1", "2025-07-01", "2"),
                            ("D1", "2025-07-01", ""), ("D1", "sai", "0.9"), ("D2", "2025-07-01", "0.9"),
                            ("D1", "2025-07-02", "0.9")]) == {}  # fmt: skip
    assert overfull_shares([("D1", "2025-07-01", "0.7"), (" D1 ", "01/07/2025", "0,4")]) == {
        ("D1", day): pytest.approx(1.1)}


def test_vectorised_lineage_validation_agrees_with_the_per_row_validator():
    """validate_frame rejects exactly the rows validate_row rejects, with its reasons."""
    ref = Reference(
        units=frozenset({"D1", "X0", "C1", "C2", "SA", "SB"}),
        unit_validity={"D1": (date(2020, 1, 1), date(2025, 6, 30)), "X0": (None, date(2025, 6, 30)),
                       "C1": (date(2025, 7, 1), None), "C2": (date(2025, 7, 1), date(2030, 1, 1))},
        overfull_shares={("X0", date(2025, 7, 1)): 1.3},
    )  # fmt: skip
    olds = ["D1", "X0", "C1", "SA", "SB", "??", "", "C2"]
    news = ["C1", "C2", "D1", "SB", "SB", "X0"]
    days = ["2025-07-01", "01/07/2025", "2025-06-30", "2025-08-01", "2031-01-01", "2025-03-01", "",
            "2020-01-01", "31/02/2025"]  # fmt: skip
    shares = ["", "0.5", "40%", "0", "1.2", "abc", "1"]
    data = [{"MaDonViCu": o, "MaDonViMoi": n, "NgayHieuLuc": d, "TyLe": shares[i % len(shares)]}
            for i, (o, n, d) in enumerate((o, n, d) for o in olds for n in news for d in days)]  # fmt: skip
    frame = pd.DataFrame(data, index=range(2, 2 + len(data)), dtype=str)
    got = validate_frame(fm.LINEAGE, frame, ref)
    assert got.bad and len(got.valid) > 10  # both outcomes are exercised
    for n in frame.index:
        expected = validate_row(fm.LINEAGE, dict(frame.loc[n]), ref)
        if isinstance(expected, list):
            assert got.bad.get(n) == expected, frame.loc[n].to_dict()
        else:
            assert n not in got.bad
            stored = got.valid.loc[n].to_dict()
            share, expected_share = stored.pop("share"), expected.pop("share")
            if expected_share is None:
                assert np.isnan(share)  # NULL in a float column; bulk writes it as NULL
            else:
                assert share == expected_share
            assert stored == expected
    assert got.valid["share"].dtype == "float64"


# --- importing ----------------------------------------------------------------------------------


def test_good_lineage_file_is_stored_and_rescored(units: Engine, tmp_path: Path):
    refreshes = _refreshes(units)
    res = import_file(units, _lineage_file(tmp_path, "lineage.csv", GOOD))
    assert res.ok and res.kind == "lineage" and (res.inserted, res.updated) == (3, 0), res.messages
    stored = _lineage(units)
    assert stored.keys() == {("D1", "C1", date(2025, 7, 1)), ("D1", "C2", date(2025, 7, 1)),
                             ("SA", "SB", date(2025, 3, 1))}  # fmt: skip
    assert stored[("D1", "C1", date(2025, 7, 1))] == pytest.approx(0.6)
    assert stored[("D1", "C2", date(2025, 7, 1))] == pytest.approx(0.4)
    assert stored[("SA", "SB", date(2025, 3, 1))] is None  # no share: all of it
    # reference data like units: logged as a load, nothing aggregated ("0 buckets"), but the
    # score snapshot is rebuilt from it by that empty refresh
    assert _refreshes(units) == refreshes + 1
    with units.connect() as c:
        log = c.execute(select(s.load_log.c.id, s.load_log.c.action, s.load_log.c.detail)
                        .order_by(s.load_log.c.id.desc()).limit(2)).all()
    assert log[0].action == "refresh" and log[0].detail == "0 buckets"
    assert log[1].action == "import" and "lineage.csv" in log[1].detail
    assert q.snapshot_state(units)["refresh_id"] == log[0].id


def test_reimport_updates_the_share_instead_of_duplicating(units: Engine, tmp_path: Path):
    assert import_file(units, _lineage_file(tmp_path, "a.csv", GOOD)).ok
    again = [{**GOOD[0], "TyLe": "0,5"}, {**GOOD[1], "TyLe": "0.5"}]
    res = import_file(units, _lineage_file(tmp_path, "b.csv", again))
    assert res.ok and (res.inserted, res.updated) == (0, 2)
    stored = _lineage(units)
    assert len(stored) == 3 and count(units, s.unit_lineage) == 3
    assert stored[("D1", "C1", date(2025, 7, 1))] == pytest.approx(0.5)
    assert stored[("D1", "C2", date(2025, 7, 1))] == pytest.approx(0.5)
    # a file without the TyLe column keeps the stored shares (a partial file, like units)
    res = import_file(units, _lineage_file(tmp_path, "c.csv", again, LINEAGE_HEADERS[:3]))
    assert res.ok and res.updated == 2
    assert _lineage(units)[("D1", "C1", date(2025, 7, 1))] == pytest.approx(0.5)


BAD_ROWS = [
    ({"MaDonViCu": "Z9"}, "MaDonViCu: đơn vị không có trong danh mục «Z9»"),
    ({"MaDonViMoi": "Z8"}, "MaDonViMoi: đơn vị không có trong danh mục «Z8»"),
    ({"MaDonViCu": "SB", "MaDonViMoi": "SB"},
     "MaDonViMoi «SB» trùng với MaDonViCu: một đơn vị không kế thừa chính nó"),
    ({"MaDonViCu": ""}, "thiếu MaDonViCu"),
    ({"NgayHieuLuc": ""}, "thiếu NgayHieuLuc"),
    ({"NgayHieuLuc": "31/02/2025"}, "NgayHieuLuc: ngày không hợp lệ «31/02/2025» (dùng 2024-01-05, 2024-01-05 08:30 hoặc 05/01/2024 08:30)"),
    ({"TyLe": "0"}, "TyLe: tỷ lệ phải lớn hơn 0 và không quá 1 (ví dụ 0,4 hoặc 40%), không phải «0»"),
    ({"TyLe": "150%"}, "TyLe: tỷ lệ phải lớn hơn 0 và không quá 1 (ví dụ 0,4 hoặc 40%), không phải «150%»"),
    ({"TyLe": "một nửa"}, "TyLe: không phải là số «một nửa»"),
    ({"MaDonViCu": "X0", "NgayHieuLuc": "2025-06-15"},  # C1 begins on 01/07/2025
     "MaDonViMoi: đơn vị «C1» không có hiệu lực vào ngày 2025-06-15 (đơn vị có hiệu lực từ 2025-07-01)"),
    ({"MaDonViCu": "X0", "NgayHieuLuc": "2025-08-01"},  # X0 ended on 30/06/2025
     "MaDonViCu: đơn vị «X0» không có hiệu lực vào ngày 2025-07-31, ngày trước NgayHieuLuc "
     "(đơn vị có hiệu lực từ 2020-01-01 đến 2025-06-30)"),
    ({"MaDonViCu": "SB", "MaDonViMoi": "SA", "NgayHieuLuc": "2025-03-01"},  # SA ended on 28/02
     "MaDonViMoi: đơn vị «SA» không có hiệu lực vào ngày 2025-03-01 (đơn vị có hiệu lực đến 2025-02-28)"),
]  # fmt: skip


@pytest.mark.parametrize(("over", "reason"), BAD_ROWS, ids=[r for _, r in BAD_ROWS])
def test_each_bad_row_gives_its_reason_and_rejects_the_whole_file(units: Engine, tmp_path: Path,
                                                                   over: dict, reason: str, capsys):  # fmt: skip
    bad = {"MaDonViCu": "X0", "MaDonViMoi": "C1", "NgayHieuLuc": "2025-07-01", "TyLe": "", **over}
    path = _lineage_file(tmp_path, "bad.csv", [*GOOD, bad])
    before = snapshot(units)
    assert import_files(units, [path]) == 1  # the command's exit status
    err = capsys.readouterr().err
    assert f"  Dòng 5: {reason}" in err.splitlines(), err  # the bad row's own reasons, exactly
    assert "KHÔNG nhập vì 1 trong 4 dòng không hợp lệ" in err
    assert snapshot(units) == before and count(units, s.unit_lineage) == 0  # nothing written
    assert not rejected_path(path).exists()


def test_duplicate_rows_of_a_file(units: Engine, tmp_path: Path):
    res = import_file(units, _lineage_file(tmp_path, "dup.csv", [*GOOD, {**GOOD[2]}]))
    assert not res.ok and res.rejected == 1 and count(units, s.unit_lineage) == 0
    assert ("  Dòng 5: MaDonViCu, MaDonViMoi, NgayHieuLuc «SA, SB, 2025-03-01» trùng với một dòng phía "
            "trên trong cùng tệp") in res.messages, res.messages


def test_shares_over_one_reject_every_row_of_the_group(units: Engine, tmp_path: Path):
    data = [{**GOOD[0], "TyLe": "0,7"}, GOOD[1], GOOD[2]]  # 0.7 + 40% = 1.1
    path = _lineage_file(tmp_path, "over.csv", data)
    res = import_file(units, path)
    assert not res.ok and res.rejected == 2 and count(units, s.unit_lineage) == 0
    reason = "TyLe: tổng tỷ lệ của đơn vị cũ «D1» từ ngày 2025-07-01 trong tệp là 1,1, vượt quá 1"
    assert f"  Dòng 2: {reason}" in res.messages and f"  Dòng 3: {reason}" in res.messages
    res = import_file(units, path, skip_invalid=True)
    assert res.ok and res.inserted == 1 and res.rejected == 2
    assert list(_lineage(units)) == [("SA", "SB", date(2025, 3, 1))]
    with rejected_path(path).open(encoding="utf-8-sig", newline="") as f:
        listed = list(csv.DictReader(f))
    assert [(r["Dong"], r["MaDonViCu"], r["LyDo"]) for r in listed] == [("2", "D1", reason), ("3", "D1", reason)]
    # shares that sum to 1 in decimal text (and a hair over in binary) are fine
    exact = [{**GOOD[0], "TyLe": "0.3"}, {**GOOD[1], "TyLe": "0,6"},
             {"MaDonViCu": "D1", "MaDonViMoi": "SB", "NgayHieuLuc": "2025-07-01", "TyLe": "10%"}]  # fmt: skip
    assert import_file(units, _lineage_file(tmp_path, "exact.csv", exact)).ok


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(units: Engine, tmp_path: Path):
    bad = [{"MaDonViCu": "Z9", "MaDonViMoi": "C1", "NgayHieuLuc": "2025-07-01", "TyLe": "=1+1"},
           {"MaDonViCu": "D1", "MaDonViMoi": "D1", "NgayHieuLuc": "2025-07-01", "TyLe": "2"}]  # fmt: skip
    path = _lineage_file(tmp_path, "mixed.csv", [GOOD[0], bad[0], GOOD[2], bad[1]])
    res = import_file(units, path, skip_invalid=True)
    assert res.ok and (res.inserted, res.rejected) == (2, 2), res.messages
    assert set(_lineage(units)) == {("D1", "C1", date(2025, 7, 1)), ("SA", "SB", date(2025, 3, 1))}
    with rejected_path(path).open(encoding="utf-8-sig", newline="") as f:
        listed = list(csv.DictReader(f))
    assert [r["Dong"] for r in listed] == ["3", "5"]
    assert listed[0]["LyDo"].startswith("TyLe: không phải là số") and "MaDonViCu: đơn vị không có" in listed[0]["LyDo"]
    assert listed[0]["TyLe"] == "'=1+1"  # a formula is neutralised
    assert "trùng với MaDonViCu" in listed[1]["LyDo"] and "không quá 1" in listed[1]["LyDo"]


def test_lineage_given_before_its_units_in_one_command(engine: Engine, tmp_path: Path):
    _no_default_lineage(engine)
    """Units are imported first whatever the order given, so lineage may name them."""
    lineage = _lineage_file(tmp_path, "lineage.csv", GOOD)
    unit_file = write_csv(tmp_path / "units.csv", UNIT_HEADERS, UNITS)
    assert import_files(engine, [lineage, unit_file]) == 0
    assert len(_lineage(engine)) == 3


# --- units files write the lineage of a unit that ends with a successor --------------------------


def test_units_file_with_successor_and_end_writes_lineage(units: Engine, tmp_path: Path):
    # a share imported on purpose for the pair and day is kept
    assert import_file(units, _lineage_file(tmp_path, "l.csv", [{**GOOD[0], "TyLe": "0.25"}])).ok
    ended = [{**UNITS[0], "MaDonViKeThua": "C1"},  # D1 ends 30/06/2025 -> C1 from 01/07/2025
             {**UNITS[1], "MaDonViKeThua": "C2"},  # X0 -> C2 from 01/07/2025
             {**UNITS[4], "MaDonViKeThua": "SB"},  # SA ends 28/02/2025 -> SB from 01/03/2025
             {**UNITS[2], "MaDonViKeThua": "C2"}]  # no end of validity: no lineage  # fmt: skip
    assert import_file(units, write_csv(tmp_path / "u2.csv", UNIT_HEADERS, ended)).ok
    assert _lineage(units) == {("D1", "C1", date(2025, 7, 1)): pytest.approx(0.25),
                               ("X0", "C2", date(2025, 7, 1)): None,
                               ("SA", "SB", date(2025, 3, 1)): None}  # fmt: skip
    # importing it again writes nothing new
    assert import_file(units, write_csv(tmp_path / "u3.csv", UNIT_HEADERS, ended)).ok
    assert count(units, s.unit_lineage) == 3


def test_rejected_units_file_writes_no_lineage(units: Engine, tmp_path: Path):
    ended = [{**UNITS[1], "MaDonViKeThua": "C2"}, {**UNITS[2], "Cap": "thôn"}]
    assert not import_file(units, write_csv(tmp_path / "u.csv", UNIT_HEADERS, ended)).ok
    assert count(units, s.unit_lineage) == 0
    mine = {u["MaDonVi"] for u in UNITS}
    assert [r["successor_code"] for r in rows(units, s.unit) if r["code"] in mine] == [None] * len(mine)
