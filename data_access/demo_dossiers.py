"""Vectorised simulation of demo dossiers and feedback (raw columns, before ``derive``).

Shares and rates follow SCORECARD.md §7 (volumes, on-time rates by level, land most often late)
and the trends the product owner asked for (online share ~20% -> ~55%, flags rising).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access.demo_catalogue import LAND_FIELD
from data_access.demo_model import END, LEVEL_SHARE, Units

_END_D = np.datetime64(END)
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


def draw_units_days(
    rng: np.random.Generator, units: Units, n_total: int, day_w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Unit index and day index of every dossier: level shares, unit sizes, daily profile."""
    unit_idx: list[np.ndarray] = []
    for level, share in LEVEL_SHARE.items():
        idx = np.flatnonzero(units.levels == level)
        if len(idx) == 0:
            continue
        w = units.volume[idx] / units.volume[idx].sum()
        unit_idx.append(rng.choice(idx, size=int(round(n_total * share)), p=w))
    u = np.concatenate(unit_idx)
    day = rng.choice(len(day_w), size=len(u), p=day_w / day_w.sum())
    return u, day


def draw_procedures(
    rng: np.random.Generator, units: Units, u: np.ndarray, procs: pd.DataFrame
) -> np.ndarray:
    """Procedure row (index into ``procs``) of each dossier, within the unit's authority."""
    out = np.full(len(u), -1, dtype=np.int64)
    level_of = units.levels[u]
    code_of = units.codes[u]
    weights = procs["weight"].to_numpy()
    # One group per department (its own catalogue), one per other level (shared catalogue).
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    for level in ("department", "district", "commune"):
        mask = level_of == level
        if level == "department":
            for dept in np.unique(code_of[mask]):
                rows = np.flatnonzero((procs["level"] == level) & (procs["agency_code"] == dept))
                groups.append((mask & (code_of == dept), rows))
        else:
            groups.append((mask, np.flatnonzero(procs["level"] == level)))
    for mask, rows in groups:
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
    n_total: int,
) -> pd.DataFrame:
    """All dossiers as a frame of raw schema columns, sorted by received time."""
    u, di = draw_units_days(rng, units, n_total, day_w)
    pi = draw_procedures(rng, units, u, procs)
    keep = pi >= 0  # a department without procedures receives nothing
    u, di, pi = u[keep], di[keep], pi[keep]
    n = len(u)

    t = di / max(len(days) - 1, 1)  # 0 at the start, 1 at the end of 2024
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
    wd_day = np.minimum(day + rng.integers(0, 3, n).astype("timedelta64[D]"), _END_D)
    finish_day = np.where(withdrawn, wd_day, finish_day)
    open_ = (finish_day > _END_D) | stuck
    open_ &= ~withdrawn
    uncounted = refused | not_received
    fin_time = finish_day.astype("datetime64[s]") + _seconds(rng, n, 8, 17)
    fin_time = np.maximum(fin_time, received + 1800 * _SECOND)  # not before it was received
    ret_delay = (rng.random(n) * 3 * _DAY_S).astype("int64") * _SECOND
    ret_time = fin_time + ret_delay
    returned = (rng.random(n) < 0.85) & (ret_time.astype("datetime64[D]") <= _END_D)

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
    elapsed = (_END_D - day).astype(np.int64)
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
    n_total: int,
) -> pd.DataFrame:
    """Citizen feedback (PAKN): due in 10 working days, some late, some dissatisfied."""
    share = np.array([LEVEL_SHARE.get(lv, 0.0) for lv in units.levels])
    level_total = pd.Series(units.volume).groupby(units.levels).transform("sum").to_numpy()
    w = share * units.volume / level_total
    u = rng.choice(len(w), size=n_total, p=w / w.sum())
    di = rng.choice(len(day_w), size=n_total, p=day_w / day_w.sum())
    n = n_total
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
    handled = handled_day <= _END_D
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
