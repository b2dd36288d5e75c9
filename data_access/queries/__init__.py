"""Every SQL query the scorecard needs, as named functions (SQLAlchemy Core, portable), one
module per subject:

- ``base``: the measures contract (MEASURES and its parts) and the helpers every query uses;
- ``reference``: levels, units, methodology, grade bands, targets, holidays, data weeks;
- ``measures``: the measures of one period, from the aggregate tables;
- ``series_rows``: bucket-level rows for the weekly series and the snapshot;
- ``overdue``: overdue dossiers, their Pareto, the backlog;
- ``bieu06a``: the counts of the official report;
- ``snapshot``: reads of the weekly score snapshot (its writes: ``data_access.snapshot_store``);
- ``registry``: the named statements ``python -m data_access sql`` prints.

Each function takes a ``bind`` (an Engine or an open Connection) and returns a pandas DataFrame
(or a scalar, when said so). Nothing here is dialect-specific: only comparisons, CASE, SUM,
COUNT and COUNT(DISTINCT), so SQLite and PostgreSQL give the same numbers. Everything is
re-exported here: ``from data_access import queries; queries.unit_measures(...)``. (The test
oracle that recomputes the measures from the raw tables lives in tests/helpers/oracle.py.)
"""

from __future__ import annotations

from data_access.queries import official  # noqa: F401 - registers its statements; read as queries.official
from data_access.queries.base import (
    ANNOUNCEMENT_MEASURES,
    BUCKET_MEASURES,
    MEASURES,
    OVERDUE_MEASURES,
    PROCEDURE_MEASURES,
    PROCEDURE_USE_MEASURES,
    PROVINCE_LEVEL,
    end_read_scope,
    scoped_read,
    start_read_scope,
    statement_rows,
)
from data_access.queries.bieu06a import (
    BIEU06A_COUNTS,
    bieu06a_counts,
)
from data_access.queries.measures import (
    FEW_UNITS,
    announcement_totals,
    bucket_totals,
    overdue_totals,
    procedure_counts,
    procedure_flags,
    procedure_use_rows,
    procedure_use_totals,
    province_measures,
    unit_measures,
)
from data_access.queries.overdue import (
    _bucket_aligned,
    _overdue_source,
    overdue_backlog,
    overdue_by,
    overdue_by_procedure_field,
    overdue_dossiers,
    overdue_dossiers_of,
    overdue_list,
)
from data_access.queries.reference import (
    active_units,
    available_weeks,
    data_until,
    grade_bands,
    has_data,
    holidays,
    lagging_rules,
    latest_bucket,
    levels,
    lineage,
    methodology,
    targets,
    unit_by_code,
)
from data_access.queries.series_rows import (
    announcement_rows,
    bucket_measure_rows,
    bucket_overdue_rows,
    bucket_procedure_use_rows,
    first_use_rows,
)
from data_access.queries.snapshot import (
    SCORE_WEEK_COLUMNS,
    SNAPSHOT_INPUT_TABLES,
    backlog_events,
    data_buckets,
    data_version,
    has_snapshot_tables,
    previous_refresh_id,
    score_week_rows,
    score_week_rows_stmt,
    snapshot_inputs_hash,
    snapshot_state,
)

__all__ = [
    "ANNOUNCEMENT_MEASURES",
    "BIEU06A_COUNTS",
    "BUCKET_MEASURES",
    "FEW_UNITS",
    "MEASURES",
    "OVERDUE_MEASURES",
    "PROCEDURE_MEASURES",
    "PROCEDURE_USE_MEASURES",
    "PROVINCE_LEVEL",
    "SCORE_WEEK_COLUMNS",
    "SNAPSHOT_INPUT_TABLES",
    "_bucket_aligned",
    "_overdue_source",
    "active_units",
    "announcement_rows",
    "announcement_totals",
    "available_weeks",
    "backlog_events",
    "bieu06a_counts",
    "bucket_measure_rows",
    "bucket_overdue_rows",
    "bucket_procedure_use_rows",
    "bucket_totals",
    "data_buckets",
    "data_until",
    "end_read_scope",
    "first_use_rows",
    "grade_bands",
    "has_data",
    "has_snapshot_tables",
    "holidays",
    "lagging_rules",
    "latest_bucket",
    "levels",
    "lineage",
    "scoped_read",
    "start_read_scope",
    "statement_rows",
    "methodology",
    "overdue_backlog",
    "overdue_by",
    "overdue_by_procedure_field",
    "overdue_dossiers",
    "overdue_dossiers_of",
    "overdue_list",
    "overdue_totals",
    "previous_refresh_id",
    "procedure_counts",
    "procedure_flags",
    "procedure_use_rows",
    "procedure_use_totals",
    "province_measures",
    "score_week_rows",
    "score_week_rows_stmt",
    "snapshot_inputs_hash",
    "snapshot_state",
    "data_version",
    "targets",
    "unit_by_code",
    "unit_measures",
]
