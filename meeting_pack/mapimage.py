"""The map picture on the deck's map slide: units coloured by grade, drawn with Pillow.

Seat points from the units' lat/lon always; boundaries too when one is configured for the
level (``data_access.geo``: the same file, and the same matching by code or name, as the
dashboard's map). The project ships no boundary file: they carry their own licences, so the
user supplies one. Labels are placed greedily around each point so they do not overlap.
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


def boundary_rings(level: str, summary: pd.DataFrame) -> tuple[Rings, str]:
    """Outer rings per unit of ``summary`` from the level's configured boundary file, and the
    map's caption. ({}, points caption) without a usable file: the map still shows the seats."""
    note = t("brief.map_note_points")
    path = geo.boundary_path(level)
    if path is None or not path.is_file():
        return {}, note
    try:
        b = geo.load_boundaries(path)
    except ValueError:
        return {}, note
    res = geo.match_features(b.geojson, boundary_units(summary))
    rings: Rings = {}
    for f in res.features:
        rs = geo.outer_rings(f.get("geometry"))
        if rs:
            rings[str(f["properties"]["unit_code"])] = rs
    if not rings:
        return {}, note
    return rings, t("brief.map_note_boundaries", source=geo.attribution_for(level, b) or path.name)


def render_map(summary: pd.DataFrame, level: str = "district", px: int = 1500) -> tuple[bytes | None, str]:
    """A static PNG map of the units of ``level`` coloured by grade, and its caption; (None, "")
    when no unit has coordinates."""
    pts = summary.dropna(subset=["lat", "lon"])
    if pts.empty:
        return None, ""
    rings, note = boundary_rings(level, summary)
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
    # About 14 pt once the picture is on the slide (5.7 in high).
    font = _pil_font(int(width / 38))
    bold = _pil_font(int(width / 34))
    rad = width / 85
    marks = []
    for _, r in pts.iterrows():
        cx, cy = xy(float(r["lon"]), float(r["lat"]))
        marks.append((cx, cy, r))
        draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=str(r["grade_color"]), outline="black", width=2)
    # Greedy label placement: the first of a few positions around the point that stays inside
    # the picture and clear of labels and points already placed (seats can be 8 km apart).
    taken = [(cx - rad, cy - rad, cx + rad, cy + rad) for cx, cy, _ in marks]
    for cx, cy, r in sorted(marks, key=lambda m: m[0]):
        label = f"{map_label(r)} {num(r['total'], 1)}"
        f = bold if r["rank"] == 1 else font
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

        # The first clear position, else the least crowded one.
        ox, oy = next((o for o in options if overlap(o) == 0), None) or min(options, key=overlap)
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


def _tint(hex_color: str, keep: float = 0.45) -> str:
    """A lighter version of a grade colour for polygon fills, so points and labels stand out."""
    h = hex_color.lstrip("#")
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(255 - (255 - c) * keep):02x}" for c in rgb)
