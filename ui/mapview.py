"""The map beside a league table: choropleth from a boundary file, or points at unit seats."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import streamlit as st

from data_access import geo
from texts import fmt_number, t
from ui import maps, widgets


@st.cache_data(show_spinner=False)
def _boundaries(path: str, mtime: float) -> tuple[dict, str]:
    # Keyed by modification time so that replacing the file takes effect without a restart.
    b = geo.load_boundaries(Path(path))
    return b.geojson, b.attribution


def boundary_features(level: str, units: pd.DataFrame) -> tuple[geo.MatchResult | None, str]:
    """The configured boundary file's features matched to ``units``, and the source caption;
    (None, "") without a usable file. Problems with the file are shown as warnings."""
    path = geo.boundary_path(level)
    if path is None:
        return None, ""
    if not path.is_file():
        st.warning(t("ui.map.file_missing", file=path.name))
        return None, ""
    try:
        gj, attribution = _boundaries(str(path), path.stat().st_mtime)
    except ValueError as exc:
        st.warning(t("ui.map.file_invalid", error=str(exc)))
        return None, ""
    res = geo.match_features(gj, units)
    if res.missing_units:
        st.warning(t("ui.map.missing_units", n=len(res.missing_units),
                     names=", ".join(res.missing_units)))
    attr = geo.attribution_for(level, geo.Boundaries(path, gj, attribution))
    return res, t("ui.map.source_file", file=path.name) + (f" — {attr}" if attr else "")


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


def metric_values(metric: str, summary: pd.DataFrame, components: pd.DataFrame
                  ) -> pd.DataFrame:
    """[unit_code, value, max, text] for the chosen metric."""
    s = summary.assign(unit_code=summary["unit_code"].astype(str))
    if metric == "total":
        return pd.DataFrame({"unit_code": s["unit_code"], "value": s["total"], "max": 100.0})
    if metric in widgets.GROUPS:
        return pd.DataFrame({"unit_code": s["unit_code"], "value": s[metric],
                             "max": widgets.GROUP_MAX[metric]})
    code = metric.removeprefix("c:")
    c = components[components["component"].astype(str) == code]
    return pd.DataFrame(
        {"unit_code": c["unit_code"].astype(str), "value": c["points"], "max": c["max_points"]}
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
) -> str | None:
    """Draw the map; return the code of a unit the user clicked, if any."""
    vals = metric_values(metric, summary, components).set_index("unit_code")
    s = summary.assign(unit_code=summary["unit_code"].astype(str)).set_index("unit_code")
    names = dict(zip(units["code"].astype(str), units["name"], strict=False))

    def entry(code: str) -> dict:
        v = vals.loc[code] if code in vals.index else None
        value = None if v is None else float(v["value"])
        mx = None if v is None else float(v["max"])
        if metric == "total" and code in s.index and isinstance(s.loc[code, "grade_color"], str):
            fill = maps.hex_rgba(s.loc[code, "grade_color"])
        else:
            fill = maps.ramp(None if value is None or not mx else value / mx)
        label = f"{metric_label}: {widgets.fmt_score(value)}" + (
            f" / {fmt_number(mx, 0)}" if mx and metric != "total" else ""
        )
        grade = ""
        if code in s.index:
            grade = t("ui.map.grade_rank", grade=s.loc[code, "grade"] or "–",
                      rank=fmt_number(s.loc[code, "rank"], 0))
        return {"name": names.get(code, code), "label": label, "grade": grade, "fill": fill,
                "value": value}

    deck = None
    res, source = boundary_features(level, units)
    if res is not None and res.features:
        values = {c: entry(c) for c in (f["properties"]["unit_code"] for f in res.features)}
        deck = maps.choropleth_deck(res.features, values, height_px=height)
    if deck is None:
        pts = units.dropna(subset=["lat", "lon"]).copy()
        if pts.empty:
            st.info(t("ui.map.no_geo"))
            return None
        pts["unit_code"] = pts["code"].astype(str)
        dossiers = s["dossiers"] if "dossiers" in s else pd.Series(dtype=float)
        pts["dossiers"] = pts["unit_code"].map(dossiers).fillna(0).astype(float)
        dmax = max(float(pts["dossiers"].max()), 1.0)
        # Area proportional to volume: radius grows with the square root.
        scale_m = 7000 if level != "commune" else 2200
        pts["radius"] = [scale_m * (0.25 + 0.75 * math.sqrt(d / dmax)) for d in pts["dossiers"]]
        e = {c: entry(c) for c in pts["unit_code"]}
        pts["name"] = [e[c]["name"] for c in pts["unit_code"]]
        pts["label"] = [e[c]["label"] for c in pts["unit_code"]]
        # A line of its own in the tooltip template: values never carry markup.
        pts["detail"] = [t("ui.map.dossiers", n=fmt_number(d, 0)) for d in pts["dossiers"]]
        pts["grade"] = [e[c]["grade"] for c in pts["unit_code"]]
        pts["fill"] = [e[c]["fill"] for c in pts["unit_code"]]
        deck = maps.points_deck(
            pts[["unit_code", "name", "lat", "lon", "radius", "fill", "label", "detail", "grade"]],
            height_px=height,
        )
        source = t("ui.map.source_points")
    event = st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key=key, height=height,
        alt=t("ui.map.alt", metric=metric_label),
    )
    st.caption(source)
    st.caption(t("ui.map.legend_total") if metric == "total" else t("ui.map.legend_ramp"))
    return maps.selected_unit(event)
