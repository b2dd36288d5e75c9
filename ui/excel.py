"""A table as an in-memory .xlsx download (nothing is written on the server)."""

from __future__ import annotations

import io

import pandas as pd

from data_access.cell_safety import safe_frame


def to_excel(df: pd.DataFrame, sheet: str) -> bytes:
    """``df`` as one sheet, numbers kept as numbers; text from the database (unit, procedure
    and field names) cannot run as a formula (``data_access.cell_safety``)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        safe_frame(df).to_excel(xw, index=False, sheet_name=sheet[:31])
        ws = xw.sheets[sheet[:31]]
        ws.freeze_panes = "A2"
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
    return buf.getvalue()
