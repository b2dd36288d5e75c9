"""The map picture on the deck's map slide: units coloured by grade, drawn with Pillow.

Seat points from the units' lat/lon; boundaries too, from the same file the dashboard's map
uses (``data_access.geo.effective_path``: the user's configured file, else the file shipped in
``assets/geo`` for the level), matched the same way (by code or name; the shipped files strictly,
and drawn only when they hold every unit, as on the dashboard). A unit without a seat is placed
at its boundary's centre (the 2025 communes). Labels are placed greedily around each point so
they do not overlap.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
from PIL import Image, ImageDraw, ImageFont

from data_access import geo
from meeting_pack.data import map_label, num
from texts import t

Rings = dict[str, list[geo.Ring]]  # unit code → outer rings of its boundary

_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def _pil_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def boundary_units(summary: pd.DataFrame) -> pd.DataFrame:
    """A league table's units as ``geo.match_features`` takes them: [code, name, short_name]."""
    return pd.DataFrame(
        {"code": summary["unit_code"].astype(str), "name": summary["unit_name"],
         "short_name": summary["short_name"] if "short_name" in summary else None}
    )


def _boundaries(level: str) -> tuple[geo.Boundaries | None, bool]:
    """The level's boundary file, loaded, and whether it is the shipped default: the user's
    file when configured and readable, else the shipped one (as the dashboard's map)."""
    path, is_default = geo.effective_path(level)
    candidates = [(path, is_default)]
    default = geo.DEFAULT_FILES.get(level)
    if not is_default and default is not None:
        candidates.append((default, True))
    for p, dflt in candidates:
        if p is None or not p.is_file():
            continue
        try:
            return geo.load_boundaries(p), dflt
        except ValueError:
            continue
    return None, True


def boundary_rings(level: str, summary: pd.DataFrame) -> tuple[Rings, str]:
    """Outer rings per unit of ``summary`` from the level's boundary file, and the map's
    caption. ({}, points caption) without a usable file: the map still shows the seats."""
    note = t("brief.map_note_points")
    b, is_default = _boundaries(level)
    if b is None:
        return {}, note
    res = geo.match_features(b.geojson, boundary_units(summary), strict=is_default)
    if is_default and res.missing_units:
        return {}, note  # a partial map of another year's units would mislead
    rings: Rings = {}
    for f in res.features:
        rs = geo.outer_rings(f.get("geometry"))
        if rs:
            rings[str(f["properties"]["unit_code"])] = rs
    if not rings:
        return {}, note
    source = t("brief.map_source_default") if is_default else (
        geo.attribution_for(level, b) or b.path.name)
    return rings, t("brief.map_note_boundaries", source=source)


def _centre(rings: list[geo.Ring]) -> tuple[float, float]:
    """A label point for a unit without a seat: the centre of its largest ring's bounding box
    (enough for a label; the seat, when known, is used instead)."""
    ring = max(rings, key=lambda r: (max(x for x, _ in r) - min(x for x, _ in r))
               * (max(y for _, y in r) - min(y for _, y in r)))
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


NO_GRADE = "#BFBFBF"  # a unit with nothing to score (không phát sinh)


def render_map(summary: pd.DataFrame, level: str = "district", px: int = 1500) -> tuple[bytes | None, str]:
    """A static PNG map of the units of ``level`` coloured by grade, and its caption; (None, "")
    when no unit has coordinates or a boundary."""
    if summary.empty:
        return None, ""
    rings, note = boundary_rings(level, summary)
    summary = summary.assign(grade_color=[
        c if isinstance(c, str) and c else NO_GRADE for c in summary["grade_color"]])
    if "lat" not in summary:
        summary = summary.assign(lat=None, lon=None)
    # units without a seat are placed at their boundary's centre
    centres = {c: _centre(rs) for c, rs in rings.items()}
    lon = [r.lon if pd.notna(r.lon) else centres.get(str(r.unit_code), (None, None))[0]
           for r in summary.itertuples(index=False)]
    lat = [r.lat if pd.notna(r.lat) else centres.get(str(r.unit_code), (None, None))[1]
           for r in summary.itertuples(index=False)]
    pts = summary.assign(lon=pd.to_numeric(pd.Series(lon, index=summary.index), errors="coerce"),
                         lat=pd.to_numeric(pd.Series(lat, index=summary.index), errors="coerce"))
    pts = pts.dropna(subset=["lat", "lon"])
    if pts.empty:
        return None, ""
    # Far-off units (Đặc khu Hoàng Sa, some 300 km out at sea) go in an inset, so that the
    # mainland fills the picture.
    far = _far_off(pts)
    far_rings = {c: rs for c, rs in rings.items() if c in far}
    rings = {c: rs for c, rs in rings.items() if c not in far}
    far_pts = pts[pts["unit_code"].astype(str).isin(far)]
    pts = pts[~pts["unit_code"].astype(str).isin(far)]
    xs = list(pts["lon"]) + [x for rs in rings.values() for r in rs for x, _ in r]
    ys = list(pts["lat"]) + [y for rs in rings.values() for r in rs for _, y in r]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    pad = 0.08 * max(x1 - x0, y1 - y0, 0.1)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    # Equirectangular with cos(lat) so the province keeps its shape at this latitude.
    kx = math.cos(math.radians((y0 + y1) / 2))
    w_deg, h_deg = (x1 - x0) * kx, y1 - y0
    width = px
    height = int(px * h_deg / w_deg) if w_deg else px
    height = max(600, min(height, int(px * 1.1)))
    scale = min(width / w_deg, height / h_deg)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - x0) * kx * scale, height - (lat - y0) * scale)

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    colors = dict(zip(summary["unit_code"].astype(str), summary["grade_color"], strict=False))
    for code, rs in rings.items():
        fill = colors.get(code, "#eeeeee")
        for r in rs:
            draw.polygon([xy(x, y) for x, y in r], fill=_tint(fill), outline="#606060")
    inset = _inset(draw, far_pts, far_rings, colors, width, height) if not far_pts.empty else None
    # About 14 pt once the picture is on the slide (5.7 in high); smaller points and labels
    # when there are many units (the 94 communes of 2025), so that most labels find room.
    crowded = len(pts) > 40
    font = _pil_font(int(width / (58 if crowded else 38)))
    bold = _pil_font(int(width / (52 if crowded else 34)))
    rad = width / (150 if crowded else 85)
    marks = []
    for _, r in pts.iterrows():
        cx, cy = xy(float(r["lon"]), float(r["lat"]))
        marks.append((cx, cy, r))
        draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=str(r["grade_color"]), outline="black", width=2)
    # Greedy label placement: the first of a few positions around the point that stays inside
    # the picture and clear of labels and points already placed (seats can be 8 km apart).
    taken = [(cx - rad, cy - rad, cx + rad, cy + rad) for cx, cy, _ in marks]
    if inset is not None:
        taken.append(inset)
    # crowded: the best and the worst units are labelled first, and a label that finds no
    # clear place is left out (the league table names every unit)
    order = sorted(marks, key=(lambda m: _label_priority(m[2], len(marks))) if crowded else (lambda m: m[0]))
    for cx, cy, r in order:
        label = f"{map_label(r)} {num(r['total'], 1)}"
        f = bold if pd.notna(r["rank"]) and r["rank"] == 1 else font
        x0_, y0_, x1_, y1_ = draw.textbbox((0, 0), label, font=f)
        tw, th = x1_ - x0_, y1_ - y0_
        options = []
        for k in (1.0, 2.2, 3.4):  # near the point first, then further out with a leader line
            gap = rad * k + 6
            options += [
                (cx + gap, cy - th / 2), (cx - gap - tw, cy - th / 2),
                (cx - tw / 2, cy - gap - th), (cx - tw / 2, cy + gap),
                (cx + gap, cy - gap - th), (cx + gap, cy + gap),
                (cx - gap - tw, cy - gap - th), (cx - gap - tw, cy + gap),
            ]

        def overlap(o: tuple[float, float], tw: float = tw, th: float = th) -> float:
            """Area shared with labels and points already placed; inf if off the picture."""
            bx = (o[0] - 3, o[1] - 3, o[0] + tw + 3, o[1] + th + 3)
            if bx[0] < 0 or bx[1] < 0 or bx[2] > width or bx[3] > height:
                return math.inf
            return sum(
                max(0.0, min(bx[2], c[2]) - max(bx[0], c[0])) * max(0.0, min(bx[3], c[3]) - max(bx[1], c[1]))
                for c in taken
            )

        # The first clear position, else the least crowded one (none when crowded).
        clear = next((o for o in options if overlap(o) == 0), None)
        if clear is None and crowded:
            continue
        ox, oy = clear or min(options, key=overlap)
        taken.append((ox - 3, oy - 3, ox + tw + 3, oy + th + 3))
        near_x = min(max(cx, ox), ox + tw)
        near_y = min(max(cy, oy), oy + th)
        if math.hypot(near_x - cx, near_y - cy) > rad * 1.8:
            draw.line([(cx, cy), (near_x, near_y)], fill="#404040", width=2)
            draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=str(r["grade_color"]), outline="black", width=2)
        # A white halo keeps labels legible over boundaries.
        draw.text((ox - x0_, oy - y0_), label, fill="black", font=f, stroke_width=4, stroke_fill="white")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue(), note


FAR_DEG = 1.5  # a unit this far (degrees) from the others' median centre goes in the inset


def _far_off(pts: pd.DataFrame) -> set[str]:
    if len(pts) < 3:
        return set()
    mx, my = pts["lon"].median(), pts["lat"].median()
    far = (pts["lon"] - mx).abs().gt(FAR_DEG) | (pts["lat"] - my).abs().gt(FAR_DEG)
    return set(pts.loc[far, "unit_code"].astype(str))


def _label_priority(r: pd.Series, count: int) -> float:
    """The extremes of the ranking first, units without a rank last."""
    rank = r.get("rank")
    return math.inf if rank is None or pd.isna(rank) else min(float(rank), count - float(rank))


def _inset(draw: ImageDraw.ImageDraw, pts: pd.DataFrame, rings: Rings, colors: dict[str, str],
           width: int, height: int) -> tuple[float, float, float, float]:
    """The far-off units in a framed box at the top right, at their own scale, labelled under
    it; returns the box (kept clear of the main map's labels)."""
    bw, bh = width * 0.2, height * 0.2
    bx0, by0 = width - bw - 10, 10.0
    xs = list(pts["lon"]) + [x for rs in rings.values() for r in rs for x, _ in r]
    ys = list(pts["lat"]) + [y for rs in rings.values() for r in rs for _, y in r]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sc = min((bw - 20) / max(x1 - x0, 1e-3), (bh - 20) / max(y1 - y0, 1e-3))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (bx0 + 10 + (lon - x0) * sc, by0 + bh - 10 - (lat - y0) * sc)

    draw.rectangle([bx0, by0, bx0 + bw, by0 + bh], fill="white", outline="#606060", width=2)
    for code, rs in rings.items():
        for r in rs:
            draw.polygon([xy(x, y) for x, y in r], fill=_tint(colors.get(code, "#eeeeee")), outline="#606060")
    font = _pil_font(int(width / 58))
    labels = []
    for _, r in pts.iterrows():
        cx, cy = xy(float(r["lon"]), float(r["lat"]))
        draw.ellipse([cx - 8, cy - 8, cx + 8, cy + 8], fill=str(r["grade_color"]), outline="black", width=2)
        labels.append(f"{map_label(r)} {num(r['total'], 1)}")
    text = "\n".join(labels)
    draw.multiline_text((bx0, by0 + bh + 6), text, fill="black", font=font, stroke_width=3, stroke_fill="white")
    tb = draw.multiline_textbbox((bx0, by0 + bh + 6), text, font=font)
    return bx0 - 4, by0 - 4, max(bx0 + bw, tb[2]) + 4, tb[3] + 4


def _tint(hex_color: str, keep: float = 0.45) -> str:
    """A lighter version of a grade colour for polygon fills, so points and labels stand out."""
    h = hex_color.lstrip("#")
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02x}" for c in rgb)
