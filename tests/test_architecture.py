"""The layers of docs/design.md, checked on the source: imports flow one way, and no module grows
past what one reader can hold.

Layers, lowest first: texts (0) < data_access (1) < scorecard, meeting_pack (2) < ui (3) <
app_pages (4). A module may import its own layer or a lower one, never a higher one, not even inside
a function; in layer 2, meeting_pack may import scorecard but scorecard never meeting_pack.
Every ``import`` statement is checked, wherever it stands (``ast.walk``), relative ones
resolved against the module's package.

Exempt, as entry points above every layer: every ``__main__.py``, ``app.py``, ``bench/`` and
``scripts/`` (they wire the layers together: ``python -m data_access import`` runs
``scorecard.pipeline``, for instance). Tests are exempt too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"texts": 0, "data_access": 1, "scorecard": 2, "meeting_pack": 2, "ui": 3, "app_pages": 4}
# same layer, still forbidden: the scoring core must not depend on the meeting pack built on it
FORBIDDEN_SIDEWAYS = {("scorecard", "meeting_pack")}
MAX_LINES = 600
# Below ui nothing draws: the scoring core, the meeting pack and data access never import
# Streamlit, so they run the same from a command line, a test or a benchmark.
NO_STREAMLIT = ("texts", "data_access", "scorecard", "meeting_pack")
# not application code: measured by their own rules (or none)
SIZE_EXEMPT_DIRS = ("tests", "bench", ".venv", "node_modules")


def _modules() -> list[Path]:
    return sorted(p for pkg in LAYERS for p in (ROOT / pkg).rglob("*.py") if (ROOT / pkg).is_dir())


def _package(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    return parts[:-1] if parts[-1] != "__init__" else parts[:-1]


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in the module, functions' included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = _package(path)
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                name = ".".join([*base, node.module or ""]).strip(".")
            else:
                name = node.module or ""
            out.append((node.lineno, name.split(".")[0]))
    return out


def upward_imports(paths: list[Path]) -> list[str]:
    """'file:line: layer imports higher' for every import that goes up (or sideways where
    forbidden); entry points (__main__.py) excluded."""
    bad = []
    for path in paths:
        if path.name == "__main__.py":
            continue
        own = path.relative_to(ROOT).parts[0]
        for line, target in _imported(path):
            if target not in LAYERS or target == own:
                continue
            if LAYERS[target] > LAYERS[own] or (own, target) in FORBIDDEN_SIDEWAYS:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {target}")
    return bad


def oversized(root: Path = ROOT) -> list[str]:
    """'file: N lines' for every .py outside tests and bench over MAX_LINES."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in SIZE_EXEMPT_DIRS or any(p.startswith(".") for p in rel.parts):
            continue
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out.append(f"{rel.as_posix()}: {n} lines")
    return out


def test_layers_import_downwards_only():
    paths = _modules()
    assert len(paths) > 50  # the walk found the code
    assert upward_imports(paths) == []


def test_the_check_catches_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The check itself: an import inside a function, a relative one and a sideways one."""
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    (tmp_path / "data_access").mkdir()
    (tmp_path / "scorecard").mkdir()
    (tmp_path / "data_access" / "a.py").write_text(
        "def f():\n    from scorecard.service import scorecard\n", encoding="utf-8"
    )
    (tmp_path / "scorecard" / "b.py").write_text(
        "from .x import y\nimport meeting_pack.slides\nfrom data_access import queries\n",
        encoding="utf-8",
    )
    (tmp_path / "data_access" / "__main__.py").write_text("import scorecard\n", encoding="utf-8")
    found = upward_imports(sorted(tmp_path.rglob("*.py")))
    assert found == [
        "data_access/a.py:2: data_access imports scorecard",
        "scorecard/b.py:2: scorecard imports meeting_pack",
    ]


def test_no_module_over_the_size_limit():
    assert oversized() == []


def test_the_size_check_lists_offenders(tmp_path: Path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "big.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    (tmp_path / "pkg" / "small.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "big_test.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    assert oversized(tmp_path) == [f"pkg/big.py: {MAX_LINES + 1} lines"]


@pytest.mark.slow
def test_no_streamlit_below_ui():
    bad = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in _modules()
        if p.relative_to(ROOT).parts[0] in NO_STREAMLIT
        for line, target in _imported(p)
        if target == "streamlit"
    ]
    assert bad == []


def _full_imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level?) for every absolute import of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.module, id(node) in top))
    return out


def test_meeting_pack_reads_through_the_service_with_module_level_imports():
    """The pack reads like the pages do (scorecard.service), never the SQL modules, and declares
    what it needs at the top of each module."""
    files = [p for p in (ROOT / "meeting_pack").glob("*.py") if p.name != "__main__.py"]
    assert len(files) >= 6
    for p in files:
        imports = _full_imports(p)
        assert [m for m, _ in imports if m.startswith("data_access.queries")] == [], p.name
        assert [m for m, top in imports if not top] == [], p.name


# --- the tests themselves ------------------------------------------------------------------------
# A test module is collected, never imported by another file: shared rows, builders and fixtures
# live in tests/helpers/ (or conftest.py). Importing a test module runs its tests twice under
# another name, imports its autouse fixtures by accident, and ties one test file's edits to others.


def _is_test_module(dotted: str) -> bool:
    return any(part.startswith("test_") for part in dotted.split(".") if part)


def test_module_imports(root: Path) -> list[str]:
    """'file:line: module' for every import of a ``test_*`` module by a file under root/tests
    (absolute, relative, ``from pkg import test_x``, and importlib/__import__ with a literal)."""
    bad = []
    for path in sorted((root / "tests").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        found: list[tuple[int, str]] = []
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = "." * node.level + (node.module or "")
                sep = "." if node.module else ""
                names = [base] if _is_test_module(base) else [base + sep + a.name for a in node.names]
            elif (isinstance(node, ast.Call) and node.args
                  and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                  and ((isinstance(node.func, ast.Name) and node.func.id == "__import__")
                       or (isinstance(node.func, ast.Attribute)
                           and node.func.attr == "import_module"))):  # fmt: skip
                names = [node.args[0].value]
            found += [(node.lineno, n) for n in names if _is_test_module(n)]
        bad += [f"{rel}:{line}: {name}" for line, name in sorted(found)]
    return bad


test_module_imports.__test__ = False  # a checker, not a test: pytest must not collect it


def test_no_test_module_imports_another_test_module():
    assert len(list((ROOT / "tests").rglob("test_*.py"))) > 30  # the walk found the tests
    assert test_module_imports(ROOT) == []


def test_the_test_import_check_catches_every_form(tmp_path: Path):
    (tmp_path / "tests" / "helpers").mkdir(parents=True)
    (tmp_path / "tests" / "test_a.py").write_text(
        "import os\nfrom test_b import X\nfrom helpers.data import Y\n", encoding="utf-8"
    )
    (tmp_path / "tests" / "helpers" / "data.py").write_text(
        "def f():\n    import tests.test_c\n\nfrom . import test_d\n"
        "import importlib\nm = importlib.import_module('test_e')\n", encoding="utf-8"
    )
    (tmp_path / "tests" / "conftest.py").write_text("from helpers import data\n", encoding="utf-8")
    assert test_module_imports(tmp_path) == [
        "tests/helpers/data.py:2: tests.test_c",
        "tests/helpers/data.py:4: .test_d",
        "tests/helpers/data.py:6: test_e",
        "tests/test_a.py:2: test_b",
    ]


def test_no_legacy_pages_directory() -> None:
    """The pages live in app_pages/. A folder named pages/ next to app.py, even an empty one,
    makes Streamlit run the first script of every new server process as a legacy
    pages/-directory app (PagesManager.uses_pages_directory, until
    st.navigation runs once): that run cannot resolve a link's path, so whoever opens the
    first link after a restart gets Streamlit's English "Page not found" dialog."""
    assert not (ROOT / "pages").exists(), "rename pages/ to app_pages/ (see app.py)"
