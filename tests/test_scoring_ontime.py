"""The on-time rule end to end, on both backends: derive at load, refresh, query, report.

Week 2024-W10 is Monday 4 to Sunday 10 March 2024; T = 10 March.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers.oracle import raw_unit_measures
from helpers.scoring import dossier, load, proc
from sqlalchemy import select

from data_access import queries as q
from data_access import schema as s
from scorecard import service
from scorecard.bieu06a import check_identities

M = lambda d: date(2024, 3, d)  # noqa: E731

DOSSIERS = [
    dossier("A_early", "502", M(4), due=M(8), finished=M(6)),
    dossier("B_on_time", "502", M(4), due=M(7), finished=M(7)),
    dossier("C_overdue", "502", M(4), due=M(5), finished=M(8)),
    dossier("D_open_within", "502", M(5), due=M(15), status=4),
    dossier("E_open_past", "502", M(4), due=M(6), status=4),
    # 5 days waiting for the applicant's supplement move the deadline to 11 March
    dossier("F_paused_early", "502", M(4), due=M(6), finished=M(9), paused=5),
    dossier("F2_paused_open_past", "502", M(4), due=M(5), status=5, paused=3),
    # no due date: 3 legal working days from Friday 8 March -> Wednesday 13 March
    dossier("G_legal_days", "502", M(8), proc="P3", finished=M(13)),
    dossier("H_withdrawn_late", "502", M(4), due=M(5), finished=M(7), status=7),
    dossier("H2_withdrawn_on_time", "502", M(4), due=M(5), finished=M(5), status=7),
    dossier("I_refused", "502", M(4), due=M(5), status=3),
    dossier("J_not_received", "502", M(4), due=M(5), status=1),
    # ended after the week: judged as things stood on 10 March
    dossier("K_later_in_time", "502", M(6), due=M(12), finished=M(12)),
    dossier("L_later_late", "502", M(4), due=M(6), finished=M(14)),
    dossier("M_later_late_after_T", "502", M(7), due=M(11), finished=M(15)),
    # holidays: 3 working days from Friday 26 April 2024 skip 29, 30 April and 1 May -> 6 May
    dossier("N_holidays_on_time", "503", date(2024, 4, 26), proc="P3", finished=date(2024, 5, 6)),
    dossier("N2_holidays_late", "503", date(2024, 4, 26), proc="P3", finished=date(2024, 5, 7)),
]
PROCS = [proc("P1"), proc("P3", legal_days=3)]


@pytest.fixture
def ontime(engine):
    load(engine, PROCS, DOSSIERS)
    return engine


def _derived(engine) -> dict:
    d = s.dossier
    with engine.connect() as c:
        rows = c.execute(select(d.c.code, d.c.counted, d.c.deadline_date, d.c.overdue_date)).all()
    return {r.code: r for r in rows}


def test_derived_deadlines(ontime):
    d = _derived(ontime)
    assert d["F_paused_early"].deadline_date == M(11)
    assert d["F_paused_early"].overdue_date is None
    assert d["F2_paused_open_past"].overdue_date == M(9)
    assert d["G_legal_days"].deadline_date == M(13)
    assert d["G_legal_days"].overdue_date is None
    assert d["N_holidays_on_time"].deadline_date == date(2024, 5, 6)
    assert d["N_holidays_on_time"].overdue_date is None
    assert d["N2_holidays_late"].overdue_date == date(2024, 5, 7)
    assert d["I_refused"].counted == 0 and d["I_refused"].overdue_date is None
    assert d["J_not_received"].counted == 0
    assert d["K_later_in_time"].overdue_date is None
    assert d["M_later_late_after_T"].overdue_date == M(12)


@pytest.mark.slow
@pytest.mark.parametrize("source", ["aggregates", "raw"])
def test_overdue_as_of_period_end(ontime, source):
    def measures(start, end):
        f = q.unit_measures if source == "aggregates" else raw_unit_measures
        return f(ontime, start, end).set_index("unit_code").loc["502"]

    week = measures(M(4), M(10))
    assert week["dossiers"] == 13  # refused at intake and not yet received are not counted
    # C overdue, E open past, F2 paused past, H withdrawn late, L ended late after T
    assert week["overdue"] == 5
    # as of 17 March, D (due 15) and M (due 11, ended 15) have become overdue too
    assert measures(M(1), M(17))["overdue"] == 7


def test_component_2_1(ontime):
    res = service.scorecard(ontime, "district", "2024-W10")
    c = res.components.set_index(["unit_code", "component"]).loc[("502", "2.1")]
    assert (c["numerator"], c["denominator"]) == (8, 13)
    assert c["points"] == pytest.approx(20 * 8 / 13)


def test_bieu06a_classification(ontime):
    df = service.bieu06a(ontime, M(4), M(10), "502")
    assert check_identities(df).empty
    r = df.iloc[0]
    assert r["received_total"] == 13 and r["carried_over"] == 0
    assert (r["resolved_early"], r["resolved_on_time"], r["resolved_overdue"]) == (2, 2, 2)
    assert (r["pending_within"], r["pending_overdue"]) == (4, 3)
    # the next week: 7 pending carried over; K, L (day 14) and G (13) end within it
    nxt = service.bieu06a(ontime, M(11), M(17), "502").iloc[0]
    assert nxt["carried_over"] == 7 and nxt["received_total"] == 7
    assert (nxt["resolved_early"], nxt["resolved_on_time"], nxt["resolved_overdue"]) == (0, 2, 2)
    assert (nxt["pending_within"], nxt["pending_overdue"]) == (0, 3)
    assert check_identities(service.bieu06a(ontime, M(11), M(17))).empty


def test_overdue_dossiers_and_pareto(ontime):
    od = service.overdue_dossiers(ontime, "502", "2024-W10")
    assert set(od["code"]) == {"C_overdue", "E_open_past", "F2_paused_open_past",
                               "H_withdrawn_late", "L_later_late"}
    days = od.set_index("code")["days_overdue"]
    assert days["E_open_past"] == 4  # open at T = 10 March, deadline 6 March
    assert days["C_overdue"] == 3  # ended 8 March, deadline 5 March
    assert days["L_later_late"] == 4  # ended after T: counted to T
    assert od["days_overdue"].is_monotonic_decreasing
    p = service.overdue_pareto(ontime, "502", "2024-W10", by="field")
    assert p["overdue"].tolist() == [5] and p["cumulative_share"].iloc[-1] == pytest.approx(1)
