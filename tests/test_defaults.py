"""The shipped reference data (assets/defaults): the 2022 → 2025 reorganisation as data, checked
against the domain texts and against the shipped 2025 boundary file it was generated from."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
from sqlalchemy import select

from data_access import geo, schema
from data_access.db import init_db
from data_access.defaults import lineage_frame, units_frame

REFORM = date(2025, 7, 1)
MERGERS = date(2025, 3, 1)


def _valid_on(units: pd.DataFrame, day: date) -> pd.DataFrame:
    return units[(units["valid_from"].isna() | (units["valid_from"] <= day))
                 & (units["valid_to"].isna() | (units["valid_to"] >= day))]  # fmt: skip


def test_units_before_and_after_the_reforms():
    u = units_frame()
    before = _valid_on(u, date(2024, 12, 31))
    assert before["level"].value_counts().to_dict() == {
        "province": 1, "department": 18, "district": 18, "commune": 241}
    assert set(_valid_on(u, date(2025, 1, 1)).query("level == 'district'")["code"]) == set(
        before.query("level == 'district'")["code"]) - {"519"}  # Nông Sơn into Quế Sơn
    assert len(_valid_on(u, MERGERS - pd.Timedelta(days=1)).query("level == 'department'")) == 18
    after = _valid_on(u, REFORM)
    assert after["level"].value_counts().to_dict() == {
        "province": 1, "department": 13, "commune": 94}
    assert after.query("level == 'province'")["code"].tolist() == ["48"]
    kinds = after.query("level == 'commune'")["kind"].value_counts().to_dict()
    assert kinds == {"Xã": 70, "Phường": 23, "Đặc khu": 1}  # NQ 1659/NQ-UBTVQH15
    old = u[u["code"].isin(before["code"])]
    assert (old.query("code != '519' and level != 'department'")["valid_to"] == date(2025, 6, 30)).all()
    assert (u.query("parent_code == '48' or code == '48'")["valid_from"] == REFORM).all()


def test_2025_communes_agree_with_the_shipped_boundaries():
    gj = json.loads(geo.DEFAULT_FILES["commune"].read_text(encoding="utf-8"))
    u = units_frame().set_index("code")
    for f in gj["features"]:
        p = f["properties"]
        row = u.loc["48." + p["code"]]
        assert (row["name"], row["short_name"], row["kind"], row["parent_code"]) == (
            p["full_name"], p["name"], p["type"], "48")
        rings = geo.outer_rings(f["geometry"])
        assert any(_inside((row["lon"], row["lat"]), r) for r in rings), p["full_name"]


def _inside(pt: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    x, y = pt
    c = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            c = not c
    return c


def test_lineage_defaults():
    lin = lineage_frame()
    u = units_frame().set_index("code")
    assert set(lin["old_code"]) | set(lin["new_code"]) <= set(u.index)
    pairs = set(zip(lin["old_code"], lin["new_code"], lin["valid_from"], strict=True))
    assert ("49", "48", REFORM) in pairs
    assert ("519", "509", date(2025, 1, 1)) in pairs
    merged = u[(u["level"] == "department") & (u["valid_to"] == MERGERS - pd.Timedelta(days=1))]
    assert len(merged) == 6
    for code, row in merged.iterrows():
        assert (code, row["successor_code"], MERGERS) in pairs
    districts = lin[lin["old_code"].map(u["level"]) == "district"]
    districts = districts[districts["valid_from"] == REFORM]
    sums = districts.groupby("old_code")["share"].sum()
    assert (abs(sums - 1) < 1e-9).all() and len(sums) == 17  # 18 districts, 519 inside 509
    gj = json.loads(geo.DEFAULT_FILES["commune"].read_text(encoding="utf-8"))
    formed = {"48." + f["properties"]["code"] for f in gj["features"]
              if f["properties"]["old_district_codes_2022"]}  # fmt: skip
    assert len(formed) == 78
    assert set(districts["new_code"]) == formed  # every such commune has a predecessor
    assert districts["new_code"].is_unique


def test_init_loads_the_lineage(engine):
    init_db(engine)
    with engine.connect() as c:
        rows = c.execute(select(schema.unit_lineage)).mappings().all()
    assert len(rows) == len(lineage_frame())
    assert {(r["old_code"], r["new_code"]) for r in rows if r["share"] is None} >= {("49", "48")}
