"""Map layers for the dashboard: colours, the fitted view, boundary and point layers.

Which boundary file is configured, and which unit each of its features is, live in
``data_access.geo`` (shared with the meeting pack's map picture). Without a file the map shows
points at the unit seats. No map tiles, fonts or anything else are fetched from the internet:
the deck has no map provider and no style.

Tooltips: pydeck renders the tooltip ``html`` template as HTML, with the feature's properties
substituted unescaped. Every value put in a tooltip is therefore escaped here
(``tooltip_text``), and line breaks are made by the template, never by markup in a value.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import pydeck as pdk

from data_access import geo

# The fields are the escaped copies (``tip_*``) of name, label, detail and grade.
_TIP_STYLE = {"fontSize": "15px"}
AREA_TOOLTIP = {"html": "<b>{tip_name}</b><br/>{tip_label}<br/>{tip_grade}", "style": _TIP_STYLE}
POINT_TOOLTIP = {
    "html": "<b>{tip_name}</b><br/>{tip_label}<br/>{tip_detail}<br/>{tip_grade}",
    "style": _TIP_STYLE,
}
TIP_FIELDS = ("name", "label", "detail", "grade")


def tooltip_text(value: object) -> str:
    """A value safe to substitute into the tooltip template: HTML-escaped text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


# --- colours and layers ---------------------------------------------------------------------

_SCALE = ((0.0, (192, 57, 43)), (0.5, (246, 193, 65)), (1.0, (27, 120, 55)))


def ramp(x: float | None) -> list[int]:
    """Red (0) → amber (0.5) → green (1); grey for no value."""
    if x is None or x != x:
        return [189, 195, 199, 200]
    x = min(1.0, max(0.0, float(x)))
    for (x0, c0), (x1, c1) in zip(_SCALE, _SCALE[1:], strict=False):
        if x <= x1:
            f = (x - x0) / (x1 - x0)
            return [round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True)] + [210]
    return [*_SCALE[-1][1], 210]


def hex_rgba(color: str, alpha: int = 220) -> list[int]:
    c = color.lstrip("#")
    return [int(c[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def _coords(geom: dict | None) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []

    def walk(x: object) -> None:
        if isinstance(x, list | tuple) and len(x) >= 2 and all(
            isinstance(v, int | float) for v in x[:2]
        ):
            out.append((float(x[0]), float(x[1])))
        elif isinstance(x, list | tuple):
            for y in x:
                walk(y)

    if geom:
        walk(geom.get("coordinates"))
    return out


def view_for(lons: list[float], lats: list[float], width_px: int = 640,
             height_px: int = 620, pad: float = 0.0) -> pdk.ViewState:
    """A view that fits the given coordinates (Web Mercator zoom from the larger span);
    ``pad`` widens the box by that fraction of its size (points need room for their radius)."""
    if not lons:
        return pdk.ViewState(latitude=15.6, longitude=108.0, zoom=8)
    lo0, lo1, la0, la1 = min(lons), max(lons), min(lats), max(lats)
    lon_span = max(lo1 - lo0, 0.02) * (1 + 2 * pad)
    lat_span = max(la1 - la0, 0.02) * (1 + 2 * pad)
    # deck.gl: the world is 512 px wide at zoom 0; 1.04 ≈ Mercator stretch at 15°N.
    z_lon = math.log2(width_px * 360 / (512 * lon_span))
    z_lat = math.log2(height_px * 360 / (512 * lat_span * 1.04))
    return pdk.ViewState(
        latitude=(la0 + la1) / 2, longitude=(lo0 + lo1) / 2,
        zoom=max(1.0, min(z_lon, z_lat) - 0.05),
    )


def label_layer(points: pd.DataFrame) -> pdk.Layer:
    """Unit names on the map: with no basemap they are the only landmarks.

    ``character_set="auto"`` makes deck.gl build its glyph atlas from the text itself (the
    default is ASCII, which would drop Vietnamese letters); glyphs are drawn from local fonts.
    """
    return pdk.Layer(
        "TextLayer",
        id="labels",
        data=points,
        get_position="[lon, lat]",
        get_text="short",
        get_size=13,
        get_color=[28, 40, 51, 255],
        get_text_anchor="'middle'",
        get_alignment_baseline="'center'",
        # pydeck reads a bare string as a JavaScript expression: literals go in quotes.
        character_set="'auto'",
        font_family="'Source Sans Pro, Noto Sans, DejaVu Sans, sans-serif'",
        font_weight=600,
        # Plain (non-SDF) glyphs in a roomy cell: the SDF cutoff erases the thin marks above
        # Vietnamese letters (ă, ế, ớ). A light box behind keeps the text readable on colour.
        font_settings={"sdf": False, "fontSize": 40, "buffer": 30},
        background=True,
        get_background_color=[255, 255, 255, 170],
        background_padding=[3, 1],
        pickable=False,
    )


def _centre(geom: dict | None) -> tuple[float, float] | None:
    """A label point: the middle of the bounding box of the largest outer ring."""
    if not geom:
        return None
    polys = geom.get("coordinates") or []
    if geom.get("type") == "Polygon":
        polys = [polys]
    def area(ring: list) -> float:
        return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False)))

    best: list = []
    best_area = -1.0
    for poly in polys:
        # The largest ring by area (Hội An's mainland, not the Cù Lao Chàm islands).
        if poly and area(poly[0]) > best_area:
            best, best_area = poly[0], area(poly[0])
    if not best:
        return None
    xs = [c[0] for c in best]
    ys = [c[1] for c in best]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def choropleth_deck(
    features: list[dict], values: dict[str, dict], layer_id: str = "units",
    height_px: int = 620, show_labels: bool = True,
) -> pdk.Deck:
    """A GeoJSON layer coloured per unit; ``values[code]`` gives name, label, fill colour."""
    feats = []
    lons: list[float] = []
    lats: list[float] = []
    for f in features:
        code = f["properties"]["unit_code"]
        v = values.get(code, {})
        props = {
            "unit_code": code,
            "name": v.get("name", f["properties"].get("name", code)),
            "label": v.get("label", "–"),
            "grade": v.get("grade", ""),
            "fill": v.get("fill", ramp(None)),
        }
        props.update({f"tip_{k}": tooltip_text(props.get(k)) for k in ("name", "label", "grade")})
        feats.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
        for lo, la in _coords(f["geometry"]):
            lons.append(lo)
            lats.append(la)
    layer = pdk.Layer(
        "GeoJsonLayer",
        id=layer_id,
        data={"type": "FeatureCollection", "features": feats},
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[255, 255, 255, 255],
        line_width_min_pixels=1.5,
        auto_highlight=True,
        highlight_color=[52, 73, 94, 90],
    )
    centres = []
    for f in feats:
        c = _centre(f["geometry"])
        if c:
            centres.append({"lon": c[0], "lat": c[1], "short": geo.short_name(f["properties"]["name"])})
    layers = [layer]
    if show_labels and centres:
        layers.append(label_layer(pd.DataFrame(centres)))
    return pdk.Deck(
        layers=layers,
        initial_view_state=view_for(lons, lats, height_px=height_px),
        # No provider and no style: pydeck then emits a placeholder style that Streamlit drops
        # instead of substituting its default Carto basemap (an internet fetch).
        map_provider=None,
        tooltip=AREA_TOOLTIP,
    )


def points_deck(points: pd.DataFrame, layer_id: str = "units", height_px: int = 620,
                show_labels: bool = True) -> pdk.Deck:
    """Circles at unit seats: ``points`` [unit_code, name, lat, lon, radius, fill, label, grade]
    and optionally ``detail`` (a fourth tooltip line). Tooltip values are escaped here."""
    points = points.copy()
    for k in TIP_FIELDS:
        points[f"tip_{k}"] = [tooltip_text(v) for v in points[k]] if k in points else ""
    layer = pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=points,
        pickable=True,
        get_position="[lon, lat]",
        get_radius="radius",
        get_fill_color="fill",
        get_line_color=[255, 255, 255, 255],
        stroked=True,
        line_width_min_pixels=1.5,
        auto_highlight=True,
    )
    layers = [layer]
    if show_labels:
        labels = points[["lon", "lat"]].copy()
        labels["short"] = [geo.short_name(n) for n in points["name"]]
        # Below the circle, so the label does not hide the colour.
        labels["lat"] = labels["lat"] - 0.045
        layers.append(label_layer(labels))
    return pdk.Deck(
        layers=layers,
        initial_view_state=view_for(points["lon"].tolist(), points["lat"].tolist(),
                                    height_px=height_px, pad=0.12),
        map_provider=None,
        tooltip=POINT_TOOLTIP,
    )


def selected_unit(event: object, layer_id: str = "units") -> str | None:
    """Unit code of the map object a user clicked, from st.pydeck_chart's selection state."""
    # The selection state is duck-typed on purpose (attribute access, else a plain dict, as
    # Streamlit versions and tests give it): a missing part raises and is caught.
    try:
        objs = event.selection.objects.get(layer_id) or []  # type: ignore[attr-defined]
    except AttributeError:
        try:
            objs = event["selection"]["objects"].get(layer_id) or []  # type: ignore[index]
        except (KeyError, TypeError):
            return None
    if not objs:
        return None
    obj = objs[0]
    props = obj.get("properties", obj) if isinstance(obj, dict) else {}
    code = props.get("unit_code")
    return str(code) if code is not None else None
