"""Vectorised simulation of demo dossiers and feedback (raw columns, before ``derive``).

Shares and rates follow SCORECARD.md §7 (volumes, on-time rates by level, land most often late)
and the trends the product owner asked for (online share ~20% -> ~55%, flags rising).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access.demo_catalogue import LAND_FIELD
from data_access.demo_model import Era, Units

_SECOND = np.timedelta64(1, "s")
_DAY_S = 86_400
# NULL in an object array (numpy's stubs do not accept a bare None as np.where's value)
_NULL = np.array(None, dtype=object)


def _trend(t: np.ndarray, start: float, stop: float) -> np.ndarray:
    return start + (stop - start) * t


def _clip01(p: np.ndarray) -> np.ndarray:
    return np.clip(p, 0.0, 0.99)


def _seconds(rng: np.random.Generator, n: int, lo_h: float, hi_h: float) -> np.ndarray:
    return (rng.uniform(lo_h, hi_h, n) * 3600).astype("int64") * _SECOND


def _weekly_floor(
    rng: np.random.Generator, era: Era, day_w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One dossier per unit and ISO week of the era (the span starts on a Monday, so week k is
    days 7k .. 7k + 6): any real unit has some intake every week, and without this floor the
    small test scales would leave units empty in a week by chance."""
    units: list[np.ndarray] = []
    days: list[np.ndarray] = []
    for w0 in range(era.lo - era.lo % 7, era.hi, 7):
        seg = np.arange(max(w0, era.lo), min(w0 + 7, era.hi))
        p = day_w[seg] / day_w[seg].sum()
        units.append(era.units)
        days.append(rng.choice(seg, size=len(era.units), p=p))
    if not units:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(units), np.concatenate(days)


def draw_units_days(
    rng: np.random.Generator, units: Units, era: Era, n_total: int, day_w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Unit index and day index of every dossier of one era: level shares, unit sizes, daily
    profile, and the weekly floor (counted in ``n_total``)."""
    fu, fd = _weekly_floor(rng, era, day_w)
    n_rand = max(n_total - len(fu), 0)
    unit_idx: list[np.ndarray] = [fu]
    levels = units.levels[era.units]
    for level, share in era.shares.items():
        mask = levels == level
        if not mask.any():
            continue
        w = era.volume[mask] / era.volume[mask].sum()
        unit_idx.append(rng.choice(era.units[mask], size=int(round(n_rand * share)), p=w))
    u = np.concatenate(unit_idx)
    w_days = day_w[era.lo : era.hi]
    day = era.lo + rng.choice(len(w_days), size=len(u) - len(fu), p=w_days / w_days.sum())
    return u, np.concatenate([fd, day])


def draw_procedures(
    rng: np.random.Generator, units: Units, u: np.ndarray, procs: pd.DataFrame, era: Era
) -> np.ndarray:
    """Procedure row (index into ``procs``) of each dossier, within the unit's authority in the
    era: an absorbing department also handles its predecessors' procedures, and a level that
    no longer exists has handed its procedures to the level below (``Era.scope``)."""
    out = np.full(len(u), -1, dtype=np.int64)
    weights = procs["weight"].to_numpy()
    p_level = procs["level"].to_numpy(dtype=object)
    p_agency = procs["agency_code"].to_numpy(dtype=object)
    # Units with the same scope draw from the same rows (all communes of an era, say).
    by_scope: dict[tuple[tuple[str, str | None], ...], list[int]] = {}
    for i, unit_keys in era.scope.items():
        by_scope.setdefault(tuple(unit_keys), []).append(i)
    for keys, members in by_scope.items():
        rows = np.flatnonzero(np.logical_or.reduce([
            (p_level == lv) & ((p_agency == ag) if ag is not None else True) for lv, ag in keys
        ]))  # fmt: skip
        mask = np.isin(u, members)
        k = int(mask.sum())
        if k and len(rows):
            out[mask] = rng.choice(rows, size=k, p=weights[rows] / weights[rows].sum())
    return out


def simulate_dossiers(
    rng: np.random.Generator,
    units: Units,
    procs: pd.DataFrame,
    days: np.ndarray,
    day_w: np.ndarray,
    holidays: np.ndarray,
    eras: list[Era],
    n_per_era: list[int],
) -> pd.DataFrame:
    """All dossiers as a frame of raw schema columns, sorted by received time."""
    parts_u, parts_d, parts_p = [], [], []
    for era, n_era in zip(eras, n_per_era, strict=True):
        u_e, d_e = draw_units_days(rng, units, era, n_era, day_w)
        parts_u.append(u_e)
        parts_d.append(d_e)
        parts_p.append(draw_procedures(rng, units, u_e, procs, era))
    u, di, pi = np.concatenate(parts_u), np.concatenate(parts_d), np.concatenate(parts_p)
    end_d = days[-1]
    keep = pi >= 0  # a department without procedures receives nothing
    u, di, pi = u[keep], di[keep], pi[keep]
    n = len(u)

    t = di / max(len(days) - 1, 1)  # 0 at the start, 1 at the end of the span
    bad = units.badness(u, di)
    z = units.strength[u]
    level = units.levels[u]
    field = procs["field_code"].to_numpy(dtype=object)[pi]
    land = field == LAND_FIELD
    online_level = procs["online_level"].to_numpy()[pi]
    fee = procs["fee_bearing"].to_numpy()[pi] == 1
    pay_integrated = procs["online_payment"].to_numpy()[pi] == 1
    issues_result = procs["issues_result"].to_numpy()[pi] == 1
    cert = procs["certification"].to_numpy()[pi] == 1
    legal = procs["legal_days"].to_numpy()[pi].astype(np.int64)
    legal = np.maximum(legal, 1)

    # --- channel: online share rises from ~20% to ~55% ----------------------------------
    uptake = procs["online_uptake"].to_numpy()[pi]
    proc_f = np.select([online_level == 2, online_level == 1], [1.45, 0.75], 0.0) * uptake
    p_online = _clip01(_trend(t, 0.155, 0.75) * proc_f * np.exp(0.3 * z[:, 2]) * (1 - 0.35 * bad))
    online = rng.random(n) < p_online
    post = ~online & (rng.random(n) < np.where(level == "department", 0.03, 0.005))
    channel = np.select([online, post], [2, 3], 1)

    # --- received time: office hours in person, any time online ------------------------
    day = days[di]
    received = day.astype("datetime64[s]") + np.where(
        online, _seconds(rng, n, 0, 24), _seconds(rng, n, 7.5, 17)
    )

    # --- deadline and processing -----------------------------------------------------
    due_day = np.busday_offset(day, legal, roll="forward", holidays=holidays)
    paused = np.where(
        rng.random(n) < np.where(land, 0.12, 0.06), 1 + rng.geometric(0.1, n), 0
    ).clip(0, 45)
    land_f = np.where(land & (level != "department"), 3.2, np.where(land, 1.8, 1.0))
    p_late = units.late_base[u] * land_f * (1.15 - 0.3 * t) * (1 + 4.0 * bad)
    late = rng.random(n) < _clip01(p_late)
    # early, or on the very day (SCORECARD §7: about as many on time as early)
    k_in = np.where(rng.random(n) < 0.45, legal, (rng.random(n) * legal).astype(np.int64))
    extra = 1 + rng.geometric(0.18, n)
    finish_day = np.where(
        late,
        np.busday_offset(due_day, extra, roll="forward", holidays=holidays),
        np.busday_offset(day, k_in, roll="forward", holidays=holidays),
    ) + paused.astype("timedelta64[D]")
    # A backlog that never ends: a few land dossiers at district and commune level stall.
    stuck = rng.random(n) < np.where(land & (level != "department"), 0.004, 0.0005)

    # --- status -----------------------------------------------------------------------
    r = rng.random(n)
    refused = r < 0.004  # 3: refused at intake
    not_received = online & (r >= 0.004) & (r < 0.009)  # 1: submitted online, not received
    withdrawn = ~refused & ~not_received & (rng.random(n) < 0.005)  # 7
    wd_day = np.minimum(day + rng.integers(0, 3, n).astype("timedelta64[D]"), end_d)
    finish_day = np.where(withdrawn, wd_day, finish_day)
    open_ = (finish_day > end_d) | stuck
    open_ &= ~withdrawn
    uncounted = refused | not_received
    fin_time = finish_day.astype("datetime64[s]") + _seconds(rng, n, 8, 17)
    fin_time = np.maximum(fin_time, received + 1800 * _SECOND)  # not before it was received
    ret_delay = (rng.random(n) * 3 * _DAY_S).astype("int64") * _SECOND
    ret_time = fin_time + ret_delay
    returned = (rng.random(n) < 0.85) & (ret_time.astype("datetime64[D]") <= end_d)

    paused_open = paused > 0
    open_status = np.where(
        paused_open,
        np.select([rng.random(n) < 0.7, fee], [5, 6], 8),
        np.where(rng.random(n) < 0.3, 2, 4),
    )
    status = np.select(
        [refused, not_received, withdrawn, open_, returned], [3, 1, 7, open_status, 10], 9
    )
    done = np.isin(status, (7, 9, 10))
    elapsed = (end_d - day).astype(np.int64)
    # open dossiers have only been paused as long as they have existed
    paused = np.where(done | uncounted, paused, np.minimum(paused, elapsed))
    paused = np.where(uncounted | withdrawn, 0, paused)

    # --- flags: per-unit propensities (group strengths) that trend upward --------------
    def flag(start: float, stop: float, zcol: int, extra_f: np.ndarray | float = 1.0) -> np.ndarray:
        p = _trend(t, start, stop) * np.exp(0.25 * z[:, zcol]) * (1 - 0.3 * bad) * extra_f
        return (rng.random(n) < _clip01(p)).astype(np.int16)

    synced = (rng.random(n) >= _trend(t, 0.1, 0.02) * np.exp(-0.6 * z[:, 0]) * (1 + bad)).astype(
        np.int16
    )
    paid = flag(0.3, 0.85, 3, np.where(online, 1.5, 0.5)) * (fee & pay_integrated)
    paid_online = np.where(paid == 1, np.where(rng.random(n) < 0.55, 1, 2), 0)
    e_result = flag(0.35, 0.8, 5) * issues_result
    e_cert = flag(0.2, 0.65, 5) * cert
    digitised = flag(0.3, 0.8, 5)
    reused = flag(0.08, 0.4, 5)
    citizen_store = flag(0.15, 0.6, 5, np.where(online, 1.2, 0.9))
    population_db = flag(0.3, 0.8, 0, np.where(online, 1.2, 0.85))
    overdue_like = late | stuck
    complaint = (
        rng.random(n)
        < 0.003 * np.exp(-0.6 * z[:, 4]) * (1 + bad) + np.where(overdue_like, 0.03, 0.0)
    ).astype(np.int16)

    due_at = due_day.astype("datetime64[s]") + np.timedelta64(17, "h")
    no_due = rng.random(n) < 0.03  # exercised: the legal-duration rule in derive

    df = pd.DataFrame(
        {
            "procedure_code": procs["code"].to_numpy(dtype=object)[pi],
            "field_code": field,
            "unit_code": units.codes[u],
            "channel": channel.astype(np.int16),
            "received_at": received,
            "due_at": np.where(no_due, np.datetime64("NaT"), due_at),
            "finished_at": np.where(done, fin_time, np.datetime64("NaT")),
            "returned_at": np.where(status == 10, ret_time, np.datetime64("NaT")),
            "status": status.astype(np.int16),
            "paused_days": paused.astype(np.int64),
            "synced": synced,
            "paid_online": paid_online.astype(np.int16),
            "e_result": e_result.astype(np.int16),
            "e_cert": e_cert.astype(np.int16),
            "digitised": digitised,
            "reused": reused,
            "citizen_store": citizen_store,
            "population_db": population_db,
            "complaint": complaint,
        }
    )
    df = df.sort_values(["received_at", "unit_code"], kind="stable").reset_index(drop=True)
    # MaHoSo-like codes: unit, received day, sequence within the unit's day.
    rec = df["received_at"].dt
    yymmdd = (rec.year % 100) * 10_000 + rec.month * 100 + rec.day  # strftime is 100x slower
    seq = df.groupby(["unit_code", yymmdd]).cumcount() + 1
    df.insert(
        0,
        "code",
        "H49-"
        + df["unit_code"].astype(str)
        + "-"
        + yymmdd.astype(str).str.zfill(6)
        + "-"
        + seq.astype(str).str.zfill(5),
    )
    return df


def simulate_feedback(
    rng: np.random.Generator,
    units: Units,
    days: np.ndarray,
    day_w: np.ndarray,
    holidays: np.ndarray,
    eras: list[Era],
    n_per_era: list[int],
) -> pd.DataFrame:
    """Citizen feedback (PAKN): due in 10 working days, some late, some dissatisfied."""
    parts_u, parts_d = [], []
    for era, n_era in zip(eras, n_per_era, strict=True):
        levels = units.levels[era.units]
        share = np.array([era.shares.get(lv, 0.0) for lv in levels])
        level_total = pd.Series(era.volume).groupby(levels).transform("sum").to_numpy()
        w = share * era.volume / level_total
        parts_u.append(rng.choice(era.units, size=n_era, p=w / w.sum()))
        w_days = day_w[era.lo : era.hi]
        parts_d.append(era.lo + rng.choice(len(w_days), size=n_era, p=w_days / w_days.sum()))
    u, di = np.concatenate(parts_u), np.concatenate(parts_d)
    end_d = days[-1]
    n = len(u)
    z5 = units.strength[u, 4]
    bad = units.badness(u, di)
    day = days[di]
    received = day.astype("datetime64[s]") + _seconds(rng, n, 0, 24)
    due_day = np.busday_offset(day, 10, roll="forward", holidays=holidays)
    late = rng.random(n) < _clip01(0.06 * np.exp(-0.5 * z5) * (1 + 2 * bad))
    handled_day = np.where(
        late,
        np.busday_offset(due_day, 1 + rng.geometric(0.2, n), roll="forward", holidays=holidays),
        np.busday_offset(day, rng.integers(1, 11, n), roll="forward", holidays=holidays),
    )
    handled = handled_day <= end_d
    handled_at = handled_day.astype("datetime64[s]") + _seconds(rng, n, 8, 17)
    p_dis = _clip01(0.06 * np.exp(-0.5 * z5) * (1 + bad) + np.where(late, 0.15, 0.0))
    r = rng.random(n)
    satisfied = np.where(r < p_dis, 0.0, np.where(r < p_dis + 0.15, np.nan, 1.0))
    satisfied = np.where(handled, satisfied, np.nan)
    re_raised = (rng.random(n) < np.where(satisfied == 0, 0.3, 0.02)) & handled
    outcome = np.where(
        handled, np.where(rng.random(n) < 0.85, "Đã trả lời", "Chuyển cơ quan có thẩm quyền"), _NULL
    )
    df = pd.DataFrame(
        {
            "unit_code": units.codes[u],
            "received_at": received,
            "due_at": due_day.astype("datetime64[s]") + np.timedelta64(17, "h"),
            "handled_at": np.where(handled, handled_at, np.datetime64("NaT")),
            "outcome": outcome,
            "satisfied": pd.array(satisfied, dtype="Int16"),
            "re_raised": re_raised.astype(np.int16),
        }
    )
    df = df.sort_values(["received_at", "unit_code"], kind="stable").reset_index(drop=True)
    df.insert(0, "code", [f"PAKN-{i + 1:07d}" for i in range(len(df))])
    return df
