"""Named SQL statements, so that a reviewer can read the SQL a query runs:
``python -m data_access sql NAME [--dialect sqlite|postgresql]`` prints it compiled for a
dialect, with example parameters bound as literals; ``python -m data_access sql --list`` lists
the names.

A statement builder (a function that returns a SQLAlchemy ``Select``, no database needed) is
registered with ``@statement("name", **example_arguments)``; the query function that runs it
calls the same builder, so what is printed is what runs. A statement that only one backend
understands (the replica probe of ``data_access.replica``, monitoring, not a scorecard query)
names it: ``@statement("name", dialects=("postgresql",))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import CompileError
from sqlalchemy.sql import Select

DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}
# example arguments shared by the registrations: one year of data, two units
EXAMPLE_START = date(2024, 1, 1)
EXAMPLE_END = date(2024, 12, 31)
EXAMPLE_UNITS = ("502", "20335")


@dataclass(frozen=True)
class NamedStatement:
    name: str
    build: Callable[..., Select]
    example: dict[str, Any] = field(default_factory=dict)
    dialects: tuple[str, ...] | None = None  # the backends it runs on; None: every one

    def runs_on(self, dialect: str) -> bool:
        return self.dialects is None or dialect in self.dialects

    @property
    def summary(self) -> str:
        """The first line of the builder's docstring."""
        return (self.build.__doc__ or "").strip().split("\n")[0]


REGISTRY: dict[str, NamedStatement] = {}


def statement(name: str, dialects: tuple[str, ...] | None = None,
              **example: Any) -> Callable[[Callable[..., Select]], Callable[..., Select]]:  # noqa: ANN401
    """Register the decorated statement builder under ``name``, with ``example`` arguments
    (and ``dialects``, the only backends it runs on, when not every one)."""

    def register(build: Callable[..., Select]) -> Callable[..., Select]:
        if name in REGISTRY:
            raise ValueError(f"statement {name!r} registered twice")
        REGISTRY[name] = NamedStatement(name, build, dict(example), dialects)
        return build

    return register


def names() -> list[str]:
    """Every registered name, sorted (the statements of data_access.refresh included)."""
    _load_all()
    return sorted(REGISTRY)


def compiled_sql(name: str, dialect: str = "sqlite") -> str:
    """The statement ``name`` built with its example arguments and compiled for ``dialect``:
    parameters as literals where the dialect can render them, else as placeholders followed by
    their values. KeyError for an unknown name or dialect."""
    _load_all()
    entry = REGISTRY[name]
    stmt = entry.build(**entry.example)
    d = DIALECTS[dialect]
    try:
        return str(stmt.compile(dialect=d, compile_kwargs={"literal_binds": True}))
    except (CompileError, NotImplementedError):
        compiled = stmt.compile(dialect=d)
        return f"{compiled}\n-- {compiled.params}"


def _load_all() -> None:
    # every module that registers statements, imported for its registrations: the queries
    # package (its __init__ imports all its modules), the aggregate refresh and the replica probe
    import data_access.queries  # noqa: F401
    import data_access.refresh  # noqa: F401
    import data_access.replica  # noqa: F401
