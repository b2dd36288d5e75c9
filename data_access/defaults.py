"""Reference data loaded by ``init``: units, levels, methodology, grade bands, targets, holidays.

All of it lives in CSV files under assets/defaults so that a new methodology version, another
province's units or new targets are data changes, not code changes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TypeVar

import pandas as pd
from sqlalchemy import Connection, Table, delete

from data_access import schema

T = TypeVar("T")

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "defaults"

# Quảng Nam's 2022 units were valid from the GSO list of 01/10/2022 onwards (earlier years
# had the same districts); Nông Sơn merged into Quế Sơn on 01/01/2025.
UNITS_VALID_FROM = date(2020, 1, 1)
UNIT_CHANGES = {"519": (date(2024, 12, 31), "509")}


def read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DEFAULTS_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _none_if_empty(v: T) -> T | None:
    return None if v == "" else v


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: _none_if_empty(v) for k, v in r.items()} for r in df.to_dict("records")]


def units_frame() -> pd.DataFrame:
    units = read_csv("units_quangnam_2022.csv")
    depts = read_csv("departments_quangnam.csv")
    df = pd.concat([units, depts], ignore_index=True).fillna("")
    df["valid_from"] = UNITS_VALID_FROM
    df["valid_to"] = df["code"].map(lambda c: UNIT_CHANGES.get(c, (None, None))[0])
    df["successor_code"] = df["code"].map(lambda c: UNIT_CHANGES.get(c, (None, None))[1])
    for col in ("lat", "lon"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df = df.astype(object).where(df.notna(), None)
    return df


def _replace(conn: Connection, table: Table, rows: list[dict]) -> None:
    conn.execute(delete(table))
    if rows:
        conn.execute(table.insert(), rows)


def load_defaults(conn: Connection) -> None:
    """(Re)load all reference data; dossiers, feedback and aggregates are left alone."""
    conn.execute(delete(schema.unit))  # units reference levels: clear them first
    levels = read_csv("levels.csv")
    levels["sort_order"] = levels["sort_order"].astype(int)
    levels["ranked"] = levels["ranked"].astype(int)
    levels["local"] = levels["local"].astype(int) if "local" in levels else 0
    for c in ("valid_from", "valid_to"):
        levels[c] = pd.to_datetime(levels[c]).dt.date if c in levels else ""
    _replace(conn, schema.unit_level, _records(levels.astype(object).where(levels.notna(), "")))

    units = units_frame()
    cols = [c.name for c in schema.unit.columns]
    _replace(conn, schema.unit, [{c: r.get(c) for c in cols} for r in _records(units)])

    versions = read_csv("methodology_versions.csv")
    versions["valid_from"] = pd.to_datetime(versions["valid_from"]).dt.date
    _replace(conn, schema.methodology_version, versions.to_dict("records"))

    meth = read_csv("methodology.csv")
    for c in ("group_max", "max_points", "saturation", "empty_ratio"):
        meth[c] = meth[c].astype(float)
    _replace(conn, schema.methodology, meth.to_dict("records"))

    bands = read_csv("grade_bands.csv")
    bands["min_score"] = bands["min_score"].astype(float)
    bands["sort_order"] = bands["sort_order"].astype(int)
    _replace(conn, schema.grade_band, bands.to_dict("records"))

    targets = read_csv("targets.csv")
    targets["value"] = targets["value"].astype(float)
    targets["illustrative"] = targets["illustrative"].astype(int)
    targets["valid_from"] = pd.to_datetime(targets["valid_from"]).dt.date
    _replace(conn, schema.target, _records(targets))

    hol = read_csv("holidays.csv")
    hol["day"] = pd.to_datetime(hol["day"]).dt.date
    _replace(conn, schema.holiday, hol.to_dict("records"))
