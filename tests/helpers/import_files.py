"""Import files as the reporting systems send them: a small procedure catalogue, the column
headers of each kind of file, a valid dossier row to vary, and CSV/XLSX writers."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine

from data_access.importer import import_files

CATALOGUE = [
    # code, name, field, field name, level, agency, online, fee, payment, result, cert, days
    ("1.001", "Đăng ký khai sinh", "HT", "Hộ tịch", "Cấp xã", "", "2", "0", "0", "1", "0", "3"),
    ("1.002", "Chứng thực bản sao", "CT", "Chứng thực", "commune", "", "1", "1", "1", "1", "1", "1"),
    ("2.001", "Cấp giấy phép xây dựng", "XD", "Xây dựng", "district", "", "1", "1", "0", "1", "0", "15"),
    ("3.001", "Cấp giấy chứng nhận", "TM", "Thương mại", "department", "SCT", "2", "1", "1", "1", "0", "10"),
]
CATALOGUE_HEADERS = ["MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "CapThucHien", "CoQuanThucHien",
                     "MucDoDVC", "CoPhi", "TichHopThanhToan", "CoKetQua", "ChungThuc", "SoNgayGiaiQuyet"]  # fmt: skip

DOSSIER_HEADERS = ["MaHoSo", "MaTTHC", "MaLinhVuc", "DonViXuLy", "KenhThucHien", "NgayTiepNhan",
                   "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo",
                   "DuocThanhToanTrucTuyen", "HoSoCoThanhPhanSoHoa", "SoNgayTamDung",
                   "DaDongBoDVCQG", "CoKetQuaDienTu", "CoPhanAnhKhongHaiLong"]  # fmt: skip


def write_csv(path: Path, headers: list[str], rows: list[dict | tuple], sep: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=sep)
        w.writerow(headers)
        for r in rows:
            w.writerow([r.get(h, "") for h in headers] if isinstance(r, dict) else r)
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[dict]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    wb.save(path)
    return path


def dossier(code: str, **over: object) -> dict:
    row = {
        "MaHoSo": code,
        "MaTTHC": "1.001",
        "DonViXuLy": "20335",
        "KenhThucHien": "2",
        "NgayTiepNhan": "2024-01-08 08:30",  # Monday of ISO week 2024-W02
        "NgayHenTra": "2024-01-11",
        "NgayKetThucXuLy": "2024-01-10 15:00",
        "NgayTra": "2024-01-11",
        "TrangThaiHoSo": "10",
        "DuocThanhToanTrucTuyen": "",
        "HoSoCoThanhPhanSoHoa": "1",
        "DaDongBoDVCQG": "1",
    }
    row.update(over)
    return row


UNIT_HEADERS = ["MaDonVi", "TenDonVi", "Cap", "Loai", "MaDonViCha", "HieuLucTu", "HieuLucDen",
                "MaDonViKeThua", "ViDo", "KinhDo"]  # fmt: skip

LINEAGE_HEADERS = ["MaDonViCu", "MaDonViMoi", "NgayHieuLuc", "TyLe"]

FEEDBACK_HEADERS = ["MaPAKN", "DonVi", "NgayTiepNhan", "HanXuLy", "NgayXuLy", "KetQua", "HaiLong",
                    "PhanAnhLai", "DienThoai"]  # fmt: skip

UNIT = "20335"  # a commune of the reference units that `init` loads


def import_dossiers(engine: Engine, tmp: Path, name: str, codes: list[str], unit: str = UNIT) -> None:
    """Import one CSV of valid dossiers with the given codes for one unit (catalogue loaded)."""
    path = write_csv(tmp / name, DOSSIER_HEADERS, [dossier(c, DonViXuLy=unit) for c in codes])
    assert import_files(engine, [path], progress=False) == 0
