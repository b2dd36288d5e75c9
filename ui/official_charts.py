"""The official scores' chart: the province's official score per period beside the national
average and the score the dashboard computes for the same period, the rank among the provinces
on each point. Built like ``ui.charts`` (plain dicts, Vietnamese separators), drawn with
``ui.chartview.show``."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from scorecard import official_service as osv
from texts import t
from ui.charts import LINE_COLOURS, TARGET, _figure


def _label(rank: float | None, n: float | None) -> str:
    if rank is None or pd.isna(rank):
        return ""
    if n is None or pd.isna(n):
        return t("ui.official.chart.rank_only", rank=int(rank))
    return t("ui.official.chart.rank", rank=int(rank), n=int(n))


def standing(hist: pd.DataFrame, height: int = 280) -> go.Figure:
    """``hist``: [period_type, period, period_end, score, rank, n, average, computed] (one row
    per official period, oldest first)."""
    d = hist.sort_values("period_end")
    x = [osv.words(str(a), str(b)) for a, b in zip(d["period_type"], d["period"], strict=True)]
    labels = [_label(r, n) for r, n in zip(d["rank"], d["n"], strict=True)]
    lines = [
        {"type": "scatter", "name": t("ui.official.chart.official"), "x": x, "y": d["score"].astype(float).tolist(),
         "mode": "lines+markers+text", "text": labels, "textposition": "top center",
         "line": {"width": 3, "color": LINE_COLOURS[0]}, "marker": {"size": 9},
         "hovertemplate": f"%{{x}}<br>{t('ui.official.chart.official')}: %{{y:.2f}}<br>%{{text}}<extra></extra>"},
    ]  # fmt: skip
    if "average" in d and d["average"].notna().any():
        lines.append({"type": "scatter", "name": t("ui.official.chart.average"), "x": x,
                      "y": d["average"].astype(float).tolist(), "mode": "lines+markers",
                      "line": {"width": 2, "dash": "dash", "color": TARGET}, "marker": {"size": 7},
                      "hovertemplate": f"%{{x}}<br>{t('ui.official.chart.average')}: %{{y:.2f}}<extra></extra>"})  # fmt: skip
    if "computed" in d and d["computed"].notna().any():
        lines.append({"type": "scatter", "name": t("ui.official.chart.computed"), "x": x,
                      "y": d["computed"].astype(float).tolist(), "mode": "lines+markers",
                      "line": {"width": 2, "color": LINE_COLOURS[1]}, "marker": {"size": 7, "symbol": "diamond"},
                      "hovertemplate": f"%{{x}}<br>{t('ui.official.chart.computed')}: %{{y:.2f}}<extra></extra>"})  # fmt: skip
    values = [v for line in lines for v in line["y"] if v is not None and v == v]
    lo = max(0.0, min(values, default=0) - 5)
    hi = min(100.0, max(values, default=100) + 5)
    return _figure(lines, height, xaxis={"type": "category", "title": {"text": t("ui.official.chart.period")}},
                   yaxis={"title": {"text": t("ui.chart.score")}, "tickformat": ".1f", "range": [lo, hi]})  # fmt: skip
