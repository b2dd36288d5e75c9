"""Imports flow one way (pages → ui → meeting_pack, scorecard → data_access → texts), checked on
the source: a module importing a layer above it, even inside a function, fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import statement of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.module, id(node) in top))
    return out


def _modules(package: str) -> list[Path]:
    # Entry points (``__main__.py``) sit above every layer.
    return sorted(p for p in (ROOT / package).glob("*.py") if p.name != "__main__.py")


FORBIDDEN = {
    # (data_access.refresh still imports scorecard.service inside a function: another issue)
    "data_access": ("ui", "pages", "meeting_pack", "streamlit"),
    "scorecard": ("ui", "pages", "meeting_pack", "streamlit"),
    # the pack reads through scorecard.service, like the pages
    "meeting_pack": ("ui", "pages", "streamlit", "data_access.queries"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package):
    bad = [
        (p.name, mod)
        for p in _modules(package)
        for mod, _ in _imports(p)
        if any(mod == f or mod.startswith(f + ".") for f in FORBIDDEN[package])
    ]
    assert _modules(package)
    assert bad == []


def test_meeting_pack_imports_at_module_level_and_modules_stay_small():
    files = _modules("meeting_pack")
    assert len(files) >= 6
    for p in files:
        assert [m for m, top in _imports(p) if not top] == [], p.name
        assert len(p.read_text(encoding="utf-8").splitlines()) <= 600, p.name
