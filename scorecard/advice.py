"""What it takes to win a component's points back, from the methodology row (pure).

A component earns ``points = max_points · min(1, ratio / saturation)`` (docs/design.md,
"Scoring"), so full marks need a ratio of ``saturation`` (3.3 "Hồ sơ nộp trực tuyến" saturates
at 50%: half the dossiers online earn all 6 points), and at the same denominator that is
``ceil(saturation · denominator) − numerator`` more cases meeting the component. The saturation
is the methodology's (component detail carries it), never worked back out of the points: at 0
points there is nothing to work it back from.

Every numerator of the 766 methodology counts good outcomes (on time, online, paid online,
digitised, ``dossiers − overdue``…), so "more" always means more cases meeting the component,
out of the same total: a dossier already overdue cannot be made on time, but the next ones can.

The dashboard's unit page, the lagging page and the meeting pack say it with the same words
(``sentence``), from the same numbers (``win_back``, ``advice_frame``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from scorecard.methodology import parse_expression
from texts import CATALOGUE, fmt_number, fmt_percent, t

FULL = "full"  # already at full marks (ratio at or above the saturation)
NO_ACTIVITY = "no_activity"  # empty denominator: nothing to compute a ratio from
MORE = "more"  # ``more`` cases short of the ratio needed
RATIO = "ratio"  # short of the ratio, though not by a whole case (rounding), or no count known

# the columns advice_frame adds
ADVICE_COLUMNS = ["lost_in_total", "need_ratio", "more", "advice_state", "advice"]


@dataclass(frozen=True)
class WinBack:
    """What one component of one unit needs for full marks."""

    state: str  # FULL, NO_ACTIVITY, MORE or RATIO
    need: float  # the ratio that earns full marks: the component's saturation
    now: float | None  # the ratio now (None without activity)
    more: int | None  # cases meeting the component still missing, at the same denominator
    denominator: int | None


def win_back(
    numerator: float,
    denominator: float,
    ratio: float,
    points: float,
    max_points: float,
    saturation: float | None,
    empty: bool = False,
) -> WinBack:
    """The ratio needed for full marks (the saturation; 1 when the methodology gives none, as
    scoring does) and how many more cases meeting the component that takes."""
    need = float(saturation) if saturation is not None and saturation == saturation and saturation > 0 else 1.0
    need = min(need, 1.0)
    den = float(denominator or 0)
    if bool(empty) or den <= 0:
        return WinBack(NO_ACTIVITY, need, None, None, None)
    now = float(ratio)
    if float(max_points) - float(points) < 0.005 or now >= need - 1e-12:
        return WinBack(FULL, need, now, 0, int(round(den)))
    # the smallest whole number of cases reaching the ratio (1e-9: 0.5 x 400 is 200, not 201)
    more = math.ceil(need * den - 1e-9) - int(round(float(numerator)))
    if more > 0:
        return WinBack(MORE, need, now, more, int(round(den)))
    return WinBack(RATIO, need, now, None, int(round(den)))


def noun(denominator_expr: str | None) -> str:
    """What the component counts, for sentences: "hồ sơ", "thủ tục", "phản ánh, kiến nghị"…,
    from the first measure of its denominator expression (``advice.noun.<measure>`` in the
    texts); "trường hợp" for one the texts do not name."""
    if denominator_expr:
        try:
            terms = parse_expression(str(denominator_expr))
        except ValueError:
            terms = ()
        for _, term in terms:
            if isinstance(term, str) and f"advice.noun.{term}" in CATALOGUE:
                return t(f"advice.noun.{term}")
    return t("advice.noun.default")


def sentence(w: WinBack, what: str | None = None) -> str:
    """One Vietnamese sentence for a leader: "Cần đạt tỷ lệ 50,0% (hiện 0,0%): còn thiếu 200 hồ
    sơ đạt yêu cầu trên tổng số 400 hồ sơ." ``what``: ``noun`` of the component."""
    what = what or t("advice.noun.default")
    if w.state == NO_ACTIVITY:
        return t("advice.no_activity", noun=what)
    if w.state == FULL:
        return t("advice.full")
    if w.state == MORE:
        return t("advice.need_more", need=fmt_percent(w.need), now=fmt_percent(w.now),
                 more=fmt_number(w.more, 0), den=fmt_number(w.denominator, 0), noun=what)
    return t("advice.need_ratio", need=fmt_percent(w.need), now=fmt_percent(w.now))


def short(w: WinBack, what: str | None = None) -> str:
    """The count alone, for a table cell: "200 hồ sơ", "–" when there is none to give."""
    if w.state != MORE:
        return "–"
    return f"{fmt_number(w.more, 0)} {what or t('advice.noun.default')}"


def lost_in_total(components: pd.DataFrame) -> pd.Series:
    """Points each component costs in the total: points lost × the group's scale (a group is
    scaled to its maximum over the components that apply to the unit's level)."""
    if components.empty:
        return pd.Series(dtype=float)
    applicable = components.groupby(["unit_code", "group_code"])["max_points"].transform("sum")
    scale = components["group_max"].astype(float) / applicable.astype(float)
    return components["points_lost"].astype(float) * scale


def advice_frame(components: pd.DataFrame, basis: dict[str, str] | None = None) -> pd.DataFrame:
    """``components`` (service DETAIL_COLUMNS) with ``ADVICE_COLUMNS``: ``lost_in_total``, the
    ratio needed for full marks, the cases missing (Int64, NA when not a count), the state and
    the sentence. ``basis``: component → its denominator expression (the catalogue's
    ``basis``), for the noun."""
    out = components.copy()
    if out.empty:
        return out.assign(**{c: pd.Series(dtype=object) for c in ADVICE_COLUMNS})
    wins = [
        win_back(r.numerator, r.denominator, r.ratio, r.points, r.max_points,
                 getattr(r, "saturation", None), bool(r.empty))
        for r in out.itertuples(index=False)
    ]
    nouns = [noun((basis or {}).get(str(c))) for c in out["component"]]
    out["lost_in_total"] = lost_in_total(out).to_numpy() if "group_max" in out else out["points_lost"]
    out["need_ratio"] = [w.need for w in wins]
    out["more"] = pd.array([w.more if w.state == MORE else pd.NA for w in wins], dtype="Int64")
    out["advice_state"] = [w.state for w in wins]
    out["advice"] = [sentence(w, n) for w, n in zip(wins, nouns, strict=True)]
    return out
