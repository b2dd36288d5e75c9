"""Which of our units a portal unit is. The portal's agency ids ("000.20.34.H48") are not our
codes, and its names carry the People's Committee ("UBND Phường Hải Vân"), so a portal unit is
matched, in this order, by:

1. our unit code itself (a hand-made table may use it);
2. a stored alias (``unit_alias``, from a units file's ``BiDanhCong``): the portal id or name;
3. its name without diacritics, case, punctuation and the "UBND" prefix, the unit's type word
   included ("Phường Tam Kỳ" is not "Thành phố Tam Kỳ"), through ``data_access.geo``'s one
   folding function (``fold``/``split_kind``).

Only units that existed during the period count; among several, the one existing at its end
wins; still several is "ambiguous", and nothing matched is "unknown": both are reported, never
guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from data_access.geo import fold, split_kind
from texts import t

# "UBND", "Ủy ban nhân dân" (folded) before the unit's own name on the portal
_COMMITTEE = re.compile(r"^(ubnd|uy ban nhan dan)\s+")


@dataclass(frozen=True)
class Match:
    code: str | None
    how: str | None = None  # "code" | "alias" | "name"
    reason: str | None = None  # why nothing matched (Vietnamese)


def _day(v: object) -> date | None:
    """A stored validity date (date, datetime, Timestamp, NaT, None, ISO text) as a date."""
    if v is None:
        return None
    if isinstance(v, datetime):
        return None if v != v else v.date()
    if isinstance(v, date):
        return v
    try:
        return None if v != v else date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def name_key(name: object) -> tuple[str | None, str]:
    """``"UBND Phường Hải Vân"`` -> ``("phuong", "haivan")``; ``"Sở Tài chính"`` ->
    ``(None, "sotaichinh")`` (a type word geo does not know stays part of the name)."""
    return split_kind(_COMMITTEE.sub("", fold(name)))


@dataclass
class UnitIndex:
    """Our units, by code, alias and folded name, with their validity."""

    validity: dict[str, tuple[date | None, date | None]] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    by_alias: dict[str, set[str]] = field(default_factory=dict)
    by_name: dict[tuple[str | None, str], set[str]] = field(default_factory=dict)
    by_rest: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, units: pd.DataFrame, aliases: pd.DataFrame | None = None) -> UnitIndex:
        """``units``: [code, name, level] and optionally short_name, kind, valid_from, valid_to;
        ``aliases``: [alias, unit_code]."""
        idx = cls()
        for r in units.to_dict("records"):
            code = str(r["code"])
            idx.validity[code] = (_day(r.get("valid_from")), _day(r.get("valid_to")))
            idx.levels[code] = str(r.get("level") or "")
            idx.names[code] = str(r.get("name") or code)
            keys = {name_key(r["name"])}
            kind, short = r.get("kind"), r.get("short_name")
            if kind and short and kind == kind and short == short:
                keys.add(name_key(f"{kind} {short}"))
            for key in keys:
                idx.by_name.setdefault(key, set()).add(code)
                idx.by_rest.setdefault(key[1], set()).add(code)
        if aliases is not None:
            for alias, code in zip(aliases["alias"], aliases["unit_code"], strict=True):
                if str(code) in idx.validity:
                    idx.by_alias.setdefault(fold(alias), set()).add(str(code))
        return idx

    def _alive(self, codes: set[str], start: date, end: date) -> list[str]:
        """Of ``codes``, those existing at ``end``, else those existing at some day of the
        period (sorted, for a stable message)."""
        def valid(c: str, a: date, b: date) -> bool:
            vf, vt = self.validity.get(c, (None, None))
            return (vf is None or vf <= b) and (vt is None or vt >= a)

        at_end = sorted(c for c in codes if valid(c, end, end))
        return at_end or sorted(c for c in codes if valid(c, start, end))

    def match(self, portal_id: str | None, name: str, start: date, end: date,
              by_code: bool = False) -> Match:  # fmt: skip
        """The unit a portal unit is during [start, end] (``by_code``: a cell may hold our code)."""
        if by_code and name in self.validity:
            found = self._alive({name}, start, end)
            if found:
                return Match(found[0], "code")
        for how, codes in (("alias", self._aliased(portal_id, name)), ("name", self._named(name))):
            if not codes:
                continue
            alive = self._alive(codes, start, end)
            if len(alive) == 1:
                return Match(alive[0], how)
            if len(alive) > 1:
                shown = ", ".join(f"{self.names[c]} ({c})" for c in alive[:4])
                return Match(None, reason=t("official.reason.ambiguous", units=shown))
            if how == "name":
                shown = ", ".join(f"{self.names[c]} ({c})" for c in sorted(codes)[:3])
                return Match(None, reason=t("official.reason.not_in_period", units=shown))
        return Match(None, reason=t("official.reason.unknown_unit"))

    def _aliased(self, portal_id: str | None, name: str) -> set[str]:
        out: set[str] = set()
        for text in (portal_id, name):
            if text:
                out |= self.by_alias.get(fold(text), set())
        return out

    def _named(self, name: str) -> set[str]:
        kind, rest = name_key(name)
        if not rest:
            return set()
        if kind is not None:
            return set(self.by_name.get((kind, rest), set()))
        # no type word on the portal: any type, when the rest of the name is the same
        return set(self.by_rest.get(rest, set()))

    def is_province(self, code: str) -> bool:
        return self.levels.get(code) == "province"
