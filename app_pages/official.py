"""Đối chiếu điểm chính thức: one unit's official scores (national portal) beside the computed
ones, per group and component, the biggest differences first, with their likely reason."""

from __future__ import annotations

from ui import official_view, page

ctx = page.context()
official_view.render(ctx)
