"""The lagging rule (scorecard.lagging): each criterion on hand-made units, thresholds read from
lagging_rule rows, the top-ranked exception, không phát sinh never flagged (pure pandas); the
rule as reference data (init, upgrade of an older database, the rows in force, the shipped
defaults when the table is missing), both backends."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, insert, inspect

from data_access import queries as q
from data_access import schema as s
from data_access.db import upgrade_schema
from data_access.defaults import lagging_rules_frame
from scorecard import lagging
from scorecard.inputs import lagging_rules_at
from texts import t

BANDS = pd.DataFrame({
    "grade": ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"],
    "min_score": [90.0, 80.0, 70.0, 50.0, 0.0],
})


def rows(*params: tuple[str, str, object], level: str = "*", day: date = date(2020, 1, 1)) -> pd.DataFrame:
    """lagging_rule rows: (criterion, param, value) for ``level`` from ``day``."""
    return pd.DataFrame([
        {"valid_from": day, "level": level, "criterion": c, "param": p, "value": str(v)}
        for c, p, v in params
    ])


def unit(code: str, total: float | None, rank: int | None, delta: float | None = 0.0,
         change: int | None = 0, grade: str = "Khá") -> dict:
    return {"unit_code": code, "unit_name": f"Đơn vị {code}", "level": "district", "total": total,
            "grade": grade if total is not None else None, "rank": rank,
            "delta_week": delta, "rank_change": change}


def summary(*units: dict) -> pd.DataFrame:
    df = pd.DataFrame(list(units))
    df["total"] = df["total"].astype(float)
    df["delta_week"] = df["delta_week"].astype(float)
    df["rank"] = pd.array(df["rank"], dtype="Int64")
    df["rank_change"] = pd.array(df["rank_change"], dtype="Int64")
    return df


def backlog(**now_before: tuple[int, int]) -> pd.DataFrame:
    return pd.DataFrame([{"unit_code": c, "backlog_0": a, "backlog_1": b}
                         for c, (a, b) in now_before.items()])


NO_BACKLOG = pd.DataFrame(columns=["unit_code", "backlog_0", "backlog_1"])
NO_COMPONENTS = pd.DataFrame()


def find(sm: pd.DataFrame, rule_rows: pd.DataFrame, bl: pd.DataFrame = NO_BACKLOG,
         weeks: int | None = 20) -> pd.DataFrame:
    return lagging.find_lagging(sm, NO_COMPONENTS, bl, BANDS, lagging.rules_for(rule_rows, "district"),
                                "cấp huyện", weeks=weeks)


def flagged(df: pd.DataFrame) -> dict[str, list[str]]:
    return {str(r.unit_code): list(r.criteria) for r in df.itertuples(index=False)}


# five ranked units and one with nothing to score
FIVE = summary(unit("A", 85.0, 1), unit("B", 75.0, 2), unit("C", 65.0, 3, grade="Trung bình"),
               unit("D", 55.0, 4, grade="Trung bình"), unit("E", 45.0, 5, grade="Yếu"),
               unit("Z", None, None, delta=None, change=None))


def test_below_grade_reads_the_band_named_in_the_rows():
    out = find(FIVE, rows(("below_grade", "grade", "Trung bình")))
    assert flagged(out) == {"E": ["below_grade"]}
    assert out.iloc[0]["reasons"] == [t("lag.below_grade", total="45,00", grade="Yếu",
                                        threshold="Trung bình", floor="50")]
    # another band, another threshold: data, not code
    assert set(flagged(find(FIVE, rows(("below_grade", "grade", "Khá"))))) == {"C", "D", "E"}
    # a band the grade bands do not have: the test is off, nothing raised
    assert find(FIVE, rows(("below_grade", "grade", "Không có"))).empty


def test_bottom_n_counts_ranked_units_only():
    out = find(FIVE, rows(("bottom", "n", 2)))
    assert flagged(out) == {"D": ["bottom"], "E": ["bottom"]}  # Z (không phát sinh) pushes nothing
    assert t("lag.bottom", rank=5, count=5, n=2, plural="cấp huyện") in out.set_index("unit_code").at["E", "reasons"]
    # a level with no more units than N: nobody is "the bottom N"
    assert find(FIVE, rows(("bottom", "n", 5))).empty


def test_falling_by_points_or_by_ranks():
    sm = summary(unit("A", 85.0, 1), unit("B", 75.0, 2, delta=-1.2), unit("C", 74.0, 4, change=-3),
                 unit("D", 73.0, 3, delta=-0.99, change=-2), unit("E", 72.0, 5, delta=-1.0, change=-4))
    out = find(sm, rows(("falling", "points", 1), ("falling", "ranks", 3)))
    assert flagged(out) == {"B": ["falling"], "C": ["falling"], "E": ["falling"]}
    reasons = out.set_index("unit_code")["reasons"]
    assert reasons["B"] == [t("lag.falling_points", drop="1,20", before="76,20", now="75,00")]
    # rank_change = rank_prev - rank: C is 4th now and lost 3 places, so it was 1st
    assert reasons["C"] == [t("lag.falling_ranks", n=3, before=1, now=4)]
    assert len(reasons["E"]) == 2  # both: points and places
    # points only
    assert set(flagged(find(sm, rows(("falling", "points", 1))))) == {"B", "E"}


def test_falling_waits_for_enough_weeks_and_needs_last_weeks_score():
    sm = summary(unit("A", 85.0, 1, delta=-5.0), unit("B", 75.0, 2, delta=None, change=None))
    rule = rows(("falling", "points", 1), ("falling", "min_weeks", 4))
    assert find(sm, rule, weeks=3).empty  # early in the year: a week moves the ytd score a lot
    assert set(flagged(find(sm, rule, weeks=4))) == {"A"}
    # B had no score last week (a unit that began this week): it did not "fall"
    assert "B" not in flagged(find(sm, rule, weeks=30))


def test_backlog_needs_both_the_percent_and_the_dossiers():
    sm = summary(unit("A", 85.0, 1), unit("B", 75.0, 2), unit("C", 70.0, 3), unit("D", 69.0, 4),
                 unit("E", 68.0, 5))
    bl = backlog(B=(13, 10), C=(40, 20), D=(120, 100), E=(10, 0))
    rule = rows(("backlog", "percent", 30), ("backlog", "dossiers", 10))
    out = find(sm, rule, bl)
    # B: +3 (30%) but < 10 dossiers; C: +20 (100%) yes; D: +20 but 20% < 30%; E: from none, +10
    assert flagged(out) == {"C": ["backlog"], "E": ["backlog"]}
    reasons = out.set_index("unit_code")["reasons"]
    assert reasons["C"] == [t("lag.backlog", before="20", now="40", up="20",
                              pct=t("lag.backlog_pct", pct="100%"))]
    assert reasons["E"] == [t("lag.backlog", before="0", now="10", up="10", pct=t("lag.backlog_new"))]
    # thresholds are the rows': 20% and 5 dossiers flag D too (and not B, +3)
    loose = rows(("backlog", "percent", 20), ("backlog", "dossiers", 5))
    assert set(flagged(find(sm, loose, bl))) == {"C", "D", "E"}


def test_top_ranked_unit_is_never_flagged_for_a_backlog_change_alone():
    sm = summary(unit("A", 85.0, 1), unit("B", 75.0, 2), unit("C", 40.0, 3, grade="Yếu"))
    bl = backlog(A=(30, 10), B=(30, 10), C=(30, 10))
    rule = rows(("backlog", "percent", 30), ("backlog", "dossiers", 10),
                ("backlog", "exempt_top_ranks", 1), ("below_grade", "grade", "Trung bình"))
    out = flagged(find(sm, rule, bl))
    assert "A" not in out  # first in its level: a rising backlog alone does not make it lagging
    assert out["B"] == ["backlog"] and out["C"] == ["below_grade", "backlog"]
    # a tie for first: both are the top-ranked units
    tie = summary(unit("A", 85.0, 1), unit("B", 85.0, 1), unit("C", 40.0, 3))
    assert set(flagged(find(tie, rule, bl))) == {"C"}
    # the exemption is data too: 2 spares the second as well, 0 spares no one
    two = pd.concat([rule[rule["param"] != "exempt_top_ranks"],
                     rows(("backlog", "exempt_top_ranks", 2))])
    assert set(flagged(find(sm, two, bl))) == {"C"}
    none = pd.concat([rule[rule["param"] != "exempt_top_ranks"], rows(("backlog", "exempt_top_ranks", 0))])
    assert set(flagged(find(sm, none, bl))) == {"A", "B", "C"}
    # the top unit that also meets another criterion is still listed, with both reasons
    low_top = summary(unit("A", 45.0, 1, grade="Yếu"), unit("B", 40.0, 2, grade="Yếu"))
    assert flagged(find(low_top, rule, backlog(A=(30, 10))))["A"] == ["below_grade", "backlog"]


def test_khong_phat_sinh_units_are_never_flagged():
    z = summary(unit("A", 85.0, 1), unit("B", 80.0, 2), unit("Z", None, None, delta=None, change=None))
    every = rows(("below_grade", "grade", "Xuất sắc"), ("bottom", "n", 1), ("falling", "points", 0),
                 ("backlog", "dossiers", 1))
    out = find(z, every, backlog(Z=(50, 0)))
    assert "Z" not in flagged(out)
    assert set(flagged(out)) == {"A", "B"}


def test_urgency_orders_by_the_weights_in_the_rows():
    rule = rows(("below_grade", "grade", "Trung bình"), ("below_grade", "weight", 3),
                ("bottom", "n", 2), ("bottom", "weight", 2),
                ("backlog", "dossiers", 1), ("backlog", "weight", 10))
    out = find(FIVE, rule, backlog(B=(5, 1)))
    assert list(out["unit_code"]) == ["B", "E", "D"]  # B's backlog weighs 10 here
    assert out["urgency"].tolist() == [10, 5, 2]


def test_rules_for_a_level_and_bad_values():
    base = rows(("bottom", "n", 3), ("falling", "ranks", 3))
    communes = rows(("falling", "ranks", 20), level="commune")
    later = rows(("bottom", "n", 4), day=date(2025, 1, 1))
    r = lagging.rules_for(pd.concat([base, communes, later]), "commune")
    assert (r.bottom_n, r.fall_ranks) == (4, 20)  # the level's own row; the latest date
    assert lagging.rules_for(pd.concat([base, communes]), "district").fall_ranks == 3
    # nothing given: every criterion off, nobody flagged
    off = lagging.rules_for(pd.DataFrame(columns=["level", "criterion", "param", "value"]), "district")
    assert (off.grade, off.bottom_n, off.fall_points, off.fall_ranks, off.backlog_on) == (
        None, None, None, None, False)
    assert find(FIVE, pd.DataFrame(columns=["level", "criterion", "param", "value"])).empty
    # a value edited by hand into nonsense turns that parameter off; the page still shows
    bad = rows(("bottom", "n", "ba"), ("falling", "nonsense", 1), ("nonsense", "n", 1))
    assert lagging.rules_for(bad, "district").bottom_n is None


def test_worst_components_say_what_it_takes():
    comps = pd.DataFrame([
        {"unit_code": "E", "group_code": "3", "component": "3.3", "name": "Hồ sơ nộp trực tuyến",
         "numerator": 0, "denominator": 400, "ratio": 0.0, "points": 0.0, "max_points": 6.0,
         "points_lost": 6.0, "empty": False, "group_max": 12.0, "saturation": 0.5},
        {"unit_code": "E", "group_code": "2", "component": "2.1", "name": "Đúng hạn",
         "numerator": 380, "denominator": 400, "ratio": 0.95, "points": 19.0, "max_points": 20.0,
         "points_lost": 1.0, "empty": False, "group_max": 20.0, "saturation": 1.0},
    ])
    rule = lagging.rules_for(rows(("below_grade", "grade", "Trung bình")), "district")
    out = lagging.find_lagging(FIVE, comps, NO_BACKLOG, BANDS, rule, "cấp huyện",
                               basis={"3.3": "dossiers", "2.1": "dossiers"})
    worst = out.iloc[0]["worst"]
    assert [w["component"] for w in worst] == ["3.3", "2.1"]  # biggest loss in the total first
    # 3.3 is the only component of group 3 here (max 6 of the group's 12): it costs 6 x 12/6
    assert worst[0]["lost"] == pytest.approx(6.0 * 12 / 6)
    assert (worst[0]["ratio"], worst[0]["need"], worst[0]["more"], worst[0]["noun"]) == (0.0, 0.5, 200, "hồ sơ")
    assert worst[1]["more"] == 20 and worst[1]["need"] == 1.0


# --- the rule as reference data --------------------------------------------------------------


def test_shipped_defaults_are_valid():
    df = lagging_rules_frame()
    r = lagging.rules_for(df, "department")
    assert r.grade == "Trung bình" and r.bottom_n == 3 and r.exempt_top_ranks == 1
    assert lagging.rules_for(df, "commune").fall_ranks == 20


def test_init_loads_the_rule_and_the_rows_in_force(engine: Engine):
    shipped = lagging_rules_frame()
    got = q.lagging_rules(engine, date(2024, 12, 29))
    assert got is not None and len(got) == len(shipped)
    # a new threshold from a date: in force from then on, the old one before
    with engine.begin() as c:
        c.execute(insert(s.lagging_rule).values(valid_from=date(2025, 1, 1), level="*",
                                                criterion="bottom", param="n", value="4"))
    assert lagging.rules_for(q.lagging_rules(engine, date(2024, 12, 29)), "district").bottom_n == 3
    assert lagging.rules_for(q.lagging_rules(engine, date(2025, 1, 5)), "district").bottom_n == 4
    # in a read scope (a page run) the table is read once and filtered: the very same rows
    with engine.begin() as c:
        c.execute(insert(s.lagging_rule).values(valid_from=date(2025, 6, 1), level="district",
                                                criterion="bottom", param="n", value="2"))
    days = [date(2019, 1, 1), date(2024, 12, 29), date(2025, 1, 1), date(2025, 5, 31),
            date(2025, 6, 1), date(2026, 1, 1)]
    from data_access.queries.reference import lagging_rules_stmt

    def in_sql(d: date) -> pd.DataFrame:  # the statement's rows, the latest of each kept
        df = pd.read_sql(lagging_rules_stmt(d), engine)
        return df.groupby(["level", "criterion", "param"], as_index=False).tail(1)

    token = q.start_read_scope()
    try:
        scoped = [q.lagging_rules(engine, d) for d in days]
    finally:
        q.end_read_scope(token)
    for d, got in zip(days, scoped, strict=True):
        want = in_sql(d)
        assert [tuple(map(str, r)) for r in got.itertuples(index=False)] == \
            [tuple(map(str, r)) for r in want.itertuples(index=False)], d
    assert lagging.rules_for(scoped[-1], "district").bottom_n == 2
    assert lagging.rules_for(scoped[-1], "commune").bottom_n == 4


def test_an_older_database_gains_the_rule(engine: Engine):
    with engine.begin() as c:
        s.lagging_rule.drop(c)
    assert q.lagging_rules(engine, date(2024, 12, 29)) is None
    # read-only and not upgraded yet: the shipped thresholds
    assert lagging.rules_for(lagging_rules_at(engine, date(2024, 12, 29)), "district").bottom_n == 3
    with engine.begin() as c:
        upgrade_schema(c)
    assert inspect(engine).has_table("lagging_rule")
    got = q.lagging_rules(engine, date(2024, 12, 29))
    assert got is not None and len(got) == len(lagging_rules_frame())


def test_bad_csv_rows_are_refused(monkeypatch: pytest.MonkeyPatch):
    from data_access import defaults

    good = defaults.read_csv("lagging_rules.csv")
    for criterion, param, value in (("bottom", "n", "-1"), ("bottom", "n", "2.5"),
                                    ("nonsense", "n", "1"), ("bottom", "x", "1"),
                                    ("below_grade", "grade", " ")):
        bad = pd.concat([good, pd.DataFrame([{"valid_from": "2021-01-01", "level": "*",
                                              "criterion": criterion, "param": param,
                                              "value": value, "note": ""}])])
        monkeypatch.setattr(defaults, "read_csv", lambda name, bad=bad: bad)
        with pytest.raises(ValueError, match="lagging_rules.csv"):
            defaults.lagging_rules_frame()


def test_the_rule_in_words():
    words = lagging.describe(lagging.rules_for(lagging_rules_frame(), "department"))
    assert words == [
        t("lag.rule.below_grade", grade="Trung bình"),
        t("lag.rule.bottom", n=3),
        t("lag.rule.falling", what=t("lag.rule.fall_points", points="1") + t("lag.rule.or")
          + t("lag.rule.fall_ranks", ranks=3)) + " " + t("lag.rule.min_weeks", weeks=4),
        t("lag.rule.backlog", what=t("lag.rule.backlog_pct", pct="30") + t("lag.rule.and")
          + t("lag.rule.backlog_n", n=10)) + " " + t("lag.rule.exempt_first"),
    ]
    assert lagging.describe(lagging.rules_for(rows(("falling", "points", 1.5)), "district")) == [
        t("lag.rule.falling", what=t("lag.rule.fall_points", points="1,50"))]
    assert lagging.describe(lagging.Rules()) == []


def test_attach_overdue_sums_sorts_and_names():
    """Per unit: rows of one procedure summed, the first name given kept, most overdue first,
    ties by code, a missing field last and named "unknown"; three at most."""
    found = pd.DataFrame({"unit_code": ["A", "B"], "overdue_procedures": [[], []],
                          "overdue_fields": [[], []]})
    rows = pd.DataFrame([
        # unit, procedure, its name, field, its name, overdue
        ("A", "P2", None, "F1", "Đất đai", 2),
        ("A", "P2", "Thủ tục hai", "F1", "Đất đai", 3),
        ("A", "P1", "Thủ tục một", None, None, 5),
        ("A", "P3", "Thủ tục ba", "F2", "Xây dựng", 5),
        ("A", "P4", "Thủ tục bốn", "F2", "Xây dựng", 1),
        ("B", "P9", "", "F1", "Đất đai", 1),
    ], columns=["unit_code", "procedure_code", "procedure_name", "field_code", "field_name",
                "overdue"])
    out = lagging.attach_overdue(found, rows).set_index("unit_code")
    assert out.at["A", "overdue_procedures"] == [
        t("lag.overdue_procedure", name="Thủ tục một", n="5"),
        t("lag.overdue_procedure", name="Thủ tục hai", n="5"),  # 2 + 3, its name from the second
        t("lag.overdue_procedure", name="Thủ tục ba", n="5"),
    ]
    assert out.at["A", "overdue_fields"] == [
        t("lag.overdue_field", name="Xây dựng", n="6"),
        t("lag.overdue_field", name="Đất đai", n="5"),
        t("lag.overdue_field", name=t("lag.unknown"), n="5"),
    ]
    assert out.at["B", "overdue_procedures"] == [t("lag.overdue_procedure", name="P9", n="1")]
