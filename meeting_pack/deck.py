"""The weekly briefing deck (16:9 PPTX): title, province, league tables, map, movers, lagging
units and one slide per bottom-five unit.

Pure generation from a ``meeting_pack.data.Briefing``; no Streamlit here, so the CLI, a
scheduled job and the dashboard's download button all produce the same slides.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
from PIL import Image
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu, Inches
from sqlalchemy import Engine

from data_access import freshness
from data_access.cell_safety import safe_cell
from meeting_pack import official
from meeting_pack.data import (
    BOTTOM_N,
    GROUPS,
    UNIT_COMPONENTS,
    UNIT_PROCEDURES,
    Briefing,
    LevelData,
    as_list,
    bottom_units,
    clip,
    collect,
    costly_components,
    deck_level_data,
    display_name,
    map_label,
    movers,
    num,
    province_org,
    scored_note,
)
from meeting_pack.deck_parts import (
    DOWN,
    GREY,
    NAVY,
    UP,
    Deck,
    chart,
    pages,
    rgb,
    table,
    textbox,
    title_text,
)
from meeting_pack.mapimage import render_map
from texts import fmt_date, fmt_delta, fmt_number, fmt_percent, fmt_week, t
from texts.lagging import fmt_rank_change


def _title_slide(d: Deck, today: date | None = None) -> None:
    b = d.b
    s = d.new_slide()
    band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(0), Inches(2.0), d.prs.slide_width, Inches(2.6))
    band.fill.solid()
    band.fill.fore_color.rgb = rgb(NAVY)
    band.line.fill.background()
    # the band goes behind the title placeholder, which the layout put first
    tree = s.shapes._spTree
    tree.remove(band._element)
    tree.insert(2, band._element)  # after the group's own properties, before every shape
    textbox(s, 0.8, 0.8, 11.7, 0.8, t("brief.org", province=province_org(b).upper()), size=24, bold=True, color=NAVY, align="center")
    title_text(s, 0.8, 2.25, 11.7, 1.2, t("brief.title"), size=36, bold=True, color="FFFFFF", align="center")
    textbox(s, 0.8, 3.55, 11.7, 0.8, t("brief.subtitle"), size=24, color="FFFFFF", align="center")
    lines = [
        fmt_week(b.week),
        t("brief.scope", end=fmt_date(b.ytd.end)),
        t("brief.freshness", date=fmt_date(b.data_until)) if b.data_until else t("brief.freshness_none"),
    ]
    textbox(s, 0.8, 4.85, 11.7, 1.3, lines, size=22, color="000000", align="center")
    age = freshness.stale_age(b.data_until, today)
    if age is not None:
        # said on the slide the room sees first: every number after it is out of date
        textbox(s, 0.8, 6.12, 11.7, 0.5, t("brief.stale", days=fmt_number(age, 0), date=fmt_date(b.data_until)),
                size=20, bold=True, color=DOWN, align="center")
    textbox(s, 0.8, 6.7, 11.7, 0.4, t("brief.generated", at=datetime.now().strftime("%H:%M %d/%m/%Y")), size=12, color=GREY, align="center")


def _delta(now: pd.Series, before: pd.Series | None, col: str) -> float | None:
    if before is None or pd.isna(before.get(col)) or pd.isna(now.get(col)):
        return None
    return float(now[col]) - float(before[col])


def _province_slide(d: Deck) -> None:
    b = d.b
    p = b.province
    s = d.slide(t("brief.province_title", province=b.province_name, total=num(p["total"]),
                  grade=p["grade"] or t("brief.not_scored")))
    sub = [t("brief.province_delta", delta=fmt_delta(_delta(p, b.province_prev, "total")))]
    if b.province_week is not None:
        sub.append(
            t(
                "brief.province_week_only",
                week=fmt_week(b.week, "inline"),
                total=num(b.province_week["total"]),
                dossiers=fmt_number(b.province_week.get("dossiers"), 0),
            )
        )
    textbox(s, 0.45, 1.15, 12.4, 0.8, sub, size=18, color=GREY)
    names = [f"{i}. {n}" for i, n in zip(range(1, 7), b.groups["name"], strict=False)]
    now = [float(p[g]) for g in GROUPS]
    series = [(t("brief.series_this_week"), now)]
    colors = [NAVY]
    if b.province_prev is not None:
        series.append((t("brief.series_last_week"), [float(b.province_prev[g]) for g in GROUPS]))
        colors.append("8FAADC")
    chart(s, "bar", 0.3, 2.0, 6.3, 4.95, names, series, colors, size=14)
    rows = [[t("brief.col_group"), t("brief.col_points"), t("brief.col_max"), t("brief.col_change"), t("brief.col_week_only")]]
    for i, g in enumerate(GROUPS):
        rows.append(
            [
                f"{i + 1}. {b.groups['name'].iloc[i]}",
                num(p[g]),
                fmt_number(b.groups["max_points"].iloc[i], 0),
                fmt_delta(_delta(p, b.province_prev, g)),
                num(b.province_week[g]) if b.province_week is not None else "–",
            ]
        )
    rows.append(
        [
            t("brief.group_total"),
            num(p["total"]),
            fmt_number(b.groups["max_points"].sum(), 0),
            fmt_delta(_delta(p, b.province_prev, "total")),
            num(b.province_week["total"]) if b.province_week is not None else "–",
        ]
    )
    table(s, 6.75, 2.1, [2.65, 0.85, 0.75, 0.95, 0.95], rows, size=14, row_h=0.55,
           align=["left", "right", "right", "right", "right"])


LEAGUE_ROWS_PER_SLIDE = 10
LEAGUE_ROWS_WITH_NOTES = 9  # with the notes on new units and không phát sinh under the table


def league_rows(summary: pd.DataFrame, lv: LevelData | None = None) -> list[list[str]]:
    """League table rows as shown on the slides (also what the tests read back). A unit with
    nothing to score is "Không phát sinh" (no rank, total "–", no grade); one that began during
    the period has "(từ dd/mm/yyyy)" after its name."""
    rows = []
    for _, r in summary.iterrows():
        scored = pd.notna(r["total"])
        note = scored_note(lv, r["unit_code"]) if lv is not None else ""
        rows.append(
            [
                str(int(r["rank"])) if pd.notna(r["rank"]) else "",
                safe_cell(str(r["unit_name"]) + note),
                num(r["total"] if scored else None),
                safe_cell(str(r["grade"])) if scored and r["grade"] else t("brief.not_scored"),
                fmt_delta(r.get("delta_week")),
                fmt_rank_change(r.get("rank_change")),
                *[num(r[g] if scored else None, 1) for g in GROUPS],
            ]
        )
    return rows


def _league_notes(lv: LevelData) -> list[str]:
    """The note under a league table, and what its marks mean when the table has them."""
    notes = [t("brief.league_note")]
    if lv.scored_from:
        notes.append(t("brief.league_note_partial"))
    if lv.summary["total"].isna().any():
        notes.append(t("brief.league_note_empty"))
    return notes


def _league_slides(d: Deck, lv: LevelData) -> None:
    if lv.summary.empty:
        return
    header = [t("brief.col_rank"), t("brief.col_unit"), t("brief.col_total"), t("brief.col_grade"), t("brief.col_change"),
              t("brief.col_rank_change")]
    header += [t("brief.col_group_n", n=i) for i in range(1, 7)]
    rows = league_rows(lv.summary, lv)
    notes = _league_notes(lv)
    # fewer rows a slide when the notes take more lines, so the table ends above them
    per_slide = LEAGUE_ROWS_PER_SLIDE if len(notes) == 1 else LEAGUE_ROWS_WITH_NOTES
    parts = pages(len(rows), per_slide)
    widths = [0.7, 3.7, 0.9, 1.75, 1.0, 0.8] + [0.6] * 6
    align = ["center", "left", "right", "center", "right", "center"] + ["right"] * 6
    for k, (a, z) in enumerate(parts):
        title = t("brief.league_title", level=lv.name)
        if len(parts) > 1:
            title += " " + t("brief.league_part", part=k + 1, parts=len(parts))
        s = d.slide(title)
        colors = lv.summary["grade_color"].iloc[a:z]
        fills = {(i + 1, 3): str(c) for i, c in enumerate(colors) if isinstance(c, str) and c}
        table(s, 0.45, 1.2, widths, [header, *rows[a:z]], size=16, row_h=0.45, header_h=0.5,
              fills=fills, align=align)
        # the notes sit under the table, above the footer
        textbox(s, 0.45, 6.98 - 0.26 * len(notes), 12.4, 0.26 * len(notes), notes, size=12, color=GREY)


def _map_slide(d: Deck, lv: LevelData, png: bytes | None, note: str) -> None:
    s = d.slide(t("brief.map_title", level=lv.name))
    if png:
        # fitted into the space left of the legend, whatever the map's shape
        w_px, h_px = Image.open(io.BytesIO(png)).size
        box_w, box_h = 8.4, 5.7
        if w_px / h_px > box_w / box_h:
            s.shapes.add_picture(io.BytesIO(png), Inches(0.45), Inches(1.2), width=Inches(box_w))
        else:
            s.shapes.add_picture(io.BytesIO(png), Inches(0.45), Inches(1.2), height=Inches(box_h))
    else:
        textbox(s, 0.45, 3.0, 8.0, 1.0, t("brief.map_missing"), size=20, color=GREY)
    # The legend is native text so it stays editable and crisp on any projector.
    textbox(s, 9.0, 1.3, 3.9, 0.5, t("brief.map_legend"), size=20, bold=True, color=NAVY)
    ranked = lv.ranked
    legend = ranked.groupby(["grade", "grade_color"], sort=False).size().reset_index(name="n")
    order = {g: i for i, g in enumerate(ranked.sort_values("total", ascending=False)["grade"].unique())}
    legend = legend.assign(o=legend["grade"].map(order)).sort_values("o")
    y = 1.9
    for r in legend.itertuples():
        sw = s.shapes.add_shape(MSO_SHAPE.OVAL, Inches(9.05), Inches(y + 0.08), Inches(0.32), Inches(0.32))
        sw.fill.solid()
        sw.fill.fore_color.rgb = rgb(str(r.grade_color))
        sw.line.color.rgb = rgb("FFFFFF")
        textbox(s, 9.5, y, 3.4, 0.45, f"{r.grade}: {r.n}", size=18)
        y += 0.55
    unscored = len(lv.summary) - len(ranked)
    if unscored:
        textbox(s, 9.5, y, 3.4, 0.45, f"{t('brief.not_scored')}: {unscored}", size=18)
        y += 0.55
    if ranked.empty:
        textbox(s, 9.0, 6.3, 3.9, 0.7, note, size=12, color=GREY)
        return
    best = ranked.iloc[0]
    worst = ranked.iloc[-1]
    textbox(
        s, 9.0, y + 0.3, 3.9, 2.2,
        [f"↑ {map_label(best)}: {num(best['total'])}", f"↓ {map_label(worst)}: {num(worst['total'])}"],
        size=18,
    )
    textbox(s, 9.0, 6.3, 3.9, 0.7, note, size=12, color=GREY)


def _movers_slide(d: Deck) -> None:
    s = d.slide(t("brief.movers_title"))
    m = movers(d.b)
    if m.empty:
        textbox(s, 0.45, 3.0, 12.4, 1.0, t("brief.movers_none"), size=20, color=GREY)
        return
    cats = [display_name(r) for _, r in m.iterrows()]
    ch = chart(
        s, "bar", 0.45, 1.25, 12.4, 5.2, cats,
        [(t("brief.movers_series"), list(m["delta_week"]))], [UP], number_format="+0.00;-0.00;0.00",
        legend=False, size=14,
    )
    # Colour each bar by direction; invert_if_negative alone would give an unfilled bar.
    series = ch.plots[0].series[0]
    for i, v in enumerate(m["delta_week"]):
        pt = series.points[i]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = rgb(UP if v > 0 else DOWN)
    names = [lv.name for lv in deck_level_data(d.b)]
    levels = ", ".join(names[:-1]) + f" {t('brief.and')} " + names[-1] if len(names) > 1 else "".join(names)
    textbox(s, 0.45, 6.55, 12.4, 0.4, t("brief.movers_note", levels=levels), size=14, color=GREY)


def _top_procedures(b: Briefing, unit_code: str, n: int, width: int) -> list[str]:
    """"name (k hồ sơ)" for a unit's procedures with the most overdue dossiers; the name is
    clipped, never the count, which is what the meeting acts on."""
    par = b.overdue_by_unit.get(unit_code)
    if par is None or par.empty:
        return []
    return [
        t("brief.proc_count", name=clip(r["name"] or r["key"], width), n=fmt_number(r["overdue"], 0))
        for _, r in par.head(n).iterrows()
    ]


LAGGING_ROWS_PER_SLIDE = 3  # each row holds up to three reasons and three procedures


def lagging_rows(b: Briefing, lv: LevelData) -> list[tuple[list[str], str | None]]:
    """(cells, grade colour) per lagging unit, most urgent first, as the slides show them."""
    scores = lv.ranked.set_index("unit_code")
    out: list[tuple[list[str], str | None]] = []
    for _, r in lv.lagging.head(BOTTOM_N).iterrows():
        sc = scores.loc[r["unit_code"]] if r["unit_code"] in scores.index else None
        unit = safe_cell(str(r["unit_name"]))
        color = None
        if sc is not None:
            unit += f"\n{num(sc['total'])} điểm\n{t('brief.col_rank')} {int(sc['rank'])}/{len(scores)}"
            color = str(sc["grade_color"])
        # Why it lags, then where its points go (the components costing it most).
        items = as_list(r["reasons"])[:2] + as_list(r.get("worst_components"))[:2]
        reasons = "\n".join(f"• {clip(x, 110)}" for x in items)
        procs = "\n".join(f"• {x}" for x in _top_procedures(b, r["unit_code"], 3, 52)) or "–"
        out.append(([unit, reasons, procs], color))
    return out


def _lagging_slides(d: Deck, lv: LevelData) -> None:
    rows = lagging_rows(d.b, lv)
    if not rows:
        s = d.slide(t("brief.lagging_title", level=lv.name))
        textbox(s, 0.45, 3.0, 12.4, 1.0, t("brief.lagging_none"), size=20, color=GREY)
        return
    header = [t("brief.col_unit"), t("brief.col_reasons"), t("brief.col_procedures")]
    parts = pages(len(rows), LAGGING_ROWS_PER_SLIDE)
    for k, (a, z) in enumerate(parts):
        title = t("brief.lagging_title", level=lv.name)
        if len(parts) > 1:
            title += " " + t("brief.league_part", part=k + 1, parts=len(parts))
        s = d.slide(title)
        fills = {(i + 1, 0): c for i, (_, c) in enumerate(rows[a:z]) if c}
        table(s, 0.45, 1.3, [2.7, 5.2, 4.5], [header, *[c for c, _ in rows[a:z]]],
               size=14, row_h=1.65, header_h=0.5, fills=fills)


def _unit_slide(d: Deck, lv: LevelData, row: pd.Series) -> None:
    b = d.b
    s = d.slide(
        t("brief.unit_title", name=str(row["unit_name"]) + scored_note(lv, row["unit_code"]),
          rank=int(row["rank"]), count=len(lv.ranked),
          total=num(row["total"]), grade=row["grade"])
    )
    textbox(s, 0.45, 1.12, 5.9, 0.45, t("brief.unit_delta", delta=fmt_delta(row.get("delta_week")),
                                            rank=fmt_rank_change(row.get("rank_change"))), size=16, color=GREY)
    names = [f"{i}. {n}" for i, n in zip(range(1, 7), b.groups["name"], strict=False)]
    pts = [float(row[g]) for g in GROUPS]
    lost = [max(0.0, float(m) - p) for m, p in zip(b.groups["max_points"], pts, strict=False)]
    chart(
        s, "bar_stacked", 0.3, 1.55, 5.95, 5.45, names,
        [(t("brief.series_points"), pts), (t("brief.series_lost"), lost)],
        [NAVY, "F4B183"], number_format="0.0;-0.0;", size=14, label_colors=["FFFFFF", "000000"],
    )
    x, w = 6.4, 6.5
    textbox(s, x, 1.12, w, 0.45, t("brief.unit_costly"), size=18, bold=True, color=NAVY)
    rows = [[t("brief.col_component"), t("brief.col_ratio"), t("brief.col_points"), t("brief.col_lost")]]
    for _, c in costly_components(lv, row["unit_code"]).iterrows():
        ratio = t("brief.no_activity") if bool(c.get("empty")) else fmt_percent(c["ratio"])
        rows.append([safe_cell(f"{c['component']} {clip(c['name'], 66)}"), ratio,
                     f"{num(c['points'])}/{fmt_number(c['max_points'], 0)}", num(c["points_lost"])])
    if len(rows) > 1:
        table(s, x, 1.57, [3.95, 0.9, 1.0, 0.65], rows, size=14, row_h=0.6, header_h=0.45,
               align=["left", "right", "right", "right"])
    y = 1.57 + 0.45 + 0.6 * UNIT_COMPONENTS + 0.15
    textbox(s, x, y, w, 0.45, t("brief.unit_overdue"), size=18, bold=True, color=NAVY)
    par = b.overdue_by_unit.get(row["unit_code"])
    if par is None or par.empty:
        textbox(s, x, y + 0.5, w, 0.45, t("brief.unit_no_overdue"), size=16, color=GREY)
        return
    rows = [[t("brief.col_procedure"), t("brief.col_overdue"), t("brief.col_share")]]
    for _, r in par.head(UNIT_PROCEDURES).iterrows():
        rows.append([safe_cell(clip(r["name"] or r["key"], 80)), fmt_number(r["overdue"], 0), fmt_percent(r["share"], 0)])
    table(s, x, y + 0.45, [4.6, 0.95, 0.95], rows, size=14, row_h=0.6, header_h=0.45,
           align=["left", "right", "right"])


def build_deck(engine: Engine, week: str, briefing: Briefing | None = None,
               today: date | None = None) -> bytes:
    """The weekly briefing deck (16:9 PPTX) for ``week``; ``briefing`` reuses fetched data.
    ``today`` (default: ``data_access.freshness.today()``) decides whether the title slide says
    the data is stale."""
    b = briefing or collect(engine, week, communes=False)
    d = Deck(b)
    _title_slide(d, today)
    _province_slide(d)
    official.add_slide(d, engine)  # official scores of the week's month beside ours, if imported
    levels = deck_level_data(b)
    for lv in levels:
        _league_slides(d, lv)
        png, note = render_map(lv.summary, lv.code)
        if png:
            _map_slide(d, lv, png, note)
    _movers_slide(d)
    for lv in levels:
        _lagging_slides(d, lv)
    for lv in levels:
        for _, row in bottom_units(lv).iterrows():
            _unit_slide(d, lv, row)
    return d.to_bytes()
