"""Official vs computed: the pure reconciliation arithmetic (scorecard.official) per component,
per group and per unit, and the likely-reason rules; then, on both backends, the same figures
end to end through ``python -m scorecard reconcile`` on hand-made dossiers."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from helpers import official as fx
from helpers.scoring import dossier, load, proc

from scorecard import official as off
from scorecard.__main__ import main
from scorecard.pipeline import import_file
from texts import t

TH = off.Thresholds()


def side(num: float | None, den: float | None, points: float | None, max_points: float = 6.0,
         ratio: float | None = None) -> dict:
    if ratio is None and num is not None and den:
        ratio = num / den
    return {"numerator": num, "denominator": den, "ratio": ratio, "points": points, "max_points": max_points}


# --- likely reasons -----------------------------------------------------------------------------


@pytest.mark.parametrize("official, computed, key", [
    # the same figures: no reason to give
    (side(90, 100, 5.4), side(90, 100, 5.4), None),
    # rounding on the portal (2 decimals) is no difference
    (side(90, 100, 5.40), side(90, 100, 5.404), None),
    # we have no dossier at all for it: our data is incomplete
    (side(12, 12, 2.0, 2), side(0, 0, 0.0, 2, ratio=0.0), "official.why.none_here"),
    # the portal sees far fewer dossiers than we do: they were not synced to it
    (side(80, 80, 6.0), side(80, 100, 4.8), "official.why.fewer_synced"),
    # a denominator a little different, or larger on the portal
    (side(90, 95, 5.68), side(90, 100, 5.4), "official.why.denominator_differs"),
    (side(90, 120, 4.5), side(90, 100, 5.4), "official.why.denominator_differs"),
    # same denominator, the numerator differs
    (side(80, 100, 4.8), side(90, 100, 5.4), "official.why.numerator_differs"),
    # the same ratio scored differently (saturation, say)
    (side(50, 100, 6.0), side(50, 100, 3.0), "official.why.scoring_differs"),
    # a different maximum
    (side(90, 100, 9.0, max_points=10), side(90, 100, 5.4), "official.why.max_differs"),
    # the portal gives no counts: the numbers cannot say why
    (side(None, None, 4.0), side(90, 100, 5.4), None),
    # one side missing
    (None, side(90, 100, 5.4), "official.why.not_on_portal"),
    (side(90, 100, 5.4), None, "official.why.not_computed"),
])  # fmt: skip
def test_likely_reason_rules(official, computed, key):
    assert off.likely_reason(official, computed, TH) == (t(key) if key else None)


def test_thresholds_are_data():
    th = off.Thresholds.from_settings({"denominator_gap": 0.5, "diff_threshold": 2, "unknown": 1})
    assert th.denominator_gap == 0.5 and th.diff_threshold == 2.0
    # 80 of 100 is 20% fewer: "much smaller" at 10%, not at 50%
    assert off.likely_reason(side(80, 80, 6.0), side(80, 100, 4.8), th) == t("official.why.denominator_differs")


# --- per component, group and unit --------------------------------------------------------------


def _official(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "name", "numerator", "denominator", "ratio", "score", "max_score"])


def _computed(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["component", "name", "numerator", "denominator", "ratio", "points", "max_points"])


def test_reconcile_components_puts_big_differences_first():
    official = _official([
        ("1.4", "Đồng bộ", 80, 80, 1.0, 6.0, 6),
        ("2.1", "Đúng hạn", 95, 100, 0.95, 19.0, 20),
        ("3.3", "Trực tuyến", 30, 100, 0.30, 3.6, 6),
        ("6.9", "Chỉ trên Cổng", None, None, None, 1.0, 2),
    ])  # fmt: skip
    computed = _computed([
        ("1.4", "Hồ sơ đồng bộ", 80, 100, 0.8, 4.8, 6),
        ("2.1", "Đúng hạn", 95, 100, 0.95, 19.0, 20),
        ("3.3", "Trực tuyến", 30, 100, 0.30, 3.3, 6),
        ("4.3", "Thanh toán", 5, 10, 0.5, 3.0, 6),
    ])  # fmt: skip
    out = off.reconcile_components(official, computed, TH)
    assert list(out.columns) == off.RECON_COLUMNS
    # |−1.2| ≥ 0.5 first; then the others in component order (3.3: −0.3 is below the threshold)
    assert out["component"].tolist() == ["1.4", "2.1", "3.3", "4.3", "6.9"]
    first = out.iloc[0]
    assert first["above"] and first["diff_points"] == pytest.approx(-1.2)  # computed − official
    assert (first["official_denominator"], first["computed_denominator"]) == (80, 100)
    assert first["reason"] == t("official.why.fewer_synced")
    assert first["name"] == "Hồ sơ đồng bộ"  # our name where we have one
    assert out.set_index("component").loc["2.1", "reason"] is None
    assert out.set_index("component").loc["3.3", "diff_points"] == pytest.approx(-0.3)
    assert out.set_index("component").loc["4.3", "reason"] == t("official.why.not_on_portal")
    only = out.set_index("component").loc["6.9"]
    assert pd.isna(only["computed_points"]) and only["reason"] == t("official.why.not_computed")
    assert not bool(only["above"])


def test_reconcile_groups_and_total():
    out = off.reconcile_groups({"1": 15.0, "2": 18.0, "total": 80.0}, {"1": 16.5, "2": 18.2, "3": 9.0, "total": 82.0}, TH)
    by = out.set_index("group_code")
    assert list(by.index) == ["1", "2", "3", "4", "5", "6", "total"]
    assert by.loc["1", "diff"] == pytest.approx(1.5) and by.loc["1", "above"]
    assert by.loc["2", "diff"] == pytest.approx(0.2) and not by.loc["2", "above"]
    assert pd.isna(by.loc["3", "diff"]) and not by.loc["3", "above"]
    assert by.loc["total", "diff"] == pytest.approx(2.0)


def test_wide_and_compare():
    rows = pd.DataFrame([
        {"unit_code": "A", "code": "total", "score": 80.0, "rank": 2, "snapshot_date": date(2025, 11, 5)},
        {"unit_code": "A", "code": "1", "score": 15.0, "rank": None, "snapshot_date": date(2025, 11, 5)},
        {"unit_code": "B", "code": "total", "score": 90.0, "rank": 1, "snapshot_date": date(2025, 11, 6)},
        {"unit_code": None, "code": "total", "score": 70.0, "rank": 3, "snapshot_date": date(2025, 11, 6)},
    ])  # fmt: skip
    wide = off.wide(rows)
    assert wide["unit_code"].tolist() == ["A", "B"]  # another province (no unit) left out
    assert wide["official_total"].tolist() == [80.0, 90.0]
    assert wide["official_rank"].tolist() == [2, 1]
    assert wide.loc[0, "official_group_1"] == 15.0 and pd.isna(wide.loc[1, "official_group_1"])
    summary = pd.DataFrame({"unit_code": ["B", "A"], "unit_name": ["Đơn vị B", "Đơn vị A"],
                            "total": [88.0, 81.5], **{f"group_{g}": [None, 16.0] for g in off.GROUPS}})  # fmt: skip
    cmp_ = off.compare(wide, summary).set_index("unit_code")
    assert cmp_.loc["A", "diff_total"] == pytest.approx(1.5) and cmp_.loc["B", "diff_total"] == pytest.approx(-2.0)
    assert cmp_.loc["A", "diff_group_1"] == pytest.approx(1.0) and cmp_.loc["A", "unit_name"] == "Đơn vị A"


# --- end to end, both backends --------------------------------------------------------------------

OCT = date(2025, 10, 6)


@pytest.fixture
def reconciled(engine, tmp_path: Path) -> str:
    """Sở Tài chính: 10 dossiers in October 2025, 8 synced to the portal, all on time; the
    portal's document counts only the 8 it received (1.4: 8/8) and scores them."""
    dossiers = [dossier(f"D{i}", "STC", OCT, proc="PS", due=date(2025, 10, 20), finished=date(2025, 10, 8),
                        synced=int(i < 8)) for i in range(10)]  # fmt: skip
    load(engine, [proc("PS", level="department", agency="STC")], dossiers)
    doc = fx.document(
        fx.unit(fx.PROVINCE, 85.0, 7),
        [fx.unit(fx.FINANCE, 88.0, 1, [
            fx.group("1", [fx.component("1.4", 8, 8, 6)]),
            fx.group("2", [fx.component("2.1", 8, 8, 20)]),
        ])],
    )  # fmt: skip
    res = import_file(engine, fx.write_json(tmp_path / "p.json", doc), snapshot_date=date(2025, 11, 5))
    assert res.ok, res.messages
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.slow
def test_cli_reconcile_csv_per_component(reconciled: str, capsys):
    rc = main(["--db", reconciled, "reconcile", "--period", "2025-10", "--level", "department",
               "--format", "csv"])  # fmt: skip
    out, err = capsys.readouterr()
    assert rc == 0, err
    df = pd.read_csv(io.StringIO(out), dtype={"unit_code": str, "item": str}).set_index("item")
    assert set(df["unit_code"]) == {"STC"}
    c14 = df.loc["1.4"]
    # ours: 8 synced of 10 = 80% of 6 points; the portal's: 8 of 8 = 6 points
    assert (c14["official_numerator"], c14["official_denominator"]) == (8, 8)
    assert (c14["computed_numerator"], c14["computed_denominator"]) == (8, 10)
    assert (c14["official_points"], c14["computed_points"], c14["diff_points"]) == (6.0, 4.8, -1.2)
    assert c14["reason"] == t("official.why.fewer_synced") and c14["above"] == 1
    c21 = df.loc["2.1"]
    assert (c21["computed_numerator"], c21["computed_denominator"], c21["computed_points"]) == (10, 10, 20.0)
    # 8 of 8 on the portal, 10 of 10 here: the same points, so no reason is given
    assert c21["diff_points"] == 0 and pd.isna(c21["reason"]) and c21["above"] == 0
    assert df.loc["total", "official_points"] == 88.0
    # the group: the portal's 1 (only 1.4 applies, scaled to 18) against ours
    assert df.loc["1", "official_points"] == 18.0 and df.loc["1", "computed_points"] == pytest.approx(14.4)


@pytest.mark.slow
def test_cli_reconcile_table_xlsx_and_mistakes(reconciled: str, capsys, tmp_path: Path):
    assert main(["--db", reconciled, "reconcile", "--period", "2025-10", "--level", "department"]) == 0
    out = capsys.readouterr().out
    assert "Sở Tài chính" in out and "-1,20" in out
    xlsx = tmp_path / "r.xlsx"
    assert main(["--db", reconciled, "reconcile", "--period", "2025-10", "--level", "department",
                 "--format", "xlsx", "--out", str(xlsx)]) == 0  # fmt: skip
    assert pd.read_excel(xlsx)["item"].astype(str).tolist()[0] == "total"
    for args, expected in (
        (["--period", "2025-W40", "--level", "department"], "Kỳ đối chiếu không hợp lệ"),
        (["--period", "2025-09", "--level", "department"], "Chưa nhập điểm chính thức kỳ 2025-09"),
        (["--period", "2025-10", "--level", "nowhere"], "nowhere"),
        (["--period", "2025-10", "--level", "department", "--format", "pdf"], "--format pdf"),
    ):
        capsys.readouterr()
        assert main(["--db", reconciled, "reconcile", *args]) == 2
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err
