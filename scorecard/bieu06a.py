"""Biểu số II.06a/VPCP/KSTT (Circular 01/2020/TT-VPCP): the official periodic report table.

Per unit and field: received total = online + in person/post + carried over; resolved = early +
on time + overdue; in progress = within deadline + overdue; and received total = resolved +
in progress (the query partitions the dossiers in scope, so the identity holds by construction;
``check_identities`` proves it on any frame).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from data_access.cell_safety import safe_cell
from scorecard.periods import as_date
from texts import fmt_date, t

COUNT_COLUMNS = [
    "received_total", "received_online", "received_direct", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_overdue",
    "pending_total", "pending_within", "pending_overdue",
]
# ``validity``: "" for a unit valid over the whole range, else when it began or ended inside it
# (appended last so that positional readers keep working)
COLUMNS = ["unit_code", "unit_name", "field_code", "field_name", *COUNT_COLUMNS, "validity"]

# (column, group header key, sub-header key) in the official order; columns (3)..(13)
OFFICIAL_LAYOUT = [
    ("received_total", "b06.received", "b06.total"),
    ("received_online", "b06.received", "b06.online"),
    ("received_direct", "b06.received", "b06.direct"),
    ("carried_over", "b06.received", "b06.carried"),
    ("resolved_total", "b06.resolved", "b06.total"),
    ("resolved_early", "b06.resolved", "b06.early"),
    ("resolved_on_time", "b06.resolved", "b06.on_time"),
    ("resolved_overdue", "b06.resolved", "b06.late"),
    ("pending_total", "b06.pending", "b06.total"),
    ("pending_within", "b06.pending", "b06.within"),
    ("pending_overdue", "b06.pending", "b06.overdue"),
]


# The row that holds the backlog of units that ended before the report's range (sorted last).
ENDED_UNITS = "~ended"


def fold_ended(counts: pd.DataFrame, valid: set[str]) -> pd.DataFrame:
    """``counts`` with the rows of units not in ``valid`` summed into one ``ENDED_UNITS`` row
    per field (only a unit that ended before the range can have dossiers there: its backlog)."""
    if counts.empty:
        return counts
    gone = ~counts["unit_code"].astype(str).isin(valid)
    if not gone.any():
        return counts
    keys = ["unit_code", "field_code", "field_name"]
    values = [c for c in counts.columns if c not in keys]
    folded = (counts[gone].assign(unit_code=ENDED_UNITS)
              .groupby(keys, as_index=False, dropna=False)[values].sum())
    return pd.concat([counts[~gone], folded], ignore_index=True)


def with_ended_row(units: pd.DataFrame) -> pd.DataFrame:
    """The units to name, plus the ``ENDED_UNITS`` row's name."""
    row = {c: None for c in units.columns} | {"code": ENDED_UNITS, "name": t("b06.ended_units")}
    return pd.concat([units, pd.DataFrame([row])], ignore_index=True)


def validity_note(valid_from: object, valid_to: object, start: date | None, end: date | None) -> str:
    """"từ 01/07/2025", "đến 30/06/2025", both, or "" when the unit was valid over the whole
    range [start, end] (a range that crosses a reorganisation lists units of both sides)."""
    vf, vt = as_date(valid_from), as_date(valid_to)
    parts = []
    if vf is not None and start is not None and vf > start:
        parts.append(t("b06.valid_from", date=fmt_date(vf)))
    if vt is not None and end is not None and vt < end:
        parts.append(t("b06.valid_to", date=fmt_date(vt)))
    return ", ".join(parts)


def build(
    counts: pd.DataFrame, units: pd.DataFrame, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """The report frame (``COLUMNS``) from ``queries.bieu06a_counts`` and the units to list
    [code, name (, valid_from, valid_to)]: the units to name (counts of a unit not among them
    are left out). Each listed unit carries its validity note for [start, end]."""
    if counts.empty:
        return pd.DataFrame(columns=COLUMNS)
    df = counts[counts["unit_code"].isin(units["code"])].copy()
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)
    df["received_total"] = df["received_online"] + df["received_direct"] + df["carried_over"]
    df["resolved_total"] = df["resolved_early"] + df["resolved_on_time"] + df["resolved_overdue"]
    df["pending_total"] = df["pending_within"] + df["pending_overdue"]
    by_code = units.drop_duplicates("code").set_index("code")
    df["unit_name"] = df["unit_code"].map(by_code["name"])
    if "valid_from" in by_code and "valid_to" in by_code:
        notes = {
            code: validity_note(vf, vt, start, end)
            for code, vf, vt in zip(by_code.index, by_code["valid_from"], by_code["valid_to"], strict=True)
        }
        df["validity"] = df["unit_code"].map(notes).fillna("")
    else:
        df["validity"] = ""
    df["field_name"] = df["field_name"].where(df["field_name"].notna(), t("b06.no_field"))
    df["field_code"] = df["field_code"].fillna("")
    return df[COLUMNS].sort_values(["unit_code", "field_code"]).reset_index(drop=True)


def unit_label(name: object, validity: object) -> str:
    """A unit's name as the report lists it, its validity note after it when it has one."""
    label = str(name) if isinstance(name, str) else ""
    return f"{label} ({validity})" if isinstance(validity, str) and validity else label


def check_identities(df: pd.DataFrame) -> pd.DataFrame:
    """Rows that break an identity of the form (empty when the report is consistent)."""
    bad = (
        (df["received_total"] != df["received_online"] + df["received_direct"] + df["carried_over"])
        | (df["resolved_total"] != df["resolved_early"] + df["resolved_on_time"] + df["resolved_overdue"])
        | (df["pending_total"] != df["pending_within"] + df["pending_overdue"])
        | (df["received_total"] != df["resolved_total"] + df["pending_total"])
    )
    return df[bad]


def with_totals(df: pd.DataFrame) -> pd.DataFrame:
    """Rows per field, a subtotal row after each unit, and a grand total: what the form shows.
    Adds ``row_kind`` ("field", "unit_total", "grand_total")."""
    if df.empty:
        return df.assign(row_kind=pd.Series(dtype=object))
    parts = []
    for code, g in df.groupby("unit_code", sort=True):
        parts.append(g.assign(row_kind="field"))
        tot = g[COUNT_COLUMNS].sum().to_frame().T
        tot["unit_code"] = code
        tot["unit_name"] = g["unit_name"].iloc[0]
        tot["validity"] = g["validity"].iloc[0]
        tot["field_code"] = ""
        label = unit_label(g["unit_name"].iloc[0], g["validity"].iloc[0])
        tot["field_name"] = t("b06.unit_total", unit=label or code)
        tot["row_kind"] = "unit_total"
        parts.append(tot)
    grand = df[COUNT_COLUMNS].sum().to_frame().T
    grand["unit_code"] = ""
    grand["unit_name"] = ""
    grand["validity"] = ""
    grand["field_code"] = ""
    grand["field_name"] = t("b06.grand_total")
    grand["row_kind"] = "grand_total"
    parts.append(grand)
    out = pd.concat(parts, ignore_index=True)
    out[COUNT_COLUMNS] = out[COUNT_COLUMNS].astype("int64")
    return out[[*COLUMNS, "row_kind"]]


def write_xlsx(df: pd.DataFrame, path: str, start_label: str, end_label: str) -> int:
    """Write the official layout (two header rows, columns numbered (1)..(13)). Returns rows.

    Unit and field names are written as text, an apostrophe in front of one that would start a
    formula (``data_access.cell_safety``); the counts are numbers."""
    import xlsxwriter

    rows = with_totals(df)
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("II.06a")
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    title = wb.add_format({"bold": True, "align": "center", "font_size": 13})
    cell = wb.add_format({"border": 1})
    num = wb.add_format({"border": 1, "num_format": "#,##0"})
    total_fmt = wb.add_format({"border": 1, "bold": True, "num_format": "#,##0"})
    last_col = 1 + len(OFFICIAL_LAYOUT)
    ws.write(0, 0, t("b06.form"))
    ws.merge_range(1, 0, 1, last_col, t("b06.title"), title)
    ws.merge_range(2, 0, 2, last_col, t("b06.period", start=start_label, end=end_label))
    h1, h2 = 4, 5
    ws.merge_range(h1, 0, h2, 0, t("b06.stt"), bold)
    ws.merge_range(h1, 1, h2, 1, t("b06.field"), bold)
    col = 2
    for group in ("b06.received", "b06.resolved", "b06.pending"):
        members = [x for x in OFFICIAL_LAYOUT if x[1] == group]
        ws.merge_range(h1, col, h1, col + len(members) - 1, t(group), bold)
        for i, (_, _, sub) in enumerate(members):
            ws.write(h2, col + i, t(sub), bold)
        col += len(members)
    for c in range(last_col + 1):
        ws.write(h2 + 1, c, f"({c + 1})", bold)
    r = h2 + 2
    stt = 0
    for row in rows.itertuples(index=False):
        is_total = row.row_kind != "field"
        fmt = total_fmt if is_total else num
        if row.row_kind == "field":
            stt += 1
            ws.write(r, 0, stt, cell)
            ws.write_string(r, 1, safe_cell(f"{unit_label(row.unit_name, row.validity)} – {row.field_name}"), cell)
        else:
            ws.write(r, 0, "", cell)
            ws.write_string(r, 1, safe_cell(row.field_name), total_fmt)
        for i, (colname, _, _) in enumerate(OFFICIAL_LAYOUT):
            ws.write_number(r, 2 + i, int(getattr(row, colname)), fmt)
        r += 1
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 55)
    ws.set_column(2, last_col, 14)
    ws.freeze_panes(h2 + 2, 2)
    wb.close()
    return len(rows)
