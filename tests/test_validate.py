"""The import row validator (pure functions, no database) and the header rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access import formats as fm
from data_access.derive import ALL_STATUSES
from data_access.validate import (
    Reference,
    level_lookup,
    parse_datetime,
    validate_dossier,
    validate_feedback,
    validate_row,
    validate_unit,
)

LEVELS = {
    "province": "Tỉnh",
    "department": "Sở, ban, ngành",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
}
REF = Reference(
    units=frozenset({"49", "502", "20335", "SCT"}),
    procedures={"1.001": "HT", "2.002": None, "3.003": "CT"},
    levels=level_lookup(LEVELS),
)


def dossier(**over: str) -> dict[str, str]:
    row = {
        "MaHoSo": "H-1",
        "MaTTHC": "1.001",
        "DonViXuLy": "20335",
        "KenhThucHien": "2",
        "NgayTiepNhan": "2024-01-05 08:30",
        "NgayHenTra": "2024-01-10",
        "NgayKetThucXuLy": "09/01/2024 16:00",
        "NgayTra": "",
        "TrangThaiHoSo": "9",
        "DuocThanhToanTrucTuyen": "1",
        "HoSoCoThanhPhanSoHoa": "1",
        "SoNgayTamDung": "2",
    }
    row.update(over)
    return row


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-05", datetime(2024, 1, 5)),
        ("2024-01-05T08:30:00", datetime(2024, 1, 5, 8, 30)),
        ("2024-01-05 08:30", datetime(2024, 1, 5, 8, 30)),
        ("2024-01-05 08:30:15.250000", datetime(2024, 1, 5, 8, 30, 15, 250000)),
        ("05/01/2024", datetime(2024, 1, 5)),
        ("5/1/2024 08:30", datetime(2024, 1, 5, 8, 30)),
        ("05/01/2024 08:30:59", datetime(2024, 1, 5, 8, 30, 59)),
        (" 31/12/2024 ", datetime(2024, 12, 31)),
    ],
)
def test_parse_datetime_both_styles(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2024-13-01", "31/02/2024", "2024/01/05", "05-01-2024", "01/05/24", "hôm qua", "", "9999-01-01",
     "2024-01-05 25:00", "05/01/2024 8h30"],
)  # fmt: skip
def test_parse_datetime_rejects(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


# --- one reason per kind of bad row ---------------------------------------------------------


def test_valid_dossier_is_normalised():
    out = validate_dossier(dossier(), REF)
    assert isinstance(out, dict)
    assert out["code"] == "H-1"
    assert out["received_at"] == datetime(2024, 1, 5, 8, 30)
    assert out["due_at"] == datetime(2024, 1, 10)
    assert out["finished_at"] == datetime(2024, 1, 9, 16, 0)
    assert out["returned_at"] is None
    assert (out["status"], out["channel"], out["paid_online"]) == (9, 2, 1)
    assert (out["digitised"], out["synced"], out["paused_days"]) == (1, 0, 2)
    assert out["field_code"] == "HT"  # filled from the catalogue when the export leaves it out


def test_optional_dossier_columns_default():
    row = {k: dossier()[k] for k in ("MaHoSo", "MaTTHC", "DonViXuLy", "NgayTiepNhan", "TrangThaiHoSo")}
    out = validate_dossier(row, REF)
    assert isinstance(out, dict)
    assert out["channel"] == 1  # empty channel = in person
    assert out["paid_online"] == 0 and out["complaint"] == 0 and out["paused_days"] == 0
    assert out["due_at"] is None


@pytest.mark.parametrize(
    ("over", "fragment"),
    [
        ({"DonViXuLy": "999"}, "DonViXuLy: đơn vị không có trong danh mục «999»"),
        ({"MaTTHC": "9.999"}, "MaTTHC: thủ tục không có trong danh mục TTHC «9.999»"),
        ({"NgayTiepNhan": "32/01/2024"}, "NgayTiepNhan: ngày không hợp lệ «32/01/2024»"),
        ({"NgayHenTra": "2024-01-04"}, "NgayHenTra (2024-01-04) trước NgayTiepNhan (2024-01-05)"),
        ({"NgayTra": "2023-12-31"}, "NgayTra (2023-12-31) trước NgayTiepNhan"),
        ({"TrangThaiHoSo": "11"}, "TrangThaiHoSo: mã trạng thái hồ sơ không hợp lệ «11»"),
        ({"TrangThaiHoSo": "hoàn thành"}, "TrangThaiHoSo: mã trạng thái"),
        ({"KenhThucHien": "4"}, "KenhThucHien: kênh thực hiện không hợp lệ «4»"),
        ({"DuocThanhToanTrucTuyen": "3"}, "DuocThanhToanTrucTuyen: giá trị không hợp lệ «3»"),
        ({"HoSoCoThanhPhanSoHoa": "có lẽ"}, "HoSoCoThanhPhanSoHoa: giá trị không hợp lệ"),
        ({"SoNgayTamDung": "-2"}, "SoNgayTamDung: phải là số nguyên"),
        ({"MaHoSo": ""}, "thiếu MaHoSo"),
        ({"NgayTiepNhan": "  "}, "thiếu NgayTiepNhan"),
        ({"MaHoSo": "x" * 65}, "MaHoSo dài quá 64 ký tự"),
    ],
)
def test_each_bad_value_gives_its_reason(over, fragment):
    out = validate_dossier(dossier(**over), REF)
    assert isinstance(out, list)
    assert any(fragment in r for r in out), out


def test_all_reasons_are_reported_at_once():
    out = validate_dossier(dossier(DonViXuLy="999", TrangThaiHoSo="0", KenhThucHien="x"), REF)
    assert isinstance(out, list) and len(out) == 3


def test_due_on_the_received_day_is_fine_whatever_the_hour():
    assert isinstance(validate_dossier(dossier(NgayHenTra="05/01/2024"), REF), dict)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1), ("0", 0), ("1.0", 1), ("Có", 1), ("KHÔNG", 0), ("x", 1), ("true", 1), ("", 0)],
)
def test_flag_vocabulary(text, value):
    out = validate_dossier(dossier(CoKetQuaDienTu=text), REF)
    assert out["e_result"] == value


@pytest.mark.parametrize(("text", "value"), [("Trực tuyến", 2), ("bưu chính", 3), ("3", 3), ("", 1)])
def test_channel_vocabulary(text, value):
    assert validate_dossier(dossier(KenhThucHien=text), REF)["channel"] == value


def test_feedback_rows():
    row = {"MaPAKN": "P1", "DonVi": "502", "NgayTiepNhan": "2024-02-01", "HanXuLy": "2024-02-11",
           "NgayXuLy": "12/02/2024", "KetQua": "Đã trả lời", "HaiLong": "không", "PhanAnhLai": "1"}  # fmt: skip
    out = validate_feedback(row, REF)
    assert out == {
        "code": "P1",
        "unit_code": "502",
        "received_at": datetime(2024, 2, 1),
        "due_at": datetime(2024, 2, 11),
        "handled_at": datetime(2024, 2, 12),
        "outcome": "Đã trả lời",
        "satisfied": 0,
        "re_raised": 1,
    }
    assert validate_feedback({**row, "HaiLong": ""}, REF)["satisfied"] is None
    bad = validate_feedback({**row, "HanXuLy": "", "DonVi": "X"}, REF)
    assert isinstance(bad, list)
    assert any("thiếu HanXuLy" in r for r in bad) and any("DonVi" in r for r in bad)


def test_unit_rows():
    row = {"MaDonVi": "SXD", "TenDonVi": "Sở Xây dựng", "Cap": "Sở, ban, ngành", "MaDonViCha": "49",
           "HieuLucTu": "01/01/2020", "ViDo": "15,57", "KinhDo": "108.47"}  # fmt: skip
    out = validate_unit(row, REF)
    assert out["level"] == "department"
    assert out["valid_from"] == date(2020, 1, 1)
    assert out["lat"] == pytest.approx(15.57) and out["lon"] == pytest.approx(108.47)
    bad = validate_unit({**row, "Cap": "thôn", "MaDonViCha": "77", "HieuLucDen": "2019-12-31",
                         "ViDo": "95"}, REF)  # fmt: skip
    assert isinstance(bad, list) and len(bad) == 4


def test_catalogue_levels_accept_codes_names_and_words():
    base = {"MaTTHC": "4.004", "TenTTHC": "Thủ tục"}
    for text, level in [("commune", "commune"), ("Cấp xã", "commune"), ("cấp tỉnh", "department"),
                        ("Cấp Huyện", "district")]:  # fmt: skip
        out = validate_row(fm.CATALOGUE, {**base, "CapThucHien": text}, REF)
        assert out["level"] == level
    bad = validate_row(fm.CATALOGUE, {**base, "CapThucHien": "bộ", "CoQuanThucHien": "SYT"}, REF)
    assert isinstance(bad, list) and len(bad) == 2


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["HoTen", "Họ tên", "TenNguoiNop", "ChuHoSo", "SoCMND", "CCCD", "SoGiayTo", "SoDienThoai",
     "Điện thoại", "DIENTHOAI", "Email", "E-mail người nộp", "DiaChi", "Địa chỉ thường trú", "NgaySinh"],
)  # fmt: skip
def test_personal_headers_are_recognised(header):
    assert fm.is_personal(header)


def test_format_headers_are_not_personal():
    for kind in fm.KINDS:
        for col in kind.columns:
            assert not fm.is_personal(col.header), col.header


def test_detect_kind_and_header_matching():
    assert fm.detect_kind(["MaHoSo", "MaTTHC"]) is fm.DOSSIER
    assert fm.detect_kind(["MaTTHC", "TenTTHC"]) is fm.CATALOGUE
    assert fm.detect_kind(["Mã PAKN"]) is fm.FEEDBACK
    assert fm.detect_kind(["ma_don_vi", "TenDonVi"]) is fm.UNITS
    assert fm.detect_kind(["MaTTHC"]) is None
    hm = fm.map_headers(fm.DOSSIER, ["Mã hồ sơ", "MaTTHC", "HoTen", "GhiChu", "NgayTiepNhan"])
    assert hm.used == {"Mã hồ sơ": "MaHoSo", "MaTTHC": "MaTTHC", "NgayTiepNhan": "NgayTiepNhan"}
    assert hm.personal == ["HoTen"] and hm.ignored == ["GhiChu"]
    assert hm.missing == ["DonViXuLy", "TrangThaiHoSo"]


# --- properties -----------------------------------------------------------------------------

_moments = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
_codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", min_size=1, max_size=64)


def _fmt(d: datetime, style: int) -> str:
    return [
        d.strftime("%Y-%m-%d %H:%M"),
        d.strftime("%Y-%m-%dT%H:%M:%S"),
        d.strftime("%d/%m/%Y %H:%M"),
        d.strftime("%d/%m/%Y %H:%M:%S"),
    ][style]


@st.composite
def valid_dossiers(draw: st.DrawFn) -> tuple[dict[str, str], dict]:
    received = draw(_moments)
    due = received + timedelta(days=draw(st.integers(0, 60)), hours=draw(st.integers(0, 23)))
    finished = draw(st.none() | st.integers(0, 90).map(lambda n: received + timedelta(days=n)))
    expected = {
        "code": draw(_codes),
        "procedure_code": draw(st.sampled_from(sorted(REF.procedures))),
        "unit_code": draw(st.sampled_from(sorted(REF.units))),
        "channel": draw(st.sampled_from([1, 2, 3])),
        "received_at": received,
        "due_at": due.replace(minute=0),
        "finished_at": finished,
        "returned_at": None,
        "status": draw(st.sampled_from(sorted(ALL_STATUSES))),
        "paid_online": draw(st.sampled_from([0, 1, 2])),
        "paused_days": draw(st.integers(0, 365)),
        **{c: draw(st.sampled_from([0, 1])) for c in
           ("digitised", "synced", "e_result", "e_cert", "reused", "citizen_store", "population_db", "complaint")},
    }  # fmt: skip
    expected["field_code"] = REF.procedures[expected["procedure_code"]]
    style = draw(st.integers(0, 3))
    headers = {c.column: c.header for c in fm.DOSSIER.columns}
    row = {}
    for col, value in expected.items():
        if col == "field_code":
            continue
        if isinstance(value, datetime):
            text = _fmt(value, style)
        else:
            text = "" if value is None else str(value)
        row[headers[col]] = text
    return row, expected


@settings(max_examples=300, deadline=None)
@given(valid_dossiers())
def test_valid_rows_pass_and_round_trip(case):
    row, expected = case
    out = validate_dossier(row, REF)
    assert isinstance(out, dict), out
    assert out == expected


@settings(max_examples=300, deadline=None)
@given(valid_dossiers(), st.integers(1, 3000), st.integers(0, 3))
def test_due_before_received_is_always_rejected(case, days_before, style):
    row, expected = case
    due = expected["received_at"] - timedelta(days=days_before)
    row = {**row, "NgayHenTra": _fmt(due, style)}
    out = validate_dossier(row, REF)
    assert isinstance(out, list)
    assert any(r.startswith("NgayHenTra (") for r in out)


_junk_values = st.none() | st.text(max_size=30) | st.integers() | st.floats() | st.booleans() | \
    st.datetimes() | st.binary(max_size=8)  # fmt: skip
_all_headers = sorted({c.header for k in fm.KINDS for c in k.columns})


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(fm.KINDS),
    st.dictionaries(st.sampled_from(_all_headers) | st.text(max_size=10), _junk_values, max_size=25),
)
def test_junk_never_raises(kind, row):
    out = validate_row(kind, row, REF)
    if isinstance(out, list):
        assert out and all(isinstance(r, str) and r for r in out)
    else:
        # a row that passes has every required value and only schema-typed values
        assert isinstance(out, dict)
        for col in kind.columns:
            if col.required:
                assert out[col.column] is not None


def test_every_import_string_is_in_the_catalogue():
    """Messages built only on rare paths (a file changing mid-import, …) must exist too."""
    import re
    from pathlib import Path

    from texts import CATALOGUE

    root = Path(__file__).resolve().parent.parent / "data_access"
    used = set()
    for name in ("importer.py", "validate.py"):
        used |= set(re.findall(r'"(import\.[a-z_.]+)"', (root / name).read_text(encoding="utf-8")))
    used |= {f"import.kind.{k.name}" for k in fm.KINDS}
    assert len(used) > 30
    assert used <= set(CATALOGUE)


def test_other_vocabularies():
    cat = {"MaTTHC": "4.004", "TenTTHC": "Thủ tục", "CapThucHien": "commune"}
    assert validate_row(fm.CATALOGUE, {**cat, "MucDoDVC": "Toàn trình"}, REF)["online_level"] == 2
    assert validate_row(fm.CATALOGUE, {**cat, "MucDoDVC": "một phần"}, REF)["online_level"] == 1
    bad = validate_row(fm.CATALOGUE, {**cat, "MucDoDVC": "4", "SoNgayGiaiQuyet": "5000"}, REF)
    assert isinstance(bad, list) and len(bad) == 2
    assert "MucDoDVC: mức độ DVC trực tuyến không hợp lệ «4»" in bad[0]
    unit = {"MaDonVi": "U1", "TenDonVi": "Đơn vị", "Cap": "commune", "KinhDo": "đông"}
    assert validate_unit(unit, REF) == ["KinhDo: không phải là số «đông»"]


# --- the vectorised chunk validator agrees with the per-row one -------------------------------

import numpy as np  # noqa: E402 - this section only
import pandas as pd  # noqa: E402

from data_access.validate_frame import validate_frame  # noqa: E402

_DATE_EDGES = [
    "2024-01-05", "2024-01-05 08:30", "2024-01-05T08:30", "2024-01-05 08:30:59", "2024-01-05T23:59:59",
    "2024-01-05 08:30:15.25", "05/01/2024", "5/1/2024", "05/01/2024 08:30", "05/01/2024T08:30:00",
    "5/1/2024  8:30", "29/02/2024", "29/02/2023", "31/04/2024", "2024-02-30", "2024-13-01", "00/01/2024",
    "2024-00-10", "2024-01-05 24:00", "2024-01-05 23:60", "2024-01-05 23:59:60", "1899-12-31",
    "1900-01-01", "2200-12-31 23:59", "2201-01-01", "31/12/2200", "01/01/1899", "２０２４-01-05",
    "05/01/２０２４", "2024-01-05 08h30", "2024/01/05", "05-01-2024", "hôm qua", "x" * 45, " 2024-01-05 ",
    "2024-01-05\u00a0", "\u20282024-01-05", "2024-1-05 08:30", "2024-01-05 8:30:00",
]  # fmt: skip
_VOCAB_EDGES = ["0", "1", "2", "3", "4", "9", "10", "11", "12", "1.0", "1.", "10.00", "1.5", "-1", "007",
                "3650", "3651", "9" * 400, "Có", "KHÔNG", " x ", "y", "n", "true", "FALSE", "có lẽ",
                "Trực tuyến", "bưu chính", "trực tiếp", "toàn trình", "Một phần", "hài lòng",
                "Không hài lòng", "Cấp xã", "commune", "cấp tỉnh", "Sở, ban, ngành", "thôn", "department",
                "15,6", "108.2", "91", "-180", "nan", "inf", "1e2", "1_0", "đông", "²", "٣"]  # fmt: skip
_CODE_EDGES = ["49", "502", "20335", "SCT", " SCT ", "999", "1.001", "2.002", "3.003", "9.999", "HT",
               "x" * 32, "x" * 33, "y" * 64, "y" * 65, "A", "A", "B", " A", "\t", "\x1c"]  # fmt: skip


def _text_values(col: fm.Col) -> st.SearchStrategy:
    dated = _moments.flatmap(lambda d: st.sampled_from([
        d.strftime("%Y-%m-%d"), d.strftime("%Y-%m-%d %H:%M"), d.strftime("%Y-%m-%dT%H:%M:%S"),
        d.strftime("%d/%m/%Y"), d.strftime("%d/%m/%Y %H:%M"), d.strftime("%d/%m/%Y %H:%M:%S"),
        f"{d.day}/{d.month}/{d.year} {d.hour}:{d.minute:02d}",
    ]))  # fmt: skip
    if col.type in (fm.DATETIME, fm.DATE):
        pool = st.sampled_from(_DATE_EDGES) | dated
    elif col.type in (fm.CODE, fm.TEXT):
        pool = st.sampled_from(_CODE_EDGES)
    else:
        pool = st.sampled_from(_VOCAB_EDGES)
    return st.just("") | st.just("  ") | pool | st.text(max_size=12)


_cells = _junk_values | st.just(float("nan"))


@st.composite
def _chunks(draw: st.DrawFn) -> tuple[fm.Kind, pd.DataFrame]:
    """A chunk of one kind: some columns absent, mostly text cells, sometimes spreadsheet values."""
    kind = draw(st.sampled_from(fm.KINDS))
    cols = [c for c in kind.columns if c.required or draw(st.booleans())]
    junk = draw(st.booleans())
    n = draw(st.integers(1, 25))
    data = {
        c.header: [draw(_cells | _text_values(c)) if junk else draw(_text_values(c)) for _ in range(n)]
        for c in cols
    }
    frame = pd.DataFrame(data, index=range(2, 2 + n), dtype=object if junk else str)
    return kind, frame


def _plain(v: object) -> object:
    """A frame value as the per-row validator's Python value."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v.item() if isinstance(v, np.generic) else v


def _assert_agree(kind: fm.Kind, frame: pd.DataFrame) -> None:
    got = validate_frame(kind, frame, REF)
    assert list(got.valid.columns) == [c.column for c in kind.columns]
    for n in frame.index:
        row = {h: frame.at[n, h] for h in frame.columns}
        expected = validate_row(kind, row, REF)
        if isinstance(expected, list):
            assert got.bad.get(n) == expected, (n, row)
            assert n not in got.valid.index
        else:
            assert n not in got.bad, (n, row, got.bad.get(n))
            stored = {c: _plain(v) for c, v in got.valid.loc[n].items()}
            assert stored == expected, row
            assert all(type(stored[c]) is type(expected[c]) for c in expected), row
    assert len(got.valid) + len(got.bad) == len(frame)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(_chunks())
def test_vectorised_validation_agrees_with_the_per_row_validator(case):
    kind, frame = case
    _assert_agree(kind, frame)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(st.lists(valid_dossiers(), min_size=1, max_size=40))
def test_vectorised_validation_of_valid_dossiers(cases):
    frame = pd.DataFrame([row for row, _ in cases], index=range(2, 2 + len(cases)), dtype=str)
    _assert_agree(fm.DOSSIER, frame)
    got = validate_frame(fm.DOSSIER, frame, REF)
    assert not got.bad and len(got.valid) == len(cases)


def test_vectorised_validation_edge_cases():
    """Every date edge in every date column, every bad value of the per-row tests, one chunk."""
    rows = [dossier(**{h: text}) for text in _DATE_EDGES
            for h in ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra")]  # fmt: skip
    rows += [dossier(**{h: text}) for text in _VOCAB_EDGES + _CODE_EDGES
             for h in ("KenhThucHien", "TrangThaiHoSo", "DuocThanhToanTrucTuyen", "HoSoCoThanhPhanSoHoa",
                       "SoNgayTamDung", "DonViXuLy", "MaTTHC", "MaLinhVuc", "MaHoSo")]  # fmt: skip
    rows += [dossier(DonViXuLy="999", TrangThaiHoSo="0", KenhThucHien="x"), dossier(MaLinhVuc="TM")]
    frame = pd.DataFrame(rows, index=range(2, 2 + len(rows)), dtype=str)
    _assert_agree(fm.DOSSIER, frame)
    got = validate_frame(fm.DOSSIER, frame, REF)
    assert got.bad and len(got.valid) > 100  # both paths exercised
    # dtypes the writers and bulk.insert_frame rely on
    assert got.valid["received_at"].dtype == "datetime64[ns]" and got.valid["status"].dtype == "int64"


def test_vectorised_validation_of_other_kinds_and_empty_chunks():
    feedback = pd.DataFrame(
        [{"MaPAKN": "P1", "DonVi": "502", "NgayTiepNhan": "2024-02-01", "HanXuLy": "2024-02-11",
          "NgayXuLy": "12/02/2024", "KetQua": "Đã trả lời", "HaiLong": "không", "PhanAnhLai": "1"},
         {"MaPAKN": "P2", "DonVi": "X", "NgayTiepNhan": "2024-02-01", "HanXuLy": "2024-01-11",
          "NgayXuLy": "", "KetQua": "", "HaiLong": "", "PhanAnhLai": ""}], index=[2, 3], dtype=str)  # fmt: skip
    _assert_agree(fm.FEEDBACK, feedback)
    units = pd.DataFrame(
        [{"MaDonVi": "SXD", "TenDonVi": "Sở Xây dựng", "Cap": "Sở, ban, ngành", "MaDonViCha": "49",
          "HieuLucTu": "01/01/2020", "HieuLucDen": "2019-12-31", "ViDo": "15,57", "KinhDo": "108.47"},
         {"MaDonVi": "U1", "TenDonVi": "Đơn vị", "Cap": "commune", "MaDonViCha": "", "HieuLucTu": "",
          "HieuLucDen": "", "ViDo": "", "KinhDo": "đông"}], index=[2, 3], dtype=str)  # fmt: skip
    _assert_agree(fm.UNITS, units)
    for kind in fm.KINDS:
        empty = pd.DataFrame({c.header: [] for c in kind.columns}, dtype=str)
        got = validate_frame(kind, empty, REF)
        assert got.valid.empty and not got.bad
