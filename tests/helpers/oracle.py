"""The test oracle: the measures of docs/design.md recomputed straight from the raw dossier,
feedback, procedure and announcement tables, so that a test can prove the aggregates (and the
queries that read them) right. Not used by the application."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine, and_, case, distinct, func, literal, select

from data_access import schema as s
from data_access.queries.base import _authority, _flag, _frame, _sum
from data_access.queries.measures import (
    _merge_measures,
    _unit_key,
    announcement_totals,
    procedure_counts,
)


def raw_unit_measures(
    bind: Engine | Connection, start: date, end: date, by_unit: bool = True
) -> pd.DataFrame:
    """[unit_code, <MEASURES>] recomputed from the raw dossier, feedback, procedure and
    announcement tables by received *date* (not bucket) for [start, end], as of ``end``."""
    d, p, f, u = s.dossier, s.procedure, s.feedback, s.unit
    key = _unit_key(d.c.unit_code, by_unit).label("unit_code")
    in_p = and_(d.c.counted == 1, d.c.received_date.between(start, end))
    dcols = [
        func.count().label("dossiers"),
        _sum(d.c.synced).label("synced"),
        _flag(d.c.channel == 2).label("online"),
        _flag(p.c.fee_bearing == 1).label("fee_dossiers"),
        _flag(and_(p.c.fee_bearing == 1, d.c.paid_online > 0)).label("paid_online"),
        _sum(d.c.complaint).label("complaint"),
        _flag(p.c.issues_result == 1).label("result_dossiers"),
        _flag(and_(p.c.issues_result == 1, d.c.e_result == 1)).label("e_result"),
        _sum(d.c.digitised).label("digitised"),
        _flag(p.c.certification == 1).label("cert_dossiers"),
        _flag(and_(p.c.certification == 1, d.c.e_cert == 1)).label("e_cert"),
        _sum(d.c.reused).label("reused"),
        _sum(d.c.citizen_store).label("citizen_store"),
        _sum(d.c.population_db).label("population_db"),
        _flag(and_(d.c.overdue_date.is_not(None), d.c.overdue_date <= end)).label("overdue"),
    ]
    stmt = select(key, *dcols).select_from(d.outerjoin(p, p.c.code == d.c.procedure_code)).where(in_p)
    if by_unit:
        stmt = stmt.group_by(d.c.unit_code)
    dos = _frame(bind, stmt)

    fkey = _unit_key(f.c.unit_code, by_unit).label("unit_code")
    fstmt = select(
        fkey,
        func.count().label("feedback"),
        _flag(f.c.satisfied == 0).label("feedback_dissatisfied"),
        _sum(f.c.re_raised).label("feedback_reraised"),
        _flag(and_(f.c.overdue_date.is_not(None), f.c.overdue_date <= end)).label("feedback_overdue"),
    ).where(f.c.received_date.between(start, end))
    if by_unit:
        fstmt = fstmt.group_by(f.c.unit_code)
    fb = _frame(bind, fstmt)

    used = case((and_(d.c.channel == 2, p.c.online_level >= 1), d.c.procedure_code), else_=None)
    paid = case((and_(d.c.paid_online > 0, p.c.fee_bearing == 1), d.c.procedure_code), else_=None)
    ucols = [
        func.count(distinct(used)).label("procs_online_used"),
        func.count(distinct(paid)).label("procs_fee_paid"),
    ]
    if by_unit:
        ustmt = (
            select(d.c.unit_code, *ucols)
            .select_from(d.join(p, p.c.code == d.c.procedure_code).join(u, u.c.code == d.c.unit_code))
            .where(and_(in_p, _authority(p, u)))
            .group_by(d.c.unit_code)
        )
    else:
        ustmt = (
            select(literal(None).label("unit_code"), *ucols)
            .select_from(d.join(p, p.c.code == d.c.procedure_code))
            .where(in_p)
        )
    use = _frame(bind, ustmt)
    frames = [
        dos, fb, use,
        procedure_counts(bind, by_unit=by_unit),
        announcement_totals(bind, start, end, by_unit=by_unit),
    ]
    if not by_unit:
        for fr in frames:
            fr["unit_code"] = None
    return _merge_measures(frames, ["unit_code"])

