"""The meeting pack and Biểu II.06a across the 2025 reorganisation, on the hand-made structure of
tests/helpers/two_tier.py (both backends): the deck's levels follow the week's structure
(departments and districts until 30/06/2025, departments and communes after), no district after
the reform, "không phát sinh" shown but never ranked or singled out, the province of the week."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from conftest import fresh_engine
from helpers.two_tier import load_two_tier
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

import meeting_pack
from data_access import geo
from meeting_pack import deck as pack_deck
from meeting_pack import mapimage
from scorecard import bieu06a as b06
from scorecard import service
from scorecard.periods import ytd_period
from texts import t

BEFORE, AFTER = "2025-W26", "2025-W28"
DISTRICT_WORDS = ("district", "cấp huyện", "huyện")

pytestmark = pytest.mark.xdist_group("briefing")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def data(request, tmp_path_factory):
    with fresh_engine(request.param, tmp_path_factory.mktemp(f"pack_two_tier_{request.param}")) as eng:
        load_two_tier(eng)
        yield eng


@pytest.fixture(scope="module")
def packs(data):
    """{week: (Briefing, deck, workbook)} for a week on either side of the reform."""
    out = {}
    for week in (BEFORE, AFTER):
        b = meeting_pack.collect(data, week)
        deck = Presentation(io.BytesIO(meeting_pack.build_deck(data, week, b)))
        wb = load_workbook(io.BytesIO(meeting_pack.build_workbook(data, week, b)))
        out[week] = (b, deck, wb)
    return out


def _title(slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def _slide_texts(slide) -> list[str]:
    texts = []
    for sh in slide.shapes:
        if sh.has_text_frame:
            texts.append(sh.text_frame.text)
        if sh.has_table:
            texts += [c.text for row in sh.table.rows for c in row.cells]
        if sh.has_chart:
            plot = sh.chart.plots[0]
            texts += [str(c) for c in plot.categories] + [s.name for s in plot.series]
    return texts


def _deck_text(deck) -> str:
    return "\n".join(x for s in deck.slides for x in _slide_texts(s))


def _workbook_text(wb) -> str:
    parts = list(wb.sheetnames)
    for ws in wb.worksheets:
        parts += [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    return "\n".join(parts)


def _level_name(engine, code: str) -> str:
    name = str(service.levels(engine).set_index("code").loc[code, "name"])
    return name[:1].lower() + name[1:]


def _league_rows(deck, engine, level: str) -> list[list[str]]:
    prefix = t("brief.league_title", level=_level_name(engine, level))
    rows = []
    for s in deck.slides:
        if _title(s).startswith(prefix):
            tbl = next(sh.table for sh in s.shapes if sh.has_table)
            rows += [[c.text for c in r.cells] for r in list(tbl.rows)[1:]]
    return rows


def test_levels_follow_the_week(packs, data):
    b, deck, _ = packs[BEFORE]
    assert b.deck_levels == ["department", "district"]
    assert {r[1] for r in _league_rows(deck, data, "district")} == {"Đơn vị D1", "Đơn vị D2"}
    assert _league_rows(deck, data, "department")
    assert not _league_rows(deck, data, "commune")  # communes are in the workbook only
    b, deck, _ = packs[AFTER]
    assert b.deck_levels == ["department", "commune"]
    assert "district" not in b.levels
    assert _league_rows(deck, data, "department")
    names = [r[1].split(" (")[0] for r in _league_rows(deck, data, "commune")]
    assert names == ["Đơn vị N1", "Đơn vị N2", "Đơn vị N3"]  # không phát sinh listed last


def test_no_district_anywhere_after_the_reform(packs):
    _, deck, wb = packs[AFTER]
    for text in (_deck_text(deck), _workbook_text(wb)):
        low = text.lower()
        for word in DISTRICT_WORDS:
            assert word not in low, word
        assert "Đơn vị D1" not in text and "Đơn vị D2" not in text and "Đơn vị C1" not in text
    # before it, districts have their slides and sheet, communes grouped by district
    _, deck, wb = packs[BEFORE]
    assert "cấp huyện" in _deck_text(deck).lower()
    sheet = wb[t("brief.wb_sheet_league", level="cấp xã")]
    assert sheet.cell(3, 1).value == t("brief.wb_col_parent", parent="cấp huyện")
    assert sheet.cell(4, 1).value == "Đơn vị D1" and sheet.cell(4, 3).value == "C1"


def test_unit_without_activity_is_shown_not_ranked(packs, data):
    b, deck, wb = packs[AFTER]
    rows = {r[1].split(" (")[0]: r for r in _league_rows(deck, data, "commune")}
    n3 = rows["Đơn vị N3"]
    assert n3[0] == "" and n3[2] == "–" and n3[3] == t("brief.not_scored")
    assert rows["Đơn vị N1"][0] == "1" and rows["Đơn vị N2"][0] == "2"
    # never among the bottom five (no unit slide) nor lagging
    titles = [_title(s) for s in deck.slides]
    assert not any(x.startswith("Đơn vị N3") for x in titles)
    assert any(x.startswith("Đơn vị N2") for x in titles)
    assert "N3" not in set(b.levels["commune"].lagging.get("unit_code", []))
    lagging = [s for s in deck.slides
               if _title(s).startswith(t("brief.lagging_title", level=_level_name(data, "commune")))]
    assert lagging and not any("Đơn vị N3" in x for s in lagging for x in _slide_texts(s))
    # the workbook: no rank, no total, "Không phát sinh" as grade
    ws = wb[t("brief.wb_sheet_league", level="cấp xã")]
    got = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[1]}
    assert got["N3"][0] is None and got["N3"][3] is None and got["N3"][4] == t("brief.not_scored")
    assert got["N1"][0] == 1


def test_units_scored_on_part_of_the_period_are_footnoted(packs, data):
    _, deck, wb = packs[AFTER]
    note = t("brief.scored_from", date="01/07/2025")
    for row in _league_rows(deck, data, "commune"):
        assert row[1].endswith(note), row
    dept = {r[1] for r in _league_rows(deck, data, "department")}
    assert "Đơn vị DM " + t("brief.scored_from", date="01/03/2025") in dept and "Đơn vị DC" in dept
    assert service.scored_from(data, "department", ytd_period(AFTER)) == {"DM": date(2025, 3, 1)}
    assert t("brief.league_note_partial") in _deck_text(deck)
    ws = wb[t("brief.wb_sheet_league", level="cấp xã")]
    assert all(str(r[2]).endswith(note) for r in ws.iter_rows(min_row=4, values_only=True) if r[1])


def test_title_slide_names_the_province_of_the_week(packs):
    for week, code, other in ((BEFORE, "49", "Thành phố Mới"), (AFTER, "48", "Tỉnh Cũ")):
        b, deck, wb = packs[week]
        name = {"49": "Tỉnh Cũ", "48": "Thành phố Mới"}[code]
        assert b.province_name == name and str(b.province["unit_code"]) == code
        title = "\n".join(_slide_texts(deck.slides[0]))
        org = name[:1].lower() + name[1:]
        assert t("brief.org", province=org.upper()) in title
        assert other.upper() not in title
        assert _title(deck.slides[1]).startswith(name + ":")
        b06 = wb[t("brief.wb_sheet_bieu06a")]
        assert b06.cell(4, 1).value == t("brief.b06_reporter", province=org)


def test_movers_among_the_deck_levels(packs, data):
    b, deck, _ = packs[AFTER]
    m = meeting_pack.data.movers(b)
    assert set(m["unit_code"]) <= {"DC", "DM", "N1", "N2"}
    note = t("brief.movers_note", levels=f"{_level_name(data, 'department')} {t('brief.and')} "
             f"{_level_name(data, 'commune')}")
    assert note in _deck_text(deck)


def test_many_communes_split_across_legible_slides():
    assert [z - a for a, z in pack_deck.pages(94, 10)] == [10] * 4 + [9] * 6
    assert [z - a for a, z in pack_deck.pages(94, pack_deck.LEAGUE_ROWS_WITH_NOTES)] == [9] * 6 + [8] * 5


def test_commune_map_from_a_boundary_file(packs, data, tmp_path, monkeypatch):
    """The 2025 communes have no seat coordinates: the map comes from their boundaries,
    matched through data_access.geo like the dashboard's."""
    b, _, _ = packs[AFTER]
    lv = b.levels["commune"]
    assert lv.summary["lat"].isna().all()

    def square(x, y):
        return [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]]

    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code, "name": f"Đơn vị {code}"},
         "geometry": {"type": "Polygon", "coordinates": square(108 + i / 10, 15.5)}}
        for i, code in enumerate(["N1", "N2", "N3"])
    ]}
    path = tmp_path / "communes_2025.geojson"
    path.write_text(json.dumps(gj), encoding="utf-8")
    monkeypatch.setenv("REFORM_GEOJSON_COMMUNES", str(path))
    png, note = mapimage.render_map(lv.summary, "commune")
    assert png and note == t("brief.map_note_boundaries", source=path.name)
    deck = Presentation(io.BytesIO(meeting_pack.build_deck(data, AFTER, b)))
    maps = [s for s in deck.slides if _title(s) == t("brief.map_title", level=_level_name(data, "commune"))]
    assert len(maps) == 1
    assert any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in maps[0].shapes)
    assert any(f"{t('brief.not_scored')}: 1" in x for x in _slide_texts(maps[0]))


def test_shipped_boundaries_are_the_default(monkeypatch, tmp_path):
    """With no file configured, the map picture uses the shipped file for the level (matched
    strictly, drawn only when it holds every unit); the user's file wins when configured."""
    monkeypatch.delenv("REFORM_GEOJSON_COMMUNES", raising=False)
    monkeypatch.delenv("REFORM_GEOJSON_DISTRICTS", raising=False)
    path, is_default = geo.effective_path("commune")
    assert is_default and path == geo.DEFAULT_FILES["commune"]
    shipped = json.loads(path.read_text(encoding="utf-8"))["features"][:3]
    import pandas as pd

    summary = pd.DataFrame({
        "unit_code": [f"48.{f['properties']['code']}" for f in shipped],
        "unit_name": [f["properties"]["full_name"] for f in shipped],
        "short_name": [None] * 3, "total": [80.0, 70.0, None], "rank": pd.array([1, 2, None], dtype="Int64"),
        "grade_color": ["#1b7837", "#f6c141", None], "lat": [None] * 3, "lon": [None] * 3,
    })
    rings, note = mapimage.boundary_rings("commune", summary)
    assert set(rings) == set(summary["unit_code"])
    assert note == t("brief.map_note_boundaries", source=t("brief.map_source_default"))
    png, _ = mapimage.render_map(summary, "commune")
    assert png
    # a unit the shipped file does not hold: no partial map (points only, here none at all)
    assert mapimage.render_map(summary.assign(unit_code=["X1", "X2", "X3"]), "commune") == (None, "")


def test_bieu06a_lists_units_with_their_validity(data, tmp_path):
    before = service.bieu06a(data, date(2025, 6, 2), date(2025, 6, 29))
    assert {"D1", "D2", "C1"} <= set(before["unit_code"])
    assert not {"N1", "N2", "N3", "48"} & set(before["unit_code"])
    after = service.bieu06a(data, date(2025, 7, 1), date(2025, 7, 20))
    assert {"N1", "N2", "DC"} <= set(after["unit_code"])
    # units that ended before the range are not named: the dossiers they still had open are
    # one row, none newly received, and the backlog the June report carried over is kept
    assert not {"D1", "D2", "C1", "49"} & set(after["unit_code"])
    old = after[after["unit_code"] == b06.ENDED_UNITS]
    assert not old.empty and (old["unit_name"] == t("b06.ended_units")).all()
    assert (old["received_online"] + old["received_direct"] == 0).all()
    june_open = service.bieu06a(data, date(2025, 6, 1), date(2025, 6, 30))
    june_open = june_open[june_open["unit_code"].isin(["D1", "D2", "C1"])]["pending_total"].sum()
    assert june_open > 0 and old["carried_over"].sum() == june_open
    assert (after.loc[after["unit_code"].isin(["N1", "N2", "DC"]), "validity"] == "").all()
    # across the reform: each unit under its own name, with when it ended or began
    across = service.bieu06a(data, date(2025, 6, 23), date(2025, 7, 13))
    names = dict(zip(across["unit_code"], across["unit_name"], strict=False))
    notes = dict(zip(across["unit_code"], across["validity"], strict=False))
    assert names["D1"] == "Đơn vị D1" and names["N1"] == "Đơn vị N1"
    assert notes["D1"] == t("b06.valid_to", date="30/06/2025")
    assert notes["N1"] == t("b06.valid_from", date="01/07/2025") and notes["DC"] == ""
    # the command line writes the same report, the note after the unit's name
    from scorecard.__main__ import main

    url = data.url.render_as_string(hide_password=False)
    out = tmp_path / "b06.xlsx"
    assert main(["--db", url, "bieu06a", "--from", "2025-06-23", "--to", "2025-07-13", "--out", str(out)]) == 0
    labels = [c for row in load_workbook(out).active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(x.startswith("Đơn vị D1 (" + t("b06.valid_to", date="30/06/2025") + ")") for x in labels)


def test_bottom_five_counts_ranked_units_only():
    """A unit with nothing to score does not push the bottom five up the ranking."""
    import pandas as pd

    from scorecard import lagging

    summary = pd.DataFrame({
        "unit_code": [f"U{i}" for i in range(8)], "unit_name": [f"Xã {i}" for i in range(8)],
        "level": "commune", "total": [90.0 - i for i in range(7)] + [float("nan")],
        "grade": ["Tốt"] * 7 + [None], "rank": pd.array([*range(1, 8), None], dtype="Int64"),
    })
    rules = lagging.rules_for(pd.DataFrame([{"level": "*", "criterion": "bottom", "param": "n",
                                             "value": "5"}]), "commune")
    found = lagging.find_lagging(summary, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), rules)
    # the urgency ties: lowest total first
    assert list(found["unit_code"]) == ["U6", "U5", "U4", "U3", "U2"]
    assert all("/7" in r[0] for r in found["reasons"])
