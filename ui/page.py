"""What every page needs before drawing: a usable database and the shared filters."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd
import streamlit as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from streamlit.navigation.page import StreamlitPage

from data_access import freshness
from scorecard import service
from scorecard.periods import week_period
from texts import fmt_date, fmt_number, t
from texts.safe import tm
from ui import access, data, links, meeting, state, structure, views, widgets

log = logging.getLogger(__name__)

CTX_KEY = "_page_ctx"
DB_SEEN_OK = "_db_seen_ok"  # this session has had a working database (so an error is an outage)
DEMO_COMMAND = "python -m data_access demo --scale 0.1"


@dataclass(frozen=True)
class Ctx:
    url: str
    meta: data.Meta
    filters: state.Filters

    @property
    def week(self) -> str:
        return self.filters.week

    @property
    def kind(self) -> str:
        return self.filters.period_kind

    def level_name(self, code: str) -> str:
        return state.level_name(code)

    @property
    def end(self) -> date:
        """The selected period's last day: the structure it shows (levels, units) is that day's."""
        return self.filters.period.end

    @property
    def ranked_levels(self) -> list[str]:
        """The ranked levels that exist at the period's end, in display order."""
        assert self.meta.levels is not None
        return structure.ranked_on(self.meta.levels, self.end)

    @property
    def local_level(self) -> str | None:
        """The level the "Địa phương" page lists in this period (districts, or communes)."""
        assert self.meta.levels is not None
        return structure.local_level(self.meta.levels, self.end)


def week_end(week: str) -> date:
    return week_period(week).end


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as "?"
        return "?"


def _stop_with(kind: str, url: str) -> None:
    """Explain in Vietnamese why there is nothing to show, with the command that fixes it."""
    st.title(t("ui.app.title"))
    if kind == "error":
        st.error(tm("ui.db.unreachable", url=_safe_url(url)))
    else:
        st.warning(tm("ui.db.empty", url=_safe_url(url)))
    st.markdown(t("ui.db.how_to_fix"))
    st.code(DEMO_COMMAND, language="bash")
    st.caption(t("ui.db.config_hint"))
    st.stop()


def db_lost() -> None:
    """The database stopped answering during the session: say so, offer a retry, draw nothing.

    Nothing about the failure is cached (ui.data), so the first rerun after the database is back
    shows the data again, without restarting the app.
    """
    st.error(t("ui.db.lost"), icon=":material/cloud_off:")
    st.button(t("ui.db.retry"), key="_db_retry", type="primary")  # a click reruns the page
    st.stop()


def run(current: StreamlitPage) -> None:
    """Run the chosen page; a database failure half-way through becomes the outage banner."""
    try:
        current.run()
    except SQLAlchemyError as exc:
        log.warning("database failed during a page: %s", exc)
        db_lost()


def setup() -> Ctx:
    """Sign-in first, then the database (building the first-run demo if due), the user's role
    and the filters."""
    service.start_snapshot_scope()  # this run checks the score snapshot once, not per read
    data.start_run()  # and reads the data version (the cache key of every loader) once
    # stops on the sign-in screen before the database is touched
    ident = access.gate_identity(presenting=meeting.presenting())
    url = data.current_url()
    if data.needs_auto_demo(url):
        with st.spinner(t("ui.db.creating_demo")):
            try:
                data.create_auto_demo(url)
            except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
                st.error(tm("ui.db.demo_failed", error=type(exc).__name__))
                _stop_with("error", url)
        st.toast(t("ui.db.demo_created"))
    meta = data.load_meta(url)
    if meta.status == "ok" and not data.ping(url):
        meta = data.Meta("error", error="unreachable")  # cached metadata, lost database
    if meta.status != "ok":
        if meta.status == "error" and st.session_state.get(DB_SEEN_OK):
            db_lost()
        _stop_with(meta.status, url)
    st.session_state[DB_SEEN_OK] = True
    data.share_reads(url)  # the snapshot check and reference reads of this data version, shared
    try:
        access.gate_access(url, ident, data.load_units(url), data.load_lineage(url))
    except SQLAlchemyError as exc:
        log.warning("role lookup failed: %s", exc)
        db_lost()
    levels = meta.levels
    assert levels is not None  # an "ok" Meta always carries the levels (ui.data._load_meta)
    state.set_level_names(
        dict(zip(levels["code"], levels["name"], strict=False)),
        dict(zip(levels["code"], levels["plural"], strict=False)),
    )
    latest = meta.weeks[-1]
    data.start_prewarm(url, latest, tuple(views.top_levels(url, levels, week_end(latest))))
    filters = state.init_filters(list(meta.weeks), levels)
    ctx = Ctx(url=url, meta=meta, filters=filters)
    st.session_state[CTX_KEY] = ctx
    return ctx


def context() -> Ctx:
    """The context app.py prepared for this run (or prepare it, when a page runs alone)."""
    ctx = st.session_state.get(CTX_KEY)
    return ctx if isinstance(ctx, Ctx) else setup()


def header(title_key: str, ctx: Ctx, **values: object) -> None:
    """Page title, the period in words and data freshness: the same on every page."""
    st.title(tm(title_key, **values))  # values are data (a unit's name): escaped
    state.show_notices(ctx.filters)
    left, right = st.columns([3, 2])
    left.caption(state.period_caption(ctx.filters))
    right.caption(t("ui.freshness", date=fmt_date(ctx.meta.data_until)))
    widgets.replica_caption(data.replica_lag(ctx.url), right)
    stale_banner(ctx.meta.data_until)


def stale_banner(data_until: date | None) -> None:
    """Say plainly when the newest dossier is older than the configured number of days
    (``data_access.freshness``): every number on the page is then out of date."""
    age = freshness.stale_age(data_until)
    if age is not None:
        st.warning(t("ui.stale.banner", date=fmt_date(data_until), days=fmt_number(age, 0),
                     limit=fmt_number(freshness.stale_days(), 0)), icon=":material/update:")


UNIT_PAGE = "app_pages/unit.py"
PENDING_UNIT = "_pending_unit"


def open_unit(ctx: Ctx, code: str) -> None:
    """Go to the unit page for ``code``, keeping the filters in the URL (when the user may)."""
    if not access.current().may_see_detail(code):
        # League tables and maps are public to every role; the unit page is not.
        st.toast(tm("ui.access.denied_unit", value=str(code)[:20]))
        return
    st.session_state["unit_code"] = code
    st.session_state[PENDING_UNIT] = code
    st.switch_page(UNIT_PAGE, query_params=state.url_params(ctx.filters, unit=code))


def league_table(ctx: Ctx, summary: pd.DataFrame | None, sparks: dict[str, list[float]] | None,
                 key: str, height: int | Literal["auto"] = "auto", groups: bool = True) -> None:
    """The sortable league table; clicking a row opens that unit."""
    from ui import official  # official builds on this module (its charts link units)

    if summary is None or summary.empty:
        st.info(t("ui.no_data_period"))
        return
    row_height = 38
    unit_width = widgets.LEAGUE_WIDTHS["unit"] - (0 if groups else 10)
    if meeting.presenting():
        # On the projector a ranking is split over slides that each fit the screen (the
        # stepper moves through them); rows and names get the room a 1920 px screen has.
        n = len(summary)
        parts = meeting.parts_needed(n)
        part = meeting.current_part(parts)
        rows = meeting.part_rows(n, part)
        if parts > 1:
            first = rows.start + 1
            st.caption(t("ui.present.part_caption", n=part, total=parts, first=first,
                         last=min(rows.stop, n), count=n))
        summary = summary.iloc[rows]
        row_height, unit_width = 46, 2 * unit_width
        height = row_height * (len(summary) + 1) + 4
    df = widgets.league_frame(summary, sparks, groups=groups)
    extra = official.league_columns(ctx, summary)  # official scores beside ours, where imported
    df = extra.add(df, beside_total=groups) if extra is not None else df
    # The name is a link to the unit page (a click opens it in a new tab, the view in its URL);
    # the row's selection box opens it here.
    df["unit"] = [links.unit_link(ctx.filters, c, n)
                  for c, n in zip(df.index, df["unit"], strict=True)]
    styled = widgets.style_league(df, summary["grade_color"].fillna("").tolist())
    level = str(summary["level"].iloc[0])
    # each group's maximum from the methodology in force for the period (data, not code)
    gmax = views.group_max(data.load_catalogue(ctx.url, level, ctx.kind, ctx.week)) if groups else None
    config = widgets.league_column_config(with_trend=sparks is not None, wide=groups, group_max=gmax)
    config["unit"] = links.unit_column(width=unit_width)
    if extra is not None:
        config = {**config, **extra.config()}
    event = st.dataframe(
        styled,
        column_config=config,
        hide_index=True,
        width="stretch",
        height=height,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        row_height=row_height,
    )
    if groups:
        st.caption(widgets.group_legend(gmax))
    st.caption(t("ui.league.click_hint"))
    if extra is not None:
        extra.caption()
    _scored_from_caption(ctx, summary)
    code = widgets.selected_code(event, df)
    if code:
        open_unit(ctx, code)


def present_parts(ctx: Ctx) -> dict[str, int]:
    """url_path -> how many slides its ranking takes in presentation mode (ui.meeting)."""
    out = {"so-ban-nganh": meeting.parts_needed(
        len(data.load_summary(ctx.url, "department", ctx.kind, ctx.week)))}
    if ctx.local_level is not None:
        out["dia-phuong"] = meeting.parts_needed(
            len(data.load_summary(ctx.url, ctx.local_level, ctx.kind, ctx.week)))
    return out


def _scored_from_caption(ctx: Ctx, summary: pd.DataFrame) -> None:
    """Say when units of the table began during the period: they are scored on that part."""
    level = str(summary["level"].iloc[0])
    since = data.load_scored_from(ctx.url, level, ctx.kind, ctx.week)
    shown = [since[c] for c in summary["unit_code"].astype(str) if c in since]
    for day in sorted(set(shown)):
        st.caption(t("ui.league.scored_from", date=fmt_date(day), n=shown.count(day)))
