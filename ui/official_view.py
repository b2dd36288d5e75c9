"""The reconciliation view (app_pages/official.py, ``doi-chieu``): one unit and one official period,
the portal's figures beside the ones the dashboard computes from dossiers, for the total, each
group and each component (numerators and denominators side by side), the differences above the
threshold first, each with its likely reason where the numbers show one.

The URL holds the view: ``unit=<code>`` and ``ky=<official period>`` besides the shared filters,
so a link (from the unit page, the overview) opens it and reopens it in any browser. When the
URL does not say, the period is the one containing the selected period's last day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from scorecard import official_service as osv
from scorecard.periods import as_date
from texts import fmt_date, fmt_delta, fmt_number, fmt_percent, t
from texts.safe import tm
from ui import access, data, excel, official, official_data, page, state, widgets

if TYPE_CHECKING:
    from ui.page import Ctx

K_PERIOD, K_UNIT = "official_period_picker", "official_unit_picker"
_K_SYNCED = "_official_synced"  # the (unit, ky) this page last wrote to the URL
UNIT_PAGE = "app_pages/unit.py"
NUMBER_COLS = ("official_numerator", "official_denominator", "computed_numerator", "computed_denominator")


def _param(name: str) -> str | None:
    v = st.query_params.get(name)
    return str(v).strip() if v is not None and str(v).strip() else None


def _from_url() -> None:
    """A URL this page did not write (a link, a pasted address, the unit page's button) sets
    the pickers; afterwards the pickers own the view and write it back."""
    wanted = (_param("unit"), _param("ky"))
    if st.session_state.get(_K_SYNCED) == wanted:
        return
    if wanted[1]:
        st.session_state[K_PERIOD] = wanted[1]
    if wanted[0]:
        st.session_state[K_UNIT] = wanted[0]


def _period_choice(ctx: Ctx, periods: pd.DataFrame) -> str:
    labels = {str(r["period"]): t("ui.official.page.period_label", period=osv.words(str(r["period_type"]), str(r["period"])),
                                  date=fmt_date(as_date(r["snapshot_date"])))
              for r in periods.iloc[::-1].to_dict("records")}  # fmt: skip
    current = st.session_state.get(K_PERIOD)
    if current not in labels:
        if current:
            st.info(tm("ui.official.page.bad_period", value=str(current)[:20]))
        for_day = official_data.periods_for(ctx.url, ctx.end)
        st.session_state[K_PERIOD] = str(for_day[0]["period"]) if for_day else next(iter(labels))
    return str(st.selectbox(t("ui.official.page.period"), list(labels), format_func=lambda k: labels[k], key=K_PERIOD))


def _unit_choice(ctx: Ctx, period: str) -> str | None:
    units = official_data.load_official_units(ctx.url, period)
    all_units = data.load_units(ctx.url)
    names = all_units.set_index(all_units["code"].astype(str))
    acc = access.current()
    codes = [c for c in units["unit_code"].astype(str) if acc.may_see_detail(c) or names.loc[c, "level"] == "province"]
    order = {str(r["code"]): r["sort_order"] for r in ctx.meta.levels.to_dict("records")} if ctx.meta.levels is not None else {}
    codes.sort(key=lambda c: (order.get(str(names.loc[c, "level"]), 9) if c in names.index else 9, c))
    labels = {c: f"{names.loc[c, 'name']} ({state.level_name(str(names.loc[c, 'level']))})" if c in names.index else c
              for c in codes}  # fmt: skip
    current = st.session_state.get(K_UNIT)
    if current is not None and current not in labels:
        st.info(tm("ui.official.page.bad_unit", value=str(current)[:20]))
        st.session_state[K_UNIT] = None
    return st.selectbox(t("ui.official.page.unit"), list(labels), format_func=lambda k: labels[k], key=K_UNIT,
                        index=None, placeholder=t("ui.official.page.unit_placeholder"))  # fmt: skip


def _sync(code: str | None, period: str) -> None:
    for k, v in (("unit", code), ("ky", period)):
        if v and st.query_params.get(k) != v:
            st.query_params[k] = v
    st.session_state[_K_SYNCED] = (code, period)


def _components(rec: osv.Reconciliation) -> pd.DataFrame:
    """The components, numbers kept (the Excel download)."""
    c = rec.components
    df = pd.DataFrame({t("ui.official.col.component"): [f"{a} {b}" for a, b in zip(c["component"], c["name"], strict=True)]})
    for col in (*NUMBER_COLS[:2], "official_ratio", "official_points", *NUMBER_COLS[2:], "computed_ratio",
                "computed_points", "diff_points"):  # fmt: skip
        df[t(f"ui.official.col.{col}")] = c[col].astype(float).to_numpy()
    df[t("ui.official.col.reason")] = c["reason"].fillna("").to_numpy()
    return df


def _counts(num: object, den: object) -> str:
    """"1.630 / 1.920": numerator and denominator side by side ("–" when not published)."""
    if pd.isna(num) and pd.isna(den):
        return "–"
    return f"{fmt_number(num, 0)} / {fmt_number(den, 0)}"  # type: ignore[arg-type]


def _shown(rec: osv.Reconciliation) -> pd.DataFrame:
    """The components as read on screen: text in Vietnamese formats (the data grid would show
    a missing number as "None"), numerator and denominator in one cell per side."""
    c = rec.components
    col = lambda k: t(f"ui.official.col.{k}")  # noqa: E731
    return pd.DataFrame({
        col("component"): [f"{a} {b}" for a, b in zip(c["component"], c["name"], strict=True)],
        col("official_counts"): [_counts(a, b) for a, b in zip(c["official_numerator"], c["official_denominator"], strict=True)],
        col("official_ratio_short"): c["official_ratio"].map(fmt_percent),
        col("official_points_short"): c["official_points"].map(widgets.fmt_score),
        col("computed_counts"): [_counts(a, b) for a, b in zip(c["computed_numerator"], c["computed_denominator"], strict=True)],
        col("computed_ratio_short"): c["computed_ratio"].map(fmt_percent),
        col("computed_points_short"): c["computed_points"].map(widgets.fmt_score),
        col("diff_points"): c["diff_points"].map(lambda x: fmt_delta(None if pd.isna(x) else float(x))),
        col("reason"): c["reason"].fillna(""),
    })  # fmt: skip


# pixels: the table fits a 1366-pixel screen beside the sidebar (the reason takes what is left)
_WIDTHS = {"component": 230, "official_counts": 100, "official_ratio_short": 70, "official_points_short": 70,
           "computed_counts": 100, "computed_ratio_short": 70, "computed_points_short": 70, "diff_points": 75}


def _widths() -> dict:
    return {t(f"ui.official.col.{k}"): st.column_config.TextColumn(width=w, alignment=None if k == "component" else "right")
            for k, w in _WIDTHS.items()}  # fmt: skip


def _styled(df: pd.DataFrame, above: list[bool]):  # noqa: ANN202 - a pandas Styler
    """Rows above the threshold tinted."""

    def _rows(row: pd.Series) -> list[str]:
        return [official.DIFF_CSS if above[row.name] else "" for _ in row]

    return df.style.apply(_rows, axis=1)


def _title(ctx: Ctx, rec: osv.Reconciliation | None) -> None:
    """Title, notices and the official period with its source; not page.header: the period
    shown here is the official one, not the filters' (which the sidebar keeps)."""
    if rec is None:
        st.title(t("ui.official.page.title_none"))
    else:
        st.title(tm("ui.official.page.title", name=rec.unit_name))
    state.show_notices(ctx.filters)
    left, right = st.columns([3, 2])
    if rec is not None:
        left.caption(t("ui.official.source", period=rec.words, date=fmt_date(rec.snapshot_date)))
    right.caption(t("ui.freshness", date=fmt_date(ctx.meta.data_until)))
    widgets.replica_caption(data.replica_lag(ctx.url), right)
    page.stale_banner(ctx.meta.data_until)


def render(ctx: Ctx) -> None:
    """The whole page below the sidebar filters."""
    periods = official_data.load_periods(ctx.url)
    if periods.empty:
        _title(ctx, None)
        st.info(t("ui.official.page.none"))
        st.code(t("ui.official.page.command"), language="bash")
        return
    _from_url()
    top = st.container()  # the title, drawn once the pickers below have said which unit
    left, right = st.columns([1, 2])
    with left:
        period = _period_choice(ctx, periods)
    with right:
        code = _unit_choice(ctx, period)
    _sync(code, period)
    state.sync_url(ctx.filters, unit=code)
    if not code:
        with top:
            _title(ctx, None)
        st.info(t("ui.official.page.choose"))
        return
    unit = data.unit_row(ctx.url, code)
    # the province's figures are public like the overview; a unit's detail follows the role
    if (unit is None or str(unit["level"]) != "province") and not access.require_detail(code):
        return
    rec = official_data.load_reconciliation(ctx.url, code, period)
    with top:
        _title(ctx, rec)
    if rec is None:
        st.info(tm("ui.official.page.bad_unit", value=code))
        return
    th = official_data.load_thresholds(ctx.url)
    cols = st.columns(4)
    with cols[0]:
        widgets.metric(t("ui.official.kpi.official"), widgets.fmt_score(rec.official_total))
    cols[1].metric(t("ui.official.kpi.rank_portal"), "–" if rec.official_rank is None else str(rec.official_rank),
                   border=True, help=t("ui.official.help.rank_portal"))  # fmt: skip
    cols[2].metric(t("ui.official.kpi.computed", period=rec.words), widgets.fmt_score(rec.computed_total), border=True)
    diff = None if rec.official_total is None or rec.computed_total is None else rec.computed_total - rec.official_total
    cols[3].metric(t("ui.official.kpi.diff"), fmt_delta(diff), border=True, help=t("ui.official.help.diff"))
    if rec.computed_total is None:
        st.warning(t("ui.official.page.not_computed"))
    st.subheader(t("ui.official.page.groups"))
    g = rec.groups.set_index("group_code")
    row = pd.Series({"official_total": g.loc["total", "official"], "computed_total": g.loc["total", "computed"],
                     "diff_total": g.loc["total", "diff"],
                     **{f"{k}_group_{n}": g.loc[n, v] for n in official.GROUP_CODES
                        for k, v in (("official", "official"), ("computed", "computed"), ("diff", "diff"))}})  # fmt: skip
    official.group_table(row, th.group_threshold)
    st.caption(t("ui.official.compare_note", period=rec.words))
    st.subheader(t("ui.official.page.components"))
    if rec.components.empty:
        st.info(t("ui.official.page.no_components"))
    else:
        table = _components(rec)
        shown = _shown(rec)
        st.dataframe(_styled(shown, rec.components["above"].astype(bool).tolist()), hide_index=True,
                     width="stretch", row_height=38, height=38 * (len(shown) + 1) + 4, key="official_components",
                     column_config=_widths())
        st.caption(t("ui.official.page.components_caption", threshold=fmt_number(th.diff_threshold, 2)))
        st.download_button(t("ui.official.page.download"), data=lambda: excel.to_excel(table, t("ui.official.page.sheet")),
                           file_name=f"doi-chieu_{code}_{period}.xlsx", key="official_download",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    if rec.level != "province":
        st.page_link(UNIT_PAGE, label=t("ui.official.page.back"), icon=":material/apartment:",
                     query_params=state.url_params(ctx.filters, unit=code))  # fmt: skip
