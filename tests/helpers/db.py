"""Read a test database back: counts, rows and a snapshot of every table an import may change."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from data_access import schema as s


def count(engine: Engine, table) -> int:  # noqa: ANN001
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar_one()


def rows(engine: Engine, table, order=None) -> list[dict]:  # noqa: ANN001
    with engine.connect() as c:
        q = select(table)
        if order is not None:
            q = q.order_by(order)
        return [dict(r) for r in c.execute(q).mappings()]


def snapshot(engine: Engine) -> dict[str, list]:
    """Every row of every fact, aggregate and log table (what an import may change)."""
    tables = (s.dossier, s.feedback, s.unit, s.procedure, s.field, s.agg_unit_bucket,
              s.agg_overdue, s.agg_unit_procedure, s.load_log, s.unit_lineage)  # fmt: skip
    with engine.connect() as c:
        return {t.name: sorted(map(repr, c.execute(select(t)).all())) for t in tables}


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the schema."""
    with engine.connect() as c:
        return {
            t.name: c.execute(select(func.count()).select_from(t)).scalar_one()
            for t in s.metadata.sorted_tables
        }
