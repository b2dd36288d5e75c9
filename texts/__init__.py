"""The catalogue of every user-facing string (Vietnamese), and the number and date formats.

One catalogue, split by area so that each part of the product owns its own file:
``texts.data`` (import, demo, check), ``texts.scoring`` (scorecard, reports, CLI), ``texts.ui``
(the dashboard). ``t("key", **values)`` looks a key up in all of them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from texts import briefing, data, lagging, monday, official, overdue_deck, scoring, security, ui

CATALOGUE: dict[str, str] = {**data.STRINGS, **scoring.STRINGS, **ui.STRINGS, **briefing.STRINGS, **security.STRINGS,
                              **monday.STRINGS, **overdue_deck.STRINGS, **official.STRINGS, **lagging.STRINGS}


def t(key: str, **values: object) -> str:
    """The Vietnamese text for ``key``, with ``{placeholders}`` filled in."""
    text = CATALOGUE[key]
    return text.format(**values) if values else text


def fmt_number(x: float | int | None, decimals: int = 1) -> str:
    """Vietnamese number format: 1.234,5 (dot for thousands, comma for decimals)."""
    try:
        if x is None or x != x:  # None or NaN
            return "–"
    except TypeError:  # pandas.NA (a rank of a unit không phát sinh) has no truth value
        return "–"
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_percent(ratio: float | None, decimals: int = 1) -> str:
    """A ratio 0..1 as ``98,5%``."""
    if ratio is None or ratio != ratio:
        return "–"
    return f"{fmt_number(100 * ratio, decimals)}%"


def fmt_date(d: date | datetime | None) -> str:
    """dd/mm/yyyy."""
    if d is None:
        return "–"
    return d.strftime("%d/%m/%Y")


def fmt_delta(x: float | None, decimals: int = 2) -> str:
    """A signed change: +1,25 / −0,50 / 0,00."""
    if x is None or x != x:
        return "–"
    if round(x, decimals) == 0:
        return fmt_number(0, decimals)
    sign = "+" if x > 0 else "−"
    return f"{sign}{fmt_number(abs(x), decimals)}"


def fmt_duration(seconds: float) -> str:
    """A short span in words, in its two largest whole units: "dưới 1 giây", "3 giây",
    "2 phút 5 giây", "1 giờ", "2 ngày 3 giờ" (a replica's lag)."""
    whole = int(max(seconds, 0))
    if whole < 1:
        return t("duration.under_second")
    parts: list[tuple[str, int]] = []
    for key, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if whole >= size or parts:
            parts.append((key, whole // size))
            whole %= size
        if len(parts) == 2:
            break
    shown = [t(f"duration.{key}", n=fmt_number(n, 0)) for key, n in parts if n]
    return " ".join(shown)


_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def fmt_week(week: str, style: str = "long") -> str:
    """An ISO week label (``2024-W52``, what URLs, files and the CLI use) as people read it:
    ``long`` "Tuần 52/2024 (23/12 – 29/12/2024)", ``short`` "Tuần 52/2024", ``inline``
    "tuần 52/2024" (inside a sentence). Anything else is returned unchanged."""
    m = _ISO_WEEK.match(str(week))
    if not m:
        return str(week)
    year, number = int(m.group(1)), int(m.group(2))
    try:
        start = date.fromisocalendar(year, number, 1)
    except ValueError:
        return str(week)
    if style == "long":
        end = start + timedelta(days=6)
        return t("week.long", week=number, year=year, start=start.strftime("%d/%m"), end=fmt_date(end))
    return t(f"week.{style}", week=number, year=year)
