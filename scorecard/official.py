"""Official vs computed: the reconciliation arithmetic, pure (frames in, frames out).

The portal's figure is authoritative; the dashboard's explains it. For one unit and period the
two are set side by side per component (numerators, denominators, ratios, points), per group
and in total; a difference is always *computed − official* (negative: we score lower than the
portal). ``likely_reason`` is a small rule set over one component's two sides, giving a
one-line Vietnamese reason only where the numbers show one. Thresholds are data
(``official_setting``, assets/defaults/official_settings.csv) read into ``Thresholds``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from texts import t

GROUPS = [str(i) for i in range(1, 7)]
TOTAL = "total"
RECON_COLUMNS = [
    "group_code", "component", "name", "official_numerator", "official_denominator", "official_ratio",
    "official_points", "official_max", "computed_numerator", "computed_denominator", "computed_ratio",
    "computed_points", "computed_max", "diff_points", "above", "reason",
]  # fmt: skip
GROUP_COLUMNS = ["group_code", "official", "computed", "diff", "above"]
WIDE_GROUPS = [f"official_group_{g}" for g in GROUPS]


@dataclass(frozen=True)
class Thresholds:
    """The reconciliation's thresholds (defaults = the shipped settings)."""

    diff_threshold: float = 0.5  # a component's |difference| in points listed first, flagged
    group_threshold: float = 1.0  # a group's |difference| in points flagged
    match_points: float = 0.05  # below this, two scores agree: nothing to explain (rounding)
    ratio_gap: float = 0.005  # below this, two ratios (0..1) are the same
    denominator_gap: float = 0.1  # official denominator this much smaller: fewer synced dossiers
    count_tolerance: float = 0.005  # below this relative gap, two counts are the same

    @classmethod
    def from_settings(cls, settings: Mapping[str, float]) -> Thresholds:
        known = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in settings.items() if k in known})


def _num(x: object) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _same_count(a: float, b: float, th: Thresholds) -> bool:
    return abs(a - b) <= max(0.5, th.count_tolerance * max(abs(a), abs(b)))


def likely_reason(official: Mapping[str, object] | None, computed: Mapping[str, object] | None,
                  th: Thresholds = Thresholds()) -> str | None:  # fmt: skip
    """Why one component's two scores differ, in one Vietnamese line, or None when they agree
    or the numbers do not say. Each side: ``numerator``, ``denominator``, ``ratio`` (0..1),
    ``points``, ``max_points`` (any may be missing)."""
    if official is None or _num(official.get("points")) is None:
        return t("official.why.not_on_portal") if computed is not None else None
    if computed is None or _num(computed.get("points")) is None:
        return t("official.why.not_computed")
    po, pc = _num(official["points"]), _num(computed["points"])
    assert po is not None and pc is not None
    if abs(po - pc) < th.match_points:
        return None
    mo, mc = _num(official.get("max_points")), _num(computed.get("max_points"))
    if mo is not None and mc is not None and abs(mo - mc) >= th.match_points:
        return t("official.why.max_differs")
    ro, rc = _num(official.get("ratio")), _num(computed.get("ratio"))
    if ro is not None and rc is not None and abs(ro - rc) < th.ratio_gap:
        return t("official.why.scoring_differs")
    do, dc = _num(official.get("denominator")), _num(computed.get("denominator"))
    no, nc = _num(official.get("numerator")), _num(computed.get("numerator"))
    if do is not None and dc is not None:
        if dc == 0 and do > 0:
            return t("official.why.none_here")
        if do < dc * (1 - th.denominator_gap):
            return t("official.why.fewer_synced")
        if not _same_count(do, dc, th):
            return t("official.why.denominator_differs")
        if no is not None and nc is not None and not _same_count(no, nc, th):
            return t("official.why.numerator_differs")
    return None


def _component_key(code: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", code)) or (999,)


def reconcile_components(official: pd.DataFrame, computed: pd.DataFrame,
                         th: Thresholds = Thresholds()) -> pd.DataFrame:  # fmt: skip
    """One unit and period, one row per component either side has [RECON_COLUMNS]: differences
    at or above ``th.diff_threshold`` first (largest first), then the others in component order.

    ``official``: official rows of kind "component" [code, name, numerator, denominator,
    ratio, score, max_score]; ``computed``: the unit's component detail (service.DETAIL_COLUMNS:
    component, name, numerator, denominator, ratio, points, max_points; an empty denominator's
    row is "không phát sinh" and kept as it is scored)."""
    off = {str(r["code"]): r for r in official.to_dict("records")}
    comp = {str(r["component"]): r for r in computed.to_dict("records")}
    rows = []
    for code in sorted(set(off) | set(comp), key=_component_key):
        o, c = off.get(code), comp.get(code)
        o_side = None if o is None else {"numerator": o.get("numerator"), "denominator": o.get("denominator"),
                                         "ratio": o.get("ratio"), "points": o.get("score"),
                                         "max_points": o.get("max_score")}  # fmt: skip
        c_side = None if c is None else {k: c.get(k) for k in ("numerator", "denominator", "ratio", "points", "max_points")}
        op, cp = _num(o_side["points"]) if o_side else None, _num(c_side["points"]) if c_side else None
        diff = None if op is None or cp is None else cp - op
        rows.append({
            "group_code": code.split(".")[0],
            "component": code,
            "name": (c or {}).get("name") or (o or {}).get("name") or code,
            **{f"official_{k}": _num(o_side[k]) if o_side else None for k in ("numerator", "denominator", "ratio")},
            "official_points": op, "official_max": _num(o_side["max_points"]) if o_side else None,
            **{f"computed_{k}": _num(c_side[k]) if c_side else None for k in ("numerator", "denominator", "ratio")},
            "computed_points": cp, "computed_max": _num(c_side["max_points"]) if c_side else None,
            "diff_points": diff,
            "above": diff is not None and abs(diff) >= th.diff_threshold,
            "reason": likely_reason(o_side, c_side, th),
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=RECON_COLUMNS)
    if out.empty:
        return out
    out["_abs"] = out["diff_points"].astype(float).abs().fillna(0.0)
    out["_order"] = np.arange(len(out))
    first = out[out["above"]].sort_values(["_abs", "_order"], ascending=[False, True])
    out = pd.concat([first, out[~out["above"]]]).drop(columns=["_abs", "_order"]).reset_index(drop=True)
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)  # None, not NaN
    return out


def reconcile_groups(official: Mapping[str, float | None], computed: Mapping[str, float | None],
                     th: Thresholds = Thresholds()) -> pd.DataFrame:  # fmt: skip
    """Groups "1".."6" and the total ("total") side by side [GROUP_COLUMNS]: ``official`` and
    ``computed`` map those codes to points (missing: not known); diff = computed − official."""
    rows = []
    for code in [*GROUPS, TOTAL]:
        o, c = _num(official.get(code)), _num(computed.get(code))
        diff = None if o is None or c is None else c - o
        rows.append({"group_code": code, "official": o, "computed": c, "diff": diff,
                     "above": diff is not None and abs(diff) >= th.group_threshold})  # fmt: skip
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def wide(rows: pd.DataFrame) -> pd.DataFrame:
    """Official rows (queries.official.OFFICIAL_COLUMNS) of our units -> one row per unit:
    [unit_code, official_total, official_rank, official_group_1..6, snapshot_date]."""
    cols = ["unit_code", "official_total", "official_rank", *WIDE_GROUPS, "snapshot_date"]
    ours = rows[rows["unit_code"].notna()] if not rows.empty else rows
    if ours.empty:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame({"unit_code": sorted(ours["unit_code"].astype(str).unique())}).set_index("unit_code")
    totals = ours[ours["code"] == TOTAL].set_index(ours.loc[ours["code"] == TOTAL, "unit_code"].astype(str))
    out["official_total"] = totals["score"].astype(float)
    out["official_rank"] = totals["rank"].astype("Int64") if "rank" in totals else pd.NA
    for g in GROUPS:
        part = ours[ours["code"] == g]
        out[f"official_group_{g}"] = part.set_index(part["unit_code"].astype(str))["score"].astype(float)
    out["snapshot_date"] = ours.groupby(ours["unit_code"].astype(str))["snapshot_date"].max()
    return out.reset_index()[cols]


def compare(official_wide: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The computed ranking of the official period (service SUMMARY_COLUMNS) beside the
    official figures, one row per unit with official figures: the official columns, then
    ``computed_total``, ``computed_group_g``, ``diff_total``, ``diff_group_g`` (computed −
    official) and the unit's name."""
    if official_wide.empty:
        return official_wide.assign(unit_name=None, computed_total=None, diff_total=None)
    comp = summary.set_index(summary["unit_code"].astype(str)) if not summary.empty else pd.DataFrame()
    out = official_wide.copy()
    codes = out["unit_code"].astype(str)

    def pick(col: str) -> pd.Series:
        if comp.empty or col not in comp:
            return pd.Series(np.nan, index=out.index)
        return pd.to_numeric(codes.map(comp[col]), errors="coerce").astype(float)

    out["unit_name"] = codes.map(comp["unit_name"]) if not comp.empty else None
    out["computed_total"] = pick("total")
    out["diff_total"] = out["computed_total"] - out["official_total"].astype(float)
    for g in GROUPS:
        out[f"computed_group_{g}"] = pick(f"group_{g}")
        out[f"diff_group_{g}"] = out[f"computed_group_{g}"] - out[f"official_group_{g}"].astype(float)
    return out
