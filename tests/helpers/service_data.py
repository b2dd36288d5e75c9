"""The hand-made rows of the service tests: a few procedures, units that lag or do well over
five weeks of 2024, feedback and announcements; read by the service, snapshot and overdue tests."""

from __future__ import annotations

from datetime import date, timedelta

from helpers.scoring import announcement, dossier, feedback, proc

J = lambda d: date(2024, 1, 1) + timedelta(days=d - 1)  # noqa: E731 - day d of 2024

PROCS = [
    proc("PD", level="district", fee=1, pay=1),
    proc("PD0", level="district", online_level=0),
    proc("PC", level="commune", cert=1, online_level=1),
    proc("PS", level="department", agency="STP", fee=1, pay=0),
    proc("PX", level="department", agency="SYT"),  # not STP's: outside its authority
]


def _lagging_rows() -> list[dict]:
    rows = []
    # 504: four good dossiers in 2024-W02, then one overdue still-open dossier in each of
    # W03, W04 and W05: its year-to-date score falls three weeks running, its backlog rises.
    for i in range(4):
        rows.append(dossier(f"L504_{i}", "504", J(8), proc="PD", due=J(12), finished=J(10),
                            synced=1, channel=2, paid_online=1, digitised=1, e_result=1))
    for k, day in enumerate((15, 22, 29)):
        rows.append(dossier(f"L504_late{k}", "504", J(day), proc="PD", due=J(day + 1), status=4,
                            synced=1))
    # 502: a steady good performer, a few dossiers every week
    for w in range(5):
        for i in range(2):
            rows.append(dossier(f"G502_{w}_{i}", "502", J(1 + 7 * w), proc="PD", due=J(5 + 7 * w),
                                finished=J(2 + 7 * w), synced=1, channel=2, paid_online=1,
                                digitised=1, e_result=1, reused=1, citizen_store=1,
                                population_db=1))
    return rows


DOSSIERS = [
    *_lagging_rows(),
    dossier("C1", "20335", J(3), proc="PC", due=J(5), finished=J(4), e_cert=1, synced=1),
    dossier("C2", "20338", J(3), proc="PC", due=J(4), finished=J(9)),
    dossier("S1", "STP", J(3), proc="PS", due=J(5), finished=J(4), channel=2, paid_online=1),
    dossier("S2", "STP", J(3), proc="PX", due=J(5), finished=J(4), channel=2),
    # around New Year 2025: 31 Dec 2024 is in week 2025-W01 but in year 2024
    dossier("Y1", "503", date(2024, 12, 31), proc="PD", due=date(2025, 1, 2),
            finished=date(2025, 1, 2)),
    dossier("Y2", "503", date(2025, 1, 2), proc="PD", due=date(2025, 1, 3), status=4),
]
FEEDBACK = [
    feedback("FB1", "502", J(2), J(6), J(3), satisfied=1),
    feedback("FB2", "502", J(2), J(3), J(8), satisfied=0),
]
ANNOUNCEMENTS = [
    announcement("49", J(2), J(5), J(4), J(6)),
    announcement("49", J(3), J(2), J(9), J(7), parts=6),
]
