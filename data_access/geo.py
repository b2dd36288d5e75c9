"""Boundary files: where they are configured, how they are read, and which unit each feature is.

Boundaries come from a GeoJSON file the user supplies (env ``REFORM_GEOJSON_DISTRICTS`` /
``REFORM_GEOJSON_COMMUNES``, or ``[maps] districts = "..."`` / ``communes = "..."`` in
.streamlit/secrets.toml); with none configured, the files shipped in ``assets/geo`` (MIT,
thanglequoc/vietnamese-provinces-database) are the default (``effective_path``). Features are matched to units by GSO code, else by name with
diacritics, case and the unit-kind prefix ignored. The dashboard's map (``ui.maps``) and the
meeting pack's map picture (``meeting_pack.mapimage``) both match through here, so a file one of
them accepts colours the same units in the other.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_access.config import ROOT, secret
from data_access.formats import strip_accents

ENV_VARS: dict[str, str] = {
    "district": "REFORM_GEOJSON_DISTRICTS",
    "commune": "REFORM_GEOJSON_COMMUNES",
}
SECRETS_SECTION = "maps"
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
KIND_PREFIXES: tuple[str, ...] = (
    "thanh pho", "thi xa", "thi tran", "huyen", "phuong", "xa", "quan", "tp", "tx", "tt",
    "dac khu",
)
_KIND_ALIASES: dict[str, str] = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran"}

Ring = list[tuple[float, float]]

# Shipped unchanged (MIT; see assets/geo/README.md). The commune file holds the 2025 units:
# 2022 communes do not match it, and their map falls back to a ranked bar chart.
DEFAULT_FILES: dict[str, Path] = {
    "district": ROOT / "assets" / "geo" / "quangnam_districts_2022_from_2025_communes.geojson",
    "commune": ROOT / "assets" / "geo" / "danang_communes_2025.geojson",
}


def fold(text: object) -> str:
    """Lower case, no diacritics (đ → d), every run of other characters one space."""
    return re.sub(r"[^a-z0-9]+", " ", strip_accents(str(text or ""))).strip()


def split_kind(name: object) -> tuple[str | None, str]:
    """``"Thành phố Tam Kỳ"`` → ``("thanh pho", "tamky")``; the kind is None when not written."""
    s = fold(name)
    for p in KIND_PREFIXES:
        if s.startswith(p + " ") and len(s) > len(p) + 1:
            # GADM writes names without spaces ("HòaThuận"); compare without spaces too.
            return _KIND_ALIASES.get(p, p), s[len(p) + 1 :].replace(" ", "")
    return None, s.replace(" ", "")


def normalize_name(name: object) -> str:
    """``"Thành phố Tam Kỳ"`` → ``"tamky"``: no diacritics, case, kind prefix or punctuation."""
    return split_kind(name)[1]


def short_name(name: object) -> str:
    """Name without its kind ("Huyện Nam Giang" → "Nam Giang"), for map labels."""
    text = str(name or "")
    folded = fold(text)
    for p in KIND_PREFIXES:
        if folded.startswith(p + " "):
            return " ".join(text.split()[len(p.split()):]) or text
    return text


def _feature_kind(props: dict) -> str | None:
    """The unit kind a feature states (``type`` property or a prefixed name), if any."""
    kind_prop = props.get("type")
    if kind_prop:
        kind, _ = split_kind(f"{kind_prop} x")
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


def _unit_key(unit_code: str) -> str:
    """The code a boundary file would give a unit: ``"48.20335"`` → ``"20335"``.

    Units created by a reorganisation whose official codes reuse codes of older units carry a
    ``<prefix>.`` (the 2025 Đà Nẵng communes are ``"48.<GSO>"``, since 78 of their GSO codes
    belonged to other 2022 Quảng Nam communes), and files carry the bare GSO code.
    """
    m = re.fullmatch(r"[^.]+\.(\d+)", unit_code.strip())
    return _norm_code(m.group(1) if m else unit_code)


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

    @property
    def unit_codes(self) -> set[str]:
        return {str(f["properties"]["unit_code"]) for f in self.features}


def _setting(level: str, suffix: str, secrets_path: Path | None) -> str:
    env = ENV_VARS.get(level)
    value = os.environ.get(f"{env}{suffix}", "").strip() if env else ""
    if not value and level in _SECRET_KEYS:
        key = _SECRET_KEYS[level] + suffix.lower()
        value = secret(SECRETS_SECTION, key, secrets_path)
    return value


def boundary_path(level: str, secrets_path: Path | None = None) -> Path | None:
    """The configured boundary file for a level, or None when none is configured."""
    value = _setting(level, "", secrets_path)
    if not value:
        return None
    p = Path(value).expanduser()
    return p if p.is_absolute() else ROOT / p


def effective_path(level: str, secrets_path: Path | None = None) -> tuple[Path | None, bool]:
    """The boundary file a level's map uses, and whether it is the shipped default: the user's
    configured file when there is one, else the shipped file (None when neither exists)."""
    configured = boundary_path(level, secrets_path)
    if configured is not None:
        return configured, False
    default = DEFAULT_FILES.get(level)
    return (default, True) if default is not None and default.is_file() else (None, True)


def attribution_for(level: str, b: Boundaries, secrets_path: Path | None = None) -> str:
    """Attribution from env ``<VAR>_ATTRIBUTION``, ``[maps] <level>s_attribution``, or the file."""
    return _setting(level, "_ATTRIBUTION", secrets_path) or b.attribution


def load_boundaries(path: Path) -> Boundaries:
    """Read a GeoJSON FeatureCollection; raises ValueError with a readable reason."""
    try:
        gj = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{Path(path).name}: {exc}") from exc
    if not isinstance(gj, dict) or gj.get("type") != "FeatureCollection":
        raise ValueError(f"{Path(path).name}: not a GeoJSON FeatureCollection")
    attribution = str(gj.get("attribution") or gj.get("source") or gj.get("name") or "")
    return Boundaries(Path(path), gj, attribution)


def match_features(geojson: dict, units: pd.DataFrame, strict: bool = False) -> MatchResult:
    """Attach ``unit_code`` to each feature matching a unit (by code first, then by name).

    ``units`` needs ``code`` and ``name`` (``short_name`` is used too when present).
    ``strict``: a feature matches only when its code and its name both agree with the unit's.
    For the shipped 2025 commune file: a new unit took the GSO code of one of the 2022 communes
    it was formed from (2025 "Bàn Thạch" has the code of 2022 "Tân Thạnh"), and often an old
    name over a much larger area.
    """
    # A code may stand for several units (a 2022 commune and the 2025 one that reused its code):
    # the name decides between them.
    by_code: dict[str, list[str]] = {}
    by_name: dict[str, str] = {}
    kinds: dict[str, str | None] = {}
    names_of: dict[str, set[str]] = {}
    for r in units.itertuples(index=False):
        unit_code = str(r.code)
        by_code.setdefault(_unit_key(unit_code), []).append(unit_code)
        kinds[unit_code] = split_kind(r.name)[0]
        for n in (getattr(r, "name", None), getattr(r, "short_name", None)):
            if n and n == n:
                by_name.setdefault(normalize_name(n), unit_code)
                names_of.setdefault(unit_code, set()).add(normalize_name(n))
    found: dict[str, dict] = {}
    res = MatchResult(features=[])
    for feat in geojson.get("features", []):
        props = dict(feat.get("properties") or {})
        code: str | None = None
        feature_names = {normalize_name(props[n]) for n in NAME_KEYS if props.get(n)}
        for k in CODE_KEYS:
            cands = by_code.get(_norm_code(props[k])) if props.get(k) is not None else None
            if not cands:
                continue
            agree = [c for c in cands if not names_of.get(c, set()).isdisjoint(feature_names)]
            if strict and not agree:
                continue
            code = (agree or cands)[0]
            res.by_code += 1
            break
        if code is None and not strict:
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


def outer_rings(geometry: dict | None) -> list[Ring]:
    """The outer ring of each polygon of a Polygon or MultiPolygon (holes are not drawn)."""
    if not geometry:
        return []
    polys = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        polys = [polys]
    elif geometry.get("type") != "MultiPolygon":
        return []
    return [[(float(x), float(y)) for x, y, *_ in poly[0]] for poly in polys if poly]
