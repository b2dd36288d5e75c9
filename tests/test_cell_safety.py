"""Formula neutralising for every spreadsheet and CSV the product writes."""

import pandas as pd
import pytest

from data_access.cell_safety import is_risky, safe_cell, safe_frame


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "＝HYPERLINK(1)"])
def test_risky_text_gets_an_apostrophe(text):
    assert is_risky(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Sở Y tế", "", "a=b", 12, -3.5, None])
def test_harmless_values_unchanged(value):
    assert safe_cell(value) == value


def test_frame_keeps_numbers_numeric():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "Huyện Duy Xuyên"], "score": [-1.5, 80.0]})
    out = safe_frame(df)
    assert out["name"].tolist() == ["'=HYPERLINK(\"x\")", "Huyện Duy Xuyên"]
    assert out["score"].tolist() == [-1.5, 80.0]
    assert pd.api.types.is_float_dtype(out["score"])
    assert df["name"].iloc[0].startswith("=")  # the input is not modified
