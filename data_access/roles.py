"""Dashboard roles: ``python -m data_access role add|list|remove``.

A role belongs to a sign-in e-mail (the ``email`` claim of the OpenID Connect identity token):
- ``leader`` (lãnh đạo UBND tỉnh) and ``office`` (Văn phòng UBND tỉnh) see everything;
- ``unit`` sees its own unit (and, for a district, its communes) in detail, and only the public
  ranking of the others.
An e-mail without a row sees nothing. Roles are data, so granting or revoking access needs no
redeploy; the dashboard reads them through its read-only connection (SECURITY.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from data_access import schema as s
from texts import t

ROLES: tuple[str, ...] = ("leader", "office", "unit")
MAX_EMAIL = 254  # RFC 5321 path limit; also the column width
# Deliberately simple: the identity provider has verified the address already; this only keeps
# typos and pasted junk out of the table.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RoleError(ValueError):
    """A role that cannot be stored; the message is Vietnamese and meant for the user."""


@dataclass(frozen=True)
class RoleRow:
    email: str
    role: str
    unit_code: str | None = None
    note: str | None = None


def normalise_email(email: object) -> str | None:
    """The e-mail as stored (trimmed, lower-case), or None when it is not an e-mail address."""
    if not isinstance(email, str):
        return None
    e = email.strip().lower()
    if not e or len(e) > MAX_EMAIL or not _EMAIL_RE.match(e):
        return None
    return e


def _has_table(conn: Connection) -> bool:
    return s.user_role.name in set(inspect(conn).get_table_names())


def get_role(conn: Connection, email: object) -> RoleRow | None:
    """The role of ``email``, or None (unknown e-mail, invalid e-mail, or no role table yet)."""
    e = normalise_email(email)
    if e is None or not _has_table(conn):
        return None
    r = conn.execute(select(s.user_role).where(s.user_role.c.email == e)).mappings().first()
    if r is None or r["role"] not in ROLES:
        return None
    return RoleRow(r["email"], r["role"], r["unit_code"], r["note"])


def list_roles(engine: Engine) -> list[RoleRow]:
    with engine.connect() as conn:
        if not _has_table(conn):
            return []
        rows = conn.execute(select(s.user_role).order_by(s.user_role.c.role, s.user_role.c.email))
        return [RoleRow(r.email, r.role, r.unit_code, r.note) for r in rows]


def add_role(engine: Engine, email: str, role: str, unit_code: str | None = None,
             note: str | None = None) -> RoleRow:  # fmt: skip
    """Grant (or change) the role of ``email``; raises RoleError when it makes no sense."""
    e = normalise_email(email)
    if e is None:
        raise RoleError(t("security.role.bad_email", email=str(email)[:80]))
    if role not in ROLES:
        raise RoleError(t("security.role.bad_role", role=str(role)[:40], roles=", ".join(ROLES)))
    unit_code = (unit_code or "").strip() or None
    if role == "unit" and unit_code is None:
        raise RoleError(t("security.role.unit_required"))
    if role != "unit" and unit_code is not None:
        # A leader with a unit would read as "restricted" to a reviewer while seeing everything.
        raise RoleError(t("security.role.unit_not_allowed", role=role))
    with engine.begin() as conn:
        s.user_role.create(conn, checkfirst=True)  # databases created before roles existed
        if unit_code is not None:
            known = conn.execute(
                select(s.unit.c.code).where(s.unit.c.code == unit_code)
            ).first()
            if known is None:
                raise RoleError(t("security.role.unknown_unit", unit=unit_code[:40]))
        conn.execute(delete(s.user_role).where(s.user_role.c.email == e))
        conn.execute(s.user_role.insert().values(email=e, role=role, unit_code=unit_code, note=note))
    return RoleRow(e, role, unit_code, note)


def remove_role(engine: Engine, email: str) -> bool:
    """Revoke; True when there was a role to remove."""
    e = normalise_email(email)
    if e is None:
        raise RoleError(t("security.role.bad_email", email=str(email)[:80]))
    with engine.begin() as conn:
        if not _has_table(conn):
            return False
        return conn.execute(delete(s.user_role).where(s.user_role.c.email == e)).rowcount > 0


def run_cli(engine: Engine, action: str, email: str | None = None, role: str | None = None,
            unit: str | None = None, note: str | None = None) -> int:  # fmt: skip
    """The ``role`` subcommand: prints Vietnamese messages, returns the exit code."""
    try:
        if action == "add":
            r = add_role(engine, email or "", role or "", unit, note)
            where = t("security.role.of_unit", unit=r.unit_code) if r.unit_code else ""
            print(t("security.role.added", email=r.email, role=r.role, where=where))
            return 0
        if action == "remove":
            if remove_role(engine, email or ""):
                print(t("security.role.removed", email=normalise_email(email)))
                return 0
            print(t("security.role.not_found", email=normalise_email(email)))
            return 1
        if action == "list":
            rows = list_roles(engine)
            if not rows:
                print(t("security.role.none"))
            for r in rows:
                print("\t".join([r.email, r.role, r.unit_code or "", r.note or ""]))
            return 0
    except RoleError as e:
        print(str(e))
        return 2
    except SQLAlchemyError as e:
        print(t("security.role.db_error", error=type(e).__name__))
        return 1
    return 2
