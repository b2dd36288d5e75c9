"""Which units lag, and why, in sentences a leader reads at the weekly meeting (pure pandas).

The rule is data (table ``lagging_rule``, loaded from assets/defaults/lagging_rules.csv): a
ranked unit of the year-to-date league table lags when it meets any criterion whose parameters
are in force:

- ``below_grade``: its total is below the minimum of a grade band (``grade``, a band's name);
- ``bottom``: it is among the last ``n`` ranked units of its level (when the level has more);
- ``falling``: its total fell by ``points`` or more in the week, or it lost ``ranks`` or more
  places, once the year to date holds ``min_weeks`` weeks (in its first weeks one week's
  dossiers move a year-to-date score a lot);
- ``backlog``: its backlog of open overdue dossiers rose by ``percent`` % or more AND by
  ``dossiers`` or more since last week; a unit ranked within the top ``exempt_top_ranks`` is
  not singled out for that alone (the best unit of the province is not "lagging" because one
  more dossier went overdue).

Each criterion met adds its ``weight`` to the unit's urgency (most urgent first) and a sentence
with the numbers. A unit with nothing to score (không phát sinh) is never lagging. For each
lagging unit the components that cost it most points in the total come with what it takes to
win them back (``scorecard.advice``), and the procedures and fields behind its overdue dossiers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from data_access.defaults import ALL_LEVELS, LAGGING_PARAMS, lagging_value_error
from scorecard import advice
from texts import fmt_number, fmt_percent, t

log = logging.getLogger(__name__)

CRITERIA = tuple(LAGGING_PARAMS)  # below_grade, bottom, falling, backlog: the order of reasons
LAGGING_COLUMNS = [
    "unit_code", "unit_name", "level", "urgency", "criteria", "reasons", "worst",
    "worst_components", "total", "grade", "rank", "rank_change", "delta_week", "backlog",
    "backlog_prev", "overdue_procedures", "overdue_fields",
]
# keys of each ``worst`` item: one costly component and what winning it back takes
WORST_KEYS = ("component", "name", "lost", "ratio", "need", "more", "noun", "empty", "advice")
DEFAULT_WEIGHTS = {"below_grade": 3.0, "bottom": 2.0, "falling": 2.0, "backlog": 1.0}


@dataclass(frozen=True)
class Rules:
    """The lagging rule in force for one level (``rules_for``); None = that test is off."""

    grade: str | None = None
    bottom_n: int | None = None
    fall_points: float | None = None
    fall_ranks: int | None = None
    fall_min_weeks: int = 0
    backlog_percent: float | None = None
    backlog_dossiers: int | None = None
    exempt_top_ranks: int = 0
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @property
    def backlog_on(self) -> bool:
        return self.backlog_percent is not None or self.backlog_dossiers is not None


def rules_for(rows: pd.DataFrame | None, level: str) -> Rules:
    """The ``Rules`` of ``level`` from lagging_rule rows in force ([level, criterion, param,
    value]): a level's own row wins over the "*" one. A value that is not valid (a database
    edited by hand) turns its parameter off and is logged, never raised: the page still shows."""
    params: dict[tuple[str, str], str] = {}
    if rows is not None and not rows.empty:
        mine = rows[rows["level"].astype(str).isin([ALL_LEVELS, level])]
        # "*" first, so the level's own rows overwrite it; the latest date last within each
        order = ["_own", "valid_from"] if "valid_from" in mine.columns else ["_own"]
        mine = mine.assign(_own=(mine["level"].astype(str) == level).astype(int))
        mine = mine.sort_values(order, kind="stable")
        for r in mine.itertuples(index=False):
            value = str(r.value).strip() if r.value is not None else ""
            problem = lagging_value_error(str(r.criterion), str(r.param), value)
            if problem:
                log.warning("lagging_rule ignored: %s", problem)
                continue
            params[(str(r.criterion), str(r.param))] = value

    def num(c: str, p: str) -> float | None:
        v = params.get((c, p))
        return None if v is None else float(v)

    def whole(c: str, p: str) -> int | None:
        v = num(c, p)
        return None if v is None else int(v)

    weights = {c: num(c, "weight") for c in CRITERIA}
    return Rules(
        grade=params.get(("below_grade", "grade")),
        bottom_n=whole("bottom", "n"),
        fall_points=num("falling", "points"),
        fall_ranks=whole("falling", "ranks"),
        fall_min_weeks=whole("falling", "min_weeks") or 0,
        backlog_percent=num("backlog", "percent"),
        backlog_dossiers=whole("backlog", "dossiers"),
        exempt_top_ranks=whole("backlog", "exempt_top_ranks") or 0,
        weights={c: (w if w is not None else DEFAULT_WEIGHTS[c]) for c, w in weights.items()},
    )


def describe(rules: Rules) -> list[str]:
    """The criteria in force, one short Vietnamese phrase each (the page says what the list
    means)."""
    out = []
    if rules.grade:
        out.append(t("lag.rule.below_grade", grade=rules.grade))
    if rules.bottom_n:
        out.append(t("lag.rule.bottom", n=rules.bottom_n))
    falls = []
    if rules.fall_points is not None:
        p = rules.fall_points
        falls.append(t("lag.rule.fall_points", points=fmt_number(p, 0 if p == int(p) else 2)))
    if rules.fall_ranks:
        falls.append(t("lag.rule.fall_ranks", ranks=rules.fall_ranks))
    if falls:
        text = t("lag.rule.falling", what=t("lag.rule.or").join(falls))
        if rules.fall_min_weeks > 1:
            text += " " + t("lag.rule.min_weeks", weeks=rules.fall_min_weeks)
        out.append(text)
    if rules.backlog_on:
        parts = []
        if rules.backlog_percent is not None:
            pct = rules.backlog_percent
            parts.append(t("lag.rule.backlog_pct", pct=fmt_number(pct, 0 if pct == int(pct) else 1)))
        if rules.backlog_dossiers:
            parts.append(t("lag.rule.backlog_n", n=rules.backlog_dossiers))
        text = t("lag.rule.backlog", what=t("lag.rule.and").join(parts) if parts else "")
        if rules.exempt_top_ranks == 1:
            text += " " + t("lag.rule.exempt_first")
        elif rules.exempt_top_ranks > 1:
            text += " " + t("lag.rule.exempt", k=rules.exempt_top_ranks)
        out.append(text)
    return out


def grade_floor(bands: pd.DataFrame, grade: str | None) -> float | None:
    """The minimum total of the band ``grade`` (None when there is no such band: the test is off)."""
    if grade is None or bands.empty:
        return None
    row = bands[bands["grade"].astype(str) == grade]
    if row.empty:
        log.warning("lagging_rule: no grade band %r", grade)
        return None
    return float(row["min_score"].iloc[0])


def costly_components(components: pd.DataFrame, top: int = 3,
                      basis: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """unit_code → its ``top`` components costing most points in the total (``WORST_KEYS``
    dicts, biggest loss first): the loss scaled like the group, the ratio now, the ratio that
    earns full marks and the cases missing (``scorecard.advice``)."""
    if components.empty:
        return {}
    c = advice.advice_frame(components, basis)
    c = c[c["lost_in_total"] > 0.005].sort_values(["unit_code", "lost_in_total", "component"],
                                                 ascending=[True, False, True], kind="stable")
    out: dict[str, list[dict]] = {}
    for r in c.groupby("unit_code", sort=False).head(top).itertuples(index=False):
        out.setdefault(str(r.unit_code), []).append({
            "component": str(r.component), "name": str(r.name), "lost": float(r.lost_in_total),
            "ratio": None if bool(r.empty) else float(r.ratio), "need": float(r.need_ratio),
            "more": None if pd.isna(r.more) else int(r.more),
            "noun": advice.noun((basis or {}).get(str(r.component))), "empty": bool(r.empty),
            "advice": str(r.advice),
        })
    return out


def pareto(df: pd.DataFrame) -> pd.DataFrame:
    """[key, name, overdue, share, cumulative_share] from [*, key, name, overdue] rows."""
    cols = ["key", "name", "overdue", "share", "cumulative_share"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    g = df.groupby("key", as_index=False, dropna=False).agg(name=("name", "first"), overdue=("overdue", "sum"))
    g = g.sort_values(["overdue", "key"], ascending=[False, True]).reset_index(drop=True)
    total = g["overdue"].sum()
    g["share"] = g["overdue"] / total if total else 0.0
    g["cumulative_share"] = g["share"].cumsum()
    return g[cols]


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and x != x)  # None or NaN


def _top_names(overdue: pd.DataFrame, key_col: str, name_col: str, sentence: str,
               top: int) -> dict[str, list[str]]:
    """unit_code -> the sentences for its ``top`` largest ``key_col`` groups of ``overdue``
    rows (counts summed, the first name given; most overdue first, then by key, a missing key
    last). Plain Python: a few hundred rows, where pandas' groupby and sort cost ten times more."""
    groups: dict[tuple[str, object], list] = {}
    for unit, key, name, n in zip(overdue["unit_code"], overdue[key_col], overdue[name_col],
                                  overdue["overdue"], strict=True):
        slot = groups.setdefault((str(unit), None if _missing(key) else key), [None, 0])
        if slot[0] is None and not _missing(name):
            slot[0] = name
        slot[1] += 0 if _missing(n) else int(n)
    by_unit: dict[str, list[tuple[object, object, int]]] = {}
    for (unit, key), (name, n) in groups.items():
        by_unit.setdefault(unit, []).append((key, name, n))
    out: dict[str, list[str]] = {}
    for unit, items in by_unit.items():
        items.sort(key=lambda x: (-x[2], x[0] is None, "" if x[0] is None else str(x[0])))
        for key, name, n in items[:top]:
            label = name if isinstance(name, str) and name else key
            shown = label if isinstance(label, str) and label else t("lag.unknown")
            out.setdefault(unit, []).append(t(sentence, name=shown, n=fmt_number(n, 0)))
    return out


def _int(x: object) -> int | None:
    return None if x is None or pd.isna(x) else int(x)  # type: ignore[call-overload]


def _float(x: object) -> float | None:
    return None if x is None or pd.isna(x) else float(x)  # type: ignore[arg-type]


def find_lagging(
    summary: pd.DataFrame,
    components: pd.DataFrame,
    backlog: pd.DataFrame,
    bands: pd.DataFrame,
    rules: Rules,
    plural: str | None = None,
    top: int = 3,
    basis: dict[str, str] | None = None,
    weeks: int | None = None,
) -> pd.DataFrame:
    """Lagging units (``LAGGING_COLUMNS``), most urgent first (then lowest total).

    ``summary``: the year-to-date scorecard of one level (with rank, delta_week and
    rank_change); ``components``: its component detail (of the units found, at least);
    ``backlog``: [unit_code, backlog_0 (now), backlog_1 (a week earlier)]; ``bands``: the grade
    bands of the methodology version; ``plural``: the level's name in sentences; ``weeks``: how
    many weeks the year to date holds (None: enough for every criterion). The columns
    ``overdue_procedures`` / ``overdue_fields`` are left empty: ``attach_overdue`` fills them.
    """
    if summary.empty:
        return pd.DataFrame(columns=LAGGING_COLUMNS)
    floor = grade_floor(bands, rules.grade)
    ranked = summary[summary["total"].notna()]
    # ranked units only: one with nothing to score (không phát sinh) has no rank to count
    count = int(ranked["rank"].notna().sum()) if "rank" in ranked else 0
    bl = {str(r.unit_code): (int(r.backlog_0), int(r.backlog_1))
          for r in backlog.itertuples(index=False)} if not backlog.empty else {}
    worst = costly_components(components, top, basis)
    falling_on = weeks is None or weeks >= rules.fall_min_weeks
    rows = []
    for r in ranked.itertuples(index=False):
        code = str(r.unit_code)
        total = float(r.total)
        rank = _int(getattr(r, "rank", None))
        met: list[str] = []
        reasons: list[str] = []
        if floor is not None and round(total, 2) < floor:
            met.append("below_grade")
            reasons.append(t("lag.below_grade", total=fmt_number(total, 2), grade=r.grade,
                             threshold=rules.grade, floor=fmt_number(floor, 0)))
        n = rules.bottom_n
        if n and count > n and rank is not None and rank > count - n:
            met.append("bottom")
            reasons.append(t("lag.bottom", rank=rank, count=count, n=n,
                             plural=plural or str(r.level)))
        delta = _float(getattr(r, "delta_week", None))
        change = _int(getattr(r, "rank_change", None))
        # week-on-week criteria only for a unit scored last week too: a commune born on
        # 01/07/2025 did not "fall", nor did its backlog "rise" from nothing
        weekly = delta is not None
        fell_points = rules.fall_points is not None and delta is not None and \
            round(delta, 2) <= -rules.fall_points and round(delta, 2) < 0
        fell_ranks = rules.fall_ranks is not None and rules.fall_ranks > 0 and change is not None \
            and change <= -rules.fall_ranks
        if weekly and falling_on and (fell_points or fell_ranks):
            met.append("falling")
            if fell_points and delta is not None:
                reasons.append(t("lag.falling_points", drop=fmt_number(-delta, 2),
                                 before=fmt_number(total - delta, 2), now=fmt_number(total, 2)))
            if fell_ranks and change is not None and rank is not None:
                # rank_change = rank_prev - rank: last week's rank is rank + rank_change
                reasons.append(t("lag.falling_ranks", n=-change, before=rank + change, now=rank))
        now, before = bl.get(code, (0, 0))
        up = now - before
        if weekly and rules.backlog_on and up > 0:
            pct_ok = rules.backlog_percent is None or before == 0 or \
                100.0 * up / before >= rules.backlog_percent - 1e-9
            if pct_ok and up >= (rules.backlog_dossiers or 0):
                met.append("backlog")
                pct = t("lag.backlog_new") if before == 0 else t(
                    "lag.backlog_pct", pct=fmt_percent(up / before, 0))
                reasons.append(t("lag.backlog", before=fmt_number(before, 0), now=fmt_number(now, 0),
                                 up=fmt_number(up, 0), pct=pct))
        # the best units are not singled out for a rising backlog alone
        if met == ["backlog"] and rank is not None and rank <= rules.exempt_top_ranks:
            continue
        if not met:
            continue
        mine = worst.get(code, [])
        rows.append({
            "unit_code": r.unit_code,
            "unit_name": r.unit_name,
            "level": r.level,
            "urgency": sum(rules.weights[c] for c in met),
            "criteria": met,
            "reasons": reasons,
            "worst": mine,
            "worst_components": [
                t("lag.worst_component", component=w["component"], name=w["name"],
                  lost=fmt_number(w["lost"], 2)) + (f" ({t('score.empty')})" if w["empty"] else "")
                for w in mine
            ],
            "total": total,
            "grade": r.grade,
            "rank": rank if rank is not None else pd.NA,
            "rank_change": change if change is not None else pd.NA,
            "delta_week": float("nan") if delta is None else delta,
            "backlog": now,
            "backlog_prev": before,
            "overdue_procedures": [],
            "overdue_fields": [],
        })
    if not rows:
        return pd.DataFrame(columns=LAGGING_COLUMNS)
    out = pd.DataFrame(rows)
    out = out.sort_values(["urgency", "total", "unit_code"], ascending=[False, True, True], kind="stable")
    out = out.reset_index(drop=True)[LAGGING_COLUMNS]
    for c in ("rank", "rank_change"):
        out[c] = pd.array(out[c], dtype="Int64")
    return out


def attach_overdue(lagging: pd.DataFrame, overdue: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Fill ``overdue_procedures`` and ``overdue_fields`` (the top ``top`` of each, as
    sentences) from [unit_code, procedure_code, procedure_name, field_code, field_name, overdue]."""
    out = lagging.copy()
    if overdue.empty:
        return out
    procs = _top_names(overdue, "procedure_code", "procedure_name", "lag.overdue_procedure", top)
    fields = _top_names(overdue, "field_code", "field_name", "lag.overdue_field", top)
    out["overdue_procedures"] = [procs.get(str(c), []) for c in out["unit_code"]]
    out["overdue_fields"] = [fields.get(str(c), []) for c in out["unit_code"]]
    return out
