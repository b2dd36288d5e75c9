"""Boundary files and map layers.

Boundaries come from a GeoJSON file the user supplies (env ``REFORM_GEOJSON_DISTRICTS`` /
``REFORM_GEOJSON_COMMUNES``, or ``[maps] districts = "..."`` / ``communes = "..."`` in
.streamlit/secrets.toml). Features are matched to units by GSO code, else by name with
diacritics, case and the unit-kind prefix ignored. Without a file the map shows points at the
unit seats. No map tiles, fonts or anything else are fetched from the internet: the deck has
no map provider and no style.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pydeck as pdk

from data_access.config import ROOT

ENV_VARS: dict[str, str] = {
    "district": "REFORM_GEOJSON_DISTRICTS",
    "commune": "REFORM_GEOJSON_COMMUNES",
}
_SECRET_KEYS: dict[str, str] = {"district": "districts", "commune": "communes"}
# Property names that commonly hold the GSO code or the name in public boundary files
# (dvhcvn, GADM, geoBoundaries, HDX).
CODE_KEYS: tuple[str, ...] = (
    "code", "gso_code", "ma", "ma_dvhc", "madvhc", "MaDVHC", "ma_huyen", "ma_xa", "ADM2_PCODE",
    "ADM3_PCODE", "id",
)
NAME_KEYS: tuple[str, ...] = (
    "name", "full_name", "ten", "Ten", "ten_dvhc", "NAME_2", "NAME_3", "VARNAME_2",
    "VARNAME_3", "shapeName", "ADM2_VI", "ADM3_VI", "ADM2_EN", "ADM3_EN", "name_ascii",
)
_KIND_PREFIXES: tuple[str, ...] = (
    "thanh pho", "thi xa", "thi tran", "huyen", "phuong", "xa", "quan", "tp", "tx", "tt",
    "dac khu",
)


def _fold(text: object) -> str:
    s = unicodedata.normalize("NFD", str(text or ""))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    s = s.replace("đ", "d").replace("Đ", "D").lower()
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


_KIND_ALIASES: dict[str, str] = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran"}


def split_kind(name: object) -> tuple[str | None, str]:
    """``"Thành phố Tam Kỳ"`` → ``("thanh pho", "tamky")``; the kind is None when not written."""
    s = _fold(name)
    for p in _KIND_PREFIXES:
        if s.startswith(p + " ") and len(s) > len(p) + 1:
            # GADM writes names without spaces ("HòaThuận"); compare without spaces too.
            return _KIND_ALIASES.get(p, p), s[len(p) + 1 :].replace(" ", "")
    return None, s.replace(" ", "")


def normalize_name(name: object) -> str:
    """``"Thành phố Tam Kỳ"`` → ``"tamky"``: no diacritics, case, kind prefix or punctuation."""
    return split_kind(name)[1]


def _feature_kind(props: dict) -> str | None:
    """The unit kind a feature states (``type`` property or a prefixed name), if any."""
    t = props.get("type")
    if t:
        kind, rest = split_kind(f"{t} x")
        if kind:
            return kind
    for k in NAME_KEYS:
        if props.get(k):
            kind, _ = split_kind(props[k])
            if kind:
                return kind
    return None


def _norm_code(v: object) -> str:
    s = str(v).strip()
    # Pcodes such as "VN502" or numbers stored as floats ("502.0") still mean 502.
    s = re.sub(r"\.0$", "", s)
    m = re.search(r"(\d+)$", s)
    return m.group(1).lstrip("0") if m else s.lower()


@dataclass
class Boundaries:
    """A loaded boundary file."""

    path: Path
    geojson: dict
    attribution: str


@dataclass
class MatchResult:
    """Features matched to units: which unit each feature is, and who is missing."""

    features: list[dict]  # copies of matched features, properties carry ``unit_code``
    by_code: int = 0
    by_name: int = 0
    missing_units: list[str] = field(default_factory=list)  # unit names without a boundary
    unmatched_features: list[str] = field(default_factory=list)


def _maps_secret(key: str, secrets_path: Path | None = None) -> str:
    """``[maps] <key>`` from .streamlit/secrets.toml, or "" when absent or unreadable."""
    sp = secrets_path or ROOT / ".streamlit" / "secrets.toml"
    try:
        data = tomllib.loads(sp.read_text(encoding="utf-8")) if sp.is_file() else {}
    except (tomllib.TOMLDecodeError, OSError):
        data = {}
    maps = data.get("maps", {})
    return str(maps.get(key, "") or "").strip() if isinstance(maps, dict) else ""


def boundary_path(level: str, secrets_path: Path | None = None) -> Path | None:
    """The configured boundary file for a level, or None when none is configured."""
    env = ENV_VARS.get(level)
    value = os.environ.get(env, "").strip() if env else ""
    if not value:
        value = _maps_secret(_SECRET_KEYS.get(level, level), secrets_path)
    if not value:
        return None
    p = Path(value).expanduser()
    return p if p.is_absolute() else ROOT / p


def load_boundaries(path: Path) -> Boundaries:
    """Read a GeoJSON FeatureCollection; raises ValueError with a readable reason."""
    try:
        gj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
    if not isinstance(gj, dict) or gj.get("type") != "FeatureCollection":
        raise ValueError(f"{path.name}: not a GeoJSON FeatureCollection")
    attribution = str(gj.get("attribution") or gj.get("source") or gj.get("name") or "")
    return Boundaries(path, gj, attribution)


def match_features(geojson: dict, units: pd.DataFrame) -> MatchResult:
    """Attach ``unit_code`` to each feature matching a unit (by code first, then by name).

    ``units`` needs ``code`` and ``name`` (``short_name`` is used too when present).
    """
    by_code: dict[str, str] = {}
    by_name: dict[str, str] = {}
    kinds: dict[str, str | None] = {}
    for r in units.itertuples(index=False):
        code = str(r.code)
        by_code[_norm_code(code)] = code
        kinds[code] = split_kind(r.name)[0]
        for n in (getattr(r, "name", None), getattr(r, "short_name", None)):
            if n and n == n:
                by_name.setdefault(normalize_name(n), code)
    found: dict[str, dict] = {}
    res = MatchResult(features=[])
    for feat in geojson.get("features", []):
        props = dict(feat.get("properties") or {})
        code = None
        for k in CODE_KEYS:
            if props.get(k) is not None and _norm_code(props[k]) in by_code:
                code = by_code[_norm_code(props[k])]
                res.by_code += 1
                break
        if code is None:
            # A name match must not cross kinds: "Phường Tam Kỳ" (a 2025 commune) is not
            # "Thành phố Tam Kỳ" (the 2022 district), though both fold to "tamky".
            fkind = _feature_kind(props)
            for k in NAME_KEYS:
                cand = by_name.get(normalize_name(props[k])) if props.get(k) else None
                if cand is None:
                    continue
                if fkind and kinds.get(cand) and fkind != kinds[cand]:
                    continue
                code = cand
                res.by_name += 1
                break
        if code is None or code in found:
            label = next((str(props[k]) for k in NAME_KEYS if props.get(k)), "?")
            res.unmatched_features.append(label)
            continue
        props["unit_code"] = code
        found[code] = {"type": "Feature", "properties": props, "geometry": feat.get("geometry")}
    res.features = list(found.values())
    res.missing_units = [
        str(r.name) for r in units.itertuples(index=False) if str(r.code) not in found
    ]
    return res


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


def _short(name: str) -> str:
    """Name without its kind ("Huyện Nam Giang" → "Nam Giang") for map labels."""
    folded = _fold(name)
    for p in _KIND_PREFIXES:
        if folded.startswith(p + " "):
            words = len(p.split())
            return " ".join(str(name).split()[words:]) or str(name)
    return str(name)


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
            centres.append({"lon": c[0], "lat": c[1], "short": _short(f["properties"]["name"])})
    layers = [layer]
    if show_labels and centres:
        layers.append(label_layer(pd.DataFrame(centres)))
    return pdk.Deck(
        layers=layers,
        initial_view_state=view_for(lons, lats, height_px=height_px),
        # No provider and no style: pydeck then emits a placeholder style that Streamlit drops
        # instead of substituting its default Carto basemap (an internet fetch).
        map_provider=None,
        tooltip={"html": "<b>{name}</b><br/>{label}<br/>{grade}",
                 "style": {"fontSize": "15px"}},
    )


def points_deck(points: pd.DataFrame, layer_id: str = "units", height_px: int = 620,
                show_labels: bool = True) -> pdk.Deck:
    """Circles at unit seats: ``points`` [unit_code, name, lat, lon, radius, fill, label, grade]."""
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
        labels["short"] = [_short(n) for n in points["name"]]
        # Below the circle, so the label does not hide the colour.
        labels["lat"] = labels["lat"] - 0.045
        layers.append(label_layer(labels))
    return pdk.Deck(
        layers=layers,
        initial_view_state=view_for(points["lon"].tolist(), points["lat"].tolist(),
                                    height_px=height_px, pad=0.12),
        map_provider=None,
        tooltip={"html": "<b>{name}</b><br/>{label}<br/>{grade}",
                 "style": {"fontSize": "15px"}},
    )


def selected_unit(event: object, layer_id: str = "units") -> str | None:
    """Unit code of the map object a user clicked, from st.pydeck_chart's selection state."""
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


def attribution_for(level: str, b: Boundaries, secrets_path: Path | None = None) -> str:
    """Attribution from env ``<VAR>_ATTRIBUTION``, ``[maps] <level>s_attribution``, or the file."""
    env = ENV_VARS.get(level)
    value = os.environ.get(f"{env}_ATTRIBUTION", "").strip() if env else ""
    if not value:
        value = _maps_secret(f"{_SECRET_KEYS.get(level, level)}_attribution", secrets_path)
    return value or b.attribution
