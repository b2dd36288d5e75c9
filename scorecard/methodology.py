"""Methodology as data: numerator/denominator expressions over measures, and versions.

An expression is measure names joined by ``+`` and ``-`` ("dossiers - overdue - complaint"). It
is parsed into signed terms with a tiny tokenizer (never ``eval``), so a methodology row can only
ever add and subtract measures that exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import pandas as pd

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?)|([+-]))")

Term = tuple[int, str | float]  # (sign, measure name or numeric constant)


class ExpressionError(ValueError):
    """A methodology expression that is not ``term (+|-) term ...``."""


def _tokens(src: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise ExpressionError(src)
        name, number, op = m.groups()
        out.append(("name", name) if name else ("num", number) if number else ("op", op))
        pos = m.end()
        if not src[pos:].strip():
            break
    return out


def parse_expression(text: str, known: Iterable[str] | None = None) -> tuple[Term, ...]:
    """Parse "a - b + c" into ((1, "a"), (-1, "b"), (1, "c")); numbers are allowed as constants
    and one leading sign is allowed. ``known`` (optional) restricts names to those measures."""
    src = (text or "").strip()
    toks = _tokens(src) if src else []
    if not toks:
        raise ExpressionError(text)
    known_set = set(known) if known is not None else None
    terms: list[Term] = []
    sign = 1
    i = 0
    if toks[0][0] == "op":
        sign = -1 if toks[0][1] == "-" else 1
        i = 1
    while True:
        if i >= len(toks) or toks[i][0] == "op":
            raise ExpressionError(text)
        kind, value = toks[i]
        if kind == "name":
            if known_set is not None and value not in known_set:
                raise ExpressionError(f"{text}: {value}")
            terms.append((sign, value))
        else:
            terms.append((sign, float(value)))
        i += 1
        if i == len(toks):
            return tuple(terms)
        if toks[i][0] != "op":
            raise ExpressionError(text)
        sign = -1 if toks[i][1] == "-" else 1
        i += 1


def measure_names(terms: Iterable[Term]) -> list[str]:
    return [t for _, t in terms if isinstance(t, str)]


def evaluate(terms: Iterable[Term], frame: pd.DataFrame) -> pd.Series:
    """The expression over each row of ``frame`` (a missing measure counts as 0)."""
    out = pd.Series(0.0, index=frame.index)
    for sign, t in terms:
        if isinstance(t, str):
            if t in frame.columns:
                out = out + sign * pd.to_numeric(frame[t], errors="coerce").fillna(0).astype(float)
        else:
            out = out + sign * t
    return out


def version_at(methodology: pd.DataFrame, on: date) -> str | None:
    """The methodology version in force on ``on``: the latest ``valid_from`` <= on (or the
    earliest version if ``on`` predates them all, so old data still gets a score)."""
    if methodology.empty:
        return None
    # plain Python over the few (version, valid_from) pairs: this runs several times a page
    pairs = dict.fromkeys(zip(methodology["version"], methodology["valid_from"], strict=True))
    versions = sorted(((pd.Timestamp(vf).date(), v) for v, vf in pairs), key=lambda p: p[0])
    ok = [v for vf, v in versions if vf <= on]
    return str(ok[-1] if ok else versions[0][1])


def select_version(methodology: pd.DataFrame, on: date) -> pd.DataFrame:
    """The methodology rows of the version in force on ``on``, sorted by component."""
    version = version_at(methodology, on)
    rows = methodology[methodology["version"] == version]
    return rows.sort_values("component", key=_component_key).reset_index(drop=True)


def _component_key(s: pd.Series) -> pd.Series:
    # "1.10" sorts after "1.9"
    return s.map(lambda c: tuple(int(x) if x.isdigit() else x for x in str(c).split(".")))


def component_levels(levels: str) -> set[str]:
    return set((levels or "").split())
