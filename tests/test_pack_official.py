"""The meeting pack with official scores: an "official vs computed" slide and workbook sheet
when official scores exist for the week's month, with the figures the service gives; none
otherwise (the deck and workbook read back with python-pptx and openpyxl)."""

from __future__ import annotations

import io

import pytest
from helpers import official as fx
from openpyxl import load_workbook
from pptx import Presentation

import meeting_pack
from data_access.engine import get_engine
from scorecard import official_service as osv
from scorecard import service
from texts import fmt_delta, fmt_number, t

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pack_official")]
PRE_REFORM = "2024-W52"


@pytest.fixture(scope="module")
def official_engine(demo_databases, tmp_path_factory):
    url, period, _ = fx.demo_with_official(demo_databases.url("sqlite"), tmp_path_factory.mktemp("pack_official"))
    eng = get_engine(url)
    yield eng, period
    eng.dispose()


def _titles(deck) -> list[str]:
    out = []
    for s in deck.slides:
        texts = [sh.text_frame.text for sh in s.shapes if sh.has_text_frame and sh.text_frame.text.strip()]
        out.append(texts[0] if texts else "")
    return out


def _build(eng, week: str):  # noqa: ANN001, ANN202
    b = meeting_pack.collect(eng, week)
    deck = Presentation(io.BytesIO(meeting_pack.build_deck(eng, week, b)))
    wb = load_workbook(io.BytesIO(meeting_pack.build_workbook(eng, week, b)))
    return deck, wb


def test_slide_and_sheet_when_the_weeks_month_has_official_scores(official_engine):
    eng, period = official_engine
    week = service.latest_week(eng)
    deck, wb = _build(eng, week)
    title = t("brief.official.title", period=osv.words("month", period))
    titles = _titles(deck)
    assert title in titles and titles.index(title) == 2  # right after the province
    slide = deck.slides[titles.index(title)]
    text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "Xếp hạng cả nước: 2/4" in text and "80,10" in text
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    cells = [[c.text for c in row.cells] for row in table.rows]
    prov = osv.comparison(eng, "province", period).iloc[0]
    assert cells[1][0] == "Thành phố Đà Nẵng"  # the province first
    assert cells[1][1] == fmt_number(prov["official_total"], 2) and cells[1][4] == fmt_delta(prov["diff_total"])
    units = {row[0] for row in cells[1:]}
    assert {"Sở Tài chính", "Sở Y tế", "Phường Hải Vân"} <= units
    # the sheet: every unit with official figures, numbers kept as numbers
    ws = wb[t("brief.official.sheet")]
    header = [c.value for c in ws[3]]
    assert header[:4] == [t("brief.wb_col_unit_code"), t("brief.official.col_unit"),
                          t("brief.official.col_level"), t("brief.official.col_official")]
    body = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert set(body) == {"48", "STC", "SYT", "48.20194"}
    stc = osv.comparison(eng, "department", period).set_index("unit_code").loc["STC"]
    assert body["STC"][3] == pytest.approx(stc["official_total"]) and body["STC"][4] == 1
    assert body["STC"][6] == pytest.approx(stc["diff_total"])


def test_no_slide_nor_sheet_without_official_scores_for_the_month(official_engine):
    eng, _ = official_engine
    deck, wb = _build(eng, PRE_REFORM)
    assert not [x for x in _titles(deck) if x.startswith(t("brief.official.title", period="")[:15])]
    assert t("brief.official.sheet") not in wb.sheetnames
