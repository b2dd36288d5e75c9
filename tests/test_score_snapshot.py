"""The weekly score snapshot (score_week, built after each refresh by ``scorecard.pipeline``): equal to the on-demand scoring
for every unit and week, used while current, ignored when missing or stale, kept up to date by
imports. Both backends."""

from __future__ import annotations

import contextvars
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from helpers.import_files import CATALOGUE, CATALOGUE_HEADERS, DOSSIER_HEADERS, write_csv
from helpers.import_files import dossier as csv_dossier
from helpers.scoring import dossier, load
from helpers.service_data import ANNOUNCEMENTS, DOSSIERS, FEEDBACK, PROCS
from sqlalchemy import Engine, delete, func, insert, select, update

from data_access import queries as q
from data_access import schema as s
from scorecard import service
from scorecard.periods import iso_week_label, parse_period, week_period, week_start, weeks_between
from scorecard.pipeline import import_files, refresh
from scorecard.snapshot_check import SNAPSHOT_KINDS

LEVELS = ("province", "department", "district", "commune")


@pytest.fixture
def on_demand(monkeypatch: pytest.MonkeyPatch):
    """Call ``fn()`` with the snapshot ignored: what the service computed before it existed."""

    def run(fn):  # noqa: ANN001, ANN202
        with monkeypatch.context() as m:
            m.setattr(service, "_current_snapshot", lambda *a, **k: None)
            return fn()

    return run


def _snapshot_weeks(engine: Engine) -> list[str]:
    state = q.snapshot_state(engine)
    assert state is not None
    return weeks_between(state["first_week"], state["last_week"])


def _assert_same_scorecard(engine: Engine, on_demand, level: str, p, parent=None) -> None:  # noqa: ANN001
    snap = service.scorecard(engine, level, p, parent=parent)
    fresh = on_demand(lambda: service.scorecard(engine, level, p, parent=parent))
    pd.testing.assert_frame_equal(snap.summary, fresh.summary, check_exact=True, obj=f"{level} {p}")
    assert snap.methodology_version == fresh.methodology_version
    assert snap.not_applicable == fresh.not_applicable
    pd.testing.assert_frame_equal(snap.components, fresh.components, check_exact=True,
                                  obj=f"{level} {p} components")


# --- the demo database: every unit and week --------------------------------------------------


def test_demo_snapshot_is_current(demo_engine: Engine):
    assert q.has_snapshot_tables(demo_engine)
    weeks = _snapshot_weeks(demo_engine)
    assert weeks[0] == service.available_weeks(demo_engine)[0]
    assert weeks[-1] == service.latest_week(demo_engine)
    with demo_engine.connect() as c:
        assert service._current_snapshot(c, weeks) is not None
        n = c.execute(select(func.count()).select_from(s.score_week)).scalar_one()
    # the full grid: every unit, week and kind, but for the provinces, which follow one
    # another (Quảng Nam's weeks, then Đà Nẵng's): each holds the weeks it overlaps
    units = q.active_units(demo_engine)
    prov = units[units["level"] == "province"]
    own = sum(
        sum(1 for w in weeks if (pd.isna(f) or f <= week_period(w).end) and (pd.isna(t) or t >= week_period(w).start))
        for f, t in zip(prov["valid_from"], prov["valid_to"], strict=True)
    )
    assert n == 2 * ((len(units) - len(prov)) * len(weeks) + own)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ytd", "week"])
def test_demo_series_snapshot_equals_on_demand(demo_engine: Engine, on_demand, kind: str):
    """Totals and groups of every unit and every week of the snapshot, both kinds."""
    weeks = _snapshot_weeks(demo_engine)
    for level in LEVELS:
        snap = service.series(demo_engine, level, weeks[-1], weeks=len(weeks), kind=kind)
        fresh = on_demand(
            lambda level=level: service.series(demo_engine, level, weeks[-1], weeks=len(weeks), kind=kind)
        )
        # every week, but for a level that ended (no district after 30/06/2025)
        span = service.level_span(demo_engine, level)
        end = span[1] if span is not None and span[1] is not None else None
        want = {w for w in weeks if end is None or week_period(w).start <= end}
        assert len(snap) > 0 and set(snap["week"]) == want
        pd.testing.assert_frame_equal(snap, fresh, check_exact=True, obj=f"series {level} {kind}")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ytd", "week"])
def test_demo_scorecard_snapshot_equals_on_demand(demo_engine: Engine, on_demand, kind: str):
    """Whole ScoreResults (rank, grade, delta, dossiers, components) of every level at the first
    week, around New Year and at the last week (the series test above covers every week's
    totals and groups; scoring a whole year on demand here would take minutes)."""
    weeks = _snapshot_weeks(demo_engine)
    new_year = [w for w in weeks if w.endswith("-W01")][-1:]
    before = [weeks[weeks.index(w) - 1] for w in new_year if weeks.index(w) > 0]
    for level in LEVELS:
        for week in dict.fromkeys([weeks[0], *before, *new_year, weeks[-1]]):
            _assert_same_scorecard(demo_engine, on_demand, level, parse_period(week, ytd=kind == "ytd"))


@pytest.mark.slow
def test_demo_drill_down_and_lagging_equal_on_demand(demo_engine: Engine, on_demand):
    week = service.latest_week(demo_engine)
    for parent in ("502", "519"):
        _assert_same_scorecard(demo_engine, on_demand, "commune", parse_period(week, ytd=True), parent)
    for level in ("district", "commune", "department"):
        for w in (week, iso_week_label(week_start(week) - timedelta(days=70))):
            snap = service.lagging(demo_engine, level, w)
            fresh = on_demand(lambda level=level, w=w: service.lagging(demo_engine, level, w))
            pd.testing.assert_frame_equal(snap, fresh, check_exact=True, obj=f"lagging {level} {w}")


@pytest.mark.slow
def test_demo_component_detail_for_a_held_ranking(demo_engine: Engine, on_demand):
    """What the pages call with their cached ranking equals the scorecard's own detail, from
    the snapshot and computed, for all units and for a few."""
    week = service.latest_week(demo_engine)
    for level, p, parent in (("district", parse_period(week, ytd=True), None),
                             ("department", parse_period(week), None),
                             ("commune", parse_period(week, ytd=True), "502")):
        for get in (lambda f: f(), on_demand):
            res = get(lambda level=level, p=p, parent=parent:
                      service.scorecard(demo_engine, level, p, parent=parent))
            codes = res.summary["unit_code"].tolist()[1:3]
            pd.testing.assert_frame_equal(
                service.component_detail(demo_engine, level, p, res.summary), res.components,
                check_exact=True, obj=f"{level} {p}")
            pd.testing.assert_frame_equal(
                service.component_detail(demo_engine, level, p, res.summary, codes),
                res.components_for(codes), check_exact=True, obj=f"{level} {p} {codes}")
            assert set(res.components_for(codes)["unit_code"]) == set(codes)


@pytest.mark.slow
def test_demo_backlog_snapshot_equals_dossier_scan(demo_engine: Engine):
    weeks = _snapshot_weeks(demo_engine)
    codes = q.active_units(demo_engine, "commune")["code"].tolist()
    for week in weeks[1::9]:
        end = week_start(week) + timedelta(days=6)
        snap = service._snapshot_backlog(demo_engine, "commune", week, codes)
        scan = q.overdue_backlog(demo_engine, [end, end - timedelta(days=7)], codes)
        # the scan has a row for units with any overdue dossier so far, the snapshot for all
        snap = snap.set_index("unit_code").reindex(codes, fill_value=0)
        scan = scan.set_index("unit_code").reindex(codes, fill_value=0)
        assert snap["backlog_0"].sum() > 0
        pd.testing.assert_frame_equal(snap, scan, check_dtype=False, obj=week)


# --- hand-made data: fallback, staleness, imports --------------------------------------------


@pytest.fixture
def data(engine: Engine) -> Engine:
    load(engine, PROCS, DOSSIERS, FEEDBACK, ANNOUNCEMENTS)
    return engine


def _results(engine: Engine, components: bool = False) -> dict[str, pd.DataFrame]:
    """What the pages read. Component detail is scored on demand whatever the snapshot's state
    (test_snapshot_serves_without_computing), so it is compared once, not in every state."""
    out = {}
    for level in LEVELS:
        for week in ("2024-W05", "2025-W01"):
            for ytd in (False, True):
                res = service.scorecard(engine, level, parse_period(week, ytd=ytd))
                out[f"{level} {week} {ytd}"] = res.summary
                if components:
                    out[f"{level} {week} {ytd} c"] = res.components
        out[f"series {level}"] = service.series(engine, level, "2025-W01", weeks=8)
    out["drill"] = service.scorecard(engine, "commune", parse_period("2024-W01", ytd=True), "502").summary
    out["lagging"] = service.lagging(engine, "district", "2024-W05")
    return out


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], check_exact=True, obj=k)


@pytest.mark.slow
def test_snapshot_serves_without_computing(data: Engine, monkeypatch: pytest.MonkeyPatch):
    def boom(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("computed on demand")

    for name in ("unit_measures", "province_measures", "bucket_measure_rows", "overdue_backlog"):
        monkeypatch.setattr(q, name, boom)
    res = service.scorecard(data, "district", parse_period("2024-W05", ytd=True))
    assert len(res.summary) == 18 and res.summary["rank"].min() == 1
    assert len(service.series(data, "province", "2024-W05", weeks=5)) == 5
    with pytest.raises(AssertionError):  # component detail stays on demand
        _ = res.components


@pytest.mark.slow
def test_falls_back_when_snapshot_missing(data: Engine, on_demand):
    _assert_same(_results(data, components=True),
                 on_demand(lambda: _results(data, components=True)))
    with_snapshot = _results(data)
    with data.begin() as c:  # tables present, nothing built
        c.execute(delete(s.score_snapshot))
    assert q.snapshot_state(data) is None
    _assert_same(with_snapshot, _results(data))
    with data.begin() as c:  # a database made before the snapshot existed
        s.score_snapshot.drop(c)
        s.score_week.drop(c)
    assert not q.has_snapshot_tables(data)
    _assert_same(with_snapshot, _results(data))
    with data.begin() as c:  # a refresh upgrades it
        refresh(c)
    assert q.has_snapshot_tables(data)
    with data.connect() as c:
        assert service._current_snapshot(c, ["2024-W01", "2025-W01"]) is not None
    _assert_same(with_snapshot, _results(data))


@pytest.mark.slow
def test_stale_after_reference_change_or_older_refresh(data: Engine, on_demand):
    weeks = ["2024-W01", "2025-W01"]
    with data.begin() as c:  # renamed unit: the snapshot no longer matches the reference data
        c.execute(update(s.unit).where(s.unit.c.code == "502").values(name="Huyện đổi tên"))
    with data.connect() as c:
        assert service._current_snapshot(c, weeks) is None
    res = service.scorecard(data, "district", "2024-W01")
    assert "Huyện đổi tên" in set(res.summary["unit_name"])
    with data.begin() as c:
        refresh(c)
    with data.connect() as c:
        assert service._current_snapshot(c, weeks) is not None
        # a later refresh by code that does not build the snapshot makes it stale too
    with data.begin() as c:
        c.execute(insert(s.load_log).values(at=pd.Timestamp.now().to_pydatetime(), action="refresh"))
    with data.connect() as c:
        assert service._current_snapshot(c, weeks) is None
    _assert_same(_results(data), on_demand(lambda: _results(data)))


@pytest.mark.slow
def test_snapshot_checked_once_per_scope(data: Engine, monkeypatch: pytest.MonkeyPatch):
    """Within a scope (a page run, a lagging list) the reference data is hashed once; a change
    made after the scope is seen by the next one."""
    calls = []
    real = q.snapshot_inputs_hash
    monkeypatch.setattr(q, "snapshot_inputs_hash", lambda conn: calls.append(1) or real(conn))
    service.lagging(data, "district", "2024-W05")  # three snapshot reads
    assert len(calls) == 1
    with service.snapshot_scope():
        service.scorecard(data, "district", "2024-W05")
        service.series(data, "district", "2024-W05", weeks=4)
        service.lagging(data, "district", "2024-W05")  # inside an open scope: no new one
    assert len(calls) == 2
    service.scorecard(data, "district", "2024-W05")
    service.scorecard(data, "district", "2024-W05")
    assert len(calls) == 4  # outside a scope: every read checks
    with data.begin() as c:
        c.execute(update(s.unit).where(s.unit.c.code == "502").values(name="Huyện đổi tên"))
    with service.snapshot_scope(), data.connect() as c:
        assert service._current_snapshot(c, ["2024-W05"]) is None


@pytest.mark.slow
def test_dashboard_runs_share_the_check_within_a_data_version(
    data: Engine, monkeypatch: pytest.MonkeyPatch
):
    """The dashboard's runs (ui.data.share_reads) hash the reference data once per data version
    and SHARED_READS_S seconds: again after the window, and at once after a new load_log row."""
    from ui import data as ui_data

    url = data.url.render_as_string(hide_password=False)
    calls = []
    real = q.snapshot_inputs_hash
    monkeypatch.setattr(q, "snapshot_inputs_hash", lambda conn: calls.append(1) or real(conn))
    clock = [1000.0]
    monkeypatch.setattr(ui_data.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(ui_data, "_SHARED", {})

    def page_run() -> pd.DataFrame:
        def run() -> pd.DataFrame:
            ui_data.start_run()
            ui_data.share_reads(url)
            return service.scorecard(data, "district", "2024-W05").summary

        # in a context of its own, as each page run has: the scope it opens ends with it
        return contextvars.copy_context().run(run)

    first = page_run()
    second = page_run()
    assert len(calls) == 1  # two runs, one check
    pd.testing.assert_frame_equal(first, second)
    clock[0] += ui_data.SHARED_READS_S + 1
    page_run()
    assert len(calls) == 2  # the window passed: checked again
    with data.begin() as c:  # an import: a new data version
        c.execute(insert(s.load_log).values(at=pd.Timestamp.now().to_pydatetime(), action="import"))
    page_run()
    assert len(calls) == 3
    page_run()
    assert len(calls) == 3


@pytest.mark.slow
def test_import_updates_snapshot(engine: Engine, tmp_path: Path, on_demand):
    cat = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADERS, CATALOGUE)
    rows = [
        csv_dossier(f"D{i}", DonViXuLy="20335", NgayTiepNhan=f"2024-01-{8 + i:02d} 08:30",
                    NgayHenTra=f"2024-01-{11 + i:02d}", NgayKetThucXuLy=f"2024-01-{10 + i:02d} 15:00")
        for i in range(4)
    ]
    first = write_csv(tmp_path / "dossiers.csv", DOSSIER_HEADERS, rows)
    assert import_files(engine, [cat, first]) == 0
    week = "2024-W02"
    p = parse_period(week, ytd=True)
    before = service.scorecard(engine, "commune", p).summary.set_index("unit_code")
    with engine.connect() as c:
        assert service._current_snapshot(c, [week]) is not None
    # the same dossiers again, two of them now finished late: an update, not an insert
    changed = [dict(r) for r in rows]
    for r in changed[:2]:
        r["NgayKetThucXuLy"] = "2024-01-19 15:00"
        r["NgayTra"] = "2024-01-19"
    second = write_csv(tmp_path / "dossiers2.csv", DOSSIER_HEADERS, changed)
    assert import_files(engine, [second]) == 0
    with engine.connect() as c:
        assert service._current_snapshot(c, [week]) is not None
    after = service.scorecard(engine, "commune", p)
    assert after.summary.set_index("unit_code").at["20335", "total"] < before.at["20335", "total"]
    fresh = on_demand(lambda: service.scorecard(engine, "commune", p))
    pd.testing.assert_frame_equal(after.summary, fresh.summary, check_exact=True)
    for kind in ("ytd", "week"):
        pd.testing.assert_frame_equal(
            service.series(engine, "commune", week, weeks=1, kind=kind),
            on_demand(lambda kind=kind: service.series(engine, "commune", week, weeks=1, kind=kind)),
            check_exact=True,
        )


# --- component detail and lagging text -------------------------------------------------------


@pytest.mark.slow
def test_components_carry_saturation(data: Engine):
    res = service.scorecard(data, "district", parse_period("2024-W05", ytd=True))
    comps = res.components
    assert list(comps.columns) == [*service.COMPONENT_COLUMNS, "group_max", "saturation"]
    meth = q.methodology(data).set_index("component")["saturation"]
    assert (comps["saturation"] == comps["component"].map(meth)).all()
    # a component scored zero still says its saturation (the UI cannot read it back then)
    zero = comps[comps["points"] == 0]
    assert not zero.empty and zero["saturation"].gt(0).all()
    one = res.components_for(["504"])
    pd.testing.assert_frame_equal(
        one, comps[comps["unit_code"] == "504"].reset_index(drop=True), check_exact=True
    )


@pytest.mark.slow
def test_lagging_reasons_have_no_repeated_words(data: Engine):
    # every criterion on, with thresholds low enough for the hand-made districts to meet them
    every = pd.DataFrame([
        {"valid_from": date(2020, 1, 1), "level": "*", "criterion": c, "param": p, "value": v}
        for c, p, v in (("below_grade", "grade", "Xuất sắc"), ("bottom", "n", "1"),
                        ("falling", "points", "1"), ("falling", "ranks", "1"),
                        ("backlog", "dossiers", "1"))
    ])
    lag = service.lagging(data, "district", "2024-W05", rules=every)
    assert {c for met in lag["criteria"] for c in met} == {"below_grade", "bottom", "falling", "backlog"}
    sentences = [x for r in lag["reasons"] for x in r] + [x for r in lag["worst_components"] for x in r]
    assert any("so với tuần trước" in x for x in sentences)
    for x in sentences:
        words = x.split()
        assert all(a != b for a, b in zip(words, words[1:], strict=False)), x


def _flagged_rows(engine: Engine) -> pd.DataFrame:
    w = s.score_week
    with engine.connect() as c:
        df = pd.DataFrame(c.execute(select(w).where((w.c.scored == 1) | (w.c.in_series == 1))).mappings().all())
    return df.sort_values(["kind", "week", "unit_code"]).reset_index(drop=True)


@pytest.mark.slow
def test_refresh_after_an_import_recomputes_from_its_week_on(data: Engine):
    """A refresh of some buckets rewrites the snapshot from their week on (a weekly import
    costs one week, not two years), and that equals a whole rebuild."""
    d = s.dossier
    with data.connect() as c:
        weeks = c.execute(select(d.c.received_week).distinct().order_by(d.c.received_week)).scalars().all()
    week = weeks[len(weeks) // 2]
    with data.begin() as c:
        bucket = c.execute(select(func.min(d.c.received_bucket)).where(d.c.received_week == week)).scalar_one()
        c.execute(update(d).where(d.c.received_week == week).values(channel=2, paid_online=1))
        # a sentinel before that week: a partial update keeps it, a whole rebuild replaces it
        c.execute(update(s.score_week).where(s.score_week.c.week == weeks[0]).values(dossiers=-1))
    before = _flagged_rows(data)
    with data.begin() as c:
        refresh(c, [bucket])
    part = _flagged_rows(data)
    assert (part.loc[part["week"] == weeks[0], "dossiers"] == -1).all()
    with data.connect() as c:
        assert service._current_snapshot(c, [week]) is not None
    changed = part[part["week"] >= week].reset_index(drop=True)
    assert not changed.equals(before[before["week"] >= week].reset_index(drop=True))

    with data.begin() as c:
        refresh(c)
    whole = _flagged_rows(data)
    assert (whole["dossiers"] >= 0).all()
    pd.testing.assert_frame_equal(
        changed, whole[whole["week"] >= week].reset_index(drop=True), check_exact=True
    )
    early = whole["week"] < week
    pd.testing.assert_frame_equal(
        part[part["week"] < week].drop(columns="dossiers").reset_index(drop=True),
        whole[early].drop(columns="dossiers").reset_index(drop=True),
        check_exact=True,
    )


# --- a stray date far away: the snapshot follows the weeks with data --------------------------


@pytest.mark.slow
def test_snapshot_bounded_by_weeks_with_data(engine: Engine, on_demand):
    """A few dossiers in January 2024 and one dated 2200 (a typo; inserted directly, past any
    import check): the snapshot scores the weeks with data, not the ~9,200 calendar weeks in
    between (it used to, and ran out of memory), stays current, and what it leaves out is
    computed on demand with the same results."""
    d0 = date(2024, 1, 8)  # Monday of 2024-W02
    rows = [
        dossier(f"E{unit}-{i}", unit, d0 + timedelta(days=i), proc=p, due=d0 + timedelta(days=i + 3),
                finished=d0 + timedelta(days=i + 2 + i % 3))
        for i in range(15)
        for unit, p in (("502", "PD"), ("20335", "PC"))
    ]
    rows.append(dossier("FAR", "502", date(2200, 3, 4), proc="PD", due=date(2200, 3, 9),
                        finished=date(2200, 3, 5)))
    load(engine, PROCS, rows)
    weeks = q.available_weeks(engine)["week"].tolist()
    assert weeks[0] == "2024-W02" and weeks[-1].startswith("2200-") and len(weeks) == 4
    units = len(q.active_units(engine))
    with engine.connect() as c:
        written = c.execute(select(func.count()).select_from(s.score_week)).scalar_one()
        held = sorted(r[0] for r in c.execute(select(s.score_week.c.week).distinct()))
        assert service._current_snapshot(c, [weeks[0], weeks[-1]]) is not None
    assert held == weeks
    assert 0 < written <= len(weeks) * units * len(SNAPSHOT_KINDS)
    # in the snapshot, in a gap it left out, and across both
    for week, ytd in (("2024-W03", True), ("2024-W03", False), (weeks[-1], True),
                      (weeks[-1], False), ("2024-W30", True), ("2150-W10", True)):
        for level in ("province", "district", "commune"):
            _assert_same_scorecard(engine, on_demand, level, parse_period(week, ytd=ytd))
    for last, n in ((weeks[-1], 3), ("2024-W04", 3), ("2024-W12", 12)):
        # a level that exists in those weeks: no district level after 30/06/2025
        level = "district" if last < "2025" else "department"
        for kind in SNAPSHOT_KINDS:
            snap = service.series(engine, level, last, weeks=n, kind=kind)
            fresh = on_demand(lambda last=last, n=n, kind=kind, level=level:
                              service.series(engine, level, last, weeks=n, kind=kind))
            assert not snap.empty
            pd.testing.assert_frame_equal(snap, fresh, check_exact=True, obj=f"{last} {n} {kind}")


# --- rank change: rank_prev / rank_change, read from the previous period ----------------------


def _swap_rows() -> list[dict]:
    """Districts 502 and 504 and communes 20335 and 20338 (under 502): in 2024-W02 the first of
    each pair is on time and the second late, in W03 the other way round, so the week's ranks
    swap; then a few dossiers in W20, after a gap the snapshot leaves out (> 13 weeks), whose
    previous year-to-date week (W19) it does not hold."""
    rows = []
    for week, good, bad in ((0, ("502", "20335"), ("504", "20338")),
                            (1, ("504", "20338"), ("502", "20335")),
                            (18, ("502", "20335"), ("504", "20338"))):
        d0 = date(2024, 1, 8) + timedelta(days=7 * week)
        for unit, p in zip((*good, *bad), ("PD", "PC", "PD", "PC"), strict=True):
            late = unit in bad
            for i in range(4 if week < 18 else 1):
                rows.append(dossier(f"S{week}-{unit}-{i}", unit, d0 + timedelta(days=i), proc=p,
                                    due=d0 + timedelta(days=i + 1),
                                    finished=d0 + timedelta(days=i + (5 if late else 1))))
    return rows


@pytest.mark.slow
def test_rank_change_snapshot_equals_on_demand(engine: Engine, on_demand):
    """rank_prev is the rank of the previous period among the same ranked set (the district's
    communes for a drill-down), rank_change = rank_prev - rank; NA where either is missing
    (không phát sinh, no previous period). Snapshot and on-demand agree, also where the
    previous week is not in the snapshot (W20 ytd after the gap: W19 is scored on demand)."""
    load(engine, PROCS, _swap_rows())
    cases = [("district", "2024-W03", False, None), ("district", "2024-W03", True, None),
             ("commune", "2024-W03", False, "502"), ("district", "2024-W02", False, None),
             ("district", "2024-W20", True, None), ("commune", "2024-W20", True, "502"),
             ("district", "2024-W20", False, None), ("province", "2024-W03", False, None)]
    for level, week, ytd, parent in cases:
        _assert_same_scorecard(engine, on_demand, level, parse_period(week, ytd=ytd), parent)
    week3 = service.scorecard(engine, "district", parse_period("2024-W03")).summary
    assert str(week3["rank_prev"].dtype) == "Int64" and str(week3["rank_change"].dtype) == "Int64"
    a = week3.set_index("unit_code")
    assert (a.at["504", "rank"], a.at["504", "rank_prev"], a.at["504", "rank_change"]) == (1, 2, 1)
    assert (a.at["502", "rank"], a.at["502", "rank_prev"], a.at["502", "rank_change"]) == (2, 1, -1)
    assert a.loc[["503", "505"], ["rank_prev", "rank_change"]].isna().all().all()  # không phát sinh
    communes = service.scorecard(engine, "commune", parse_period("2024-W03"), parent="502").summary
    c = communes.set_index("unit_code")
    # ranked among 502's communes, both weeks (20338 came second of two, now first)
    assert (c.at["20338", "rank_prev"], c.at["20338", "rank_change"]) == (2, 1)
    first = service.scorecard(engine, "district", parse_period("2024-W02")).summary
    assert first[["rank_prev", "rank_change"]].isna().all().all()  # no week before the data
    w20 = service.scorecard(engine, "district", parse_period("2024-W20", ytd=True)).summary
    w19 = service.scorecard(engine, "district", parse_period("2024-W19", ytd=True)).summary
    assert w20.set_index("unit_code")["rank_prev"].dropna().to_dict() == \
        w19.set_index("unit_code")["rank"].dropna().to_dict()
    assert w20["rank_prev"].notna().sum() == 2
    province = service.scorecard(engine, "province", parse_period("2024-W03")).summary
    assert province[["rank_prev", "rank_change"]].isna().all().all()  # the province is not ranked
