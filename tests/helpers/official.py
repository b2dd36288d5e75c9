"""Official score files in the documented shapes (PORTAL_SCORES.md, README "Điểm chính thức"):
the portal's JSON documents and the flat CSV table, built by hand-sized functions.

Units here exist in the reference data ``init`` loads: Thành phố Đà Nẵng (48) and its 2025
communes (from 01/07/2025), and the departments (Sở Tài chính STC, Sở Y tế SYT, …).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from helpers.import_files import write_csv

PORTAL_GROUPS = {"1": "transparency", "2": "dvc-progress-tree", "3": "provide-online-tree",
                 "4": "formality-online-payment-tree", "5": "handling-satisfaction",
                 "6": "dossier-digitized"}  # fmt: skip
GROUP_MAX = {"1": 18, "2": 20, "3": 12, "4": 10, "5": 18, "6": 22}
# components below provincial level (1.1-1.3 are the province's only), with their maxima
COMPONENTS = {
    "1": [("1.4", 6)], "2": [("2.1", 20)], "3": [("3.1", 2), ("3.2", 4), ("3.3", 6)],
    "4": [("4.1", 2), ("4.2", 2), ("4.3", 6)], "5": [("5.1", 6), ("5.2", 6), ("5.3", 6)],
    "6": [("6.1", 6), ("6.2", 4), ("6.3", 2), ("6.4", 2), ("6.5", 4), ("6.6", 4)],
}  # fmt: skip

PERIOD = "2025-10"  # month 10/2025: the 2025 structure (Đà Nẵng, its communes) exists
SNAPSHOT = "2025-11-05"
PROVINCE = ("000.00.00.H48", "UBND Thành phố Đà Nẵng", "48")
HAI_VAN = ("000.20.34.H48", "UBND Phường Hải Vân", "48.20194")
FINANCE = ("000.01.11.H48", "Sở Tài chính", "STC")
HEALTH = ("000.01.23.H48", "Sở Y tế", "SYT")


def component(code: str, numerator: float | None, denominator: float | None, max_score: float,
              score: float | None = None) -> dict:
    """A component as the portal writes it: ratio 0-100, score = max × ratio (linear)."""
    out: dict = {"code": code, "name": f"Chỉ tiêu {code}", "maxScore": max_score}
    ratio = None
    if numerator is not None and denominator:
        ratio = 100 * numerator / denominator
        out.update(numerator=numerator, denominator=denominator, ratio=round(ratio, 2))
    out["score"] = round(max_score * (ratio or 100) / 100, 2) if score is None else score
    return out


def group(number: str, children: list[dict], score: float | None = None) -> dict:
    """A group: its components' points scaled to the group's maximum (components that do not
    apply to a level are left out, and the group scaled over the others)."""
    if score is None:
        scale = GROUP_MAX[number] / sum(c["maxScore"] for c in children)
        score = round(scale * sum(c["score"] for c in children), 2)
    total = score
    return {"code": PORTAL_GROUPS[number], "name": f"Nhóm {number}", "score": total,
            "maxScore": GROUP_MAX[number], "children": children}  # fmt: skip


def full_metrics(share: float = 0.9, dossiers: int = 1000) -> list[dict]:
    """Every group and component, each component at ``share`` of its denominator."""
    return [group(number, [component(code, round(share * dossiers), dossiers, m) for code, m in comps])
            for number, comps in COMPONENTS.items()]


def unit(who: tuple[str, str, str], score: float, rank: int | None = None,
         metrics: list[dict] | None = None) -> dict:
    out: dict = {"id": who[0], "name": who[1], "score": score, "metrics": metrics or []}
    if rank is not None:
        out["rank"] = rank
    return out


def document(parent: dict, children: list[dict], time_type: str = "month", year: int = 2025,
             value: int = 10) -> dict:
    return {"timeType": time_type, "year": year, "value": value, "parent": parent, "children": children}


def provincial(score_shift: float = 0.0, year: int = 2025, month: int = 10) -> dict:
    """The province's document: Đà Nẵng, two departments and a ward, every component."""
    metrics = full_metrics()
    total = round(sum(g["score"] for g in metrics), 2)
    return document(
        unit(PROVINCE, total + score_shift, 7, metrics),
        [unit(FINANCE, total + score_shift, 1, full_metrics()),
         unit(HEALTH, 80.5, 2, []),
         unit(HAI_VAN, 80.55 + score_shift, 31, full_metrics(0.85))],
        year=year, value=month,
    )


def national(n_other: int = 3, year: int = 2025, month: int = 10) -> dict:
    """The national document: every province's total and rank; ours (Đà Nẵng) ranked 2nd."""
    others = [unit((f"000.00.00.H{i:02d}", f"UBND Tỉnh Thử Nghiệm {i}", ""), 90.0 - i, None)
              for i in range(1, n_other + 1)]  # fmt: skip
    children = [others[0] | {"rank": 1}, unit(PROVINCE, 88.5, 2)]
    children += [o | {"rank": i + 3} for i, o in enumerate(others[1:])]
    return document({"id": "000.00.00.G22", "name": "Cả nước", "score": 80.1, "metrics": []}, children,
                    year=year, value=month)


def demo_with_official(demo_sqlite_url: str, tmp: Path) -> tuple[str, str, date]:
    """A copy of the small SQLite demo with the official documents (provincial and national)
    of the month that holds its latest week's end: (url, month label, snapshot date)."""
    from data_access.engine import get_engine
    from scorecard import service
    from scorecard.periods import week_period
    from scorecard.pipeline import import_file

    src = Path(demo_sqlite_url.removeprefix("sqlite:///"))
    dst = tmp / "official_demo.db"
    shutil.copyfile(src, dst)
    url = f"sqlite:///{dst}"
    eng = get_engine(url)
    try:
        end = week_period(service.latest_week(eng)).end
        for name, doc in (("p.json", provincial(year=end.year, month=end.month)),
                          ("n.json", national(year=end.year, month=end.month))):
            res = import_file(eng, write_json(tmp / name, doc), snapshot_date=end, today=end)
            assert res.ok, res.messages
    finally:
        eng.dispose()
    return url, f"{end.year}-{end.month:02d}", end


def write_json(path: Path, doc: dict | str) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False, indent=1),
                    encoding="utf-8")  # fmt: skip
    return path


OFFICIAL_HEADERS = ["DonVi", "LoaiKy", "Ky", "MaChiSo", "TenChiSo", "TuSo", "MauSo", "Diem", "DiemToiDa",
                    "XepHang", "NgayLaySoLieu"]  # fmt: skip


def row(unit_name: str, code: str, score: float | str, **over: object) -> dict:
    out = {"DonVi": unit_name, "LoaiKy": "tháng", "Ky": "10/2025", "MaChiSo": code, "Diem": score,
           "NgayLaySoLieu": "05/11/2025"}  # fmt: skip
    out.update(over)
    return out


def write_table(path: Path, rows: list[dict]) -> Path:
    return write_csv(path, OFFICIAL_HEADERS, rows)
