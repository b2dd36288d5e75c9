"""Hand-made datasets for the scorecard tests: build rows, derive keys, insert, refresh."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, insert, select

from data_access import schema as s
from data_access.derive import derive_dossiers, derive_feedback
from scorecard.pipeline import refresh

FLAGS = ("synced", "paid_online", "e_result", "e_cert", "digitised", "reused", "citizen_store",
         "population_db", "complaint")


def proc(code: str, level: str = "district", agency: str | None = None, online_level: int = 2,
         fee: int = 0, pay: int = 0, result: int = 1, cert: int = 0, legal_days: int | None = 5,
         field: str = "F1", name: str | None = None) -> dict:
    return {
        "code": code, "name": name or f"Thủ tục {code}", "field_code": field, "level": level,
        "agency_code": agency, "online_level": online_level, "fee_bearing": fee,
        "online_payment": pay, "issues_result": result, "certification": cert,
        "legal_days": legal_days,
    }


def _dt(d: date | datetime | None) -> datetime | None:
    if d is None:
        return None
    return d if isinstance(d, datetime) else datetime(d.year, d.month, d.day, 9, 0)


def dossier(code: str, unit: str, received: date, proc: str = "P1", due: date | None = None,
            finished: date | None = None, status: int = 9, channel: int = 1, paused: int = 0,
            field: str | None = None, **flags: int) -> dict:
    row = {
        "code": code, "procedure_code": proc, "field_code": field, "unit_code": unit,
        "channel": channel, "received_at": _dt(received), "due_at": _dt(due),
        "finished_at": _dt(finished), "returned_at": None, "status": status,
        "paused_days": paused,
    }
    for f in FLAGS:
        row[f] = int(flags.pop(f, 0))
    assert not flags, flags
    return row


def feedback(code: str, unit: str, received: date, due: date, handled: date | None = None,
             satisfied: int | None = None, re_raised: int = 0) -> dict:
    return {
        "code": code, "unit_code": unit, "received_at": _dt(received), "due_at": _dt(due),
        "handled_at": _dt(handled), "outcome": None, "satisfied": satisfied, "re_raised": re_raised,
    }


def announcement(unit: str, decision: date, decision_deadline: date, published: date | None,
                 publication_deadline: date, parts: int = 7, proc: str = "P1") -> dict:
    return {
        "procedure_code": proc, "unit_code": unit, "decision_date": decision,
        "decision_deadline": decision_deadline, "published_date": published,
        "publication_deadline": publication_deadline, "parts_complete": parts,
    }


def _records(df: pd.DataFrame, table) -> list[dict]:  # noqa: ANN001
    cols = [c.name for c in table.columns if c.name in df.columns]
    out = []
    for r in df[cols].to_dict("records"):
        out.append({k: (None if (v is None or (not isinstance(v, str) and pd.isna(v))) else
                        (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)) for k, v in r.items()})
    return out


def load(engine: Engine, procedures: list[dict] = (), dossiers: list[dict] = (),
         feedbacks: list[dict] = (), announcements: list[dict] = (),
         fields: dict[str, str] | None = None) -> None:
    """Insert hand-made rows (derived keys computed like demo and import do) and refresh."""
    fields = fields or {"F1": "Đất đai", "F2": "Hộ tịch"}
    with engine.begin() as conn:
        conn.execute(insert(s.field), [{"code": k, "name": v} for k, v in fields.items()])
        if procedures:
            conn.execute(insert(s.procedure), list(procedures))
        hol = [r[0] for r in conn.execute(select(s.holiday.c.day))]
        if dossiers:
            df = pd.DataFrame(list(dossiers))
            legal = pd.Series({p["code"]: p["legal_days"] for p in procedures}, dtype="float")
            d = derive_dossiers(df, legal_days=legal, holidays=hol)
            conn.execute(insert(s.dossier), _records(d, s.dossier))
        if feedbacks:
            f = derive_feedback(pd.DataFrame(list(feedbacks)))
            conn.execute(insert(s.feedback), _records(f, s.feedback))
        if announcements:
            conn.execute(insert(s.procedure_announcement), list(announcements))
        refresh(conn)


def days(start: date, n: int) -> date:
    return start + timedelta(days=n)
