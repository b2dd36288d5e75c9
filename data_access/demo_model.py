"""The calendar and per-unit behaviour behind the demo data (pure numpy, no database).

The span runs from ``START`` to the Sunday of the last complete ISO week (``default_end``), so
the demo always ends "last week". It is cut into eras at the dates the reference data changes
(a unit or level starts or ends, a lineage row takes effect): inside an era the set of units is
fixed, and each era's dossiers are drawn among the units valid in it.

Each unit gets a latent strength per scorecard group, so rankings differ between groups, and a
few units get a scenario: *decline* (a bad spell of several weeks late in the unit's life) or
*recover* (bad until some point, then back to normal). Everything is drawn from one seeded
generator in a fixed order, so the same seed, scale and end give the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

START = date(2024, 1, 1)  # Monday of 2024-W01
# Dossiers a year at scale 1.0, by province code (SCORECARD.md §7 for Quảng Nam; the new Đà
# Nẵng, with old Đà Nẵng's busy urban wards, about 1.5 times that); other provinces: DEFAULT.
DOSSIERS_PER_YEAR = {"49": 800_000, "48": 1_200_000}
DEFAULT_DOSSIERS_PER_YEAR = 800_000
FEEDBACK_PER_DOSSIER = 3_000 / 800_000
# Share of each level in the dossiers (SCORECARD.md §7). A level absent in an era hands its
# share to the next level below it: after 30/06/2025 the districts' procedures moved to the
# communes (department 0.17, commune 0.83).
LEVEL_SHARE = {"department": 0.17, "district": 0.37, "commune": 0.46}
# Lunar new year (Tết) days: volume dips in the weeks around them.
TET = tuple(np.datetime64(d) for d in (
    "2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29",
    "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03",
))  # fmt: skip

NO_SCENARIO, DECLINE, RECOVER = 0, 1, 2
# How many units of each level get a scenario (decline, recover).
SCENARIOS = {"department": (2, 2), "district": (3, 3), "commune": (10, 10)}
# Communes that start inside the span with no predecessor in the lineage were formed from
# territory outside the earlier unit list (the 16 units of old Đà Nẵng): dense urban wards,
# about 1.2 million people in 16 units against about 1.5 million in Quảng Nam's 78.
_NEW_TERRITORY_VOLUME = 3.5


def default_end(today: date | None = None) -> date:
    """The Sunday of the last complete ISO week before ``today``."""
    today = today or date.today()
    return today - timedelta(days=today.isoweekday())


def calendar_days(start: date, end: date) -> np.ndarray:
    return np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")


def day_weights(days: np.ndarray, holidays: np.ndarray) -> np.ndarray:
    """Relative intake per day: weekdays, a little on weekends (online), Tết dips, growth."""
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    w = np.select([weekday < 5, weekday == 5], [1.0, 0.12], 0.03)
    w = np.where(np.isin(days, holidays), 0.05, w)
    for tet in TET:
        dist = (days - tet).astype("int64")
        # lower before Tết (people wait), deepest just after it, back to normal in ~3 weeks
        w = w * (1 - 0.55 * np.exp(-(((dist - 4) / 9.0) ** 2)))
    years = len(days) / 365.25
    t = np.linspace(0, 1, len(days))
    return w * (1 + 0.03 * years * t)  # about 3% more dossiers each year


def level_shares(levels: set[str]) -> dict[str, float]:
    """``LEVEL_SHARE`` for the levels present; an absent level's share goes to the next below."""
    order = list(LEVEL_SHARE)
    out: dict[str, float] = {}
    carry = 0.0
    for lv in order:
        if lv in levels:
            out[lv] = LEVEL_SHARE[lv] + carry
            carry = 0.0
        else:
            carry += LEVEL_SHARE[lv]
    if carry and out:  # the lowest levels are missing: give it to the lowest present
        out[order[max(order.index(k) for k in out)]] += carry
    return out


@dataclass
class Units:
    """Units that receive dossiers, as parallel arrays (index = unit number)."""

    codes: np.ndarray
    levels: np.ndarray
    kinds: np.ndarray
    volume: np.ndarray  # relative size within its level
    strength: np.ndarray  # (n, 6): latent strength per group, N(0, 1); higher is better
    late_base: np.ndarray  # base probability that a dossier ends overdue
    scenario: np.ndarray  # NO_SCENARIO, DECLINE, RECOVER
    sc_start: np.ndarray  # day index where the scenario turns
    sc_len: np.ndarray  # length of the bad spell (decline), in days
    first: np.ndarray  # first day index the unit exists in the span
    last: np.ndarray  # last day index the unit exists in the span

    def badness(self, u: np.ndarray, day: np.ndarray) -> np.ndarray:
        """0 = normal, 1 = at the worst of its bad spell, per (unit, day index)."""
        sc, s, ln = self.scenario[u], self.sc_start[u], self.sc_len[u]
        ramp = 21.0
        decline = np.clip((day - s) / ramp, 0, 1) * np.clip((s + ln + ramp - day) / ramp, 0, 1)
        recover = np.clip((s + 2 * ramp - day) / (2 * ramp), 0, 1)
        return np.select([sc == DECLINE, sc == RECOVER], [decline, recover], 0.0)


@dataclass
class Era:
    """Days ``lo`` .. ``hi - 1`` (indexes), during which the units are fixed."""

    lo: int
    hi: int
    province: str
    units: np.ndarray  # unit indexes valid in the era
    volume: np.ndarray  # their relative size in this era (predecessors' volume included)
    shares: dict[str, float]  # level -> share of the era's dossiers
    # unit index -> procedure keys it handles: ("department", agency) or (level, None)
    scope: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)


# Departments known to carry most of the provincial desk's volume (driving licences, land,
# business registration, criminal records); others get a small random weight.
_DEPARTMENT_VOLUME = {
    "SGTVT": 4.0, "SKHDT": 3.5, "STP": 3.0, "STNMT": 3.0, "SYT": 2.0, "SLDTBXH": 2.0,
    "SXD": 1.2, "SCT": 1.2, "SNNPTNT": 1.0, "SGDDT": 0.8, "BQLKKT": 0.8,
}  # fmt: skip
# "đặc khu" Hoàng Sa has no resident population: a token volume.
_KIND_VOLUME = {"thành phố": 1.8, "thị xã": 1.6, "phường": 2.0, "thị trấn": 1.5, "đặc khu": 0.05}


def _day_index(values: pd.Series, start: date, default: int) -> np.ndarray:
    d = pd.to_datetime(values)
    idx = (d - pd.Timestamp(start)).dt.days
    return idx.fillna(default).to_numpy(dtype=np.int64)


def build_units(
    rng: np.random.Generator, frame: pd.DataFrame, start: date, n_days: int
) -> Units:
    """Draw sizes, strengths and scenarios for the units in ``frame`` (code, level, kind,
    parent_code, valid_from, valid_to, has_predecessor)."""
    frame = frame.sort_values(["level", "code"]).reset_index(drop=True)
    n = len(frame)
    codes = frame["code"].to_numpy(dtype=object)
    levels = frame["level"].to_numpy(dtype=object)
    kinds = frame["kind"].fillna("").str.lower().to_numpy(dtype=object)
    first = np.clip(_day_index(frame["valid_from"], start, 0), 0, n_days - 1)
    last = np.clip(_day_index(frame["valid_to"], start, n_days - 1), 0, n_days - 1)

    noise = rng.lognormal(0.0, 0.3, n)
    children = frame["code"].map(frame["parent_code"].value_counts()).fillna(0).to_numpy()
    kind_w = np.array([_KIND_VOLUME.get(k, 1.0) for k in kinds])
    dept_w = np.array([_DEPARTMENT_VOLUME.get(c, 0.4) for c in codes])
    new_territory = (levels == "commune") & (first > 0) & ~frame["has_predecessor"].to_numpy(bool)
    volume = np.select(
        [levels == "department", levels == "district"],
        [dept_w * noise, np.maximum(children, 3) * kind_w * noise],
        kind_w * noise * np.where(new_territory, _NEW_TERRITORY_VOLUME, 1.0),
    )

    strength = rng.standard_normal((n, 6))
    # Probability that a dossier ends overdue: departments ~1%, districts 5-25% (land heavy),
    # communes ~8% (SCORECARD.md §7: 99.7% / 77.2% / 90.5% on time in 2022).
    z2 = strength[:, 1]
    late_base = np.select(
        [levels == "department", levels == "district"],
        [0.006 * np.exp(-0.6 * z2), np.clip(0.055 * np.exp(-0.5 * z2), 0.02, 0.11)],
        np.clip(0.065 * np.exp(-0.5 * z2), 0.015, 0.2),
    )

    scenario = np.zeros(n, dtype=int)
    sc_start = np.zeros(n, dtype=int)
    sc_len = np.zeros(n, dtype=int)
    life = np.maximum(last - first, 1)
    for level, (n_dec, n_rec) in SCENARIOS.items():
        idx = np.flatnonzero(levels == level)
        if len(idx) < n_dec + n_rec:
            continue
        pick = rng.choice(idx, size=n_dec + n_rec, replace=False)
        dec, rec = pick[:n_dec], pick[n_dec:]
        # Placed within each unit's own life: a decline late in it (visible in the year to
        # date of its last year), a recovery in its first half.
        scenario[dec] = DECLINE
        sc_start[dec] = first[dec] + (rng.uniform(0.5, 0.8, n_dec) * life[dec]).astype(int)
        sc_len[dec] = rng.integers(35, 85, n_dec)
        scenario[rec] = RECOVER
        sc_start[rec] = first[rec] + (rng.uniform(0.2, 0.55, n_rec) * life[rec]).astype(int)
    return Units(codes, levels, kinds, volume, strength, late_base, scenario, sc_start, sc_len,
                 first, last)  # fmt: skip


def era_bounds(change_days: list[int], n_days: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` day ranges between the change days (first days of a new structure)."""
    cuts = sorted({d for d in change_days if 0 < d < n_days} | {0, n_days})
    return list(zip(cuts[:-1], cuts[1:], strict=True))


def build_eras(
    units: Units,
    provinces: pd.DataFrame,
    lineage: pd.DataFrame,
    level_ends: dict[str, int],
    start: date,
    n_days: int,
) -> list[Era]:
    """The eras of the span, each with its units, their volume, level shares and procedures.

    ``provinces``: code, valid_from, valid_to; ``lineage``: old_code, new_code, valid_from,
    share; ``level_ends``: level -> last day index it exists (absent = open-ended).
    """
    lin = lineage.assign(day=_day_index(lineage["valid_from"], start, 0))
    p_first = _day_index(provinces["valid_from"], start, 0)
    p_last = _day_index(provinces["valid_to"], start, n_days - 1)
    changes = [*units.first.tolist(), *(units.last + 1).tolist(), *lin["day"].tolist(),
               *(p_first.tolist()), *[d + 1 for d in level_ends.values()]]  # fmt: skip
    index_of = {c: i for i, c in enumerate(units.codes)}
    eras: list[Era] = []
    for lo, hi in era_bounds(changes, n_days):
        in_era = np.flatnonzero((units.first <= lo) & (units.last >= hi - 1))
        prov = provinces["code"][(p_first <= lo) & (p_last >= hi - 1)]
        alive = set(units.codes[in_era])
        volume = units.volume.copy()
        # An absorbing unit of the same level takes on its predecessors' volume and procedures.
        absorbed: dict[int, list[str]] = {}
        for r in lin[(lin["day"] <= lo)].itertuples(index=False):
            old, new = index_of.get(r.old_code), index_of.get(r.new_code)
            if old is None or new is None or r.old_code in alive or r.new_code not in alive:
                continue
            if units.levels[old] == units.levels[new]:
                share = 1.0 if pd.isna(r.share) else float(r.share)
                volume[new] += units.volume[old] * share
                absorbed.setdefault(new, []).append(str(r.old_code))
        present = set(units.levels[in_era])
        present_levels = {lv for lv in present if level_ends.get(lv, n_days) >= hi - 1}
        shares = level_shares(present_levels)
        # A level that no longer exists hands its procedures to the next level below it.
        moved: dict[str, list[str]] = {lv: [lv] for lv in shares}
        order = list(LEVEL_SHARE)
        for lv in order:
            if lv not in shares:
                below = [x for x in order[order.index(lv) + 1:] if x in shares]
                if below:
                    moved[below[0]].append(lv)
        scope: dict[int, list[tuple[str, str | None]]] = {}
        for i in in_era:
            lv = str(units.levels[i])
            if lv == "department":
                agencies = [str(units.codes[i]), *absorbed.get(int(i), [])]
                scope[int(i)] = [("department", a) for a in agencies]
            else:
                scope[int(i)] = [(x, None) for x in moved.get(lv, [lv])]
        eras.append(Era(lo, hi, str(prov.iloc[0]) if len(prov) else "", in_era,
                        volume[in_era], shares, scope))  # fmt: skip
    return eras


def era_dossiers(eras: list[Era], day_w: np.ndarray, scale: float) -> list[int]:
    """Dossiers of each era: its province's yearly volume times its share of the day weights."""
    year_mass = day_w.sum() / (len(day_w) / 365.25)
    return [
        int(round(DOSSIERS_PER_YEAR.get(e.province, DEFAULT_DOSSIERS_PER_YEAR) * scale
                  * day_w[e.lo : e.hi].sum() / year_mass))  # fmt: skip
        for e in eras
    ]
