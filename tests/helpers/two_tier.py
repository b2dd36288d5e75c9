"""A hand-made structure across the 2025 reorganisation (TWO_TIER_2025.md in miniature):
province 49 until 30/06/2025, then 48 (49 -> 48); departments DA + DB merged into the new DM on
01/03/2025, DC continues; districts D1 and D2 (and D1's commune C1) end on 30/06/2025; new
communes from 01/07/2025: N1 (60% of D1), N2 (40% of D1 and all of D2) and N3, which receives
nothing (không phát sinh). ``load_two_tier(engine)`` replaces the units and loads it all."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, insert

from data_access import schema as s
from helpers.scoring import dossier, feedback, load, proc

OLD_END, MERGER = date(2025, 6, 30), date(2025, 3, 1)
NEW = date(2025, 7, 1)


def unit_row(code: str, level: str, parent: str | None = None, valid_from: date = date(2020, 1, 1),
             valid_to: date | None = None, name: str | None = None) -> dict:
    return {"code": code, "name": name or f"Đơn vị {code}", "short_name": code, "level": level,
            "kind": None, "parent_code": parent, "valid_from": valid_from, "valid_to": valid_to,
            "successor_code": None, "seat": None, "lat": None, "lon": None}


UNITS = [
    unit_row("49", "province", valid_to=OLD_END, name="Tỉnh Cũ"),
    unit_row("48", "province", valid_from=NEW, name="Thành phố Mới"),
    unit_row("DA", "department", "49", valid_to=MERGER - timedelta(days=1)),
    unit_row("DB", "department", "49", valid_to=MERGER - timedelta(days=1)),
    unit_row("DM", "department", "49", valid_from=MERGER),
    unit_row("DC", "department", "49"),
    unit_row("D1", "district", "49", valid_to=OLD_END),
    unit_row("D2", "district", "49", valid_to=OLD_END),
    unit_row("C1", "commune", "D1", valid_to=OLD_END),
    unit_row("N1", "commune", "48", valid_from=NEW),
    unit_row("N2", "commune", "48", valid_from=NEW),
    unit_row("N3", "commune", "48", valid_from=NEW),
]
LINEAGE = [
    ("49", "48", NEW, None), ("DA", "DM", MERGER, None), ("DB", "DM", MERGER, None),
    ("D1", "N1", NEW, 0.6), ("D1", "N2", NEW, 0.4), ("D2", "N2", NEW, None),
]
PROCS = [proc("PD", level="district"), proc("PC", level="commune"),
         proc("PS", level="department")]


def two_tier_dossiers() -> list[dict]:
    rows: list[dict] = []

    def add(unit: str, day: date, n: int, proc_: str, late: int = 0, online: int = 0) -> None:
        for i in range(n):
            overdue = i < late
            rows.append(dossier(
                f"{unit}-{day:%m%d}-{i}", unit, day, proc=proc_, due=day + timedelta(days=5),
                finished=day + timedelta(days=8 if overdue else 2), synced=1,
                channel=2 if i < online else 1,
            ))

    for wk in range(4):  # four weeks of February 2025 for the merging departments
        d = date(2025, 2, 3) + timedelta(days=7 * wk)
        add("DA", d, 4, "PS", late=1, online=2)
        add("DB", d, 6, "PS", late=wk % 2, online=1)
        add("DC", d, 3, "PS", online=3)
    for wk in range(3):  # March 2025: the new department and the continuing one
        d = date(2025, 3, 3) + timedelta(days=7 * wk)
        add("DM", d, 8, "PS", late=1, online=4)
        add("DC", d, 3, "PS")
    for wk in range(5):  # June 2025 (W23 .. W27's Monday 30/06) for the districts
        d = date(2025, 6, 2) + timedelta(days=7 * wk)
        add("D1", d, 5, "PD", late=2, online=2)
        add("D2", d, 3, "PD", late=0, online=1)
        add("C1", d, 2, "PC")
    for wk in range(3):  # July 2025 for the new communes (N3 receives nothing)
        d = date(2025, 7, 1) + timedelta(days=7 * wk)
        add("N1", d, 4, "PC", late=1, online=2)
        add("N2", d, 6, "PD", late=2, online=3)
        add("DC", d, 2, "PS")
    return rows


def load_two_tier(engine) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        conn.execute(delete(s.unit))
        conn.execute(delete(s.unit_lineage))
        conn.execute(insert(s.unit), UNITS)
        conn.execute(insert(s.unit_lineage), [
            {"old_code": o, "new_code": n, "valid_from": d, "share": sh} for o, n, d, sh in LINEAGE
        ])
    fb = [feedback("FB-DC", "DC", date(2025, 7, 2), date(2025, 7, 16), date(2025, 7, 3), satisfied=1)]
    load(engine, PROCS, two_tier_dossiers(), fb)


