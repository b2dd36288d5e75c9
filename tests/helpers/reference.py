"""What ``init`` loads as reference units: Quảng Nam's 2022 administrative map (the province, its
18 departments, 18 districts and 241 communes: assets/defaults, counted by hand from the
province's published list)."""

from __future__ import annotations

REFERENCE_LEVELS = {"province": 1, "department": 18, "district": 18, "commune": 241}
REFERENCE_UNITS = sum(REFERENCE_LEVELS.values())  # 1 + 18 + 18 + 241 = 278
