"""The read API of the official scores, beside ``scorecard.service`` (which it calls for the
computed side): what the dashboard, the CLI (``python -m scorecard reconcile``) and the meeting
pack show. Every function takes the engine first and returns frames or plain values (empty or
None when nothing was imported); nothing is cached here.

The official period is compared with the computed period of the same label (official month
2026-03 with our month 2026-03; the portal's year, which is year to date, with our year so
far), for the same unit. The dashboard's week picks the official period for the week's end:
the month containing it if imported, else the quarter, else the month before (published once
it ended), else the year (``periods_for_day``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine

from data_access.queries import official as qo
from scorecard import official as off
from scorecard import service
from scorecard.periods import Period, as_date, parse_period
from texts import fmt_date, t

PROVINCE = "province"
SCOPE_UNIT, SCOPE_NATION, SCOPE_PROVINCE = "unit", "nation", "province"


def words(period_type: str, label: str) -> str:
    """"tháng 3/2026", "quý 1/2026", "năm 2026"."""
    if period_type == "month":
        return t("official.period.month", month=int(label[5:7]), year=label[:4])
    if period_type == "quarter":
        return t("official.period.quarter", quarter=label[-1], year=label[:4])
    return t("official.period.year", year=label[:4])


@dataclass(frozen=True)
class OfficialPeriod:
    """An official period as shown to people: its words and where the figures come from."""

    period_type: str
    period: str
    snapshot: object  # the snapshot date the portal's figures were read on

    @property
    def words(self) -> str:
        return words(self.period_type, self.period)

    @property
    def source(self) -> str:
        return t("ui.official.source", period=self.words, date=fmt_date(as_date(self.snapshot)))


def thresholds(engine: Engine) -> off.Thresholds:
    return off.Thresholds.from_settings(qo.official_settings(engine))


def periods(engine: Engine) -> pd.DataFrame:
    """Periods with official scores of our units [period_type, period, period_start,
    period_end, snapshot_date, units], oldest first."""
    return qo.official_periods(engine)


def periods_for_day(available: pd.DataFrame, day: date) -> list[dict]:
    """The imported periods to show for ``day``, best first: the month containing it, the
    quarter containing it, the month before (the portal publishes a month once it has ended,
    so early in a month the latest official month is the previous one), the year containing
    it (to date)."""
    if available.empty:
        return []
    before = date(day.year, day.month, 1) - timedelta(days=1)
    wanted = [("month", f"{day.year}-{day.month:02d}"), ("quarter", f"{day.year}-Q{(day.month - 1) // 3 + 1}"),
              ("month", f"{before.year}-{before.month:02d}"), ("year", str(day.year))]  # fmt: skip
    rows = {(str(r["period_type"]), str(r["period"])): r for r in available.to_dict("records")}
    return [rows[k] for k in wanted if k in rows]


def official_wide(engine: Engine, period: str, unit_codes: list[str] | None = None) -> pd.DataFrame:
    """One row per unit of ours with official figures for ``period`` (a label: "2026-03",
    "2026-Q1", "2026"): [unit_code, official_total, official_rank, official_group_1..6,
    snapshot_date]."""
    return off.wide(qo.official_latest(engine, period=period, unit_codes=unit_codes))


def _computed(engine: Engine, level: str, p: Period) -> pd.DataFrame:
    if not service.exists_in(engine, level, p):
        return pd.DataFrame(columns=service.SUMMARY_COLUMNS)
    return service.scorecard(engine, level, p).summary


def comparison(engine: Engine, level: str, period: str, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Official beside computed for the units of ``level`` with official figures in ``period``
    (``off.compare`` columns, plus ``unit_name``); ``summary``: the computed ranking of that
    period when the caller holds it. Empty when none was imported."""
    p = parse_period(period)
    units = service.units(engine, level=level)
    wide = official_wide(engine, period, units["code"].astype(str).tolist())
    if wide.empty:
        return off.compare(wide, pd.DataFrame())
    out = off.compare(wide, _computed(engine, level, p) if summary is None else summary)
    names = units.set_index(units["code"].astype(str))["name"]
    out["unit_name"] = out["unit_name"].fillna(out["unit_code"].astype(str).map(names))
    return out


@dataclass
class Reconciliation:
    """One unit and one official period, official beside computed."""

    unit_code: str
    unit_name: str
    level: str
    period_type: str
    period: str
    snapshot_date: date | None
    official_total: float | None
    official_rank: int | None
    computed_total: float | None
    computed_rank: int | None
    groups: pd.DataFrame  # off.GROUP_COLUMNS, groups 1..6 and the total
    components: pd.DataFrame  # off.RECON_COLUMNS, differences above the threshold first

    @property
    def words(self) -> str:
        return words(self.period_type, self.period)


def _float(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def reconciliation(engine: Engine, unit_code: str, period: str, summary: pd.DataFrame | None = None,
                   components: pd.DataFrame | None = None) -> Reconciliation | None:  # fmt: skip
    """The unit's official figures of ``period`` beside the computed ones (None when the unit
    is unknown or has no official figure then). ``summary`` / ``components``: the computed
    ranking of the unit's level and period and its component detail, when the caller holds
    them (a whole level reconciled at once scores it once)."""
    row = service.unit(engine, unit_code)
    official = qo.official_latest(engine, period=period, unit_codes=[unit_code])
    if row.empty or official.empty:
        return None
    level = str(row.iloc[0]["level"])
    p = parse_period(period)
    summary = _computed(engine, level, p) if summary is None else summary
    mine = summary[summary["unit_code"].astype(str) == unit_code]
    if mine.empty:
        comps = pd.DataFrame(columns=service.DETAIL_COLUMNS)
    elif components is not None:
        comps = components[components["unit_code"].astype(str) == unit_code]
    else:
        comps = service.component_detail(engine, level, p, summary, [unit_code])
    th = thresholds(engine)
    by_code = official.set_index("code")
    o_groups = {c: _float(by_code.loc[c, "score"]) for c in [*off.GROUPS, off.TOTAL] if c in by_code.index}
    c_groups: dict[str, float | None] = {}
    if not mine.empty:
        r = mine.iloc[0]
        c_groups = {g: _float(r[f"group_{g}"]) for g in off.GROUPS} | {off.TOTAL: _float(r["total"])}
    rank = by_code.loc[off.TOTAL, "rank"] if off.TOTAL in by_code.index else None
    return Reconciliation(
        unit_code=unit_code,
        unit_name=str(row.iloc[0]["name"]),
        level=level,
        period_type=str(official["period_type"].iloc[0]),
        period=period,
        snapshot_date=as_date(official["snapshot_date"].max()),
        official_total=o_groups.get(off.TOTAL),
        official_rank=None if rank is None or pd.isna(rank) else int(rank),
        computed_total=c_groups.get(off.TOTAL),
        computed_rank=None if mine.empty or pd.isna(mine.iloc[0]["rank"]) else int(mine.iloc[0]["rank"]),
        groups=off.reconcile_groups(o_groups, c_groups, th),
        components=off.reconcile_components(official[official["kind"] == "component"], comps, th),
    )


def _province_codes(engine: Engine) -> set[str]:
    return set(service.units(engine, level=PROVINCE)["code"].astype(str))


def standing_history(engine: Engine, period_type: str | None = None) -> pd.DataFrame:
    """Our province among all provinces, per official period: [period_type, period,
    period_end, unit_code, score, rank, n, average, snapshot_date]. ``n`` and ``average`` come
    from the national document (NaN when only the provincial one was imported, whose parent
    row still gives our rank)."""
    cols = ["period_type", "period", "period_end", "unit_code", "score", "rank", "n", "average", "snapshot_date"]
    rows = qo.official_latest(engine, period_type=period_type, code=off.TOTAL)
    if rows.empty:
        return pd.DataFrame(columns=cols)
    provinces = _province_codes(engine)
    out = []
    for (ptype, label), part in rows.groupby(["period_type", "period"], sort=False):
        ours = part[part["unit_code"].astype(str).isin(provinces)]
        if ours.empty:
            continue
        mine = ours.sort_values("snapshot_date").iloc[-1]
        nation = part[part["scope"] == SCOPE_NATION].sort_values("snapshot_date")
        n = average = None
        if not nation.empty:
            top = nation.iloc[-1]
            others = part[(part["scope"] == SCOPE_PROVINCE) & (part["parent_key"] == top["unit_key"])]
            n, average = len(others) + 1, _float(top["score"])
        rank = mine["rank"]
        out.append({"period_type": ptype, "period": label, "period_end": as_date(mine["period_end"]),
                    "unit_code": str(mine["unit_code"]), "score": _float(mine["score"]),
                    "rank": None if pd.isna(rank) else int(rank), "n": n, "average": average,
                    "snapshot_date": as_date(part["snapshot_date"].max())})  # fmt: skip
    return pd.DataFrame(out, columns=cols).sort_values("period_end").reset_index(drop=True)


def standing(engine: Engine, period: str) -> dict | None:
    """Our province's official total, rank among the provinces, their number and the national
    average for ``period`` (None when our province has no official total then)."""
    hist = standing_history(engine)
    hit = hist[hist["period"] == period]
    return None if hit.empty else hit.iloc[-1].to_dict()


def level_reconciliation(engine: Engine, level: str, period: str) -> pd.DataFrame:
    """Every unit of ``level`` with official figures in ``period``, one row per unit and item
    (total, groups, components) [unit_code, unit_name, item, name, official_numerator,
    official_denominator, official_ratio, official_points, computed_numerator,
    computed_denominator, computed_ratio, computed_points, diff_points, above, reason]."""
    cols = ["unit_code", "unit_name", "item", "name", "official_numerator", "official_denominator",
            "official_ratio", "official_points", "computed_numerator", "computed_denominator",
            "computed_ratio", "computed_points", "diff_points", "above", "reason"]  # fmt: skip
    p = parse_period(period)
    summary = _computed(engine, level, p)
    wide = comparison(engine, level, period, summary)
    codes = wide["unit_code"].astype(str).tolist()
    # the level scored once, its detail once for every unit with official figures
    comps = (service.component_detail(engine, level, p, summary, codes) if codes and not summary.empty
             else pd.DataFrame(columns=service.DETAIL_COLUMNS))  # fmt: skip
    frames = []
    for code in codes:
        rec = reconciliation(engine, code, period, summary, comps)
        if rec is None:
            continue
        head = pd.DataFrame({
            "item": rec.groups["group_code"],
            "name": [t("official.code.total") if g == off.TOTAL else t("official.group", group=g)
                     for g in rec.groups["group_code"]],
            "official_points": rec.groups["official"], "computed_points": rec.groups["computed"],
            "diff_points": rec.groups["diff"], "above": rec.groups["above"],
        })  # fmt: skip
        head = pd.concat([head.iloc[[-1]], head.iloc[:-1]])  # the total first
        body = rec.components.rename(columns={"component": "item"})
        frames.append(pd.concat([head, body]).assign(unit_code=code, unit_name=rec.unit_name))
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True).reindex(columns=cols)


def has_any(engine: Engine) -> bool:
    """Whether any official score of ours was imported (cheap: the periods query)."""
    return not periods(engine).empty


__all__ = ["Reconciliation", "comparison", "has_any", "level_reconciliation", "official_wide",
           "periods", "periods_for_day", "reconciliation", "standing", "standing_history",
           "thresholds", "words"]  # fmt: skip
