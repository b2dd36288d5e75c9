"""Map layers for the dashboard: colours, the fitted view, boundary and point layers.

Which boundary file is configured, and which unit each of its features is, live in
``data_access.geo`` (shared with the meeting pack's map picture). Units are coloured by score on
a scale centred on the target (``score_scale`` / ``score_fill``); pydeck draws no legend, so
``legend_figure`` draws one beside the map. No map tiles, fonts or anything else are fetched from the internet:
the deck has no map provider and no style.

Tooltips: pydeck renders the tooltip ``html`` template as HTML, with the feature's properties
substituted unescaped. Every value put in a tooltip is therefore escaped here
(``tooltip_text``), and line breaks are made by the template, never by markup in a value.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from data_access import geo
from texts import fmt_number, t
from ui import charts

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


@dataclass(frozen=True)
class ScoreScale:
    """Scores from ``lo`` (red) through ``target`` (amber) to ``hi`` (green)."""

    lo: float
    target: float
    hi: float

    def position(self, value: float | None) -> float | None:
        """Where a score sits on the colour ramp: 0 at ``lo``, 0.5 at the target, 1 at ``hi``."""
        if value is None or value != value:
            return None
        v = float(value)
        if v >= self.target:
            span = self.hi - self.target
            return 0.5 + (0.5 * (v - self.target) / span if span > 0 else 0.0)
        span = self.target - self.lo
        return 0.5 - (0.5 * (self.target - v) / span if span > 0 else 0.0)


def score_scale(values: list[float | None], target: float) -> ScoreScale:
    """The scale for these scores: from the lowest to the highest, the target always inside."""
    vals = [float(v) for v in values if v is not None and v == v]
    return ScoreScale(min([*vals, target]), float(target), max([*vals, target]))


def score_fill(value: float | None, scale: ScoreScale) -> list[int]:
    """Fill colour of a score: a continuous ramp, amber at the target; grey for no score."""
    return ramp(scale.position(value))


def legend_figure(scale: ScoreScale, digits: int = 1, height: int = 78) -> go.Figure:
    """A gradient bar with the lowest score, the target and the highest score under it."""
    steps = 101
    xs = [scale.lo + (scale.hi - scale.lo) * i / (steps - 1) for i in range(steps)]
    z = [[scale.position(x) for x in xs]]
    colorscale = [[x, f"rgb{c}"] for x, c in _SCALE]
    ticks = sorted({scale.lo, scale.target, scale.hi})
    # The target last: when it equals the lowest or highest score, it names that tick.
    words = {scale.lo: "ui.map.legend_min", scale.hi: "ui.map.legend_max",
             scale.target: "ui.map.legend_target"}
    text = [t(words[v], v=fmt_number(v, digits)) for v in ticks]
    fig = charts.figure(
        data=[{"type": "heatmap", "x": xs, "y": [0], "z": z, "zmin": 0, "zmax": 1,
               "colorscale": colorscale, "showscale": False, "hoverinfo": "skip"}],
        layout={
            "height": height, "margin": {"l": 70, "r": 70, "t": 4, "b": 36},
            "font": {"family": charts.FONT_FAMILY, "size": 13, "color": "#31333f"},
            "paper_bgcolor": "white", "plot_bgcolor": "white", "dragmode": False,
            "xaxis": {"tickvals": ticks, "ticktext": text, "fixedrange": True,
                      "showgrid": False, "zeroline": False, "ticks": "outside",
                      "range": [scale.lo, scale.hi] if scale.hi > scale.lo else None},
            "yaxis": {"visible": False, "fixedrange": True},
            "shapes": [{"type": "line", "x0": scale.target, "x1": scale.target, "yref": "paper",
                        "y0": 0, "y1": 1, "line": {"color": charts.TARGET, "width": 2}}],
        },
    )
    return fig


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


# The map sits in a column beside the league table: about 380 px wide on a 1366 px laptop
# screen. The view is fitted to that width so that no unit is cut off on a small screen.
FIT_WIDTH_PX = 380


def view_for(lons: list[float], lats: list[float], width_px: int = FIT_WIDTH_PX,
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
        get_size=LABEL_FONT_PX,
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


def _ring_area(ring: list) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))) / 2


def _largest_ring(geom: dict | None) -> list:
    """The largest outer ring by area (Hội An's mainland, not the Cù Lao Chàm islands)."""
    rings = geo.outer_rings(geom)
    return max(rings, key=_ring_area) if rings else []


def _centre(geom: dict | None) -> tuple[float, float] | None:
    """A label point inside the polygon: on the horizontal line through the middle of the
    largest ring, the middle of the widest stretch inside it (a bounding-box centre can fall
    outside a crescent-shaped district)."""
    ring = _largest_ring(geom)
    if not ring:
        return None
    ys = [p[1] for p in ring]
    best: tuple[float, float] | None = None
    best_w = -1.0
    for frac in (0.5, 0.4, 0.6, 0.3, 0.7):
        y = min(ys) + (max(ys) - min(ys)) * frac
        xs = sorted(
            x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)
            if (y0 <= y < y1) or (y1 <= y < y0)
        )
        for a, b in zip(xs[::2], xs[1::2], strict=False):
            if b - a > best_w:
                best, best_w = ((a + b) / 2, y), b - a
    if best is None:
        xs2 = [p[0] for p in ring]
        return (min(xs2) + max(xs2)) / 2, (min(ys) + max(ys)) / 2
    return best


# A unit whose label point lies this far (degrees) from the others' median is drawn in an
# inset in the corner of the map instead of at its place: the Đặc khu Hoàng Sa lies ~4° east of
# Đà Nẵng, and fitting the view to it would shrink the mainland to a strip.
FAR_DEG = 1.5
INSET_SHARE = 0.22  # the inset's size as a share of the mainland box


def _bbox(coords: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    return min(xs), max(xs), min(ys), max(ys)


def _moved(geom: dict, f: object) -> dict:
    def walk(x: object) -> object:
        if isinstance(x, list) and len(x) >= 2 and all(isinstance(v, int | float) for v in x[:2]):
            return list(f(float(x[0]), float(x[1])))  # type: ignore[operator]
        return [walk(v) for v in x] if isinstance(x, list) else x
    return {**geom, "coordinates": walk(geom.get("coordinates"))}


def inset_far_units(
    feats: list[dict],
) -> tuple[list[dict], list[float], list[float], list[list[float]] | None]:
    """Features with the far-off ones (islands) moved, scaled down, into the top-right corner
    of the others' box; their lons and lats; the inset frame's path (None without an inset).
    The features keep their properties, so a click and the tooltip still name the unit."""
    centres = [_centre(f["geometry"]) for f in feats]
    known = [c for c in centres if c]
    if len(known) < 3:
        coords = [p for f in feats for p in _coords(f["geometry"])]
        return feats, [c[0] for c in coords], [c[1] for c in coords], None
    mx = sorted(c[0] for c in known)[len(known) // 2]
    my = sorted(c[1] for c in known)[len(known) // 2]
    far = [c is not None and math.hypot(c[0] - mx, c[1] - my) > FAR_DEG for c in centres]
    main = [p for f, x in zip(feats, far, strict=True) if not x for p in _coords(f["geometry"])]
    if not any(far) or not main:
        return feats, [c[0] for c in main], [c[1] for c in main], None
    x0, x1, y0, y1 = _bbox(main)
    outer = [p for f, x in zip(feats, far, strict=True) if x for p in _coords(f["geometry"])]
    ox0, ox1, oy0, oy1 = _bbox(outer)
    scale = min(INSET_SHARE * (x1 - x0) / max(ox1 - ox0, 1e-6),
                INSET_SHARE * (y1 - y0) / max(oy1 - oy0, 1e-6))
    pad = 0.02 * (x1 - x0)
    tx0, ty1 = x1 - pad - scale * (ox1 - ox0), y1 - pad  # the inset's left and top edges

    def move(x: float, y: float) -> tuple[float, float]:
        return tx0 + scale * (x - ox0), ty1 - scale * (oy1 - y)

    out = [{**f, "geometry": _moved(f["geometry"], move)} if x else f
           for f, x in zip(feats, far, strict=True)]
    m = pad / 2
    fx0, fx1 = tx0 - m, x1 - pad + m
    fy0, fy1 = ty1 - scale * (oy1 - oy0) - m, ty1 + m
    frame = [[fx0, fy0], [fx1, fy0], [fx1, fy1], [fx0, fy1], [fx0, fy0]]
    coords = main + [move(*p) for p in outer]
    return out, [c[0] for c in coords], [c[1] for c in coords], frame


LABEL_FONT_PX = 13
_CHAR_PX = 7.6  # average width of a 13 px bold letter
_LINE_PX = 19  # text height plus the background box's padding


def place_labels(candidates: list[dict], zoom: float, lat: float = 15.6) -> list[dict]:
    """Labels that do not overlap at this zoom: the largest units first, each label kept only
    where its box (sized in degrees from the text's width in pixels) hits no label kept before.
    ``candidates``: dicts with ``lon``, ``lat``, ``short`` and ``area`` (any unit)."""
    deg_per_px = 360 / (512 * 2**zoom)
    # Mercator: a degree of latitude takes more pixels than a degree of longitude.
    lat_deg_per_px = deg_per_px * math.cos(math.radians(lat))
    kept: list[tuple[float, float, float, float]] = []
    out = []
    for c in sorted(candidates, key=lambda c: -float(c.get("area", 0))):
        half_w = (len(str(c["short"])) * _CHAR_PX + 8) / 2 * deg_per_px
        half_h = _LINE_PX / 2 * lat_deg_per_px
        box = (c["lon"] - half_w, c["lon"] + half_w, c["lat"] - half_h, c["lat"] + half_h)
        if any(box[0] < k[1] and k[0] < box[1] and box[2] < k[3] and k[2] < box[3]
               for k in kept):
            continue
        kept.append(box)
        out.append(c)
    return out


@dataclass(frozen=True)
class MapLayout:
    """What a choropleth's look depends on besides the colours: the features (far-off ones
    moved into the inset, properties ``unit_code`` and ``name`` only), the inset's frame, the
    fitted view and the labels that fit at its zoom. The same for every metric, week and colour
    of one set of units, so the dashboard computes it once (``ui.mapview``); read only."""

    features: tuple[dict, ...]
    frame: list[list[float]] | None
    latitude: float
    longitude: float
    zoom: float
    labels: tuple[dict, ...]  # [lon, lat, short] of the labels kept


def geometry_layout(features: list[dict], names: dict[str, str], height_px: int = 620) -> MapLayout:
    """The ``MapLayout`` of matched ``features`` (``geo.match_features``), each labelled with
    ``names[unit_code]`` (else the feature's own name, else the code)."""
    feats = []
    for f in features:
        code = f["properties"]["unit_code"]
        name = names.get(code, f["properties"].get("name", code))
        feats.append({"type": "Feature", "properties": {"unit_code": code, "name": name},
                      "geometry": f["geometry"]})
    feats, lons, lats, frame = inset_far_units(feats)
    view = view_for(lons, lats, height_px=height_px)
    centres = []
    for f in feats:
        c = _centre(f["geometry"])
        if c:
            centres.append({"lon": c[0], "lat": c[1],
                            "short": geo.short_name(f["properties"]["name"]),
                            "area": _ring_area(_largest_ring(f["geometry"]))})
    placed = place_labels(centres, float(view.zoom), float(view.latitude))
    return MapLayout(
        features=tuple(feats), frame=frame, latitude=float(view.latitude),
        longitude=float(view.longitude), zoom=float(view.zoom),
        labels=tuple({"lon": c["lon"], "lat": c["lat"], "short": c["short"]} for c in placed),
    )


class _Deck(pdk.Deck):
    """A Deck serialised without indentation: pydeck's ``indent=2`` makes ``json`` fall back
    from its C encoder to the pure-Python one, tens of milliseconds for a commune map's
    coordinates on every rerun. The same JSON, without the whitespace."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize)


def choropleth_deck(
    features: list[dict], values: dict[str, dict], layer_id: str = "units",
    height_px: int = 620, show_labels: bool = True, layout: MapLayout | None = None,
) -> pdk.Deck:
    """A GeoJSON layer coloured per unit; ``values[code]`` gives name, label, fill colour.
    ``layout``: the features' ``geometry_layout`` when the caller holds it (it is then used
    instead of ``features`` and the names in ``values``)."""
    if layout is None:
        names = {f["properties"]["unit_code"]: values[f["properties"]["unit_code"]]["name"]
                 for f in features
                 if "name" in values.get(f["properties"]["unit_code"], {})}
        layout = geometry_layout(features, names, height_px)
    feats = []
    for f in layout.features:
        code = f["properties"]["unit_code"]
        v = values.get(code, {})
        props = {
            "unit_code": code,
            "name": f["properties"]["name"],
            "label": v.get("label", "–"),
            "grade": v.get("grade", ""),
            "fill": v.get("fill", ramp(None)),
        }
        props.update({f"tip_{k}": tooltip_text(props.get(k)) for k in ("name", "label", "grade")})
        feats.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
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
    layers = [layer]
    if layout.frame:
        # the inset's frame, as Vietnamese maps draw the Hoàng Sa archipelago
        layers.append(pdk.Layer("PathLayer", id="inset_frame", data=[{"path": layout.frame}],
                                get_path="path", get_color=[90, 100, 110, 200],
                                width_min_pixels=1, pickable=False))
    if show_labels and layout.labels:
        layers.append(label_layer(pd.DataFrame(list(layout.labels))[["lon", "lat", "short"]]))
    return _Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(latitude=layout.latitude, longitude=layout.longitude,
                                         zoom=layout.zoom),
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
    return _Deck(
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
