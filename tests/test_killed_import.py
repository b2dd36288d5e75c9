"""An import killed half-way (SIGKILL, after it has started writing) leaves the database exactly as
it was: each file is written in one transaction (data_access/importer.py). SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.import_files import CATALOGUE, CATALOGUE_HEADERS, DOSSIER_HEADERS, dossier, write_csv
from sqlalchemy import Engine, func, select, text

from data_access import schema as s
from data_access.engine import get_engine
from scorecard.pipeline import import_files

ROOT = Path(__file__).resolve().parent.parent
BIG_ROWS = int(os.environ.get("REFORM_TEST_KILL_ROWS", "200000"))
BASE_ROWS = 300
# (procedure, unit) pairs valid in the default catalogue of units and the test catalogue above.
PAIRS = [("1.001", "20335"), ("1.002", "20335"), ("2.001", "502"), ("3.001", "SCT")]


def _row(code: str, i: int) -> dict:
    proc, unit = PAIRS[i % len(PAIRS)]
    day = date(2024, 1, 1) + timedelta(days=i % 360)
    late = i % 7 == 0  # some overdue, so agg_overdue has rows too
    end = day + timedelta(days=30 if late else 1)
    return dossier(code, MaTTHC=proc, MaLinhVuc="", DonViXuLy=unit,
                   NgayTiepNhan=f"{day.isoformat()} 08:00", NgayHenTra=(day + timedelta(days=3)).isoformat(),
                   NgayKetThucXuLy=f"{end.isoformat()} 10:00", NgayTra=end.isoformat(),
                   KenhThucHien=str(1 + i % 2))  # fmt: skip


def _write_big(path: Path) -> None:
    """BIG_ROWS dossiers; the first ones are updates of the base rows (changed dates and status),
    so a partial write would show as changed rows, not only as extra ones."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(DOSSIER_HEADERS)
        for i in range(BIG_ROWS):
            code = f"BASE{i:06d}" if i < BASE_ROWS else f"BIG{i:07d}"
            r = _row(code, i + 3)
            if i < BASE_ROWS:
                r["TrangThaiHoSo"] = "4"
                r["NgayKetThucXuLy"] = r["NgayTra"] = ""
            w.writerow([r.get(h, "") for h in DOSSIER_HEADERS])


def _state(engine: Engine) -> dict[str, object]:
    """Row counts of every table, aggregate sums, and every base dossier as stored."""
    out: dict[str, object] = {}
    with engine.connect() as c:
        for t in s.metadata.sorted_tables:
            out[f"count:{t.name}"] = c.execute(select(func.count()).select_from(t)).scalar_one()
        a = s.agg_unit_bucket.c
        out["agg_unit_bucket"] = tuple(
            c.execute(select(func.sum(a.dossiers), func.sum(a.online), func.sum(a.synced))).one()
        )
        out["agg_overdue"] = c.execute(select(func.sum(s.agg_overdue.c.n))).scalar_one()
        out["agg_unit_procedure"] = c.execute(select(func.sum(s.agg_unit_procedure.c.dossiers))).scalar_one()
        out["dossiers"] = sorted(map(repr, c.execute(select(s.dossier)).all()))
        out["load_log"] = c.execute(select(func.max(s.load_log.c.id))).scalar_one()
    return out


class _Stderr(threading.Thread):
    """Collects a child's stderr (tqdm redraws with \\r, so read raw bytes, not lines)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        super().__init__(daemon=True)
        self.proc = proc
        self.buf = bytearray()

    def run(self) -> None:
        while chunk := os.read(self.proc.stderr.fileno(), 4096):
            self.buf += chunk

    def text(self) -> str:
        return self.buf.decode("utf-8", "replace")


WRITING = re.compile(r"Ghi big\.csv:[^\r\n]*?\|\s*([1-9]\d*)/")


@pytest.mark.slow
def test_import_killed_mid_write_changes_nothing(engine: Engine, tmp_path: Path):
    url = engine.url.render_as_string(hide_password=False)
    cat = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADERS, CATALOGUE)
    base = write_csv(tmp_path / "base.csv", DOSSIER_HEADERS,
                     [_row(f"BASE{i:06d}", i) for i in range(BASE_ROWS)])  # fmt: skip
    assert import_files(engine, [cat, base]) == 0
    before = _state(engine)
    assert before["count:dossier"] == BASE_ROWS and before["agg_overdue"]
    big = tmp_path / "big.csv"
    _write_big(big)
    engine.dispose()  # the child must be the only writer

    proc = subprocess.Popen(
        [sys.executable, "-m", "data_access", "--db", url, "import", str(big)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    reader = _Stderr(proc)
    reader.start()
    deadline = time.monotonic() + 600
    try:
        # Wait until the write progress bar has counted rows: the transaction is open and has
        # written at least one chunk (rows inserted and updated) when the process dies.
        while not WRITING.search(reader.text()):
            assert proc.poll() is None, f"import ended before it could be killed:\n{reader.text()[-2000:]}"
            assert time.monotonic() < deadline, "import never started writing"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, "killed, not finished"

    check = get_engine(url)
    try:
        if check.dialect.name == "postgresql":
            # The server rolls the dead client's transaction back once it notices the socket is
            # gone; wait until that backend has left (its locks and rows with it).
            for _ in range(200):
                with check.connect() as c:
                    busy = c.execute(text(
                        "select count(*) from pg_stat_activity where pid <> pg_backend_pid() "
                        "and state like 'idle in transaction%' and query ilike '%dossier%'"
                    )).scalar_one()  # fmt: skip
                if not busy:
                    break
                time.sleep(0.1)
        else:
            with check.connect() as c:
                assert c.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert _state(check) == before
        # And the database is still usable for the next import.
        small = write_csv(tmp_path / "after.csv", DOSSIER_HEADERS, [_row("AFTER1", 1)])
        assert import_files(check, [small]) == 0
    finally:
        check.dispose()
