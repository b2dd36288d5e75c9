"""The meeting pack: the deck and workbook read back with python-pptx and openpyxl and checked
against the scorecard engine's own numbers for the same week (both backends)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches, Pt

import meeting_pack
from meeting_pack import data as pack_data
from meeting_pack import deck as pack_deck
from meeting_pack import deck_parts, mapimage, workbook
from meeting_pack.cli import main as pack_main
from scorecard import service
from scorecard.__main__ import main
from scorecard.periods import previous_period, ytd_period
from texts import fmt_date, fmt_delta, fmt_number, fmt_week, t
from texts.lagging import fmt_rank_change

WEEK = "2024-W52"


# one worker builds the module's deck and workbook once (pytest-xdist)
pytestmark = pytest.mark.xdist_group("briefing")


@pytest.fixture(scope="module")
def pack(demo_engine):
    """(week, Briefing, deck, workbook) built once per backend."""
    weeks = service.available_weeks(demo_engine)
    week = WEEK if WEEK in weeks else weeks[-1]
    b = meeting_pack.collect(demo_engine, week)
    deck = Presentation(io.BytesIO(meeting_pack.build_deck(demo_engine, week, b)))
    wb = load_workbook(io.BytesIO(meeting_pack.build_workbook(demo_engine, week, b)))
    return week, b, deck, wb


def _title(slide) -> str:
    """The slide title: its title placeholder (what PowerPoint's outline shows)."""
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def _charts(slide):
    return [sh.chart for sh in slide.shapes if sh.has_chart]


def _tables(slide):
    return [sh.table for sh in slide.shapes if sh.has_table]


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _slides_titled(deck, prefix: str):
    return [s for s in deck.slides if _title(s).startswith(prefix)]


def _level_name(engine, code: str) -> str:
    lv = service.levels(engine).set_index("code")
    name = str(lv.loc[code, "name"])
    return name[:1].lower() + name[1:]


# --- deck -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_deck_is_16_9_with_the_expected_slides(pack, demo_engine):
    week, b, deck, _ = pack
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=1e-3)
    n_dept = len(b.levels["department"].summary)
    n_dist = len(b.levels["district"].summary)
    league = sum(len(deck_parts.pages(n, pack_deck.LEAGUE_ROWS_PER_SLIDE)) for n in (n_dept, n_dist))
    maps = 1  # districts have seat coordinates; departments do not
    lagging = sum(
        max(1, len(deck_parts.pages(min(len(b.levels[c].lagging), 5), pack_deck.LAGGING_ROWS_PER_SLIDE)))
        for c in ("department", "district")
    )
    bottom = min(5, n_dept) + min(5, n_dist)
    assert len(deck.slides) == 1 + 1 + league + maps + 1 + lagging + bottom
    # 18 units do not fit one legible slide: the league table is split 9 + 9.
    assert n_dept == 18 and league == 4

    first = deck.slides[0]
    text = "\n".join(sh.text_frame.text for sh in first.shapes if sh.has_text_frame)
    province = b.province_name[:1].lower() + b.province_name[1:]
    assert t("brief.org", province=province.upper()) in text and "QĐ 766" in text
    # the week as the dashboard says it ("Tuần 52/2024 (23/12 – 29/12/2024)"), never "2024-W52"
    assert fmt_week(week) in text and week not in text
    assert fmt_date(service.data_until(demo_engine)) in text


def _all_texts(deck) -> list[str]:
    out = []
    for slide in deck.slides:
        for sh in slide.shapes:
            if sh.has_text_frame:
                out.append(sh.text_frame.text)
            if sh.has_table:
                out += [c.text for row in sh.table.rows for c in row.cells]
            if sh.has_chart:
                out += [str(c) for c in sh.chart.plots[0].categories]
                out += [str(x.name) for x in sh.chart.plots[0].series]
    return out


def test_long_titles_are_set_smaller():
    assert deck_parts.title_size("Xếp hạng sở, ban, ngành (1/2)") == 28
    long = "Sở Nông nghiệp và Phát triển nông thôn: hạng 14/18, 70,73 điểm (Khá)"
    assert 20 <= deck_parts.title_size(long) < 28
    assert len(long) * deck_parts.title_size(long) <= deck_parts.TITLE_CHARS_AT_28 * 28
    assert deck_parts.title_size("x" * 500) == 20


def test_every_slide_title_is_in_its_title_placeholder(pack):
    """PowerPoint's outline, "go to slide" and screen readers name every slide; the title keeps
    the deck's look (Arial, bold, navy, 28 pt at the top left; the title slide's in the band)."""
    _, _, deck, _ = pack
    for i, slide in enumerate(deck.slides, start=1):
        title = slide.shapes.title
        assert title is not None and title.is_placeholder, i
        assert title.text.strip(), i
        run = title.text_frame.paragraphs[0].runs[0]
        assert run.font.name == "Arial" and run.font.bold, i
        if i > 1:
            assert (title.left, title.top) == (Inches(0.45), Inches(0.25)), i
            # 28 pt, or smaller for a title that would not fit one line at 28 pt (never under 20)
            assert run.font.size == Pt(deck_parts.title_size(title.text)), i
            assert Pt(20) <= run.font.size <= Pt(28) and str(run.font.color.rgb) == deck_parts.NAVY, i
            assert len(title.text) * run.font.size.pt <= deck_parts.TITLE_CHARS_AT_28 * 28 or run.font.size == Pt(20), i
    first = deck.slides[0].shapes
    assert first.title.text == t("brief.title")
    # the navy band is drawn behind the (white) title, not over it
    band = next(i for i, sh in enumerate(first) if sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE)
    assert band < list(first).index(first.title)


def test_weeks_read_as_people_read_them(pack):
    """One week format in the deck and the workbook: "Tuần 52/2024", never the ISO label."""
    week, _, deck, wb = pack
    iso = re.compile(r"\d{4}-W\d{2}")
    assert not [x for x in _all_texts(deck) if iso.search(x)]
    cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
             if isinstance(v, str)]
    assert not [v for v in cells if iso.search(v)]
    footers = [x for x in _all_texts(deck) if x.endswith(fmt_week(week))]
    assert len(footers) == len(deck.slides) - 1, "every content slide's footer names the week"


def test_title_slide_says_when_data_is_stale(pack, demo_engine):
    week, b, _, _ = pack
    until = b.data_until

    def first_slide(today):
        deck = Presentation(io.BytesIO(meeting_pack.build_deck(demo_engine, week, b, today=today)))
        return "\n".join(sh.text_frame.text for sh in deck.slides[0].shapes if sh.has_text_frame)

    line = t("brief.stale", days="20", date=fmt_date(until))
    assert line in first_slide(until + timedelta(days=20))
    assert "Lưu ý" not in first_slide(until + timedelta(days=8)), "8 days old is not stale yet"


def test_charts_are_native_and_text_is_set_in_arial(pack):
    _, _, deck, _ = pack
    pictures = 0
    charts = 0
    for slide in deck.slides:
        for sh in slide.shapes:
            if sh.shape_type == MSO_SHAPE_TYPE.PICTURE:
                pictures += 1
            charts += bool(sh.has_chart)
            frames = []
            if sh.has_text_frame:
                frames.append(sh.text_frame)
            if sh.has_table:
                frames += [c.text_frame for row in sh.table.rows for c in row.cells]
                for row in sh.table.rows:
                    for c in row.cells:
                        for p in c.text_frame.paragraphs:
                            for r in p.runs:
                                assert r.font.size >= Pt(14), r.text
            for tf in frames:
                for p in tf.paragraphs:
                    for r in p.runs:
                        assert r.font.name == "Arial", r.text
    # Only the map is a picture; every chart is an editable chart part.
    assert pictures == 1
    assert charts >= 2 + 10  # province, movers, one per bottom-five unit


def test_province_slide_matches_the_engine(pack, demo_engine):
    week, b, deck, _ = pack
    ytd = ytd_period(week)
    now = service.scorecard(demo_engine, "province", ytd).summary.iloc[0]
    before = service.scorecard(demo_engine, "province", previous_period(ytd)).summary.iloc[0]
    slide = deck.slides[1]
    assert _title(slide) == t("brief.province_title", province=now["unit_name"],
                              total=fmt_number(now["total"], 2), grade=now["grade"])
    chart = _charts(slide)[0]
    series = {s.name: list(s.values) for s in chart.plots[0].series}
    groups = [f"group_{i}" for i in range(1, 7)]
    assert series[t("brief.series_this_week")] == pytest.approx([now[g] for g in groups])
    assert series[t("brief.series_last_week")] == pytest.approx([before[g] for g in groups])
    cells = _cells(_tables(slide)[0])
    assert cells[-1][0] == t("brief.group_total")
    assert cells[-1][1] == fmt_number(now["total"], 2)
    assert cells[-1][3] == fmt_delta(now["total"] - before["total"])
    for i, g in enumerate(groups, start=1):
        assert cells[i][1] == fmt_number(now[g], 2)
        assert cells[i][3] == fmt_delta(now[g] - before[g])


@pytest.mark.parametrize("level", ["department", "district"])
def test_league_slides_match_the_engine(pack, demo_engine, level):
    week, _, deck, _ = pack
    summary = service.scorecard(demo_engine, level, ytd_period(week)).summary
    slides = _slides_titled(deck, t("brief.league_title", level=_level_name(demo_engine, level)))
    assert len(slides) == 2
    rows, fills = [], []
    for s in slides:
        table = _tables(s)[0]
        rows += _cells(table)[1:]
        fills += [str(table.cell(i, 3).fill.fore_color.rgb) for i in range(1, len(table.rows))]
    assert len(rows) == len(summary)
    assert any(r[5] != "–" for r in rows), "some unit moved in the ranking this week"
    for row, fill, (_, u) in zip(rows, fills, summary.iterrows(), strict=True):
        assert row[0] == str(int(u["rank"]))
        assert row[1] == u["unit_name"]
        assert row[2] == fmt_number(u["total"], 2)
        assert row[3] == u["grade"]
        assert row[4] == fmt_delta(u["delta_week"])
        assert row[5] == fmt_rank_change(u["rank_change"])
        assert fill == u["grade_color"].lstrip("#").upper()


def test_movers_chart_holds_the_biggest_changes(pack, demo_engine):
    week, _, deck, _ = pack
    frames = [service.scorecard(demo_engine, lv, ytd_period(week)).summary for lv in ("department", "district")]
    deltas = pd.concat(frames)["delta_week"].dropna().astype(float).round(2)
    up = sorted((d for d in deltas if d > 0), reverse=True)[:5]
    down = sorted(d for d in deltas if d < 0)[:5][::-1]
    slide = _slides_titled(deck, t("brief.movers_title"))[0]
    charts = _charts(slide)
    if not up and not down:
        assert not charts
        return
    values = list(charts[0].plots[0].series[0].values)
    assert values == pytest.approx(up + down)


@pytest.mark.slow
def test_bottom_five_slides(pack, demo_engine):
    week, b, deck, _ = pack
    for level in ("department", "district"):
        res = service.scorecard(demo_engine, level, ytd_period(week))
        for _, u in res.summary.tail(5).iterrows():
            title = t("brief.unit_title", name=u["unit_name"], rank=int(u["rank"]), count=len(res.summary),
                      total=fmt_number(u["total"], 2), grade=u["grade"])
            slides = _slides_titled(deck, title)
            assert len(slides) == 1, title
            chart = _charts(slides[0])[0]
            pts, lost = chart.plots[0].series
            assert list(pts.values) == pytest.approx([u[f"group_{i}"] for i in range(1, 7)])
            assert [p + q for p, q in zip(pts.values, lost.values, strict=True)] == pytest.approx(
                list(b.groups["max_points"])
            )
            # The costliest components, in the engine's numbers.
            comp = res.components[res.components["unit_code"] == u["unit_code"]]
            top = comp[comp["points_lost"] > 0.005].nlargest(3, "points_lost")
            table = _tables(slides[0])[0]
            shown = [row[0].split(" ")[0] for row in _cells(table)[1:]]
            assert shown == list(top["component"])


@pytest.mark.slow
def test_lagging_slides_name_the_units_and_procedures(pack, demo_engine):
    week, _, deck, _ = pack
    for level in ("department", "district"):
        lag = service.lagging(demo_engine, level, week)  # the lagging rule in force (data)
        slides = _slides_titled(deck, t("brief.lagging_title", level=_level_name(demo_engine, level)))
        cells = [row for s in slides for tbl in _tables(s) for row in _cells(tbl)[1:]]
        assert [c[0].split("\n")[0] for c in cells] == list(lag["unit_name"].head(5))
        for c, (_, r) in zip(cells, lag.head(5).iterrows(), strict=True):
            assert c[1].split("\n")[0].lstrip("• ").rstrip("…")[:40] == r["reasons"][0][:40]
            par = service.overdue_pareto(demo_engine, r["unit_code"], ytd_period(week))
            if par.empty:
                assert c[2] == "–"
            else:
                assert f"({fmt_number(par['overdue'].iloc[0], 0)} hồ sơ)" in c[2].split("\n")[0]


def test_bad_week_and_week_without_data(demo_engine):
    with pytest.raises(meeting_pack.BriefingError) as exc:
        meeting_pack.build_deck(demo_engine, "2024-W60")
    assert "2024-W60" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(meeting_pack.BriefingError):
        meeting_pack.build_workbook(demo_engine, "2031-W05")


# --- workbook ---------------------------------------------------------------------------------


def _sheet_rows(ws, header_row: int = 3) -> tuple[list[str], list[tuple]]:
    header = [c.value for c in ws[header_row]]
    rows = [r for r in ws.iter_rows(min_row=header_row + 1, values_only=True) if any(v is not None for v in r)]
    return header, rows


@pytest.mark.parametrize("level", ["department", "district"])
def test_workbook_league_sheets_equal_the_engine(pack, demo_engine, level):
    week, _, _, wb = pack
    summary = service.scorecard(demo_engine, level, ytd_period(week)).summary
    ws = wb[workbook._sheet_name(t("brief.wb_sheet_league", level=_level_name(demo_engine, level)))]
    assert ws.freeze_panes == "A4"
    _, rows = _sheet_rows(ws)
    assert len(rows) == len(summary)
    for i, (row, (_, u)) in enumerate(zip(rows, summary.iterrows(), strict=True), start=4):
        assert row[0] == int(u["rank"])
        assert row[1] == u["unit_code"]
        assert row[3] == pytest.approx(float(u["total"]))
        assert row[4] == u["grade"]
        assert row[6] == (None if pd.isna(u["rank_change"]) else int(u["rank_change"]))
        assert [row[7 + k] for k in range(6)] == pytest.approx([float(u[f"group_{k}"]) for k in range(1, 7)])
        assert ws.cell(i, 5).fill.fgColor.rgb[-6:] == u["grade_color"].lstrip("#").upper()
        assert ws.cell(i, 4).number_format == "0.00"


def test_workbook_communes_are_grouped_by_district(pack, demo_engine):
    week, _, _, wb = pack
    summary = service.scorecard(demo_engine, "commune", ytd_period(week)).summary
    units = service.units(demo_engine, level="commune").set_index("code")
    districts = service.units(demo_engine, level="district").set_index("code")["name"]
    _, rows = _sheet_rows(wb[workbook._sheet_name(t("brief.wb_sheet_communes"))])
    assert len(rows) == len(summary)
    by_code = summary.set_index("unit_code")
    seen: list[str] = []
    for row in rows:
        code = row[2]
        assert row[1] == int(by_code.loc[code, "rank"])
        assert row[4] == pytest.approx(float(by_code.loc[code, "total"]))
        assert row[0] == districts[units.loc[code, "parent_code"]]
        if not seen or seen[-1] != row[0]:
            seen.append(row[0])
    assert len(seen) == len(set(seen))  # each district's communes form one block


@pytest.mark.slow
def test_workbook_component_detail(pack, demo_engine):
    week, _, _, wb = pack
    res = service.scorecard(demo_engine, "district", ytd_period(week))
    _, rows = _sheet_rows(wb[workbook._sheet_name(t("brief.wb_sheet_components"))])
    district = service.levels(demo_engine).set_index("code").loc["district", "name"]
    got = {(r[1], r[4]): r for r in rows if r[0] == district}
    assert len(got) == len(res.components)
    for c in res.components.itertuples(index=False):
        r = got[(c.unit_code, c.component)]
        assert (r[6], r[7]) == (pytest.approx(float(c.numerator)), pytest.approx(float(c.denominator)))
        assert r[9] == pytest.approx(float(c.points))
        assert r[10] == pytest.approx(float(c.max_points))


def test_workbook_overdue_list(pack, demo_engine):
    week, b, _, wb = pack
    _, rows = _sheet_rows(wb[workbook._sheet_name(t("brief.wb_sheet_overdue"))])
    assert len(rows) == sum(b.overdue_counts.values())
    worst = max(b.overdue_counts, key=b.overdue_counts.get)
    od = service.overdue_dossiers(demo_engine, worst, ytd_period(week))
    mine = [r for r in rows if r[0] == worst]
    assert [r[2] for r in mine] == list(od["code"])
    assert [r[9] for r in mine] == [int(x) for x in od["days_overdue"]]


def test_workbook_bieu06a_identities_on_every_row(pack, demo_engine):
    week, _, _, wb = pack
    ws = wb[workbook._sheet_name(t("brief.wb_sheet_bieu06a"))]
    h1, h2, h3 = workbook.BIEU06A_HEADER_ROWS
    assert ws.cell(h1, 3).value == t("b06.received")
    assert ws.cell(h1, 7).value == t("b06.resolved")
    assert ws.cell(h1, 11).value == t("b06.pending")
    assert ws.cell(h3 + 1, 13).value == "(13)"
    assert f"C{h1}:F{h1}" in {str(r) for r in ws.merged_cells.ranges}
    rows = list(ws.iter_rows(min_row=workbook.BIEU06A_FIRST_DATA_ROW, values_only=True))
    assert rows
    for r in rows:
        rec_total, online, direct, carried, res_total, early, on_time, late, pen_total, within, overdue = r[2:13]
        assert rec_total == online + direct + carried == res_total + pen_total, r
        assert res_total == early + on_time + late, r
        assert pen_total == within + overdue, r
    q = pack_data.bieu06a_period(week)
    df = service.bieu06a(demo_engine, q.start, q.end)
    assert rows[0][1] == t("b06.grand_total")
    assert list(rows[0][2:13]) == [int(df[c].sum()) for c in workbook.BIEU06A_COLUMNS]
    assert ws.freeze_panes == f"C{workbook.BIEU06A_FIRST_DATA_ROW}"


# --- command line -------------------------------------------------------------------------------


def _scorecard_briefing(argv: list[str]) -> int:
    return main(["briefing", *argv])


# Both entry points: python -m meeting_pack, and python -m scorecard briefing (kept for jobs).
CLIS = pytest.mark.parametrize("cli", [pack_main, _scorecard_briefing], ids=["meeting_pack", "scorecard"])


@pytest.mark.slow
@CLIS
def test_cli_writes_both_files(demo_url, tmp_path, capsys, cli):
    pptx, xlsx = tmp_path / "hop.pptx", tmp_path / "sub" / "hop.xlsx"
    rc = cli(["--week", WEEK, "--out", str(pptx), "--xlsx", str(xlsx), "--db", demo_url])
    assert rc == 0, capsys.readouterr().err
    assert len(Presentation(str(pptx)).slides) > 10
    assert "Biểu II.06a" in load_workbook(str(xlsx)).sheetnames


@CLIS
@pytest.mark.parametrize("week", ["2024-W99", "tuần 52", "2031-W05"])
def test_cli_bad_week_exits_2_with_one_line(demo_url, tmp_path, capsys, week, cli):
    out = tmp_path / "x.pptx"
    rc = cli(["--week", week, "--out", str(out), "--db", demo_url])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_cli_missing_argument_is_one_vietnamese_line(capsys):
    rc = pack_main(["--week", WEEK])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.strip() == t("cli.err.args", detail=t("cli.argparse.required", a0="--out"))


def test_pages_are_balanced():
    assert deck_parts.pages(18, 10) == [(0, 9), (9, 18)]
    assert deck_parts.pages(5, 3) == [(0, 3), (3, 5)]
    assert deck_parts.pages(7, 10) == [(0, 7)]
    assert deck_parts.pages(0, 10) == [(0, 0)]


def test_map_draws_points_and_optional_boundaries(tmp_path, monkeypatch):
    import json

    from PIL import Image

    summary = pd.DataFrame(
        {
            "unit_code": ["502", "503"], "unit_name": ["Thành phố Tam Kỳ", "Thành phố Hội An"],
            "short_name": [None, None], "total": [88.4, 71.2], "rank": [1, 2],
            "grade_color": ["#1b7837", "#f6c141"], "lat": [15.581, 15.877], "lon": [108.480, 108.329],
        }
    )
    monkeypatch.delenv("REFORM_GEOJSON_DISTRICTS", raising=False)
    # no file configured: the shipped district file (it holds both units)
    _, shipped = mapimage.render_map(summary)
    assert shipped == t("brief.map_note_boundaries", source=t("brief.map_source_default"))
    # and without any boundary file: the seats alone
    monkeypatch.setattr(mapimage.geo, "DEFAULT_FILES", {})
    png, note = mapimage.render_map(summary)
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert note == t("brief.map_note_points")
    assert pack_data.map_label(summary.iloc[0]) == "Tam Kỳ"

    def square(x, y):
        return [[[x - 0.05, y - 0.05], [x + 0.05, y - 0.05], [x + 0.05, y + 0.05], [x - 0.05, y - 0.05]]]

    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "502"}, "geometry": {"type": "Polygon", "coordinates": square(108.48, 15.58)}},
        {"type": "Feature", "properties": {"code": "503"}, "geometry": {"type": "MultiPolygon", "coordinates": [square(108.33, 15.88)]}},
    ]}
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(gj), encoding="utf-8")
    monkeypatch.setenv("REFORM_GEOJSON_DISTRICTS", str(path))
    png2, note2 = mapimage.render_map(summary)
    assert note2 == t("brief.map_note_boundaries", source="districts.geojson")
    assert png2 != png
    # No coordinates: the units are placed on their boundaries; with no boundary either, no
    # picture (the deck then has no map slide).
    png3, _ = mapimage.render_map(summary.assign(lat=None, lon=None))
    assert png3 is not None
    monkeypatch.delenv("REFORM_GEOJSON_DISTRICTS")
    assert mapimage.render_map(summary.assign(lat=None, lon=None)) == (None, "")
