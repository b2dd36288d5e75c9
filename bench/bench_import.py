"""Benchmark: import a 1,000,000-row dossier CSV into SQLite and PostgreSQL.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--backends sqlite postgresql]

Writes a generated procedure catalogue and a dossier export (units from the default Quảng Nam
list, procedures from the catalogue, both date styles), then imports them in a child process
per backend (so peak RSS is the import's own) and prints: backend, rows, seconds, rows/s, the
import's own CPU seconds (this process only, not the database server; useful when the cores are
shared and wall time is noisy), peak RSS. PostgreSQL uses a throw-away database (``createdb bench_import``, dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_HOST, PG_USER, PG_DB = "127.0.0.1", "postgres", "bench_import"
PG_URL = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:5432/{PG_DB}"


def write_catalogue(path: Path, units: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    n = 0
    for level, count in (("department", 0), ("district", 150), ("commune", 100)):
        agencies = [None] * count
        if level == "department":
            depts = units.loc[units["level"] == "department", "code"].tolist()
            agencies = [d for d in depts for _ in range(10)]
        for agency in agencies:
            n += 1
            rows.append(
                {
                    "MaTTHC": f"9.{n:06d}",
                    "TenTTHC": f"Thủ tục {n}",
                    "MaLinhVuc": f"LV{n % 12:02d}",
                    "TenLinhVuc": f"Lĩnh vực {n % 12}",
                    "CapThucHien": level,
                    "CoQuanThucHien": agency or "",
                    "MucDoDVC": int(rng.integers(0, 3)),
                    "CoPhi": int(rng.random() < 0.4),
                    "TichHopThanhToan": int(rng.random() < 0.3),
                    "CoKetQua": 1,
                    "ChungThuc": int(rng.random() < 0.05),
                    "SoNgayGiaiQuyet": int(rng.integers(1, 20)),
                }
            )
    df = pd.DataFrame(rows)
    df.to_csv(path, index=False)
    return df


def write_dossiers(path: Path, rows: int, units: pd.DataFrame, procs: pd.DataFrame,
                   rng: np.random.Generator, chunk: int = 200_000) -> None:  # fmt: skip
    """Dossiers whose unit handles the procedure (a department its own, a district or commune
    its level's), written in chunks so the generator itself stays small."""
    pairs = []
    for _, p in procs.iterrows():
        if p["CoQuanThucHien"]:
            pairs.append((p["MaTTHC"], p["CoQuanThucHien"]))
    by_level = {lv: units.loc[units["level"] == lv, "code"].tolist() for lv in ("district", "commune")}
    for lv, codes in by_level.items():
        for code in procs.loc[procs["CapThucHien"] == lv, "MaTTHC"]:
            pairs += [(code, u) for u in rng.choice(codes, size=5, replace=False)]
    pairs_arr = np.array(pairs, dtype=object)
    start = np.datetime64("2024-01-01T07:00")
    header = True
    for i in range(0, rows, chunk):
        n = min(chunk, rows - i)
        pick = pairs_arr[rng.integers(0, len(pairs_arr), n)]
        received = start + rng.integers(0, 365 * 24 * 60, n).astype("timedelta64[m]")
        due = received + rng.integers(1, 20, n).astype("timedelta64[D]")
        status = rng.choice([2, 4, 5, 9, 10, 10, 10, 10], n)
        done = np.isin(status, [9, 10])
        finished = received + rng.integers(0, 25, n).astype("timedelta64[D]")
        rec = pd.to_datetime(received)
        # Half ISO, half dd/mm/yyyy hh:mm, as real exports mix them.
        iso = rng.random(n) < 0.5
        rec_text = np.where(iso, rec.strftime("%Y-%m-%d %H:%M"), rec.strftime("%d/%m/%Y %H:%M"))
        df = pd.DataFrame(
            {
                "MaHoSo": [f"000.00.{j:09d}" for j in range(i, i + n)],
                "MaTTHC": pick[:, 0],
                "DonViXuLy": pick[:, 1],
                "KenhThucHien": rng.choice([1, 2, 2, 3], n),
                "NgayTiepNhan": rec_text,
                "NgayHenTra": pd.to_datetime(due).strftime("%Y-%m-%d"),
                "NgayKetThucXuLy": np.where(done, pd.to_datetime(finished).strftime("%Y-%m-%d"), ""),
                "TrangThaiHoSo": status,
                "DuocThanhToanTrucTuyen": rng.choice(["", "1", "2"], n),
                "HoSoCoThanhPhanSoHoa": (rng.random(n) < 0.7).astype(int),
                "DaDongBoDVCQG": (rng.random(n) < 0.9).astype(int),
                "HoTen": "Nguyễn Văn A",  # personal data: must be dropped unread
            }
        )
        df.to_csv(path, mode="w" if header else "a", header=header, index=False)
        header = False


def child(url: str, catalogue: str, dossiers: str) -> None:
    """Import into a fresh database; print one JSON line with the measurements."""
    from data_access.db import init_db
    from data_access.engine import get_engine
    from scorecard.pipeline import import_file

    engine = get_engine(url)
    init_db(engine)
    assert import_file(engine, catalogue).ok
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    res = import_file(engine, dossiers, progress=os.environ.get("BENCH_PROGRESS") == "1")
    seconds = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu0
    assert res.ok, res.messages
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    print(json.dumps({"rows": res.written, "seconds": seconds, "cpu": cpu, "rss_mb": peak_kb / 1024}))


def _cpu_seconds() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _run_child(url: str, catalogue: Path, dossiers: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, str(catalogue), str(dossiers)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--child", nargs=3, metavar=("URL", "CATALOGUE", "DOSSIERS"))
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return

    from data_access.defaults import units_frame

    rng = np.random.default_rng(766)
    units = units_frame()
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        tmpd = Path(tmp)
        catalogue, dossiers = tmpd / "catalogue.csv", tmpd / "dossiers.csv"
        t0 = time.perf_counter()
        procs = write_catalogue(catalogue, units, rng)
        write_dossiers(dossiers, args.rows, units, procs, rng)
        size = dossiers.stat().st_size / 2**20
        print(f"generated {args.rows:,} rows ({size:.0f} MB) in {time.perf_counter() - t0:.0f} s")
        results = []
        for backend in args.backends:
            if backend == "sqlite":
                url = f"sqlite:///{tmpd / 'bench.db'}"
                results.append((backend, _run_child(url, catalogue, dossiers)))
                continue
            pg = ["-h", PG_HOST, "-U", PG_USER]
            subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=True)
            subprocess.run(["createdb", *pg, PG_DB], check=True)
            try:
                results.append((backend, _run_child(PG_URL, catalogue, dossiers)))
            finally:
                subprocess.run(["dropdb", *pg, "--if-exists", PG_DB], check=True)

    head = f"| {'backend':<10} | {'rows':>9} | {'seconds':>7} | {'rows/s':>7} | {'CPU s':>6} | {'peak RSS MB':>11} |"
    print("\n" + head)
    print(f"|{'-' * 12}|{'-' * 10}:|{'-' * 8}:|{'-' * 8}:|{'-' * 7}:|{'-' * 12}:|")
    for backend, r in results:
        print(
            f"| {backend:<10} | {r['rows']:>9,} | {r['seconds']:>7.1f} | "
            f"{r['rows'] / r['seconds']:>7,.0f} | {r['cpu']:>6.1f} | {r['rss_mb']:>11.0f} |"
        )


if __name__ == "__main__":
    main()
