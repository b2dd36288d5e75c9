"""User-facing strings of the lagging rule, its page and "what it takes" (see texts/__init__.py),
and the display of a change in rank."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    "col.rank_prev": "Xếp hạng kỳ trước",
    "col.rank_change": "Thay đổi thứ hạng",
}


def fmt_rank_change(n: object) -> str:
    """Places gained (``rank_change``) as "▲2", places lost as "▼1"; no change, or no rank to
    compare (NA, None, NaN), as "–"."""
    try:
        if n is None or n != n:  # None or NaN
            return "–"
        v = int(n)  # type: ignore[call-overload]
    except (TypeError, ValueError):  # pandas.NA has no truth value; not a number at all
        return "–"
    if v > 0:
        return f"▲{v}"
    if v < 0:
        return f"▼{-v}"
    return "–"
