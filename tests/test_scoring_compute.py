"""Pure scoring: every component by hand, saturation, empty denominators, scaling, grades, ranks."""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.defaults import read_csv
from data_access.queries import MEASURES
from scorecard import compute
from scorecard.methodology import (
    ExpressionError,
    evaluate,
    parse_expression,
    select_version,
    version_at,
)


@pytest.fixture
def meth() -> pd.DataFrame:
    m = read_csv("methodology.csv")
    for c in ("group_max", "max_points", "saturation", "empty_ratio"):
        m[c] = m[c].astype(float)
    return m


@pytest.fixture
def bands() -> pd.DataFrame:
    b = read_csv("grade_bands.csv")
    b["min_score"] = b["min_score"].astype(float)
    return b


def measures(level: str = "district", **values: int) -> pd.DataFrame:
    row = {"unit_code": "U", "level": level, **{m: 0 for m in MEASURES}}
    row.update(values)
    return pd.DataFrame([row])


# A district with one number for every measure; expectations computed by hand below.
BASE = dict(
    dossiers=100, synced=80, overdue=10, procs=10, procs_online=6, procs_online_used=3, online=30,
    procs_fee=4, procs_fee_integrated=2, procs_fee_paid=1, fee_dossiers=50, paid_online=20,
    feedback=10, feedback_overdue=2, feedback_dissatisfied=1, feedback_reraised=1, complaint=5,
    result_dossiers=80, e_result=40, digitised=60, cert_dossiers=0, e_cert=0, reused=50,
    citizen_store=25, population_db=100,
)
EXPECTED_POINTS = {
    "1.4": 6 * 0.8,  # 80/100
    "2.1": 20 * 0.9,  # (100 - 10)/100
    "3.1": 2 * (0.6 / 0.8),  # 6/10, saturation 0.8
    "3.2": 4 * 0.5,  # 3/6
    "3.3": 6 * (0.3 / 0.5),  # 30/100, saturation 0.5
    "4.1": 2 * (0.5 / 0.8),  # 2/4
    "4.2": 2 * (0.25 / 0.8),  # 1/4
    "4.3": 6 * 0.4,  # 20/50
    "5.1": 6 * 0.8,  # (10 - 2)/10
    "5.2": 6 * 0.6,  # (10 - 1 - 2 - 1)/10
    "5.3": 6 * (0.85 / 0.9),  # (100 - 10 - 5)/100, saturation 0.9
    "6.1": 6 * 0.5,  # 40/80
    "6.2": 4 * 0.6,  # 60/100
    "6.3": 0.0,  # no certification dossiers: không phát sinh, 0
    "6.4": 2 * (0.5 / 0.8),  # 50/100, saturation 0.8
    "6.5": 4 * 0.25,  # 25/100
    "6.6": 4 * 1.0,  # 100/100
}


# The methodology's groups at district level (1.1-1.3 are province only), with the group maxima
# and the component maxima of assets/defaults/methodology.csv. A group scores
# points = group_max x (sum of its components' points) / (sum of their maxima):
#   group 1: 1.4 only (max 6) of 18 -> scaled by 18/6;
#   groups 2-6: every component applies, maxima sum to the group max -> scale 1
#   (2: 20 = 20; 3: 2+4+6 = 12; 4: 2+2+6 = 10; 5: 6+6+6 = 18; 6: 6+4+2+2+4+4 = 22).
DISTRICT_GROUPS = {  # group: (group_max, {component: max_points})
    "1": (18, {"1.4": 6}),
    "2": (20, {"2.1": 20}),
    "3": (12, {"3.1": 2, "3.2": 4, "3.3": 6}),
    "4": (10, {"4.1": 2, "4.2": 2, "4.3": 6}),
    "5": (18, {"5.1": 6, "5.2": 6, "5.3": 6}),
    "6": (22, {"6.1": 6, "6.2": 4, "6.3": 2, "6.4": 2, "6.5": 4, "6.6": 4}),
}


def expected_groups(points: dict[str, float] = EXPECTED_POINTS) -> dict[str, float]:
    """Group points of a district by the formula above, from hand-computed component points."""
    return {
        g: gmax * sum(points[c] for c in comps) / sum(comps.values())
        for g, (gmax, comps) in DISTRICT_GROUPS.items()
    }


def test_every_component_by_hand(meth):
    comps = compute.score_components(measures(**BASE), meth).set_index("component")
    assert set(comps.index) == set(EXPECTED_POINTS)  # 1.1-1.3 are province only
    for c, pts in EXPECTED_POINTS.items():
        assert comps.at[c, "points"] == pytest.approx(pts), c
    assert comps.at["6.3", "empty"] and not comps.at["6.2", "empty"]
    assert comps.at["2.1", "numerator"] == 90 and comps.at["2.1", "denominator"] == 100
    assert comps.at["4.2", "points_lost"] == pytest.approx(2 - 0.625)


def test_groups_scaled_and_total(meth, bands):
    m = measures(**BASE)
    comps = compute.score_components(m, meth)
    s = compute.summarize(m, comps, bands).iloc[0]
    groups = expected_groups()
    # worked out: 1: 4.8 x 18/6 = 14.4; 2: 18; 3: 1.5 + 2 + 3.6 = 7.1;
    # 4: 1.25 + 0.625 + 2.4 = 4.275; 5: 4.8 + 3.6 + 6 x 0.85/0.9 (= 5.667) = 14.067;
    # 6: 3 + 2.4 + 0 + 1.25 + 1 + 4 = 11.65; total = 14.4 + 18 + 7.1 + 4.275 + 14.067 + 11.65
    assert groups["1"] == pytest.approx(4.8 * 18 / 6)
    assert groups["3"] == pytest.approx(1.5 + 2 + 3.6)
    for g, pts in groups.items():
        assert s[f"group_{g}"] == pytest.approx(pts), g
    assert s["total"] == pytest.approx(sum(groups.values()))
    assert 50 <= sum(groups.values()) < 70  # the "Trung bình" band of grade_bands.csv
    assert s["grade"] == "Trung bình"


def test_province_components_apply_and_group_not_scaled(meth, bands):
    m = measures("province", **BASE, ann_total=4, ann_on_time=3, pub_due=5, pub_on_time=5,
                 pub_total=2, pub_full=1)
    comps = compute.score_components(m, meth).set_index("component")
    p11, p12, p13 = 6 * 3 / 4, 4 * 5 / 5, 2 * 1 / 2  # max x on time / total (saturation 1)
    assert comps.at["1.1", "points"] == pytest.approx(p11)
    assert comps.at["1.2", "points"] == pytest.approx(p12)
    assert comps.at["1.3", "points"] == pytest.approx(p13)
    s = compute.summarize(m, comps.reset_index(), bands).iloc[0]
    # all four apply: maxima 6 + 4 + 2 + 6 = 18 = the group max, no scaling
    assert s["group_1"] == pytest.approx(p11 + p12 + p13 + EXPECTED_POINTS["1.4"])


def test_saturation_caps_at_max(meth):
    comps = compute.score_components(measures(dossiers=100, online=80), meth).set_index("component")
    assert comps.at["3.3", "ratio"] == pytest.approx(0.8)
    assert comps.at["3.3", "points"] == pytest.approx(6)  # 0.8 / 0.5 capped at 1
    comps = compute.score_components(measures(dossiers=100, online=50), meth).set_index("component")
    assert comps.at["3.3", "points"] == pytest.approx(6)  # exactly at saturation
    comps = compute.score_components(measures(dossiers=100, online=25), meth).set_index("component")
    assert comps.at["3.3", "points"] == pytest.approx(3)


def test_ratio_clamped_to_unit_interval(meth):
    m = measures(procs=10, procs_online=6, procs_online_used=8, feedback=2,
                 feedback_dissatisfied=2, feedback_overdue=2)
    comps = compute.score_components(m, meth).set_index("component")
    assert comps.at["3.2", "ratio"] == 1.0 and comps.at["3.2", "points"] == 4
    assert comps.at["5.2", "ratio"] == 0.0 and comps.at["5.2", "points"] == 0


def test_empty_denominators(meth):
    comps = compute.score_components(measures(), meth).set_index("component")
    # feedback components: full marks when nothing was received, flagged không phát sinh
    for c in ("5.1", "5.2"):
        assert comps.at[c, "empty"] and comps.at[c, "ratio"] == 1 and comps.at[c, "points"] == 6
    # dossier components: 0 when no dossiers, also flagged
    for c in ("1.4", "2.1", "3.3", "4.3", "5.3", "6.1", "6.2"):
        assert comps.at[c, "empty"] and comps.at[c, "points"] == 0, c
    assert comps["empty"].all()


def test_component_not_applicable_is_left_out(meth):
    m = meth.copy()
    # make 6.6 province-only: a district's group 6 is then scaled over 6.1-6.5 (max 18)
    m.loc[m["component"] == "6.6", "levels"] = "province"
    vals = dict(dossiers=10, result_dossiers=10, e_result=10, digitised=10, cert_dossiers=10,
                e_cert=10, reused=10, citizen_store=10, population_db=0)
    comps = compute.score_components(measures(**vals), m)
    assert "6.6" not in set(comps["component"])
    g = compute.score_groups(comps).set_index("group_code")
    assert g.at["6", "points"] == pytest.approx(22)  # 18 of 18 applicable -> the full 22


@pytest.mark.parametrize(
    ("total", "grade"),
    [(100, "Xuất sắc"), (90, "Xuất sắc"), (89.996, "Xuất sắc"), (89.994, "Tốt"), (80, "Tốt"),
     (79.99, "Khá"), (70, "Khá"), (69.99, "Trung bình"), (50, "Trung bình"), (49.99, "Yếu"),
     (0, "Yếu")],
)
def test_grade_band_edges(bands, total, grade):
    g, color = compute.grade_for(pd.Series([total]), bands)
    assert g.iloc[0] == grade
    assert color.iloc[0].startswith("#")


def test_tied_ranks_share_the_lower_number():
    totals = pd.Series([80.001, 90.0, 80.004, 70.0, 90.0])
    assert compute.rank_totals(totals).tolist() == [3, 1, 3, 5, 1]


def test_delta_against_previous_period():
    cur = pd.DataFrame({"unit_code": ["A", "B"], "total": [80.0, 70.0]})
    prev = pd.DataFrame({"unit_code": ["A"], "total": [75.5]})
    out = compute.add_delta(cur, prev).set_index("unit_code")
    assert out.at["A", "delta_week"] == pytest.approx(4.5)
    assert pd.isna(out.at["B", "delta_week"])


def test_vectorised_over_weeks(meth, bands):
    m = pd.concat([measures(**BASE).assign(week="2024-W01"), measures().assign(week="2024-W02")])
    comps = compute.score_components(m, meth, keys=["week", "unit_code"])
    s = compute.summarize(m, comps, bands, keys=["week", "unit_code"]).set_index("week")
    # each week scored on its own: W01 as test_groups_scaled_and_total, W02 empty
    assert s.at["2024-W01", "total"] == pytest.approx(sum(expected_groups().values()))
    # W02 has no dossier and no feedback: "không phát sinh", not 12 points from the empty
    # denominators of 5.1 and 5.2 alone: no total, no groups, no grade
    assert pd.isna(s.at["2024-W02", "total"]) and pd.isna(s.at["2024-W02", "grade"])
    assert s.loc["2024-W02", [f"group_{i}" for i in range(1, 7)]].isna().all()
    # the components still say what an empty period would give (the unit page explains it)
    w02 = comps[comps["week"] == "2024-W02"].set_index("component")
    assert w02.at["5.1", "points"] == pytest.approx(6) and w02.at["1.4", "points"] == 0


def test_feedback_alone_is_activity(meth, bands):
    """A unit with feedback but no dossier has something to score: it is graded."""
    m = measures(feedback=2, feedback_overdue=1)
    comps = compute.score_components(m, meth)
    s = compute.summarize(m, comps, bands).iloc[0]
    assert s["total"] > 0 and s["grade"] is not None


# --- methodology expressions and versions ---------------------------------------------------


def test_parse_expression():
    assert parse_expression("dossiers - overdue - complaint") == (
        (1, "dossiers"), (-1, "overdue"), (-1, "complaint"))
    assert parse_expression(" a+b ") == ((1, "a"), (1, "b"))
    assert parse_expression("-a + 1") == ((-1, "a"), (1, 1.0))


@pytest.mark.parametrize("bad", ["", "a b", "a -", "a * b", "__import__('os')", "+ - a", "a + + b"])
def test_parse_expression_rejects(bad):
    with pytest.raises(ExpressionError):
        parse_expression(bad)


def test_parse_expression_known_names():
    with pytest.raises(ExpressionError):
        parse_expression("dossiers - typo", known=MEASURES)


def test_evaluate_missing_measure_is_zero():
    df = pd.DataFrame({"a": [5, 3]})
    assert evaluate(parse_expression("a - b + 1"), df).tolist() == [6.0, 4.0]


def test_methodology_version_valid_at_period_end(meth):
    from datetime import date

    meth = meth.assign(valid_from="2022-06-23")
    newer = meth.assign(version="766-2025", valid_from="2025-03-01", max_points=meth["max_points"])
    both = pd.concat([meth, newer], ignore_index=True)
    assert version_at(both, date(2025, 2, 28)) == "766-2024"
    assert version_at(both, date(2025, 3, 1)) == "766-2025"
    assert version_at(both, date(2020, 1, 1)) == "766-2024"  # before all: the earliest
    rows = select_version(both, date(2025, 6, 1))
    assert set(rows["version"]) == {"766-2025"} and len(rows) == 20
    assert rows["component"].tolist()[:2] == ["1.1", "1.2"]


def test_add_rank_change():
    summary = pd.DataFrame({"unit_code": ["A", "B", "C", "D"],
                            "rank": pd.array([1, 2, 3, pd.NA], dtype="Int64")})
    prev = pd.DataFrame({"unit_code": ["A", "B", "D", "E"],
                         "rank": pd.array([3, 2, 1, 4], dtype="Int64")})
    out = compute.add_rank_change(summary, prev)
    assert out["rank_prev"].dtype == "Int64" and out["rank_change"].dtype == "Int64"
    assert out["rank_prev"].isna().tolist() == [False, False, True, False]
    assert out["rank_prev"].iloc[0] == 3 and out["rank_prev"].iloc[1] == 2
    assert out["rank_change"].iloc[0] == 2 and out["rank_change"].iloc[1] == 0  # A up 2, B same
    assert out["rank_change"].iloc[2:].isna().all()  # C new; D ranked then, không phát sinh now
    assert out["rank_prev"].iloc[3] == 1
    none = compute.add_rank_change(summary, pd.DataFrame(columns=["unit_code", "rank"]))
    assert none[["rank_prev", "rank_change"]].isna().all().all()
    # ranks read back from the snapshot may come as floats or None
    floats = compute.add_rank_change(summary, pd.DataFrame({"unit_code": ["A"], "rank": [2.0]}))
    assert floats["rank_change"].iloc[0] == 1
