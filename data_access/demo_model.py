"""The calendar and per-unit behaviour behind the demo data (pure numpy, no database).

Each unit gets a latent strength per scorecard group, so rankings differ between groups, and a
few units get a scenario: *decline* (a bad spell of several weeks in 2024) or *recover* (bad
until some week, then back to normal). Everything is drawn from one seeded generator in a fixed
order, so the same seed gives the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

START = date(2023, 1, 2)  # Monday of 2023-W01
END = date(2024, 12, 29)  # Sunday of 2024-W52
DOSSIERS_PER_YEAR = 800_000
FEEDBACK_PER_YEAR = 3_000
LEVEL_SHARE = {"department": 0.17, "district": 0.37, "commune": 0.46}  # SCORECARD.md §7
# Lunar new year (Tết) days: volume dips in the weeks around them.
TET = (np.datetime64("2023-01-22"), np.datetime64("2024-02-10"))

NO_SCENARIO, DECLINE, RECOVER = 0, 1, 2
# How many units of each level get a scenario (decline, recover).
SCENARIOS = {"department": (2, 2), "district": (3, 3), "commune": (10, 10)}


def calendar_days() -> np.ndarray:
    return np.arange(np.datetime64(START), np.datetime64(END) + 1, dtype="datetime64[D]")


def day_weights(days: np.ndarray, holidays: np.ndarray) -> np.ndarray:
    """Relative intake per day: weekdays, a little on weekends (online), Tết dips, growth."""
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    w = np.select([weekday < 5, weekday == 5], [1.0, 0.12], 0.03)
    w = np.where(np.isin(days, holidays), 0.05, w)
    for tet in TET:
        dist = (days - tet).astype("int64")
        # lower before Tết (people wait), deepest just after it, back to normal in ~3 weeks
        w = w * (1 - 0.55 * np.exp(-(((dist - 4) / 9.0) ** 2)))
    t = np.linspace(0, 1, len(days))
    return w * (1 + 0.06 * t)  # slightly more dossiers in 2024


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

    def badness(self, u: np.ndarray, day: np.ndarray) -> np.ndarray:
        """0 = normal, 1 = at the worst of its bad spell, per (unit, day index)."""
        sc, s, ln = self.scenario[u], self.sc_start[u], self.sc_len[u]
        ramp = 21.0
        decline = np.clip((day - s) / ramp, 0, 1) * np.clip((s + ln + ramp - day) / ramp, 0, 1)
        recover = np.clip((s + 2 * ramp - day) / (2 * ramp), 0, 1)
        return np.select([sc == DECLINE, sc == RECOVER], [decline, recover], 0.0)


# Departments known to carry most of the provincial desk's volume (driving licences, land,
# business registration, criminal records); others get a small random weight.
_DEPARTMENT_VOLUME = {
    "SGTVT": 4.0, "SKHDT": 3.5, "STP": 3.0, "STNMT": 3.0, "SYT": 2.0, "SLDTBXH": 2.0,
    "SXD": 1.2, "SCT": 1.2, "SNNPTNT": 1.0, "SGDDT": 0.8, "BQLKKT": 0.8,
}  # fmt: skip
_KIND_VOLUME = {"thành phố": 1.8, "thị xã": 1.6, "phường": 2.0, "thị trấn": 1.5}


def build_units(rng: np.random.Generator, frame: pd.DataFrame) -> Units:
    """Draw sizes, strengths and scenarios for the units in ``frame`` (code, level, kind, parent)."""
    frame = frame.sort_values(["level", "code"]).reset_index(drop=True)
    n = len(frame)
    codes = frame["code"].to_numpy(dtype=object)
    levels = frame["level"].to_numpy(dtype=object)
    kinds = frame["kind"].fillna("").str.lower().to_numpy(dtype=object)

    noise = rng.lognormal(0.0, 0.3, n)
    children = frame["code"].map(frame["parent_code"].value_counts()).fillna(0).to_numpy()
    kind_w = np.array([_KIND_VOLUME.get(k, 1.0) for k in kinds])
    dept_w = np.array([_DEPARTMENT_VOLUME.get(c, 0.4) for c in codes])
    volume = np.select(
        [levels == "department", levels == "district"],
        [dept_w * noise, np.maximum(children, 3) * kind_w * noise],
        kind_w * noise,
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
    for level, (n_dec, n_rec) in SCENARIOS.items():
        idx = np.flatnonzero(levels == level)
        if len(idx) < n_dec + n_rec:
            continue
        pick = rng.choice(idx, size=n_dec + n_rec, replace=False)
        dec, rec = pick[:n_dec], pick[n_dec:]
        scenario[dec] = DECLINE
        sc_start[dec] = rng.integers(380, 560, n_dec)  # starts Jan-Jul 2024: visible in the YTD
        sc_len[dec] = rng.integers(35, 85, n_dec)
        scenario[rec] = RECOVER
        sc_start[rec] = rng.integers(150, 420, n_rec)  # bad until mid 2023 .. early 2024
    return Units(codes, levels, kinds, volume, strength, late_base, scenario, sc_start, sc_len)
