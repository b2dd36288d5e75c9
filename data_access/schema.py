"""The reporting database schema (SQLAlchemy Core).

Everything the Decision 766 index needs, and nothing personal: no applicant name, ID number,
phone, e-mail or address column exists anywhere, so such data cannot be stored by mistake.

Flags are small integers (0/1) rather than booleans so that SUM() works the same in every
dialect. Derived keys (received day, ISO week, bucket, the day a dossier becomes overdue) are
computed once at load time by ``data_access.derive`` so that queries are plain comparisons.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# --- reference data -------------------------------------------------------------------------

unit_level = Table(
    "unit_level",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("plural", String(100), nullable=False),
    Column("sort_order", Integer, nullable=False, default=0),
    # 1 when the units of this level are ranked against each other.
    Column("ranked", SmallInteger, nullable=False, default=1),
    # 1 for local government levels (districts, communes): the "Địa phương" page shows the
    # highest local level that exists in the selected period.
    Column("local", SmallInteger, nullable=False, default=0),
    # Levels exist over time too: no district level after 30/06/2025 (TWO_TIER_2025.md). NULL
    # = open-ended. A level is ranked in a period only when it exists at the period's end.
    Column("valid_from", Date),
    Column("valid_to", Date),
)

unit = Table(
    "unit",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("short_name", String(100)),
    Column("level", String(32), ForeignKey("unit_level.code"), nullable=False),
    Column("kind", String(50)),
    Column("parent_code", String(32)),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("successor_code", String(32)),
    Column("seat", String(200)),
    Column("lat", Float),
    Column("lon", Float),
    Index("ix_unit_level", "level"),
    Index("ix_unit_parent", "parent_code"),
)

# Lineage across reorganisations, many-to-many: old unit -> new unit on a date (the first day
# of the new structure), with the share of the old unit's dossiers that went to the new one
# (NULL = all of them). A new commune has several predecessors; an old district feeds many new
# communes; a department that absorbs another keeps its code and gains a predecessor.
unit_lineage = Table(
    "unit_lineage",
    metadata,
    Column("old_code", String(32), primary_key=True),
    Column("new_code", String(32), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("share", Float),
    Index("ix_unit_lineage_new", "new_code"),
)

field = Table(
    "field",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
)

procedure = Table(
    "procedure",
    metadata,
    Column("code", String(32), primary_key=True),  # MaTTHC
    Column("name", Text, nullable=False),
    Column("field_code", String(32)),
    # Level whose units handle it; agency_code narrows department procedures to one department.
    Column("level", String(32), nullable=False),
    Column("agency_code", String(32)),
    Column("online_level", SmallInteger, nullable=False, default=0),  # 0 none, 1 partial, 2 full
    Column("fee_bearing", SmallInteger, nullable=False, default=0),
    Column("online_payment", SmallInteger, nullable=False, default=0),
    Column("issues_result", SmallInteger, nullable=False, default=1),
    Column("certification", SmallInteger, nullable=False, default=0),
    Column("legal_days", Integer),  # legal duration in working days
    Index("ix_procedure_level", "level", "agency_code"),
)

# Announcement and publication facts behind components 1.1-1.3 (province level).
procedure_announcement = Table(
    "procedure_announcement",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("procedure_code", String(32), nullable=False),
    Column("unit_code", String(32), nullable=False),
    Column("decision_date", Date, nullable=False),
    Column("decision_deadline", Date, nullable=False),
    Column("published_date", Date),
    Column("publication_deadline", Date, nullable=False),
    Column("parts_complete", SmallInteger, nullable=False, default=7),  # of the 7 required parts
    Index("ix_announcement_date", "decision_date"),
)

# --- facts ----------------------------------------------------------------------------------

dossier = Table(
    "dossier",
    metadata,
    Column("code", String(64), primary_key=True),  # MaHoSo
    Column("procedure_code", String(32), nullable=False),
    Column("field_code", String(32)),
    Column("unit_code", String(32), nullable=False),
    Column("channel", SmallInteger, nullable=False, default=1),  # 1 in person, 2 online, 3 post
    Column("received_at", DateTime, nullable=False),
    Column("due_at", DateTime),
    Column("finished_at", DateTime),
    Column("returned_at", DateTime),
    Column("status", SmallInteger, nullable=False),
    Column("paused_days", Integer, nullable=False, default=0),
    Column("synced", SmallInteger, nullable=False, default=0),
    Column("paid_online", SmallInteger, nullable=False, default=0),  # 0 no, 1 national, 2 provincial
    Column("e_result", SmallInteger, nullable=False, default=0),
    Column("e_cert", SmallInteger, nullable=False, default=0),
    Column("digitised", SmallInteger, nullable=False, default=0),
    Column("reused", SmallInteger, nullable=False, default=0),
    Column("citizen_store", SmallInteger, nullable=False, default=0),
    Column("population_db", SmallInteger, nullable=False, default=0),
    Column("complaint", SmallInteger, nullable=False, default=0),
    # Derived at load time (data_access.derive).
    Column("counted", SmallInteger, nullable=False),  # 0 for statuses 1 and 3
    Column("received_date", Date, nullable=False),
    Column("received_week", String(8), nullable=False),  # ISO week, "2024-W01"
    Column("received_bucket", Date, nullable=False),  # end of the week-and-month slice
    Column("deadline_date", Date, nullable=False),  # due (or legal duration) + paused days
    Column("end_date", Date),  # processing ended (done statuses only)
    Column("overdue_date", Date),  # first day it counts as overdue; NULL if it never does
    Column("overdue_bucket", Date),
    Index("ix_dossier_unit_bucket", "unit_code", "received_bucket"),
    Index("ix_dossier_bucket", "received_bucket"),
    Index("ix_dossier_unit_overdue", "unit_code", "overdue_date"),
    Index("ix_dossier_unit_received", "unit_code", "received_date"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("unit_code", String(32), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("handled_at", DateTime),
    Column("outcome", String(32)),
    Column("satisfied", SmallInteger),  # 1 satisfied, 0 dissatisfied, NULL no answer
    Column("re_raised", SmallInteger, nullable=False, default=0),
    Column("received_date", Date, nullable=False),
    Column("received_week", String(8), nullable=False),
    Column("received_bucket", Date, nullable=False),
    Column("overdue_date", Date),
    Column("overdue_bucket", Date),
    Index("ix_feedback_unit_bucket", "unit_code", "received_bucket"),
)

# --- methodology, bands, targets, calendar -------------------------------------------------

methodology_version = Table(
    "methodology_version",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("note", Text),
)

methodology = Table(
    "methodology",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("component", String(8), primary_key=True),
    Column("group_code", String(8), nullable=False),
    Column("group_name", String(200), nullable=False),
    Column("group_max", Float, nullable=False),
    Column("name", Text, nullable=False),
    Column("max_points", Float, nullable=False),
    Column("saturation", Float, nullable=False),
    Column("levels", String(200), nullable=False),  # space-separated level codes
    Column("numerator", String(300), nullable=False),  # "measure - measure + ..."
    Column("denominator", String(300), nullable=False),
    Column("empty_ratio", Float, nullable=False, default=0),
)

grade_band = Table(
    "grade_band",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("grade", String(50), primary_key=True),
    Column("min_score", Float, nullable=False),
    Column("color", String(16), nullable=False),
    Column("sort_order", Integer, nullable=False),
)

target = Table(
    "target",
    metadata,
    Column("indicator", String(16), primary_key=True),  # "total", "group_2", or a component
    Column("valid_from", Date, primary_key=True),
    Column("kind", String(16), nullable=False),  # "points" or "ratio"
    Column("value", Float, nullable=False),
    Column("name", Text, nullable=False),
    Column("legal_basis", Text),
    Column("illustrative", SmallInteger, nullable=False, default=1),
)

# Which units the lagging page and the meeting pack single out: one row per criterion parameter
# (assets/defaults/lagging_rules.csv, README there). A parameter in force on a day is its row
# with the latest valid_from on or before it, for the unit's level or, failing that, for every
# level ("*"). A criterion without its rows is off.
lagging_rule = Table(
    "lagging_rule",
    metadata,
    Column("valid_from", Date, primary_key=True),
    Column("level", String(32), primary_key=True),  # a level code, or "*" for every level
    Column("criterion", String(32), primary_key=True),  # below_grade, bottom, falling, backlog
    Column("param", String(32), primary_key=True),
    Column("value", String(64), nullable=False),  # a number, or a grade band's name
    Column("note", Text),
)

holiday = Table(
    "holiday",
    metadata,
    Column("day", Date, primary_key=True),
    Column("name", String(200), nullable=False),
)

# --- aggregates rebuilt by `refresh` --------------------------------------------------------

# One row per unit and bucket (the intersection of an ISO week and a calendar month, keyed by
# its last day), so every week, month, quarter and year is an exact union of buckets.
agg_unit_bucket = Table(
    "agg_unit_bucket",
    metadata,
    Column("unit_code", String(32), primary_key=True),
    Column("bucket", Date, primary_key=True),
    Column("week", String(8), nullable=False),
    Column("dossiers", Integer, nullable=False),
    Column("synced", Integer, nullable=False),
    Column("online", Integer, nullable=False),
    Column("fee_dossiers", Integer, nullable=False),
    Column("paid_online", Integer, nullable=False),
    Column("complaint", Integer, nullable=False),
    Column("result_dossiers", Integer, nullable=False),
    Column("e_result", Integer, nullable=False),
    Column("digitised", Integer, nullable=False),
    Column("cert_dossiers", Integer, nullable=False),
    Column("e_cert", Integer, nullable=False),
    Column("reused", Integer, nullable=False),
    Column("citizen_store", Integer, nullable=False),
    Column("population_db", Integer, nullable=False),
    Column("feedback", Integer, nullable=False),
    Column("feedback_dissatisfied", Integer, nullable=False),
    Column("feedback_reraised", Integer, nullable=False),
    Index("ix_agg_unit_bucket_bucket", "bucket"),
)

# Overdue counts by received bucket and the bucket in which they became overdue: "overdue as
# of T among those received in P" is a sum over received in P and overdue_bucket <= T.
agg_overdue = Table(
    "agg_overdue",
    metadata,
    Column("unit_code", String(32), primary_key=True),
    Column("bucket", Date, primary_key=True),
    Column("overdue_bucket", Date, primary_key=True),
    Column("source", String(16), primary_key=True),  # "dossier" or "feedback"
    Column("n", Integer, nullable=False),
    Index("ix_agg_overdue_bucket", "bucket"),
)

# Overdue dossiers by unit, received bucket, the bucket they became overdue in, procedure and
# the dossier's own field (NULL: the procedure's, joined when read, so a catalogue change needs
# no refresh). The lagging list and the Pareto chart read it instead of the dossiers: at 10 M
# dossiers, counting a few lagging units' overdue dossiers by procedure took most of a second.
agg_overdue_procedure = Table(
    "agg_overdue_procedure",
    metadata,
    Column("unit_code", String(32), nullable=False),
    Column("bucket", Date, nullable=False),
    Column("overdue_bucket", Date, nullable=False),
    Column("procedure_code", String(32), nullable=False),
    Column("field_code", String(32)),
    Column("n", Integer, nullable=False),
    Index("ix_agg_overdue_procedure_unit", "unit_code", "bucket"),
    Index("ix_agg_overdue_procedure_bucket", "bucket"),
)

# Per unit, bucket and procedure: online and paid-online use (components 3.2 and 4.2 count
# distinct procedures, which cannot be summed from unit totals).
agg_unit_procedure = Table(
    "agg_unit_procedure",
    metadata,
    Column("unit_code", String(32), primary_key=True),
    Column("bucket", Date, primary_key=True),
    Column("procedure_code", String(32), primary_key=True),
    Column("dossiers", Integer, nullable=False),
    Column("online", Integer, nullable=False),
    Column("paid_online", Integer, nullable=False),
    Index("ix_agg_unit_procedure_bucket", "bucket"),
)

# Weekly scores precomputed after `refresh` (scorecard.snapshot.build_snapshot), so that a cold
# dashboard page reads a few hundred rows instead of scoring every unit on demand. One row per
# unit of every level x ISO week x kind ("ytd": year-to-date as of the week's end, the weekly
# ranking; "week": the week alone) over the weeks with data: the full grid, because the weekly
# series and the ranking disagree on which rows exist (see the two flags).
score_week = Table(
    "score_week",
    metadata,
    Column("unit_code", String(32), primary_key=True),
    Column("kind", String(8), primary_key=True),  # "ytd" or "week"
    Column("week", String(8), primary_key=True),  # ISO week, "2024-W52"
    Column("level", String(32), nullable=False),
    # 1 when service.scorecard() returns the row: the period has data and the unit existed in it
    Column("scored", SmallInteger, nullable=False),
    # 1 when service.series() returns the row: the unit existed during that week
    Column("in_series", SmallInteger, nullable=False),
    Column("total", Float),  # NULL: no activity (không phát sinh)
    Column("group_1", Float),
    Column("group_2", Float),
    Column("group_3", Float),
    Column("group_4", Float),
    Column("group_5", Float),
    Column("group_6", Float),
    Column("grade", String(50)),
    Column("grade_color", String(16)),
    Column("rank", Integer),  # within the level among scored rows; NULL for unranked levels
    Column("delta_week", Float),  # total minus the previous week's (same kind); NULL if none
    Column("dossiers", Integer, nullable=False),
    # open dossiers overdue at the week's end, whatever their received day (lagging units)
    Column("backlog", Integer, nullable=False),
    Column("methodology_version", String(32)),
    Index("ix_score_week_level", "level", "kind", "week"),
)

# Which snapshot score_week holds: the service trusts it only while ``refresh_id`` is the latest
# refresh in load_log, ``format`` is the code's and ``inputs`` (a hash of the reference tables
# scores depend on: units, levels, procedures, announcements, methodology, grade bands) matches.
score_snapshot = Table(
    "score_snapshot",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("built_at", DateTime, nullable=False),
    Column("refresh_id", Integer, nullable=False),
    Column("format", Integer, nullable=False),
    Column("inputs", String(64), nullable=False),
    Column("first_week", String(8)),
    Column("last_week", String(8)),
    Column("rows", Integer, nullable=False),
)

# Who may see what on the dashboard (SECURITY.md). Only the sign-in e-mail is kept, never a
# name: roles are managed with ``python -m data_access role``.
user_role = Table(
    "user_role",
    metadata,
    Column("email", String(254), primary_key=True),  # lower-case, as the identity provider says
    Column("role", String(16), nullable=False),  # leader | office | unit
    Column("unit_code", String(32)),  # the unit of a "unit" account; NULL otherwise
    Column("note", Text),
)

# Bookkeeping: when data was loaded and refreshed.
load_log = Table(
    "load_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("action", String(32), nullable=False),  # init, demo, import, refresh
    Column("detail", Text),
    Column("rows", Integer),
)

# --- official scores from the national portal (PORTAL_SCORES.md) ----------------------------
# The portal's published 766 scores, imported beside the computed ones and never mixed into
# them. One row per unit x period x code ("total", a group "1".."6" or a component "1.4") x the
# day the figures were read from the portal (history is kept; reads take the newest snapshot).
# Provinces that are not ours (the national document lists every province) have no unit_code:
# their key is "cong:<portal id>", and the nation's row (scope "nation") holds the average.
official_score = Table(
    "official_score",
    metadata,
    Column("unit_key", String(80), primary_key=True),  # unit_code, or "cong:<portal id>"
    Column("period_type", String(8), primary_key=True),  # month | quarter | year (to date)
    Column("period", String(8), primary_key=True),  # "2026-03", "2026-Q1", "2026"
    Column("code", String(16), primary_key=True),  # "total", "1".."6", "1.4"
    Column("snapshot_date", Date, primary_key=True),  # the day the figures were read
    Column("unit_code", String(32)),  # our unit; NULL for another province or the nation
    Column("scope", String(16), nullable=False),  # "unit" (ours), "province" (not ours), "nation"
    Column("parent_key", String(80)),  # the document's parent (the nation, for province ranks)
    Column("portal_id", String(64)),
    Column("portal_name", String(200)),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("kind", String(12), nullable=False),  # total | group | component
    Column("name", String(300)),
    Column("numerator", Float),
    Column("denominator", Float),
    Column("ratio", Float),  # 0..1 (the portal publishes 0..100)
    Column("score", Float, nullable=False),
    Column("max_score", Float),
    Column("rank", Integer),
    Column("source", String(200)),  # the file it came from
    Index("ix_official_score_period", "period_type", "period"),
    Index("ix_official_score_unit", "unit_code", "period_end"),
)

# Portal names of our units (agency ids such as "000.20.34.H48", or names as the portal writes
# them) -> unit code. Written by a units file's BiDanhCong column; matched before names.
unit_alias = Table(
    "unit_alias",
    metadata,
    Column("alias", String(200), primary_key=True),
    Column("unit_code", String(32), nullable=False),
)

# The portal's group codes -> our group codes (transparency -> 1, ...): data, since the portal
# renames them (assets/defaults/portal_groups.csv, loaded by init).
portal_group = Table(
    "portal_group",
    metadata,
    Column("portal_code", String(64), primary_key=True),
    Column("group_code", String(8), nullable=False),
    Column("name", String(200)),
)

# Thresholds of the reconciliation (assets/defaults/official_settings.csv, loaded by init).
official_setting = Table(
    "official_setting",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Float, nullable=False),
    Column("note", Text),
)

OFFICIAL_TABLES = (official_score, unit_alias, portal_group, official_setting)

# Dossier and feedback columns that may come from the one-stop-shop export; kept here so the
# importer and the demo generator agree on them.
DOSSIER_FLAG_COLUMNS = (
    "synced",
    "e_result",
    "e_cert",
    "digitised",
    "reused",
    "citizen_store",
    "population_db",
    "complaint",
)

# Tables a refresh creates when a database lacks them (they came after the first release), so
# that an import or `refresh` upgrades an older database without a separate `init`.
CREATED_BY_REFRESH = (agg_overdue_procedure, score_week, score_snapshot, unit_lineage, lagging_rule,
                      *OFFICIAL_TABLES)
