"""Creating the schema and recording loads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Date, Engine, SmallInteger, delete, insert, inspect

from data_access import schema
from data_access.defaults import lagging_rules_frame, load_defaults


def init_db(engine: Engine) -> None:
    """Create every table that is missing and (re)load the reference data, in one transaction."""
    with engine.begin() as conn:
        schema.metadata.create_all(conn)
        upgrade_schema(conn)
        load_defaults(conn)
        conn.execute(
            insert(schema.load_log).values(at=datetime.now(), action="init", detail="defaults")
        )


def has_schema(engine: Engine) -> bool:
    """Whether the tables exist, but those that a refresh creates when missing (added after
    the first release: a database made before them is still a database of ours)."""
    names = set(inspect(engine).get_table_names())
    later = {t.name for t in schema.CREATED_BY_REFRESH}
    return {t.name for t in schema.metadata.sorted_tables} - later <= names


# Columns added to existing tables after the first release: (table, column, type, default).
_ADDED_COLUMNS = (
    (schema.unit_level, "local", SmallInteger(), "0"),
    (schema.unit_level, "valid_from", Date(), None),
    (schema.unit_level, "valid_to", Date(), None),
)


def upgrade_schema(conn: Connection) -> None:
    """Bring a database made by an earlier release up to this schema, in the caller's
    transaction: missing tables are created, missing columns added (portable ``ALTER TABLE
    ... ADD COLUMN``), and a score_week whose totals cannot be NULL (before "không phát sinh"
    existed) is dropped and recreated empty: it is derived data, and its snapshot record goes
    with it, so the service computes on demand until the next refresh rebuilds it."""
    insp = inspect(conn)
    names = set(insp.get_table_names())
    for table in schema.metadata.sorted_tables:
        # agg_overdue_procedure is left to refresh, which fills it whole when it creates it
        if table.name not in names and table is not schema.agg_overdue_procedure:
            table.create(conn)
    if schema.lagging_rule.name not in names:
        # reference data that came with a later release: the shipped thresholds, so that the
        # lagging page of an upgraded database means what it means on a new one
        conn.execute(insert(schema.lagging_rule), lagging_rules_frame().to_dict("records"))
    for table, column, type_, default in _ADDED_COLUMNS:
        have = {c["name"] for c in insp.get_columns(table.name)}
        if column not in have:
            ddl = f'ALTER TABLE "{table.name}" ADD COLUMN "{column}" {type_.compile(conn.dialect)}'
            if default is not None:
                ddl += f" DEFAULT {default}"
            conn.exec_driver_sql(ddl)
    if schema.score_week.name in names:
        total = next(c for c in insp.get_columns(schema.score_week.name) if c["name"] == "total")
        if not total["nullable"]:
            schema.score_week.drop(conn)
            schema.score_week.create(conn)
            conn.execute(delete(schema.score_snapshot))
