"""Official scores beside ours on the existing pages: the province panel of the overview, the
unit page's panel and the league tables' columns. Each draws nothing at all where no official
figure was imported for the period shown (no empty columns, no empty boxes).

Which official period: for the selected period's last day, the month containing it if
imported, else the quarter, else the month before (the portal publishes a month once it has
ended), else the year (``official_service.periods_for_day``), said in
words with its snapshot date ("Điểm chính thức tháng 11/2026, Cổng DVC quốc gia, cập nhật
05/12/2026"). Differences are the dashboard's score *for that same period* minus the official
one, so a week's or a year-to-date ranking never gets compared with a month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from scorecard import official_service as osv
from scorecard.periods import as_date
from texts import fmt_date, fmt_delta, fmt_number, t
from texts.safe import md
from ui import chartview, official_charts, official_data, state, views, widgets

if TYPE_CHECKING:
    from streamlit.elements.lib.column_types import ColumnConfig

    from ui.page import Ctx

OFFICIAL_PAGE = "app_pages/official.py"
GROUP_CODES = [str(i) for i in range(1, 7)]
DIFF_CSS = "background-color: #fdebd0; font-weight: 600"  # a difference above the threshold
PROVINCE = "province"


@dataclass(frozen=True)
class Pick(osv.OfficialPeriod):
    """The official period shown, and its comparison rows for the units asked about."""

    rows: pd.DataFrame  # official_service.comparison columns


def pick(ctx: Ctx, level: str, codes: list[str] | None = None) -> Pick | None:
    """The official period for the selected period's end with figures for ``codes`` (any unit
    of ``level`` when None), or None."""
    for cand in official_data.periods_for(ctx.url, ctx.end):
        rows = official_data.load_comparison(ctx.url, level, str(cand["period"]))
        if codes is not None:
            rows = rows[rows["unit_code"].astype(str).isin(codes)]
        if not rows.empty:
            snap = rows["snapshot_date"].max() if "snapshot_date" in rows else cand["snapshot_date"]
            return Pick(str(cand["period_type"]), str(cand["period"]), snap, rows.reset_index(drop=True))
    return None


def open_link(ctx: Ctx, code: str, period: str) -> None:
    """The button-like link to the reconciliation view of ``code`` and ``period`` (its URL
    holds both, and the filters)."""
    params = {**state.url_params(ctx.filters, unit=code), "ky": period}
    st.page_link(OFFICIAL_PAGE, label=t("ui.official.open"), icon=":material/compare_arrows:",
                 help=t("ui.official.open_help"), query_params=params)  # fmt: skip


def group_table(row: pd.Series, threshold: float) -> None:
    """Official / computed / difference for the total and the six groups, one column each."""
    items = ["total", *GROUP_CODES]
    heads = [t("ui.official.col.total"), *(widgets.group_label(f"group_{g}") for g in GROUP_CODES)]

    def val(prefix: str, item: str) -> float | None:
        col = f"{prefix}_{'total' if item == 'total' else 'group_' + item}"
        v = row.get(col)
        return None if v is None or pd.isna(v) else float(v)

    # st.table renders headers as markdown: "1. Công khai" would become a numbered list
    heads = [re.sub(r"^(\d+)\.", r"\1\\.", md(h)) for h in heads]
    table = pd.DataFrame(
        [[widgets.fmt_score(val("official", i)) for i in items],
         [widgets.fmt_score(val("computed", i)) for i in items],
         [fmt_delta(val("diff", i)) for i in items]],
        columns=heads,
        index=[t("ui.official.row.official"), t("ui.official.row.computed"), t("ui.official.row.diff")],
    )  # fmt: skip
    big = [abs(d) >= threshold if (d := val("diff", i)) is not None else False for i in items]

    def _css(col: pd.Series) -> list[str]:
        flagged = big[heads.index(col.name)]
        return ["", "", DIFF_CSS if flagged else ""]

    # a static table: seven numbers a row need no grid, and it prints
    st.table(table.style.apply(_css))


def _threshold(ctx: Ctx) -> float:
    return official_data.load_thresholds(ctx.url).group_threshold


# --- the overview: the province ---------------------------------------------------------------


def province_panel(ctx: Ctx) -> None:
    """The province's official score beside ours, its rank among the provinces and the
    national average (when the national document was imported), the difference per group,
    the link to the reconciliation and, on request, the trend beside the national average."""
    chosen = pick(ctx, PROVINCE)
    if chosen is None:
        return
    row = chosen.rows.iloc[0]
    standing = official_data.load_standing(ctx.url)
    mine = standing[standing["period"] == chosen.period]
    s = mine.iloc[-1] if not mine.empty else None
    with st.container(border=True, key="official_province"):
        st.markdown(f"**{md(chosen.source)}**")
        cols = st.columns(4)
        with cols[0]:
            widgets.metric(t("ui.official.kpi.official"), widgets.fmt_score(row["official_total"]))
        with cols[1]:
            st.metric(t("ui.official.kpi.diff"), fmt_delta(_f(row["diff_total"])), border=True,
                      help=t("ui.official.help.diff"))  # fmt: skip
        if s is not None and s["rank"] is not None and pd.notna(s["rank"]):
            rank = (t("ui.official.rank_of", rank=int(s["rank"]), n=int(s["n"])) if pd.notna(s["n"])
                    else str(int(s["rank"])))  # fmt: skip
            cols[2].metric(t("ui.official.kpi.rank_nation"), rank, border=True,
                           help=t("ui.official.help.rank_nation"))  # fmt: skip
        if s is not None and pd.notna(s["average"]):
            cols[3].metric(t("ui.official.kpi.average"), widgets.fmt_score(float(s["average"])), border=True)
        group_table(row, _threshold(ctx))
        st.caption(t("ui.official.compare_note", period=chosen.words))
        open_link(ctx, str(row["unit_code"]), chosen.period)
        if len(standing) and st.toggle(t("ui.official.trend_toggle"), key="official_trend"):
            with_computed = official_data.load_standing_computed(ctx.url)
            chartview.show(official_charts.standing(with_computed, height=280), key="official_trend_chart")
            st.caption(t("ui.official.trend_caption", scope=views.province_scope(ctx.url, ctx.end)))


def _f(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if v != v else v


# --- the unit page ------------------------------------------------------------------------------


def unit_panel(ctx: Ctx, code: str, level: str) -> None:
    """The unit's official score and rank beside the score the dashboard computes for the
    same period, the difference per group, and the link to the reconciliation."""
    chosen = pick(ctx, level, [code])
    if chosen is None:
        return
    row = chosen.rows.iloc[0]
    with st.container(border=True, key="official_unit"):
        st.markdown(f"**{md(chosen.source)}**")
        cols = st.columns(4)
        with cols[0]:
            widgets.metric(t("ui.official.kpi.official"), widgets.fmt_score(row["official_total"]))
        rank = row.get("official_rank")
        cols[1].metric(t("ui.official.kpi.rank_portal"), "–" if rank is None or pd.isna(rank) else str(int(rank)),
                       border=True, help=t("ui.official.help.rank_portal"))  # fmt: skip
        cols[2].metric(t("ui.official.kpi.computed", period=chosen.words), widgets.fmt_score(_f(row["computed_total"])),
                       border=True)  # fmt: skip
        cols[3].metric(t("ui.official.kpi.diff"), fmt_delta(_f(row["diff_total"])), border=True,
                       help=t("ui.official.help.diff"))  # fmt: skip
        group_table(row, _threshold(ctx))
        st.caption(t("ui.official.compare_note", period=chosen.words))
        open_link(ctx, code, chosen.period)


# --- league tables --------------------------------------------------------------------------------

LEAGUE_COLUMNS = ("official_total", "official_diff")


@dataclass(frozen=True)
class LeagueColumns:
    """The official columns of one league table (``league_columns``)."""

    chosen: Pick

    def add(self, df: pd.DataFrame, beside_total: bool = True) -> pd.DataFrame:
        """``df`` (widgets.league_frame, indexed by unit code) with the official score, the
        portal's rank and the difference, right after our total; at the end of a narrow table
        (beside a map), whose grade and change would otherwise scroll out of sight."""
        by = self.chosen.rows.set_index(self.chosen.rows["unit_code"].astype(str))
        # text, already formatted: the data grid shows a missing number as "None", and most
        # units of a table may have no official figure
        extra = pd.DataFrame(index=df.index)
        # score and the portal's rank in one cell: a wide table has no room for a third column
        extra["official_total"] = [_score_rank(_f(s), _f(r)) for s, r in zip(
            df.index.map(by["official_total"]), df.index.map(by["official_rank"]), strict=True)]
        extra["official_diff"] = [fmt_delta(_f(v)) for v in df.index.map(by["diff_total"])]
        at = list(df.columns).index("total") + 1 if beside_total else len(df.columns)
        return pd.concat([df.iloc[:, :at], extra, df.iloc[:, at:]], axis=1)

    def config(self) -> dict[str, ColumnConfig | None]:
        date = fmt_date(as_date(self.chosen.snapshot))
        return {
            "official_total": st.column_config.TextColumn(
                t("ui.official.league.official"), alignment="right", width=120,
                help=t("ui.official.league.help_official", period=self.chosen.words, date=date)),
            "official_diff": st.column_config.TextColumn(
                t("ui.official.league.diff"), alignment="right", width=85,
                help=t("ui.official.league.help_diff", period=self.chosen.words)),
        }  # fmt: skip

    def caption(self) -> None:
        st.caption(md(t("ui.official.league.caption", source=self.chosen.source, period=self.chosen.words)))


def _score_rank(score: float | None, rank: float | None) -> str:
    """"91,80 (5)": the official score and the portal's rank ("–" without a score)."""
    if score is None:
        return "–"
    return widgets.fmt_score(score) if rank is None else t("ui.official.league.score_rank", score=widgets.fmt_score(score),
                                                            rank=fmt_number(rank, 0))  # fmt: skip


def league_columns(ctx: Ctx, summary: pd.DataFrame) -> LeagueColumns | None:
    """The official columns for a league table of ``summary``'s units, or None when none of
    them has an official score for the period's official month (quarter, year)."""
    if summary is None or summary.empty or not len(official_data.load_periods(ctx.url)):
        return None
    level = str(summary["level"].iloc[0])
    chosen = pick(ctx, level, summary["unit_code"].astype(str).tolist())
    return None if chosen is None else LeagueColumns(chosen)
