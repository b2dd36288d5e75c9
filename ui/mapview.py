"""The map beside a league table: choropleth from a boundary file (the user's, else the shipped
one), or a ranked bar chart where no unit has a boundary."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import geo
from texts import fmt_number, t
from ui import charts, chartview, maps, widgets


# The boundary file, its match to a set of units and the map layout drawn from it are the same
# on every rerun of every session: cached as resources (shared, not copied on each read as
# st.cache_data would, which cost a commune map's geometry several ms a rerun), and so read
# only: maps.choropleth_deck builds new features around the shared geometry.
@st.cache_resource(show_spinner=False, max_entries=8)
def _boundaries(path: str, mtime: float) -> tuple[dict, str]:
    # Keyed by modification time so that replacing the file takes effect without a restart.
    b = geo.load_boundaries(Path(path))
    return b.geojson, b.attribution


UnitsKey = tuple[tuple[str, str, str | None], ...]


def _units_key(units: pd.DataFrame) -> UnitsKey:
    """What matching and labels read of the units: (code, name, short_name) of each."""
    short = units["short_name"] if "short_name" in units else pd.Series(None, index=units.index)
    return tuple(
        (str(c), n, s if isinstance(s, str) else None)
        for c, n, s in zip(units["code"], units["name"], short, strict=True)
    )


def _digest(units: UnitsKey) -> str:
    # the cache key of the units: Streamlit's own hashing of a few hundred tuples costs more
    # than the lookup saves, so the units go unhashed (_units) beside this digest
    return hashlib.sha1(repr(units).encode()).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=64)
def _matched(path: str, mtime: float, strict: bool, digest: str, _units: UnitsKey) -> geo.MatchResult:  # noqa: ARG001
    gj, _ = _boundaries(path, mtime)
    frame = pd.DataFrame(list(_units), columns=["code", "name", "short_name"])
    return geo.match_features(gj, frame, strict=strict)


@st.cache_resource(show_spinner=False, max_entries=64)
def _layout(path: str, mtime: float, strict: bool, digest: str, _units: UnitsKey,
            height: int) -> maps.MapLayout:
    res = _matched(path, mtime, strict, digest, _units)
    names = {code: name for code, name, _ in _units}
    return maps.geometry_layout(res.features, names, height)


def boundary_features(level: str, units: pd.DataFrame) -> tuple[geo.MatchResult | None, str]:
    """``_boundary_match`` without its layout key."""
    res, source, _ = _boundary_match(level, units)
    return res, source


LayoutKey = tuple[str, float, bool, str, UnitsKey]


def _boundary_match(
    level: str, units: pd.DataFrame
) -> tuple[geo.MatchResult | None, str, LayoutKey | None]:
    """The boundary file's features matched to ``units``, and the source caption; (None, "")
    without a usable file. The user's file wins; without one (or when it cannot be read, with a
    warning) the shipped default is used, whose unmatched units are expected and not warned of
    (2022 communes against the 2025 file)."""
    path, is_default = geo.effective_path(level)
    if path is not None and not is_default:
        problem = None
        if not path.is_file():
            problem = t("ui.map.file_missing_default", file=path.name)
        else:
            try:
                _boundaries(str(path), path.stat().st_mtime)
            except ValueError as exc:
                problem = t("ui.map.file_invalid_default", error=str(exc))
        if problem:
            st.warning(problem)
            default = geo.DEFAULT_FILES.get(level)
            path, is_default = (default, True) if default and default.is_file() else (None, True)
    if path is None:
        return None, "", None
    try:
        mtime = path.stat().st_mtime
        gj, attribution = _boundaries(str(path), mtime)
    except (OSError, ValueError):
        return None, "", None
    # The shipped files are matched strictly (code and name, see geo.match_features) and drawn
    # only when they hold every unit: a partial map of another year's units would mislead.
    ukey = _units_key(units)
    key: LayoutKey = (str(path), mtime, is_default, _digest(ukey), ukey)
    res = _matched(*key)
    if is_default:
        return (res, t("ui.map.attribution_default"), key) if not res.missing_units else (None, "", None)
    if res.missing_units:
        st.warning(t("ui.map.missing_units", n=len(res.missing_units),
                     names=", ".join(res.missing_units)))
    attr = geo.attribution_for(level, geo.Boundaries(path, gj, attribution))
    return res, t("ui.map.source_file", file=path.name) + (f" — {attr}" if attr else ""), key


def target_indicator(metric: str) -> str:
    """The targets' indicator for a map metric: "total", "group_2", or a component code."""
    return metric.removeprefix("c:")


def metric_options(components: pd.DataFrame) -> dict[str, str]:
    """What the map can be coloured by: total, six groups, every component (code → label)."""
    opts = {"total": t("ui.col.total")}
    for g in widgets.GROUPS:
        opts[g] = widgets.group_label(g, short=False)
    if components is not None and not components.empty:
        comp = components.drop_duplicates("component").sort_values("component")
        for r in comp.itertuples(index=False):
            opts[f"c:{r.component}"] = f"{r.component} {r.name}"
    return opts


def metric_values(metric: str, summary: pd.DataFrame, components: pd.DataFrame,
                  group_max: dict[str, float] | None = None) -> pd.DataFrame:
    """[unit_code, value, max, text] for the chosen metric; a group's maximum from ``group_max``
    (``views.group_max`` of the methodology in force)."""
    s = summary.assign(unit_code=summary["unit_code"].astype(str))
    if metric == "total":
        return pd.DataFrame({"unit_code": s["unit_code"], "value": s["total"], "max": 100.0})
    if metric in widgets.GROUPS:
        return pd.DataFrame({"unit_code": s["unit_code"], "value": s[metric],
                             "max": (group_max or {}).get(metric, float("nan"))})
    code = metric.removeprefix("c:")
    c = components[components["component"].astype(str) == code]
    return pd.DataFrame(
        {"unit_code": c["unit_code"].astype(str), "value": c["points"], "max": c["max_points"]}
    )


MODES = ("score", "grade")
MODE_PARAM = "to_mau"  # the colour choice in the URL: ?to_mau=xep-loai
_MODE_SLUGS = {"score": "diem", "grade": "xep-loai"}


def _colour_mode(key: str) -> str:
    """Score or grade colours: a small segmented control, remembered in the URL."""
    from_url = {v: k for k, v in _MODE_SLUGS.items()}.get(st.query_params.get(MODE_PARAM, ""))
    widget_key = f"{key}_mode"
    if widget_key not in st.session_state:
        st.session_state[widget_key] = from_url or "score"
    labels = {"score": t("ui.map.mode_score"), "grade": t("ui.map.mode_grade")}
    mode = st.segmented_control(t("ui.map.colour_mode"), list(MODES), format_func=lambda m: labels[m],
                                key=widget_key) or "score"
    if mode == "score":
        st.query_params.pop(MODE_PARAM, None)
    elif st.query_params.get(MODE_PARAM) != _MODE_SLUGS[mode]:
        st.query_params[MODE_PARAM] = _MODE_SLUGS[mode]
    return str(mode)


def ranked_bars(rows: pd.DataFrame, metric_label: str, target: float | None) -> go.Figure:
    """Units ranked by value, best on top, in their map colours; ``customdata[0]`` is the unit
    code so that a click opens the unit. ``rows``: [unit_code, name, value, fill, text]."""
    rows = rows.sort_values("value", ascending=True, na_position="first")
    colours = [f"rgba({r},{g},{b},{a / 255:.2f})" for r, g, b, a in rows["fill"]]
    shapes = []
    if target is not None:
        shapes.append({"type": "line", "x0": target, "x1": target, "yref": "paper", "y0": 0,
                       "y1": 1, "line": {"dash": "dash", "width": 2, "color": charts.TARGET}})
    return charts._figure(
        [{"type": "bar", "orientation": "h", "y": rows["name"].tolist(),
          "x": rows["value"].tolist(), "marker": {"color": colours},
          "customdata": [[c] for c in rows["unit_code"]],
          "text": rows["text"].tolist(), "textposition": "outside", "cliponaxis": False,
          "hovertemplate": "%{y}: %{text}<extra></extra>"}],
        height=max(200, 24 * len(rows) + 60), legend=False, shapes=shapes,
        xaxis={"title": {"text": metric_label}, "rangemode": "tozero"},
    )


def render(
    level: str,
    units: pd.DataFrame,
    summary: pd.DataFrame,
    components: pd.DataFrame,
    metric: str,
    metric_label: str,
    key: str,
    height: int = 620,
    target: float | None = None,
    group_max: dict[str, float] | None = None,
) -> str | None:
    """Draw the map (or, where no unit has a boundary, a ranked bar chart); return the code of
    a unit the user clicked, if any. ``target`` (from the targets table) centres the colour
    scale of scores; without one, colours run from none of the maximum to all of it."""
    vals = metric_values(metric, summary, components, group_max).set_index("unit_code")
    # plain dicts: a .loc lookup per unit and column cost more than the rest of the map
    val_of = dict(zip(vals.index, zip(vals["value"], vals["max"], strict=True), strict=True))
    sum_of = {
        str(c): (total, grade, colour, rank)
        for c, total, grade, colour, rank in zip(
            summary["unit_code"], summary["total"], summary["grade"], summary["grade_color"],
            summary["rank"], strict=True)
    }
    names = dict(zip(units["code"].astype(str), units["name"], strict=False))
    mode = _colour_mode(key) if metric == "total" else "score"
    scale = None
    if mode == "score" and target is not None:
        scale = maps.score_scale([float(v) for v in vals["value"]], target)

    def entry(code: str) -> dict:
        v = val_of.get(code)
        value = None if v is None or v[0] != v[0] else float(v[0])
        mx = None if v is None else float(v[1])
        row = sum_of.get(code)
        if mode == "grade" and row is not None and isinstance(row[2], str):
            fill = maps.hex_rgba(row[2])
        elif scale is not None:
            fill = maps.score_fill(value, scale)
        else:
            fill = maps.ramp(None if value is None or not mx else value / mx)
        text = widgets.fmt_score(value)
        label = f"{metric_label}: {text}" + (
            f" / {fmt_number(mx, 0)}" if mx and metric != "total" else ""
        )
        grade = ""
        if row is not None and pd.isna(row[0]):
            grade = t("ui.no_activity_unit")  # nothing to score: not graded, not ranked
        elif row is not None:
            rank = row[3]
            grade = t("ui.map.grade_rank", grade=row[1] or "–",
                      rank="–" if pd.isna(rank) else fmt_number(rank, 0))
        return {"name": names.get(code, code), "label": label, "grade": grade, "fill": fill,
                "value": value, "text": text}

    res, source, layout_key = _boundary_match(level, units)
    if res is None or layout_key is None or not res.features:
        # No polygon for these units (2022 communes): a ranked chart, not an empty map box.
        codes = [c for c in units["code"].astype(str) if c in vals.index]
        if not codes:
            st.info(t("ui.map.no_geo"))
            return None
        rows = pd.DataFrame([{"unit_code": c, **entry(c)} for c in codes])
        st.caption(t("ui.map.no_polygons", metric=metric_label))
        chartview.show(ranked_bars(rows, metric_label, target), key=key, on_click=_note_click)
        return st.session_state.pop(f"{key}_clicked", None)
    values = {c: entry(c) for c in (f["properties"]["unit_code"] for f in res.features)}
    deck = maps.choropleth_deck(res.features, values, height_px=height,
                                layout=_layout(*layout_key, height))
    event = st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key=key, height=height,
        alt=t("ui.map.alt", metric=metric_label),
    )
    if scale is not None:
        chartview.show(maps.legend_figure(scale), key=f"{key}_legend")
        st.caption(t("ui.map.legend_score"))
    elif mode == "grade":
        st.caption(t("ui.map.legend_total"))
    else:
        st.caption(t("ui.map.legend_ramp"))
    st.caption(source)
    return maps.selected_unit(event)


def _note_click(key: str) -> None:
    """A click on a bar, kept for one run (the selection itself stays in the widget state and
    must not reopen the unit on every later rerun)."""
    code = chartview.clicked(st.session_state.get(key))
    if code:
        st.session_state[f"{key}_clicked"] = code
