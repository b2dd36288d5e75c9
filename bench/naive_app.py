"""The naive overview page of issue 6: what a typical Streamlit app does.

On every rerun it reads the dossier and feedback tables whole into pandas and aggregates them
(bench/naive.py), with no st.cache_data: the counterpart of app_pages/overview.py for the
side-by-side benchmark. A bench artefact, not the product (plain Vietnamese literals).

    REFORM_DB_URL=sqlite:///data/reform.db .venv/bin/streamlit run bench/naive_app.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import naive  # noqa: E402
from data_access.engine import get_engine  # noqa: E402
from scorecard.periods import parse_period  # noqa: E402


@st.cache_resource
def _engine(url: str):  # noqa: ANN202 - an Engine
    # Only the connection pool is kept between reruns (any app keeps its connection); the data
    # is read and aggregated again every time, which is what is being measured.
    return get_engine(url, read_only=True)


st.title("Bảng xếp hạng (cách làm đơn giản)")
engine = _engine(os.environ["REFORM_DB_URL"])
raw = naive.read_raw(engine)  # every rerun: the whole dossier table
weeks = naive.available_weeks(raw)
if not weeks:
    st.info("Chưa có dữ liệu.")
    st.stop()
wanted = st.query_params.get("week", weeks[-1])
week = st.selectbox("Tuần", weeks[::-1], index=weeks[::-1].index(wanted) if wanted in weeks else 0)
ytd = st.query_params.get("period", "ytd") != "week"
period = parse_period(week, ytd=ytd)

province = naive.naive_scorecard(engine, "province", period, raw=raw)
st.metric("Điểm toàn tỉnh", f"{province['total'].iloc[0]:.2f}" if not province.empty else "—")
for level, label in (("department", "Sở, ban, ngành"), ("district", "Cấp huyện")):
    st.subheader(label)
    table = naive.naive_scorecard(engine, level, period, raw=raw)
    st.dataframe(table[["rank", "unit_code", "total", *naive.GROUPS]], hide_index=True)
