"""What it takes to win a component's points back (scorecard.advice), from the methodology's
saturation and maximum: pure, hand-computed cases."""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.defaults import read_csv
from scorecard import advice
from texts import t


def test_unsaturated_component_at_zero_points_needs_the_saturation():
    # 3.3 Hồ sơ nộp trực tuyến: max 6, saturation 0.5; 0 of 400 online
    w = advice.win_back(0, 400, 0.0, 0.0, 6.0, 0.5)
    assert (w.state, w.need, w.now, w.more, w.denominator) == (advice.MORE, 0.5, 0.0, 200, 400)
    assert advice.sentence(w, "hồ sơ") == t(
        "advice.need_more", need="50,0%", now="0,0%", more="200", den="400", noun="hồ sơ")
    assert "50,0%" in advice.sentence(w) and "100,0%" not in advice.sentence(w)


def test_partial_points():
    # 120 of 400 online (30%): 6 x 0.3 / 0.5 = 3.6 points; 50% of 400 = 200: 80 more
    w = advice.win_back(120, 400, 0.3, 3.6, 6.0, 0.5)
    assert (w.state, w.more) == (advice.MORE, 80)
    # saturation 1 (2.1 on time): 19 of 23 on time, 4 more; 0.8 (3.1): ceil(0.8 x 7) = 6 - 5 = 1
    assert advice.win_back(19, 23, 19 / 23, 20 * 19 / 23, 20.0, 1.0).more == 4
    assert advice.win_back(5, 7, 5 / 7, 2 * (5 / 7) / 0.8, 2.0, 0.8).more == 1
    # exactly at a whole number: 0.5 x 400 = 200, not 201
    assert advice.win_back(199, 400, 199 / 400, 6 * 199 / 200, 6.0, 0.5).more == 1


def test_saturated_component_is_full_marks():
    w = advice.win_back(260, 400, 0.65, 6.0, 6.0, 0.5)  # above the saturation: all 6 points
    assert w.state == advice.FULL and advice.sentence(w) == t("advice.full")
    assert advice.short(w) == "–"
    assert advice.win_back(400, 400, 1.0, 20.0, 20.0, 1.0).state == advice.FULL


def test_empty_denominator_says_so_without_numbers():
    # 4.3 with no fee-bearing dossier: không phát sinh (its empty ratio 0 costs the points, as
    # the methodology says), and the sentence gives no ratio and no count
    w = advice.win_back(0, 0, 0.0, 0.0, 6.0, 1.0, empty=True)
    assert w.state == advice.NO_ACTIVITY and w.more is None and w.now is None
    text = advice.sentence(w, advice.noun("fee_dossiers"))
    assert text == t("advice.no_activity", noun="hồ sơ có phí")
    assert not any(ch.isdigit() for ch in text)
    # 5.1 with no feedback: empty ratio 1, full points, still "không phát sinh"
    assert advice.win_back(0, 0, 1.0, 6.0, 6.0, 1.0, empty=True).state == advice.NO_ACTIVITY


def test_no_saturation_means_one():
    assert advice.win_back(1, 4, 0.25, 1.5, 6.0, None).need == 1.0
    assert advice.win_back(1, 4, 0.25, 1.5, 6.0, float("nan")).more == 3


def test_nouns_follow_the_denominator():
    assert advice.noun("dossiers") == "hồ sơ"
    assert advice.noun("feedback") == t("advice.noun.feedback")
    assert advice.noun("procs_fee") == "thủ tục có phí"
    assert advice.noun(None) == advice.noun("not_a_measure") == t("advice.noun.default")
    assert advice.noun("1 +") == t("advice.noun.default")  # not an expression


def test_every_shipped_numerator_counts_good_outcomes():
    """The sentences say "more cases meeting the component": true only while no numerator is a
    count of bad outcomes (e.g. "overdue" alone). Each shipped numerator adds a good count and
    subtracts only bad ones."""
    meth = read_csv("methodology.csv")
    bad = {"overdue", "complaint", "feedback_overdue", "feedback_dissatisfied", "feedback_reraised"}
    for expr in meth["numerator"]:
        first = expr.split("-")[0].strip()
        assert first not in bad, expr
        for term in expr.split("-")[1:]:
            assert term.strip() in bad, expr
    # and every shipped denominator has a noun
    for expr in meth["denominator"]:
        assert advice.noun(expr) != t("advice.noun.default"), expr


def test_advice_frame_adds_the_numbers_and_the_scale():
    comps = pd.DataFrame([
        # district: group 1 has only 1.4 (max 6) of its 18 points: each point lost costs 3
        {"unit_code": "A", "group_code": "1", "component": "1.4", "name": "Đồng bộ", "numerator": 50,
         "denominator": 100, "ratio": 0.5, "points": 3.0, "max_points": 6.0, "points_lost": 3.0,
         "empty": False, "group_max": 18.0, "saturation": 1.0},
        {"unit_code": "A", "group_code": "3", "component": "3.3", "name": "Trực tuyến", "numerator": 0,
         "denominator": 400, "ratio": 0.0, "points": 0.0, "max_points": 6.0, "points_lost": 6.0,
         "empty": False, "group_max": 12.0, "saturation": 0.5},
        {"unit_code": "A", "group_code": "3", "component": "3.1", "name": "Cung cấp", "numerator": 9,
         "denominator": 10, "ratio": 0.9, "points": 2.0, "max_points": 2.0, "points_lost": 0.0,
         "empty": False, "group_max": 12.0, "saturation": 0.8},
    ])
    out = advice.advice_frame(comps, {"1.4": "dossiers", "3.3": "dossiers", "3.1": "procs"})
    assert out["lost_in_total"].tolist() == pytest.approx([9.0, 6.0 * 12 / 8, 0.0])
    assert out["need_ratio"].tolist() == [1.0, 0.5, 0.8]
    assert out["more"].iloc[0] == 50 and out["more"].iloc[1] == 200 and pd.isna(out["more"].iloc[2])
    assert out["advice_state"].tolist() == [advice.MORE, advice.MORE, advice.FULL]
    assert "200 hồ sơ" in out["advice"].iloc[1]
    assert list(advice.advice_frame(comps.iloc[0:0]).columns)[-5:] == advice.ADVICE_COLUMNS
