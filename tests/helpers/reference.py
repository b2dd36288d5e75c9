"""What ``init`` loads as reference units, counted from assets/defaults (not typed in by hand):
Quảng Nam's 2022 map (1 province, 18 districts, 241 communes) until 30/06/2025, its 18
departments and the 2025 mergers (SNNMT new; 6 merged away, 13 left), and the new Thành phố Đà
Nẵng (1 city, 94 communes). ``test_defaults.py`` checks the figures the domain texts give."""

from __future__ import annotations

from data_access.defaults import units_frame

_UNITS = units_frame()
REFERENCE_LEVELS: dict[str, int] = _UNITS["level"].value_counts().to_dict()
REFERENCE_UNITS = len(_UNITS)  # 2 + 19 + 18 + 241 + 94 = 374
