"""Reference data loaded by ``init``: units, levels, methodology, grade bands, targets, the
lagging rule, holidays.

All of it lives in CSV files under assets/defaults so that a new methodology version, another
province's units or new targets are data changes, not code changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pandas as pd
from sqlalchemy import Connection, Table, delete

from data_access import official_defaults, schema

T = TypeVar("T")

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "defaults"

# Unit lists: every ``units_*.csv`` and ``departments_*.csv`` here, each row with its own
# validity dates (a reorganisation is new rows and an end date, never an edit of history).
UNIT_FILES = ("units_*.csv", "departments_*.csv")
DATE_COLUMNS = ("valid_from", "valid_to")


def read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DEFAULTS_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _none_if_empty(v: T) -> T | None:
    return None if v == "" else v


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: _none_if_empty(v) for k, v in r.items()} for r in df.to_dict("records")]


def _dates(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    for c in cols:
        df[c] = pd.to_datetime(df[c].replace("", None)).dt.date
    return df


def units_frame() -> pd.DataFrame:
    files = sorted({p for pattern in UNIT_FILES for p in DEFAULTS_DIR.glob(pattern)})
    df = pd.concat([read_csv(p.name) for p in files], ignore_index=True).fillna("")
    if df["code"].duplicated().any():
        dup = sorted(df.loc[df["code"].duplicated(), "code"])
        raise ValueError(f"duplicate unit codes in assets/defaults: {dup[:5]}")
    df = _dates(df, DATE_COLUMNS)
    for col in ("lat", "lon"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df = df.astype(object).where(df.notna(), None)
    return df.replace({"": None})


def lineage_frame() -> pd.DataFrame:
    """Old unit -> new unit on a date, with the share of the old unit's dossiers (empty = all)."""
    df = _dates(read_csv("lineage.csv"), ("valid_from",))
    df["share"] = pd.to_numeric(df["share"], errors="coerce")
    return df.astype(object).where(df.notna(), None)


# The lagging rule's criteria and the parameters each takes, with their kind ("text",
# "integer", "number"); scorecard.lagging reads them. ALL_LEVELS in the level column: every level.
LAGGING_PARAMS: dict[str, dict[str, str]] = {
    "below_grade": {"grade": "text", "weight": "number"},
    "bottom": {"n": "integer", "weight": "number"},
    "falling": {"points": "number", "ranks": "integer", "min_weeks": "integer", "weight": "number"},
    "backlog": {"percent": "number", "dossiers": "integer", "exempt_top_ranks": "integer",
                "weight": "number"},
}
ALL_LEVELS = "*"


def lagging_value_error(criterion: str, param: str, value: str) -> str | None:
    """Why a lagging-rule parameter is not valid (English, for the developer who edits the
    CSV), or None when it is."""
    kinds = LAGGING_PARAMS.get(criterion)
    if kinds is None:
        return f"unknown criterion {criterion!r} (one of {', '.join(LAGGING_PARAMS)})"
    kind = kinds.get(param)
    if kind is None:
        return f"unknown parameter {param!r} of {criterion} (one of {', '.join(kinds)})"
    if kind == "text":
        return None if str(value).strip() else f"{criterion}.{param} is empty"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"{criterion}.{param} = {value!r} is not a number"
    if number != number or number < 0 or (kind == "integer" and number != int(number)):
        return f"{criterion}.{param} = {value!r} is not a {'whole ' if kind == 'integer' else ''}number >= 0"
    return None


def lagging_rules_frame() -> pd.DataFrame:
    """lagging_rules.csv as rows of ``schema.lagging_rule``; ValueError naming the row when a
    criterion, parameter or value is not one ``LAGGING_PARAMS`` accepts."""
    df = read_csv("lagging_rules.csv")
    df["level"] = df["level"].str.strip().replace("", ALL_LEVELS)
    for i, r in enumerate(df.itertuples(index=False), start=2):
        problem = lagging_value_error(r.criterion, r.param, r.value)
        if problem:
            raise ValueError(f"assets/defaults/lagging_rules.csv line {i}: {problem}")
    key = ["valid_from", "level", "criterion", "param"]
    if df.duplicated(key).any():
        raise ValueError("assets/defaults/lagging_rules.csv: a parameter is given twice for one date and level")
    df = _dates(df, ("valid_from",))
    return df.astype(object).where(df.notna(), None).replace({"": None})


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
    _replace(conn, schema.unit_lineage, lineage_frame().to_dict("records"))

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

    _replace(conn, schema.lagging_rule, lagging_rules_frame().to_dict("records"))

    hol = read_csv("holidays.csv")
    hol["day"] = pd.to_datetime(hol["day"]).dt.date
    _replace(conn, schema.holiday, hol.to_dict("records"))
    official_defaults.load(conn)  # the portal's group codes, the reconciliation's thresholds
