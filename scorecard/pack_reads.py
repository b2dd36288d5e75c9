"""Reads the meeting pack needs that the rest of the service layer has no call for.

Kept apart from ``scorecard/service.py`` (which re-exports them) so the pack's needs do not grow
that module; the pack itself (``meeting_pack``) reads only through ``scorecard.service``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine

from data_access import queries as q
from scorecard.methodology import select_version


def group_info(engine: Engine, on: date) -> pd.DataFrame:
    """[group, name, max_points] of the methodology version in force on ``on``, group order.

    Read from the same versioned methodology rows the scoring uses, rather than hard-coding the
    six groups.
    """
    meth = select_version(q.methodology(engine), on)
    g = meth.drop_duplicates("group_code")[["group_code", "group_name", "group_max"]]
    g = g.assign(_o=g["group_code"].astype(int)).sort_values("_o")
    return pd.DataFrame(
        {"group": g["group_code"].astype(str).to_numpy(), "name": g["group_name"].to_numpy(),
         "max_points": g["group_max"].astype(float).to_numpy()}
    )


def overdue_by_procedure(engine: Engine, start: date, end: date) -> pd.DataFrame:
    """[unit_code, key, name, overdue] for every unit at once: dossiers received in
    [start, end] and overdue as of ``end``, per unit and procedure. One grouped query instead of
    one ``overdue_pareto`` per unit; ``scorecard.lagging.pareto`` turns a unit's rows into the
    same Pareto ``overdue_pareto`` gives."""
    return q.overdue_by(engine, start, end, "procedure")
