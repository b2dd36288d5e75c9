"""Neutralise text that a spreadsheet program would run as a formula (CSV/formula injection).

Every spreadsheet or CSV the product writes passes its text cells through here. A cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an apostrophe
(OWASP's advice): Excel and LibreOffice then show the text as typed and never evaluate it.
Numbers, dates and booleans are left alone, so numeric columns stay numeric.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# The characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula or a
# DDE command, including the full-width forms some spreadsheet programs fold to ASCII.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def is_risky(text: str) -> bool:
    """True when ``text`` would be read as a formula by a spreadsheet program."""
    return bool(text) and text.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text that would run as a formula."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) cannot run as formulas."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out
