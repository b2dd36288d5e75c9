"""Reference data of the official scores: the portal's group codes and the reconciliation's
thresholds (``assets/defaults/portal_groups.csv``, ``official_settings.csv``), loaded by
``init`` and, for a database made before they existed, by the first official import.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, inspect, select

from data_access import schema as s

GROUPS_FILE = "portal_groups.csv"
SETTINGS_FILE = "official_settings.csv"


def _read(name: str) -> pd.DataFrame:
    from data_access.defaults import DEFAULTS_DIR  # defaults calls load() below

    return pd.read_csv(DEFAULTS_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def portal_groups_frame() -> pd.DataFrame:
    """[portal_code, group_code, name] as shipped."""
    return _read(GROUPS_FILE)


def settings_frame() -> pd.DataFrame:
    """[name, value, note] as shipped (value a float)."""
    df = _read(SETTINGS_FILE)
    df["value"] = df["value"].astype(float)
    return df


def ensure_tables(conn: Connection) -> None:
    """Create the official tables a database of an earlier release lacks (in ``conn``'s
    transaction)."""
    names = set(inspect(conn).get_table_names())
    for table in s.OFFICIAL_TABLES:
        if table.name not in names:
            table.create(conn)


def load(conn: Connection) -> None:
    """(Re)load the group mapping and the thresholds; imported scores and aliases stay."""
    ensure_tables(conn)
    conn.execute(delete(s.portal_group))
    conn.execute(insert(s.portal_group), portal_groups_frame().to_dict("records"))
    conn.execute(delete(s.official_setting))
    conn.execute(insert(s.official_setting), settings_frame().to_dict("records"))


def ensure(conn: Connection) -> None:
    """The tables, and the shipped reference rows where a table is still empty (a database
    made before official scores existed, never re-initialised)."""
    ensure_tables(conn)
    for table, frame in ((s.portal_group, portal_groups_frame), (s.official_setting, settings_frame)):
        if not conn.execute(select(func.count()).select_from(table)).scalar_one():
            conn.execute(insert(table), frame().to_dict("records"))
