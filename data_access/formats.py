"""The import file formats: header names per kind, how they map to schema columns, and which
headers hold personal data.

Headers are matched after ``norm_header`` (case, diacritics, spaces and punctuation ignored), so
``MaHoSo``, ``ma_ho_so`` and ``Mã hồ sơ`` are the same column. README.md documents every column
listed here (between the ``import-formats`` markers); keep the two in step.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Value types understood by data_access.validate.
CODE, TEXT, DATETIME, DATE, INT, FLAG, FLOAT = "code", "text", "datetime", "date", "int", "flag", "float"
SHARE = "share"  # a fraction in (0, 1]: 0.4, 0,4 or 40%
CHANNEL, STATUS, PAYMENT, ONLINE_LEVEL, LEVEL, SATISFIED = (
    "channel",
    "status",
    "payment",
    "online_level",
    "level",
    "satisfied",
)


@dataclass(frozen=True)
class Col:
    header: str  # canonical header name
    column: str  # key in the normalised row (a schema column, or a helper such as field_name)
    type: str
    required: bool = False
    default: object = None
    max_len: int | None = None


@dataclass(frozen=True)
class Kind:
    name: str  # "dossier", "catalogue", "feedback", "units", "lineage"
    key_header: str  # the header whose presence identifies the kind (and the row's code)
    columns: tuple[Col, ...]
    # Headers that together identify a row, when the key header alone does not (lineage: one
    # old unit feeds several new ones): unique within a file, and the key of the upsert.
    identity: tuple[str, ...] = ()

    @property
    def key_column(self) -> str:
        return next(c.column for c in self.columns if c.header == self.key_header)

    @property
    def identity_headers(self) -> tuple[str, ...]:
        return self.identity or (self.key_header,)

    @property
    def identity_columns(self) -> tuple[str, ...]:
        by_header = {c.header: c.column for c in self.columns}
        return tuple(by_header[h] for h in self.identity_headers)


DOSSIER = Kind(
    "dossier",
    "MaHoSo",
    (
        Col("MaHoSo", "code", CODE, required=True, max_len=64),
        Col("MaTTHC", "procedure_code", CODE, required=True, max_len=32),
        Col("MaLinhVuc", "field_code", CODE, max_len=32),
        Col("DonViXuLy", "unit_code", CODE, required=True, max_len=32),
        Col("KenhThucHien", "channel", CHANNEL, default=1),
        Col("NgayTiepNhan", "received_at", DATETIME, required=True),
        Col("NgayHenTra", "due_at", DATETIME),
        Col("NgayKetThucXuLy", "finished_at", DATETIME),
        Col("NgayTra", "returned_at", DATETIME),
        Col("TrangThaiHoSo", "status", STATUS, required=True),
        Col("DuocThanhToanTrucTuyen", "paid_online", PAYMENT, default=0),
        Col("HoSoCoThanhPhanSoHoa", "digitised", FLAG, default=0),
        Col("SoNgayTamDung", "paused_days", INT, default=0),
        Col("DaDongBoDVCQG", "synced", FLAG, default=0),
        Col("CoKetQuaDienTu", "e_result", FLAG, default=0),
        Col("CoBanSaoChungThucDienTu", "e_cert", FLAG, default=0),
        Col("TaiSuDungDuLieuSo", "reused", FLAG, default=0),
        Col("KhoDuLieuCongDan", "citizen_store", FLAG, default=0),
        Col("SuDungCSDLDanCu", "population_db", FLAG, default=0),
        Col("CoPhanAnhKhongHaiLong", "complaint", FLAG, default=0),
    ),
)

CATALOGUE = Kind(
    "catalogue",
    "MaTTHC",
    (
        Col("MaTTHC", "code", CODE, required=True, max_len=32),
        Col("TenTTHC", "name", TEXT, required=True),
        Col("MaLinhVuc", "field_code", CODE, max_len=32),
        Col("TenLinhVuc", "field_name", TEXT, max_len=200),
        Col("CapThucHien", "level", LEVEL, required=True),
        Col("CoQuanThucHien", "agency_code", CODE, max_len=32),
        Col("MucDoDVC", "online_level", ONLINE_LEVEL, default=0),
        Col("CoPhi", "fee_bearing", FLAG, default=0),
        Col("TichHopThanhToan", "online_payment", FLAG, default=0),
        Col("CoKetQua", "issues_result", FLAG, default=1),
        Col("ChungThuc", "certification", FLAG, default=0),
        Col("SoNgayGiaiQuyet", "legal_days", INT),
    ),
)

FEEDBACK = Kind(
    "feedback",
    "MaPAKN",
    (
        Col("MaPAKN", "code", CODE, required=True, max_len=64),
        Col("DonVi", "unit_code", CODE, required=True, max_len=32),
        Col("NgayTiepNhan", "received_at", DATETIME, required=True),
        Col("HanXuLy", "due_at", DATETIME, required=True),
        Col("NgayXuLy", "handled_at", DATETIME),
        Col("KetQua", "outcome", TEXT, max_len=32),
        Col("HaiLong", "satisfied", SATISFIED),
        Col("PhanAnhLai", "re_raised", FLAG, default=0),
    ),
)

UNITS = Kind(
    "units",
    "MaDonVi",
    (
        Col("MaDonVi", "code", CODE, required=True, max_len=32),
        Col("TenDonVi", "name", TEXT, required=True, max_len=200),
        Col("TenRutGon", "short_name", TEXT, max_len=100),
        Col("Cap", "level", LEVEL, required=True),
        Col("Loai", "kind", TEXT, max_len=50),
        Col("MaDonViCha", "parent_code", CODE, max_len=32),
        Col("HieuLucTu", "valid_from", DATE),
        Col("HieuLucDen", "valid_to", DATE),
        Col("MaDonViKeThua", "successor_code", CODE, max_len=32),
        Col("TruSo", "seat", TEXT, max_len=200),
        Col("ViDo", "lat", FLOAT),
        Col("KinhDo", "lon", FLOAT),
        # the unit's names on the national portal (agency id, or name as the portal writes it),
        # separated by ";": official scores are matched by them first (data_access.official_match)
        Col("BiDanhCong", "portal_alias", TEXT, max_len=1000),
    ),
)

# Lineage across a reorganisation (TWO_TIER_2025.md): old unit -> new unit from a day, with the
# share of the old unit's dossiers that went to the new one (empty: all of them).
LINEAGE = Kind(
    "lineage",
    "MaDonViCu",
    (
        Col("MaDonViCu", "old_code", CODE, required=True, max_len=32),
        Col("MaDonViMoi", "new_code", CODE, required=True, max_len=32),
        Col("NgayHieuLuc", "valid_from", DATE, required=True),
        Col("TyLe", "share", SHARE),
    ),
    identity=("MaDonViCu", "MaDonViMoi", "NgayHieuLuc"),
)

# Official scores copied from the national portal's table (PORTAL_SCORES.md): not in KINDS, the
# official import (data_access.official_import) reads them, JSON documents too. Cells are text
# here; data_access.official_parse checks them (units are names, matched, not codes).
OFFICIAL = Kind(
    "official",
    "MaChiSo",
    (
        Col("DonVi", "unit", TEXT, required=True, max_len=200),
        Col("LoaiKy", "period_type", TEXT, required=True, max_len=20),
        Col("Ky", "period", TEXT, required=True, max_len=20),
        Col("MaChiSo", "code", TEXT, required=True, max_len=64),
        Col("TenChiSo", "name", TEXT, max_len=300),
        Col("TuSo", "numerator", TEXT, max_len=40),
        Col("MauSo", "denominator", TEXT, max_len=40),
        Col("Diem", "score", TEXT, required=True, max_len=40),
        Col("DiemToiDa", "max_score", TEXT, max_len=40),
        Col("XepHang", "rank", TEXT, max_len=40),
        Col("NgayLaySoLieu", "snapshot_date", TEXT, max_len=40),
    ),
    identity=("DonVi", "LoaiKy", "Ky", "MaChiSo", "NgayLaySoLieu"),
)

# Detection order matters: a dossier file also has MaTTHC, so the catalogue is tried last.
# Headers are compared whole after norm_header, so MaDonViCu ("madonvicu") never reads as
# MaDonVi; lineage is tried before units all the same, its key being the more specific.
KINDS: tuple[Kind, ...] = (DOSSIER, FEEDBACK, LINEAGE, UNITS, CATALOGUE)
BY_NAME = {k.name: k for k in KINDS}

# Units before lineage (which links units) before the catalogue (agencies are units) before
# dossiers and feedback (which refer to both), whatever order the files were given in; official
# scores last (a units file of the same command may bring the portal aliases they match by).
IMPORT_ORDER = {"units": 0, "lineage": 1, "catalogue": 2, "dossier": 3, "feedback": 4, "official": 5}

# Fragments of normalised header names that mean personal data (applicant name, ID number,
# phone, e-mail, address, birth date). A header containing any of them is dropped unread.
PERSONAL_FRAGMENTS = (
    "hoten",
    "hovaten",
    "tennguoi",
    "nguoinop",
    "chuhoso",
    "cmnd",
    "cccd",
    "cancuoc",
    "giayto",
    "dinhdanhcanhan",
    "sodinhdanh",
    "hochieu",
    "passport",
    "dienthoai",
    "phone",
    "email",
    "thudientu",
    "diachi",
    "address",
    "ngaysinh",
    "fullname",
)


def strip_accents(s: str) -> str:
    """Remove Vietnamese diacritics (đ -> d included), lower-case."""
    s = s.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", s)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


_NON_ALNUM = re.compile(r"[^a-z0-9]")


def norm_header(h: object) -> str:
    return _NON_ALNUM.sub("", strip_accents(str(h if h is not None else "")).strip())


def is_personal(header: object) -> bool:
    n = norm_header(header)
    return any(f in n for f in PERSONAL_FRAGMENTS)


def detect_kind(headers: list[str]) -> Kind | None:
    """The kind whose key header is present (personal-data headers are not considered)."""
    present = {norm_header(h) for h in headers if not is_personal(h)}
    for kind in KINDS:
        if norm_header(kind.key_header) not in present:
            continue
        if kind is CATALOGUE and norm_header("TenTTHC") not in present:
            continue
        return kind
    return None


@dataclass(frozen=True)
class HeaderMap:
    """How a file's headers map onto a kind: original header -> canonical header."""

    used: dict[str, str]  # original header -> canonical header
    personal: list[str]  # dropped, never read
    ignored: list[str]  # not part of the format
    missing: list[str]  # required canonical headers absent


def map_headers(kind: Kind, headers: list[str]) -> HeaderMap:
    canon = {norm_header(c.header): c.header for c in kind.columns}
    used: dict[str, str] = {}
    personal: list[str] = []
    ignored: list[str] = []
    for h in headers:
        if is_personal(h):
            personal.append(str(h))
            continue
        c = canon.get(norm_header(h))
        if c is not None and c not in used.values():
            used[h] = c
        else:
            ignored.append(str(h))
    missing = [c.header for c in kind.columns if c.required and c.header not in used.values()]
    return HeaderMap(used, personal, ignored, missing)
