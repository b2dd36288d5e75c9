"""Creating the schema and recording loads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, inspect

from data_access import schema
from data_access.defaults import load_defaults


def init_db(engine: Engine) -> None:
    """Create every table that is missing and (re)load the reference data, in one transaction."""
    with engine.begin() as conn:
        schema.metadata.create_all(conn)
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
