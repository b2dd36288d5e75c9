"""Boundary files (data_access.geo): configuration, matching by GSO code and by name, missing
units; the dashboard's map layers (ui.maps): no tiles, escaped tooltips."""

from __future__ import annotations

import csv
import html
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from data_access import geo
from ui import maps

ROOT = Path(__file__).resolve().parent.parent
# shared/ lies beside the checkout (developers' machines and CI); never shipped
SHARED = ROOT.parent / "shared"
GEO = SHARED / "geo"
UNITS_CSV = ROOT / "assets" / "defaults" / "units_quangnam_2022.csv"
DOMAIN_UNITS = SHARED / "domain" / "quangnam_units_2022.csv"


def _units(level: str, path: Path = UNITS_CSV) -> pd.DataFrame:
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["level"] == level]
    return pd.DataFrame(rows)


def _feature(props: dict, x: float = 108.0, y: float = 15.5) -> dict:
    ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y]]
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


TINY = {
    "type": "FeatureCollection",
    "features": [
        _feature({"code": "502", "name": "whatever"}),  # by code, whatever the name says
        _feature({"ten": "THỊ XÃ ĐIỆN BÀN"}, x=108.2),  # by name: case, diacritics, kind prefix
        _feature({"NAME_2": "DuyXuyên"}, x=108.3),  # GADM style, no spaces
        _feature({"name": "Atlantis"}, x=108.4),  # matches nothing
    ],
}
TINY_UNITS = pd.DataFrame(
    {
        "code": ["502", "507", "508", "510"],
        "name": ["Thành phố Tam Kỳ", "Thị xã Điện Bàn", "Huyện Duy Xuyên", "Huyện Nam Giang"],
    }
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thành phố Tam Kỳ", "tamky"),
        ("Tam Kỳ", "tamky"),
        ("TP. Tam Kỳ", "tamky"),
        ("Huyện Đông Giang", "donggiang"),
        ("Thị xã Điện Bàn", "dienban"),
        ("Phường Hòa Thuận", "hoathuan"),
        ("HòaThuận", "hoathuan"),
        ("Xã A Tiêng", "atieng"),
        ("Thị trấn Ái Nghĩa", "ainghia"),
        ("Quế Sơn", "queson"),
    ],
)
def test_normalize_name(raw, expected):
    assert geo.normalize_name(raw) == expected


def test_normalize_keeps_names_that_only_look_like_a_prefix():
    # "Xã" alone, or a unit literally called "Huyện" must not become empty.
    assert geo.normalize_name("Xã") == "xa"


def test_tiny_geojson_by_code_and_name():
    res = geo.match_features(TINY, TINY_UNITS)
    codes = sorted(f["properties"]["unit_code"] for f in res.features)
    assert codes == ["502", "507", "508"]
    assert res.by_code == 1
    assert res.by_name == 2
    assert res.missing_units == ["Huyện Nam Giang"]
    assert res.unmatched_features == ["Atlantis"]


def test_code_wins_over_name_and_duplicates_are_reported():
    gj = {"type": "FeatureCollection", "features": [
        _feature({"code": "507", "name": "Tam Kỳ"}),  # code says Điện Bàn
        _feature({"name": "Điện Bàn"}),  # a second Điện Bàn: reported, not drawn twice
    ]}
    res = geo.match_features(gj, TINY_UNITS)
    assert [f["properties"]["unit_code"] for f in res.features] == ["507"]
    assert res.unmatched_features == ["Điện Bàn"]
    assert "Thành phố Tam Kỳ" in res.missing_units


def test_name_match_respects_the_kind_of_unit():
    gj = {"type": "FeatureCollection", "features": [
        _feature({"name": "Tam Kỳ", "type": "Phường"}),  # a ward named after the city
        _feature({"full_name": "Huyện Duy Xuyên"}),
    ]}
    res = geo.match_features(gj, TINY_UNITS)
    assert [f["properties"]["unit_code"] for f in res.features] == ["508"]
    assert "Thành phố Tam Kỳ" in res.missing_units


def test_codes_as_numbers_or_pcodes():
    gj = {"type": "FeatureCollection", "features": [
        _feature({"code": 502}), _feature({"ADM2_PCODE": "VN507"}), _feature({"ma": "508.0"}),
    ]}
    res = geo.match_features(gj, TINY_UNITS)
    assert sorted(f["properties"]["unit_code"] for f in res.features) == ["502", "507", "508"]


def test_boundary_path_from_env_and_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("REFORM_GEOJSON_DISTRICTS", raising=False)
    secrets = tmp_path / "secrets.toml"
    assert geo.boundary_path("district", secrets) is None
    secrets.write_text('[maps]\ndistricts = "/srv/geo/d.geojson"\n', encoding="utf-8")
    assert geo.boundary_path("district", secrets) == Path("/srv/geo/d.geojson")
    assert geo.boundary_path("commune", secrets) is None
    monkeypatch.setenv("REFORM_GEOJSON_DISTRICTS", str(tmp_path / "env.geojson"))
    assert geo.boundary_path("district", secrets) == tmp_path / "env.geojson"


def test_load_boundaries_rejects_non_geojson(tmp_path):
    bad = tmp_path / "x.geojson"
    bad.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(ValueError, match="x.geojson"):
        geo.load_boundaries(bad)
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(ValueError):
        geo.load_boundaries(bad)


def test_decks_fetch_nothing_from_the_internet():
    res = geo.match_features(TINY, TINY_UNITS)
    values = {f["properties"]["unit_code"]: {"name": "x", "label": "y", "fill": [1, 2, 3, 4]}
              for f in res.features}
    for deck in (
        maps.choropleth_deck(res.features, values),
        maps.points_deck(pd.DataFrame({"unit_code": ["502"], "name": ["Tam Kỳ"], "lat": [15.58],
                                       "lon": [108.48], "radius": [3000],
                                       "fill": [[1, 2, 3, 4]], "label": [""], "grade": [""]})),
    ):
        spec = json.loads(deck.to_json())
        text = json.dumps(spec)
        assert "mapProvider" not in spec
        # pydeck's placeholder, which Streamlit removes without substituting a basemap.
        assert spec.get("mapStyle") in (None, "__MAP_STYLE__")
        assert "http" not in text
        assert spec["layers"][0]["id"] == "units", "selection needs a layer id"


def test_view_fits_quang_nam():
    v = maps.view_for([107.2, 108.7], [14.9, 16.1], width_px=640, height_px=620)
    assert 7 < v.zoom < 9
    assert 107.9 < v.longitude < 108.0


def test_selected_unit_from_event():
    class Sel:
        objects = {"units": [{"properties": {"unit_code": "510"}}]}

    class Ev:
        selection = Sel()

    assert maps.selected_unit(Ev()) == "510"
    assert maps.selected_unit({"selection": {"objects": {"units": [{"unit_code": "507"}]}}}) == "507"
    assert maps.selected_unit({"selection": {"objects": {}}}) is None
    assert maps.selected_unit(None) is None


def test_ramp_and_colours():
    assert maps.ramp(0)[:3] == [192, 57, 43]
    assert maps.ramp(1)[:3] == [27, 120, 55]
    assert maps.ramp(None)[:3] == [189, 195, 199]
    assert maps.hex_rgba("#1b7837", 200) == [27, 120, 55, 200]


# --- the real boundary files (developers' machines only) --------------------------------------


def _geo(name: str) -> Path:
    p = GEO / name
    if not p.is_file():
        pytest.skip(f"{p} not present (shared test data, never shipped)")
    return p


def test_real_districts_match_by_code():
    b = geo.load_boundaries(_geo("quangnam_districts_2022.geojson"))
    units = _units("district")
    res = geo.match_features(b.geojson, units)
    assert len(res.features) == 18
    assert res.by_code == 18
    assert res.missing_units == []
    assert res.unmatched_features == []


def test_real_districts_match_by_name_without_codes():
    b = geo.load_boundaries(_geo("quangnam_districts_2022_from_2025_communes.geojson"))
    for f in b.geojson["features"]:
        f["properties"].pop("code", None)  # force matching on names only
    units = _units("district")
    res = geo.match_features(b.geojson, units)
    assert res.by_name == 18
    assert res.missing_units == []


def test_real_communes_gadm():
    if not DOMAIN_UNITS.is_file():
        pytest.skip(f"{DOMAIN_UNITS} not present")
    b = geo.load_boundaries(_geo("quangnam_communes_2022_gadm.geojson"))
    units = _units("commune", DOMAIN_UNITS)
    assert len(units) == 241
    res = geo.match_features(b.geojson, units)
    assert len(res.features) == len(units)  # every commune drawn
    assert res.missing_units == []
    # One district's communes only: the others are not "missing", they are simply not asked for.
    tam_ky = units[units["parent_code"] == "502"]
    res = geo.match_features(b.geojson, tam_ky)
    assert len(res.features) == len(tam_ky) == 13
    assert len(res.unmatched_features) == len(units) - len(tam_ky)


def test_real_2025_communes_name_the_missing_2022_districts():
    b = geo.load_boundaries(_geo("danang_communes_2025.geojson"))
    units = _units("district")
    res = geo.match_features(b.geojson, units)
    # A 2025 commune file given as districts: "Phường Tam Kỳ" folds to the same name as
    # "Thành phố Tam Kỳ" but is another kind of unit, so nothing matches and all 18 are named.
    assert res.features == []
    assert len(res.missing_units) == 18
    assert "Thành phố Tam Kỳ" in res.missing_units


def test_labels_keep_vietnamese_letters():
    res = geo.match_features(TINY, TINY_UNITS)
    values = {f["properties"]["unit_code"]: {"name": n, "label": "", "fill": [1, 2, 3, 4]}
              for f, n in zip(res.features, ["Thành phố Tam Kỳ", "Thị xã Điện Bàn",
                                             "Huyện Duy Xuyên"], strict=True)}
    spec = json.loads(maps.choropleth_deck(res.features, values).to_json())
    labels = next(layer for layer in spec["layers"] if layer["id"] == "labels")
    assert labels["characterSet"] == "auto", "the default ASCII atlas would drop ỳ, Đ, ..."
    assert sorted(r["short"] for r in labels["data"]) == ["Duy Xuyên", "Tam Kỳ", "Điện Bàn"]


# --- one matcher for the dashboard and the meeting pack ----------------------------------------


def _names_only_file(tmp_path: Path, units: pd.DataFrame) -> Path:
    """A handmade boundary file with names only (no codes), written as people type them:
    without diacritics, in capitals, with or without the kind of unit."""
    rows = units.sort_values("code").head(4).reset_index(drop=True)
    spellings = [
        geo.fold(rows.loc[0, "name"]),  # "thanh pho tam ky"
        str(rows.loc[1, "name"]).upper(),
        geo.short_name(rows.loc[2, "name"]),  # no kind word
        geo.fold(geo.short_name(rows.loc[3, "name"])),
    ]
    feats = [_feature({"ten": n}, x=108.0 + i / 10) for i, n in enumerate(spellings)]
    feats.append(_feature({"ten": "Atlantis"}, x=109.0))
    path = tmp_path / "names_only.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return path


def _shared_file(name: str, tmp_path: Path, units: pd.DataFrame) -> Path:
    return _names_only_file(tmp_path, units) if name == "names_only" else _geo(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["names_only", "quangnam_districts_2022.geojson"])
def test_pack_map_and_dashboard_map_match_the_same_units(demo_engine, tmp_path, monkeypatch, name):
    from helpers.app import PRE_REFORM

    from meeting_pack import data as pack_data
    from meeting_pack import mapimage
    from scorecard import service
    from scorecard.periods import ytd_period
    from ui import mapview

    week = PRE_REFORM  # the pack of a week with districts (they exist until 30/06/2025)
    level = pack_data.level_data(demo_engine, "district", ytd_period(week))
    assert level is not None and len(level.summary) == 18
    units = service.units(demo_engine, level="district")  # as app_pages/districts.py reads them
    path = _shared_file(name, tmp_path, units)
    monkeypatch.setenv("REFORM_GEOJSON_DISTRICTS", str(path))

    res, source = mapview.boundary_features("district", units)
    rings, note = mapimage.boundary_rings("district", level.summary)
    assert res is not None and res.unit_codes
    assert set(rings) == res.unit_codes
    assert path.name in source and path.name in note
    if name == "names_only":
        assert res.by_name == len(res.unit_codes) == 4
        # and the picture is drawn with the boundaries, not only the seats
        png, caption = mapimage.render_map(level.summary, "district")
        assert png and caption == note


def test_pack_map_reads_the_boundary_file_from_secrets(demo_engine, tmp_path, monkeypatch):
    """The pack's map takes its file where the dashboard does: env, else secrets.toml [maps]."""
    from helpers.app import PRE_REFORM

    from data_access import config
    from meeting_pack import data as pack_data
    from meeting_pack import mapimage
    from scorecard import service
    from scorecard.periods import ytd_period

    week = PRE_REFORM  # the pack of a week with districts (they exist until 30/06/2025)
    level = pack_data.level_data(demo_engine, "district", ytd_period(week))
    assert level is not None and len(level.summary) == 18
    path = _names_only_file(tmp_path, service.units(demo_engine, level="district"))
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[maps]\ndistricts = "{path}"\n', encoding="utf-8")
    monkeypatch.delenv("REFORM_GEOJSON_DISTRICTS", raising=False)
    monkeypatch.setattr(config, "SECRETS_PATH", secrets)
    rings, note = mapimage.boundary_rings("district", level.summary)
    assert len(rings) == 4
    assert path.name in note


def test_secrets_reader_is_shared_and_tolerant(tmp_path):
    from data_access import config

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[database]\nurl = "sqlite:///x.db"\n[maps]\ncommunes = " c.geojson "\n',
                       encoding="utf-8")
    assert config.database_url(secrets) == "sqlite:///x.db"
    assert config.secret("maps", "communes", secrets) == "c.geojson"
    assert geo.boundary_path("commune", secrets) == config.ROOT / "c.geojson"
    secrets.write_text("[maps\nbroken", encoding="utf-8")
    assert config.read_secrets(secrets) == {}
    assert geo.boundary_path("commune", secrets) is None


# --- tooltips: database text is escaped, never markup -----------------------------------------

EVIL = '<img src=x onerror="alert(1)"> Tam Kỳ & Co'


def _tooltip_rows(spec: dict) -> list[dict]:
    layer = spec["layers"][0]
    data = layer["data"]
    if isinstance(data, dict):  # GeoJSON
        return [f["properties"] for f in data["features"]]
    return data


def test_tooltips_escape_names_and_carry_no_markup():
    res = geo.match_features(TINY, TINY_UNITS)
    values = {f["properties"]["unit_code"]: {"name": EVIL, "label": "Tổng điểm: 80 < 90",
                                             "grade": "Tốt", "fill": [1, 2, 3, 4]}
              for f in res.features}
    area = maps.choropleth_deck(res.features, values)
    points = maps.points_deck(pd.DataFrame(
        {"unit_code": ["502"], "name": [EVIL], "lat": [15.58], "lon": [108.48], "radius": [3000],
         "fill": [[1, 2, 3, 4]], "label": ["Tổng điểm: 80"], "detail": ["12 hồ sơ"],
         "grade": ["Tốt"]}))
    for deck in (area, points):
        spec = json.loads(deck.to_json())
        template = deck._tooltip["html"]
        # Only the escaped copies are substituted into the template.
        assert set(re.findall(r"{(\w+)}", template)) <= {f"tip_{k}" for k in maps.TIP_FIELDS}
        rows = _tooltip_rows(spec)
        assert rows
        for row in rows:
            assert row["tip_name"] == html.escape(EVIL, quote=True)
            for k, v in row.items():
                if k.startswith("tip_"):
                    assert "<" not in v and "<br" not in v, (k, v)
        # The on-map labels are text (not HTML): they keep the name as typed.
        labels = next(layer for layer in spec["layers"] if layer["id"] == "labels")
        assert any("<img" in r["short"] for r in labels["data"])
    pts = _tooltip_rows(json.loads(points.to_json()))
    assert pts[0]["tip_detail"] == "12 hồ sơ"


# --- the shipped default boundaries, score colours, legend, labels, the bar-chart fallback -----


def _latest(demo_engine):  # noqa: ANN001, ANN202
    from scorecard import service
    from scorecard.periods import period_for_week

    week = service.latest_week(demo_engine)
    return service, period_for_week("ytd", week)


def _pre_reform(demo_engine):  # noqa: ANN001, ANN202
    """The year to date of a demo week with districts (they exist until 30/06/2025)."""
    from helpers.app import PRE_REFORM

    from scorecard import service
    from scorecard.periods import period_for_week

    return service, period_for_week("ytd", PRE_REFORM)


def _demo_target(demo_engine, p=None) -> float:  # noqa: ANN001
    """The demo's total target in force at the end of ``p`` (default: the latest week's)."""
    from ui import data as ui_data

    service, latest = _latest(demo_engine)
    target = ui_data.target_value(service.targets(demo_engine, (p or latest).end), "total")
    assert target is not None, "the demo's targets table holds a total target"
    return target


def test_shipped_files_are_the_unchanged_mit_copies():
    for name in ("quangnam_districts_2022_from_2025_communes.geojson",
                 "danang_communes_2025.geojson"):
        shipped = ROOT / "assets" / "geo" / name
        assert shipped.is_file()
        if (GEO / name).is_file():
            assert shipped.read_bytes() == (GEO / name).read_bytes()
    # Only the two MIT files ship: the others under shared/geo are GPL or GADM.
    shipped_geo = sorted(p.name for p in (ROOT / "assets" / "geo").glob("*.geojson"))
    assert shipped_geo == sorted(p.name for p in geo.DEFAULT_FILES.values())


def test_without_configuration_districts_use_the_shipped_file(demo_engine, tmp_path, monkeypatch):
    from ui import mapview

    monkeypatch.delenv("REFORM_GEOJSON_DISTRICTS", raising=False)
    monkeypatch.setattr("data_access.config.SECRETS_PATH", tmp_path / "none.toml")
    service, _ = _latest(demo_engine)
    units = service.units(demo_engine, level="district")
    path, is_default = geo.effective_path("district", tmp_path / "none.toml")
    assert is_default and path == geo.DEFAULT_FILES["district"]
    res, source = mapview.boundary_features("district", units)
    assert res is not None
    assert len(res.features) == len(units)
    assert res.unit_codes == set(units["code"].astype(str))
    assert not res.missing_units
    assert "thanglequoc/vietnamese-provinces-database (MIT)" in source
    # A user's own file still wins over the shipped one.
    own = tmp_path / "own.geojson"
    own.write_text(json.dumps(TINY), encoding="utf-8")
    monkeypatch.setenv("REFORM_GEOJSON_DISTRICTS", str(own))
    assert geo.effective_path("district") == (own, False)


def test_2022_communes_do_not_match_the_2025_file(demo_engine, monkeypatch):
    monkeypatch.delenv("REFORM_GEOJSON_COMMUNES", raising=False)
    service, _ = _latest(demo_engine)
    communes = service.units(demo_engine, level="commune")
    path, is_default = geo.effective_path("commune")
    assert is_default and path is not None
    gj = geo.load_boundaries(path).geojson
    assert len(gj["features"]) > 0
    # 2025 units reuse 2022 communes' codes (and names): a loose match would draw wrong areas.
    assert geo.match_features(gj, communes).features
    strict = geo.match_features(gj, communes, strict=True)
    assert len(strict.features) < len(communes)
    for f in strict.features:
        unit = communes[communes["code"].astype(str) == f["properties"]["unit_code"]].iloc[0]
        assert geo.normalize_name(unit["name"]) == geo.normalize_name(f["properties"]["name"])


def test_colours_follow_the_score_around_the_data_target(demo_engine):
    # The latest week's local level: today's communes (there is no district level any more).
    service, p = _latest(demo_engine)
    target = _demo_target(demo_engine)
    summary = service.scorecard(demo_engine, "commune", p).summary
    scores = [float(v) for v in summary["total"].dropna()]  # "không phát sinh" has no colour
    assert min(scores) < target < max(scores), "units on both sides of the target"
    scale = maps.score_scale(scores, target)
    assert scale.lo == min([*scores, target]) and scale.hi == max([*scores, target])
    # A score above the target is on the green side (more green than red), one below on the
    # red side; the target itself is the ramp's middle.
    above = maps.score_fill(target + (scale.hi - target) / 2 or target + 1, scale)
    below = maps.score_fill(target - (target - scale.lo) / 2 or target - 1, scale)
    assert above != below
    assert above[1] > above[0], above
    assert below[0] > below[1], below
    assert maps.score_fill(target, scale) == maps.ramp(0.5)
    # Equal scores, equal colours; a higher score is never redder.
    assert maps.score_fill(scores[0], scale) == maps.score_fill(scores[0], scale)
    ordered = sorted(scores)
    reds = [maps.score_fill(v, scale)[0] for v in ordered if v >= target]
    assert reds == sorted(reds, reverse=True)
    assert maps.score_fill(None, scale) == maps.ramp(None)


def test_scale_keeps_the_target_inside_when_every_unit_is_above_it(demo_engine):
    target = _demo_target(demo_engine)
    scale = maps.score_scale([target + 1, target + 2], target)
    assert scale.lo == target
    assert scale.position(target) == 0.5 and scale.position(target + 2) == 1.0


def test_legend_numbers_come_from_the_data(demo_engine):
    from texts import fmt_number

    service, p = _latest(demo_engine)  # the latest week's local level: today's communes
    target = _demo_target(demo_engine)
    scores = [float(v) for v in service.scorecard(demo_engine, "commune", p).summary["total"].dropna()]
    assert scores, "the communes are scored"
    fig = maps.legend_figure(maps.score_scale(scores, target))
    ticks = " ".join(fig.layout.xaxis.ticktext)
    for v in (min([*scores, target]), target, max([*scores, target])):
        assert fmt_number(v, 1) in ticks
    assert "," in fmt_number(target, 1), "Vietnamese decimal comma"
    assert fig.layout.shapes[0].x0 == target


def _boxes_overlap(a: dict, b: dict, zoom: float, lat: float) -> bool:
    dpp = 360 / (512 * 2**zoom)
    def box(c: dict) -> tuple[float, float, float, float]:
        hw = (len(c["short"]) * maps._CHAR_PX + 8) / 2 * dpp
        hh = maps._LINE_PX / 2 * dpp * math.cos(math.radians(lat))
        return c["lon"] - hw, c["lon"] + hw, c["lat"] - hh, c["lat"] + hh
    x, y = box(a), box(b)
    return x[0] < y[1] and y[0] < x[1] and x[2] < y[3] and y[2] < x[3]


def test_labels_do_not_overlap_on_the_default_map():
    units = _units("district")
    res = geo.match_features(geo.load_boundaries(geo.DEFAULT_FILES["district"]).geojson, units)
    values = {c: {"name": n, "fill": [1, 2, 3, 4]}
              for c, n in zip(units["code"], units["name"], strict=True)}
    deck = maps.choropleth_deck(res.features, values, height_px=640)
    spec = json.loads(deck.to_json())
    labels = next(layer for layer in spec["layers"] if layer["id"] == "labels")["data"]
    view = deck.initial_view_state
    assert len(labels) >= len(units) // 2, "most districts keep their name"
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not _boxes_overlap(a, b, view.zoom, view.latitude), (a["short"], b["short"])
    # Two labels in the same place: one is dropped, the larger unit's.
    same = [{"lon": 108.0, "lat": 15.5, "short": "Nhỏ", "area": 1},
            {"lon": 108.0, "lat": 15.5, "short": "Lớn", "area": 2}]
    assert [c["short"] for c in maps.place_labels(same, 9.0)] == ["Lớn"]


def test_label_points_lie_inside_their_polygons():
    gj = geo.load_boundaries(geo.DEFAULT_FILES["district"]).geojson
    for f in gj["features"]:
        x, y = maps._centre(f["geometry"])
        ring = maps._largest_ring(f["geometry"])
        inside = False
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
        assert inside, f["properties"]["name"]


def _deck_spec(at) -> dict:  # noqa: ANN001
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    return json.loads(decks[0].proto.json)


@pytest.mark.slow
def test_districts_page_default_map_legend_and_grade_choice(demo_url, demo_engine, monkeypatch):
    from helpers.app import PRE_REFORM, _app, _no_exception

    from texts import fmt_number

    service, p = _pre_reform(demo_engine)  # a week with districts
    units = service.units(demo_engine, level="district")
    at = _app(demo_url, monkeypatch, week=PRE_REFORM)
    at.run()
    at.switch_page("app_pages/districts.py").run()
    _no_exception(at)
    spec = _deck_spec(at)
    feats = spec["layers"][0]["data"]["features"]
    assert sorted(f["properties"]["unit_code"] for f in feats) == sorted(units["code"])
    for f in feats:
        for k, v in f["properties"].items():
            if k.startswith("tip_"):
                assert "<" not in v and ">" not in v, (k, v)
    fills = {f["properties"]["unit_code"]: f["properties"]["fill"] for f in feats}
    legend = [c for c in at.get("plotly_chart")]
    assert legend, "a legend is drawn beside the map"
    target = _demo_target(demo_engine, p)
    assert fmt_number(target, 1) in legend[0].proto.spec
    assert any("thanglequoc" in str(c.value) for c in at.caption)
    # Grade colours on request, kept in the URL.
    at.get("button_group")[0].set_value("grade").run()
    _no_exception(at)
    assert at.query_params["to_mau"] == "xep-loai"
    grade_fills = {f["properties"]["unit_code"]: f["properties"]["fill"]
                   for f in _deck_spec(at)["layers"][0]["data"]["features"]}
    assert grade_fills != fills


@pytest.mark.slow
def test_communes_without_polygons_get_a_ranked_bar_chart(demo_url, demo_engine, monkeypatch):
    from helpers.app import PRE_REFORM, _app, _no_exception

    service, p = _pre_reform(demo_engine)  # a week with districts and their 2022 communes
    district = str(service.units(demo_engine, level="district")["code"].iloc[0])
    communes = service.units(demo_engine, parent=district)
    at = _app(demo_url, monkeypatch, week=PRE_REFORM, unit=district)
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert not at.get("deck_gl_json_chart"), "no empty map box"
    bars = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
            if c.proto.id and f"child_map_{district}" in c.proto.id]
    assert len(bars) == 1
    trace = bars[0]["data"][0]
    assert trace["type"] == "bar"
    assert sorted(c[0] for c in trace["customdata"]) == sorted(communes["code"].astype(str))
    assert list(trace["x"]) == sorted(trace["x"]), "ranked: the best on top"


def test_prefixed_unit_codes_match_bare_feature_codes_strictly():
    """2025 units are ``"48.<GSO>"`` (their GSO codes reuse 2022 ones): "48.20335" is feature
    "20335" when the names agree too, and the 2022 unit with code "20335" is not."""
    gj = {"type": "FeatureCollection", "features": [
        _feature({"code": "20335", "name": "Bàn Thạch", "full_name": "Phường Bàn Thạch"}),
        _feature({"code": "20194", "name": "Hải Vân", "full_name": "Phường Hải Vân"}, x=108.2),
        _feature({"code": "20401", "name": "Somewhere else"}, x=108.3),  # code agrees, name not
    ]}
    units = pd.DataFrame({
        "code": ["20335", "48.20335", "48.20194", "48.20401"],
        "name": ["Phường Tân Thạnh", "Phường Bàn Thạch", "Phường Hải Vân", "Phường Hội An"],
    })
    res = geo.match_features(gj, units, strict=True)
    assert {f["properties"]["code"]: f["properties"]["unit_code"] for f in res.features} == {
        "20335": "48.20335", "20194": "48.20194"}
    assert res.by_code == 2
    assert set(res.missing_units) == {"Phường Tân Thạnh", "Phường Hội An"}
    # Not strict: the code alone decides, and among several units the one whose name agrees.
    loose = geo.match_features(gj, units)
    assert loose.unit_codes == {"48.20335", "48.20194", "48.20401"}


def test_shipped_2025_communes_match_the_default_units():
    from data_access.defaults import units_frame

    units = units_frame()
    communes = units[(units["level"] == "commune") & (units["parent_code"] == "48")]
    b = geo.load_boundaries(geo.DEFAULT_FILES["commune"])
    res = geo.match_features(b.geojson, communes[["code", "name", "short_name"]], strict=True)
    assert len(res.features) == len(communes) == 94
    assert res.missing_units == [] and res.unmatched_features == []
