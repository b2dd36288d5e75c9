"""The meeting pack's "official vs computed" slide and sheet: the national portal's official
scores of the week's month beside the scores computed for that same month, for the province
and the units of the week's levels, when official scores were imported for it.

The month is the one holding the week's end, or the month before when that one is not imported
yet (the portal publishes a month once it has ended), as on the dashboard
(``official_service.periods_for_day``); the slide and the sheet say which month and when it
was read. Nothing is added when no official score exists for either.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from data_access.cell_safety import safe_cell
from meeting_pack.data import Briefing, clip, num
from meeting_pack.deck_parts import GREY, Deck, table, textbox
from scorecard import official_service as osv
from texts import fmt_delta, fmt_number, t

PROVINCE = "province"
GROUP_CODES = [str(i) for i in range(1, 7)]
SLIDE_ROWS = 9


@dataclass(frozen=True)
class OfficialPack(osv.OfficialPeriod):
    rows: pd.DataFrame  # official_service.comparison columns, plus level, level_name
    standing: dict | None


def collect(engine: Engine, b: Briefing) -> OfficialPack | None:
    """The official figures of the week's month for the province and the week's levels."""
    months = [r for r in osv.periods_for_day(osv.periods(engine), b.week_period.end) if r["period_type"] == "month"]
    if not months:
        return None
    period = str(months[0]["period"])
    names = b.level_names.set_index(b.level_names["code"].astype(str))["name"]
    frames = []
    for level in [PROVINCE, *b.deck_levels, *b.other_levels]:
        rows = osv.comparison(engine, level, period)
        if not rows.empty:
            frames.append(rows.assign(level=level, level_name=str(names.get(level, level))))
    if not frames:
        return None
    rows = pd.concat(frames, ignore_index=True)
    return OfficialPack("month", period, rows["snapshot_date"].max(), rows, osv.standing(engine, period))


def _f(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def widest_group(row: pd.Series) -> str:
    """"6 (+5,92)": the group whose difference is the largest, with it ("–" without groups)."""
    diffs = {g: _f(row.get(f"diff_group_{g}")) for g in GROUP_CODES}
    known = {g: d for g, d in diffs.items() if d is not None}
    if not known:
        return "–"
    g = max(known, key=lambda k: abs(known[k]))
    return t("brief.official.group_diff", group=g, diff=fmt_delta(known[g]))


def slide_rows(pack: OfficialPack, n: int = SLIDE_ROWS) -> list[list[str]]:
    """The slide's table: the province first, then the units with the largest differences."""
    rows = pack.rows.copy()
    rows["_abs"] = rows["diff_total"].astype(float).abs()
    rows["_province"] = rows["level"] == PROVINCE
    rows = rows.sort_values(["_province", "_abs"], ascending=[False, False], na_position="last").head(n)
    out = [[t("brief.official.col_unit"), t("brief.official.col_official"), t("brief.official.col_rank"),
            t("brief.official.col_computed", period=pack.words), t("brief.official.col_diff"),
            t("brief.official.col_group")]]  # fmt: skip
    for _, r in rows.iterrows():
        rank = _f(r.get("official_rank"))
        out.append([safe_cell(clip(str(r["unit_name"]), 40)), num(r["official_total"]),
                    "–" if rank is None else fmt_number(rank, 0), num(r["computed_total"]),
                    fmt_delta(_f(r["diff_total"])), widest_group(r)])  # fmt: skip
    return out


def add_slide(d: Deck, engine: Engine) -> None:
    """The "official vs computed" slide, when official scores exist for the week's month."""
    pack = collect(engine, d.b)
    if pack is None:
        return
    s = d.slide(t("brief.official.title", period=pack.words))
    lines = [pack.source]
    st = pack.standing
    if st is not None and st.get("rank") is not None and not pd.isna(st["rank"]):
        if st.get("n") is not None and not pd.isna(st["n"]):
            lines.append(t("brief.official.rank_nation", rank=int(st["rank"]), n=int(st["n"]),
                           average=num(st["average"])))  # fmt: skip
        else:
            lines.append(t("brief.official.rank_only", rank=int(st["rank"])))
    textbox(s, 0.45, 1.15, 12.4, 0.8, lines, size=16, color=GREY)
    rows = slide_rows(pack)
    table(s, 0.45, 2.0, [4.4, 1.55, 1.2, 1.85, 1.45, 2.0], rows, size=14, row_h=0.42, header_h=0.55,
          align=["left", "right", "right", "right", "right", "left"])  # fmt: skip
    note = t("brief.official.note", period=pack.words, n=len(pack.rows), shown=len(rows) - 1,
             command=f"python -m scorecard reconcile --period {pack.period} --level <cấp>")  # fmt: skip
    textbox(s, 0.45, 2.0 + 0.55 + 0.42 * (len(rows) - 1) + 0.15, 12.4, 0.7, note, size=12, color=GREY)


@dataclass
class SheetTable:
    name: str
    title: str
    header: list[str]
    rows: list[list[object]]
    widths: list[float]
    formats: list[str | None]


def sheet_table(engine: Engine, b: Briefing) -> SheetTable | None:
    """The "official vs computed" sheet: every unit with official figures of the week's month,
    its total and each group, official, computed for the same month, and the difference."""
    pack = collect(engine, b)
    if pack is None:
        return None
    header = [t("brief.wb_col_unit_code"), t("brief.official.col_unit"), t("brief.official.col_level"),
              t("brief.official.col_official"), t("brief.official.col_rank"),
              t("brief.official.col_computed", period=pack.words), t("brief.official.col_diff")]  # fmt: skip
    for g in GROUP_CODES:
        header += [t("brief.official.col_g_official", group=g), t("brief.official.col_g_computed", group=g),
                   t("brief.official.col_g_diff", group=g)]  # fmt: skip
    rows: list[list[object]] = []
    for _, r in pack.rows.iterrows():
        rank = _f(r.get("official_rank"))
        row: list[object] = [str(r["unit_code"]), str(r["unit_name"]), str(r["level_name"]), _f(r["official_total"]),
                             None if rank is None else int(rank), _f(r["computed_total"]), _f(r["diff_total"])]  # fmt: skip
        for g in GROUP_CODES:
            row += [_f(r.get(f"official_group_{g}")), _f(r.get(f"computed_group_{g}")), _f(r.get(f"diff_group_{g}"))]
        rows.append(row)
    widths = [12, 36, 16, 11, 8, 12, 11, *([9] * 18)]
    formats: list[str | None] = [None, None, None, "0.00", "0", "0.00", "+0.00;-0.00;0.00",
                                 *(["0.00", "0.00", "+0.00;-0.00;0.00"] * 6)]  # fmt: skip
    return SheetTable(t("brief.official.sheet"), t("brief.official.sheet_title", source=pack.source), header, rows,
                      [float(w) for w in widths], formats)  # fmt: skip
