"""The meeting pack: the weekly briefing deck (PPTX) and workbook (XLSX) for reform meetings.

Modules: ``data`` (what the pack shows, read through ``scorecard.service``), ``deck_parts``
(PowerPoint building blocks), ``deck`` (the slides), ``mapimage`` (the map picture),
``workbook`` (the XLSX) and ``cli`` (``python -m meeting_pack``).
"""

from __future__ import annotations

from meeting_pack.data import Briefing, BriefingError, collect
from meeting_pack.deck import build_deck
from meeting_pack.workbook import build_workbook

__all__ = ["Briefing", "BriefingError", "build_deck", "build_workbook", "collect"]
