"""``python -m scorecard``: report formats, Biểu II.06a, and bad arguments (exit 2, one
Vietnamese line, no traceback)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers.scoring import dossier, load, proc

from scorecard.__main__ import DETAIL_COLUMNS, SUMMARY_COLUMNS, main

ROOT = Path(__file__).resolve().parent.parent
D = lambda m, d: date(2024, m, d)  # noqa: E731

DOSSIERS = [
    dossier("A", "502", D(12, 16), proc="PD", due=D(12, 18), finished=D(12, 17), synced=1),
    dossier("B", "502", D(12, 17), proc="PD", due=D(12, 18), status=4),
    dossier("C", "503", D(12, 18), proc="PD", due=D(12, 20), finished=D(12, 19), channel=2),
    dossier("E", "20335", D(12, 18), proc="PC", due=D(12, 19), finished=D(12, 24)),
    dossier("S", "STP", D(12, 18), proc="PS", due=D(12, 20), finished=D(12, 19), field="F2"),
]


@pytest.fixture
def db(engine) -> str:
    load(engine, [proc("PD"), proc("PC", level="commune"), proc("PS", level="department",
                                                                  agency="STP")], DOSSIERS)
    return engine.url.render_as_string(hide_password=False)


def run(db: str, *args: str, capsys) -> tuple[int, str, str]:
    rc = main(["--db", db, *args])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.slow
def test_report_csv_summary(db, capsys):
    rc, out, err = run(db, "report", "--level", "district", "--period", "2024-W51",
                       "--format", "csv", capsys=capsys)
    assert rc == 0, err
    df = pd.read_csv(io.StringIO(out), dtype={"unit_code": str})
    assert list(df.columns) == SUMMARY_COLUMNS
    assert len(df) == 18 and df["rank"].min() == 1
    assert df.iloc[0]["unit_code"] in {"502", "503"}
    assert set(df["period"]) == {"2024-W51"}


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2024-12", "2024-Q4", "2024"])
def test_report_other_periods(db, capsys, period):
    rc, out, _ = run(db, "report", "--level", "department", "--period", period, "--format", "csv",
                     capsys=capsys)
    assert rc == 0
    df = pd.read_csv(io.StringIO(out), dtype={"unit_code": str, "period": str})
    assert set(df["period"]) == {period} and len(df) == 18


@pytest.mark.slow
def test_report_detail_xlsx(db, capsys, tmp_path):
    out_file = tmp_path / "detail.xlsx"
    rc, _, err = run(db, "report", "--level", "district", "--period", "2024-W51", "--ytd",
                     "--detail", "--format", "xlsx", "--out", str(out_file), capsys=capsys)
    assert rc == 0 and "Đã ghi" in err
    df = pd.read_excel(out_file, dtype={"unit_code": str})
    assert list(df.columns) == DETAIL_COLUMNS
    assert len(df) == 18 * 17  # 17 components apply to a district
    row = df[(df["unit_code"] == "502") & (df["component"] == 2.1)].iloc[0]
    assert (row["numerator"], row["denominator"]) == (1, 2)  # B (due 18/12, open) is overdue by 22/12


@pytest.mark.slow
def test_report_table_and_parent(db, capsys):
    rc, out, _ = run(db, "report", "--level", "commune", "--period", "2024-W51", "--parent", "502",
                     "--format", "table", capsys=capsys)
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].startswith("Mã đơn vị") and "Tổng điểm" in lines[0]
    assert len(lines) == 2 + 13  # header, rule, Tam Kỳ's 13 communes
    assert "," in lines[2]  # Vietnamese decimal comma
    # the week as people read it (csv and xlsx keep the ISO label for machines)
    assert "Tuần 51/2024" in lines[2] and "2024-W51" not in out
    rc, out, _ = run(db, "report", "--level", "district", "--period", "2024-W51", "--ytd",
                     capsys=capsys)
    assert rc == 0 and "Lũy kế đến hết tuần 51/2024" in out.splitlines()[2]


@pytest.mark.slow
def test_report_province(db, capsys):
    rc, out, _ = run(db, "report", "--level", "province", "--period", "2024-W51", "--format",
                     "csv", capsys=capsys)
    df = pd.read_csv(io.StringIO(out), dtype={"unit_code": str})
    assert rc == 0 and df["unit_code"].tolist() == ["49"]


@pytest.mark.slow
def test_bieu06a_xlsx(db, capsys, tmp_path):
    out_file = tmp_path / "b06.xlsx"
    rc, _, err = run(db, "bieu06a", "--from", "2024-12-16", "--to", "2024-12-22", "--out",
                     str(out_file), capsys=capsys)
    assert rc == 0, err
    ws = openpyxl.load_workbook(out_file).active
    cells = {str(c.value) for row in ws.iter_rows(max_row=8) for c in row if c.value is not None}
    assert {"Biểu số II.06a/VPCP/KSTT", "Số hồ sơ nhận giải quyết", "Trả trước hạn",
            "Số kỳ trước chuyển qua", "(13)"} <= cells
    last = [c.value for c in list(ws.iter_rows())[-1]]
    assert last[1] == "Tổng cộng" and last[2] == 5  # received total
    assert last[2] == last[6] + last[10]  # = resolved + in progress


BAD = [
    (["report", "--level", "county", "--period", "2024-W51"], "cấp đơn vị"),
    (["report", "--level", "district", "--period", "2024-W60"], "kỳ báo cáo"),
    (["report", "--level", "district", "--period", "tuần 51"], "kỳ báo cáo"),
    (["report", "--level", "district", "--period", "2022-W10"], "không có dữ liệu"),
    (["report", "--level", "commune", "--period", "2024-W51", "--parent", "999"], "không tìm thấy"),
    (["report", "--level", "district", "--period", "2024-12", "--ytd"], "--ytd"),
    (["report", "--level", "district", "--period", "2024-W51", "--format", "pdf"], "tham số"),
    (["report", "--level", "district", "--period", "2024-W51", "--format", "xlsx"], "--out"),
    (["report", "--level", "district"], "tham số"),
    (["bieu06a", "--from", "2024-02-30", "--to", "2024-03-01", "--out", "x.xlsx"], "ngày"),
    (["bieu06a", "--from", "2024-03-01", "--to", "2024-02-01", "--out", "x.xlsx"], "sau ngày"),
    (["bieu06a", "--from", "2024-12-01", "--to", "2024-12-31", "--unit", "XYZ", "--out", "x.xlsx"],
     "không tìm thấy"),
    (["frobnicate"], "tham số"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "needle"), BAD)
def test_bad_arguments(db, capsys, args, needle):
    rc, out, err = run(db, *args, capsys=capsys)
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi:") and needle in lines[0]


@pytest.mark.slow
def test_subprocess_exit_code_and_no_traceback(tmp_path):
    missing = tmp_path / "none.db"
    for args in (["report", "--level", "district", "--period", "2024-W51"],
                 ["report", "--level", "district", "--period", "2024-99"]):
        p = subprocess.run([sys.executable, "-m", "scorecard", "--db", f"sqlite:///{missing}", *args],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert p.returncode == 2
        assert "Traceback" not in p.stderr and p.stderr.startswith("Lỗi:")
        assert len(p.stderr.strip().splitlines()) == 1
