"""Access control and read-only access: the role command, the pure access rules, and that the
dashboard's own connection cannot write (SQLite and PostgreSQL), plus the SELECT-only role of
scripts/create_readonly_role.sql."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pandas as pd
import pytest
from helpers.db import table_counts
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from data_access import roles
from data_access import schema as s
from data_access.__main__ import main as cli
from data_access.engine import get_engine
from ui import access

ROOT = Path(__file__).resolve().parent.parent


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


# --- role command -------------------------------------------------------------------------------


def test_role_add_list_remove(engine: Engine, capsys):
    url = _url(engine)
    assert cli(["--db", url, "role", "add", "  ChuTich@QuangNam.gov.vn ", "leader"]) == 0
    assert cli(["--db", url, "role", "add", "stp@quangnam.gov.vn", "unit", "--unit", "STP",
                "--note", "Sở Tư pháp"]) == 0  # fmt: skip
    assert cli(["--db", url, "role", "add", "vp@quangnam.gov.vn", "office"]) == 0
    capsys.readouterr()
    assert cli(["--db", url, "role", "list"]) == 0
    out = capsys.readouterr().out
    assert "chutich@quangnam.gov.vn\tleader" in out, "e-mails are stored lower-case, trimmed"
    assert "stp@quangnam.gov.vn\tunit\tSTP\tSở Tư pháp" in out
    # Changing a role replaces it (one row per e-mail).
    assert cli(["--db", url, "role", "add", "stp@quangnam.gov.vn", "office"]) == 0
    with engine.connect() as c:
        assert roles.get_role(c, "STP@quangnam.gov.vn") == roles.RoleRow(
            "stp@quangnam.gov.vn", "office", None, None
        )
    assert cli(["--db", url, "role", "remove", "stp@quangnam.gov.vn"]) == 0
    assert cli(["--db", url, "role", "remove", "stp@quangnam.gov.vn"]) == 1
    assert {r.email for r in roles.list_roles(engine)} == {
        "chutich@quangnam.gov.vn", "vp@quangnam.gov.vn"
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x@quangnam.gov.vn", "unit"], "cần mã đơn vị"),
        (["x@quangnam.gov.vn", "unit", "--unit", "' OR 1=1 --"], "Không có đơn vị"),
        (["x@quangnam.gov.vn", "leader", "--unit", "STP"], "không gắn với đơn vị"),
        (["not-an-email", "leader"], "không phải địa chỉ e-mail"),
        (["a" * 300 + "@x.vn", "leader"], "không phải địa chỉ e-mail"),
    ],
)
def test_role_add_rejects_nonsense(args, message, engine: Engine, capsys):
    assert cli(["--db", _url(engine), "role", "add", *args]) == 2
    assert message in capsys.readouterr().out
    assert roles.list_roles(engine) == []


def test_role_command_creates_the_table_on_an_older_database(engine: Engine):
    with engine.begin() as c:
        s.user_role.drop(c)
    roles.add_role(engine, "a@b.vn", "leader")
    assert [r.email for r in roles.list_roles(engine)] == ["a@b.vn"]


def test_get_role_without_table_or_with_junk(engine: Engine):
    with engine.connect() as c:
        assert roles.get_role(c, "' OR 1=1 --") is None
        assert roles.get_role(c, None) is None
    with engine.begin() as c:
        s.user_role.drop(c)
    with engine.connect() as c:
        assert roles.get_role(c, "a@b.vn") is None


# --- access rules (pure) ------------------------------------------------------------------------

UNITS = pd.DataFrame(
    {
        "code": ["49", "STP", "SYT", "502", "503", "20335", "20338", "20401"],
        "level": ["province", "department", "department", "district", "district", "commune",
                  "commune", "commune"],  # fmt: skip
        "parent_code": [None, "49", "49", "49", "49", "502", "502", "503"],
    }
)


def test_unit_scope_is_the_unit_and_below():
    assert access.unit_scope("502", UNITS) == {"502", "20335", "20338"}
    assert access.unit_scope("STP", UNITS) == {"STP"}
    assert access.unit_scope("20335", UNITS) == {"20335"}
    cyclic = pd.DataFrame({"code": ["A", "B"], "parent_code": ["B", "A"]})
    assert access.unit_scope("A", cyclic) == {"A", "B"}


LINEAGE = pd.DataFrame({
    # 502 became two new communes; SGTVT merged into SXD; N1 took part of 503 too
    "old_code": ["502", "502", "SGTVT", "503"],
    "new_code": ["N1", "N2", "SXD", "N1"],
})


def test_unit_scope_follows_the_lineage():
    units = pd.concat([UNITS, pd.DataFrame({"code": ["N1", "N2", "SGTVT", "SXD"],
                                            "level": ["commune", "commune", "department", "department"],
                                            "parent_code": ["48", "48", "49", "49"]})])
    me = access.Identity(access.SIGNED_IN, "u@x.vn")
    merged = access.resolve(me, roles.RoleRow("u@x.vn", "unit", "SGTVT"), units, LINEAGE)
    assert merged.may_see_detail("SXD"), "a merged department's account sees its successor"
    assert not merged.may_see_detail("STP")
    new = access.resolve(me, roles.RoleRow("u@x.vn", "unit", "N1"), units, LINEAGE)
    assert new.may_see_detail("502") and new.may_see_detail("503"), "its predecessors' history"
    assert not new.may_see_detail("N2"), "not its predecessors' other successors"
    assert not new.may_see_detail("20335"), "nor the predecessors' old communes"
    old = access.resolve(me, roles.RoleRow("u@x.vn", "unit", "502"), units, LINEAGE)
    assert {"N1", "N2", "20335"} <= set(old.detail_units or ())
    assert access.unit_scope("STP", units, LINEAGE) == {"STP"}


def test_resolve_roles():
    me = access.Identity(access.SIGNED_IN, "u@x.vn")
    assert access.resolve(access.Identity(access.DEMO), None, UNITS).sees_all
    for role in ("leader", "office"):
        acc = access.resolve(me, roles.RoleRow("u@x.vn", role), UNITS)
        assert acc.sees_all and acc.may_see_detail("503")
    unit = access.resolve(me, roles.RoleRow("u@x.vn", "unit", "502"), UNITS)
    assert not unit.sees_all and unit.allowed
    assert unit.may_see_detail("502") and unit.may_see_detail("20338")
    assert not unit.may_see_detail("503") and not unit.may_see_detail("20401")
    assert not unit.may_see_detail("' OR 1=1 --")
    nobody = access.resolve(me, None, UNITS)
    assert not nobody.allowed and not nobody.may_see_detail("502")
    assert not access.resolve(me, roles.RoleRow("u@x.vn", "admin"), UNITS).allowed
    assert not access.NO_ACCESS.may_see_detail("502"), "fails closed"


def test_filter_detail_after_the_cache():
    df = pd.DataFrame({"unit_code": ["502", "503", "20335"], "x": [1, 2, 3]})
    me = access.Identity(access.SIGNED_IN, "u@x.vn")
    unit = access.resolve(me, roles.RoleRow("u@x.vn", "unit", "502"), UNITS)
    assert access.filter_detail(df, unit)["unit_code"].tolist() == ["502", "20335"]
    assert access.filter_detail(df, access.DEMO_ACCESS) is df
    assert access.filter_detail(df.drop(columns="unit_code"), unit).empty, "fails closed"


def test_auth_configuration_and_test_hook():
    assert not access.auth_configured(None)
    assert not access.auth_configured({"database": {"url": "x"}})
    assert not access.auth_configured({"auth": {}})
    assert access.auth_configured({"auth": {"redirect_uri": "https://x/oauth2callback"}})
    assert access.hook_enabled({"REFORM_TEST_AUTH": "1"})
    assert not access.hook_enabled({})
    assert not access.hook_enabled({"REFORM_TEST_AUTH": "true"}), "only the exact value 1"


# --- the dashboard's connection cannot write ------------------------------------------------------

WRITES = [
    "INSERT INTO user_role (email, role) VALUES ('evil@x.vn', 'leader')",
    "UPDATE unit SET name = 'x'",
    "DELETE FROM unit",
    "DELETE FROM methodology",
    "DROP TABLE dossier",
    "CREATE TABLE evil (x INTEGER)",
]


# Every other way a connection can write, per backend (found by an outside attack: ATTACH of the
# same file with mode=rw wrote through a mode=ro connection).
SQLITE_WRITES = [
    "CREATE TEMP TABLE evil (x INTEGER)",
    "CREATE TEMP VIEW evil AS SELECT 1",
    "ATTACH 'file:{path}?mode=rw' AS rw",
    "ATTACH ':memory:' AS mem",
    "PRAGMA query_only = 0",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA writable_schema = 1",
    "VACUUM INTO '{copy}'",
    "VACUUM",
    "REINDEX",
    "ANALYZE",
    "ALTER TABLE unit ADD COLUMN evil INTEGER",
    "CREATE INDEX evil ON unit (name)",
    "CREATE VIEW evil AS SELECT 1",
    "DROP INDEX IF EXISTS ix_score_week_level",
]
PG_WRITES = [
    "CREATE TEMP TABLE evil (x INTEGER)",
    "CREATE VIEW evil AS SELECT 1",
    "ALTER TABLE unit ADD COLUMN evil INTEGER",
]
# Large objects can be created even in a read-only transaction: only the role's rights stop them
# (scripts/create_readonly_role.sql revokes the functions), so they are tried with the role alone.
PG_ROLE_WRITES = [
    *PG_WRITES,
    "SELECT lo_create(0)",
    "SELECT lo_from_bytea(0, 'x'::bytea)",
]


def _sqlite_writes(engine: Engine, tmp: Path) -> list[str]:
    path = Path(engine.url.database).resolve()
    return [w.format(path=path, copy=tmp / "copy.db") for w in SQLITE_WRITES]


def _user_version(engine: Engine) -> int | None:
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as c:
        return c.execute(text("PRAGMA user_version")).scalar()


def test_dashboard_connection_is_read_only(engine: Engine, tmp_path: Path):
    from ui import data

    before = table_counts(engine)
    version = _user_version(engine)
    assert before["unit"] > 0 and before["methodology"] > 0
    ro = data.engine_for.__wrapped__(_url(engine))  # the app's own factory, without the cache
    extra = _sqlite_writes(engine, tmp_path) if engine.dialect.name == "sqlite" else PG_WRITES
    try:
        for sql in WRITES + extra:
            with pytest.raises(SQLAlchemyError), ro.begin() as c:
                c.execute(text(sql))
                # ATTACH then write through the attached copy: must fail at the ATTACH already
                if sql.startswith("ATTACH 'file:"):
                    c.execute(text("INSERT INTO rw.user_role (email, role) VALUES ('e@x.vn', 'leader')"))
        assert not (tmp_path / "copy.db").exists() or (tmp_path / "copy.db").stat().st_size == 0
        with ro.connect() as c:  # the read-only settings survive every attempt
            if engine.dialect.name == "sqlite":
                assert c.execute(text("PRAGMA query_only")).scalar() == 1
                assert c.execute(text("PRAGMA database_list")).fetchall()[-1][1] in ("main", "temp")
            else:
                assert c.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
        with ro.connect() as c:  # reading works
            assert c.execute(select(func.count()).select_from(s.unit)).scalar_one() == before["unit"]
            assert c.execute(text("SELECT name FROM unit ORDER BY code")).fetchall()
    finally:
        ro.dispose()
    assert table_counts(engine) == before
    assert _user_version(engine) == version


def _script_statements(role: str, schema: str, database: str, password: str) -> list[str]:
    sql = (ROOT / "scripts" / "create_readonly_role.sql").read_text(encoding="utf-8")
    sql = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    sql = (sql.replace("reform_reader", role).replace("SCHEMA public", f'SCHEMA "{schema}"')
              .replace("DATABASE reform", f'DATABASE "{database}"').replace("CHANGE_ME", password))  # fmt: skip
    return [st.strip() for st in sql.split(";") if st.strip()]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_readonly_role_script(engine: Engine):
    """The role from scripts/create_readonly_role.sql reads, and cannot write even after
    switching default_transaction_read_only off (the grants are what protects the data)."""
    url = make_url(_url(engine))
    schema = re.search(r"search_path=(\w+)", _url(engine).replace("%3D", "=")).group(1)
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        los = c.execute(text("SELECT count(*) FROM pg_largeobject_metadata")).scalar()
    try:
        with admin.connect() as c:
            for st in _script_statements(role, schema, url.database, "s3cret-test"):
                c.execute(text(st))
        before = table_counts(engine)
        reader = create_engine(url.set(username=role, password="s3cret-test"))
        try:
            with reader.connect() as c:
                assert c.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
                assert c.execute(text("SHOW statement_timeout")).scalar() == "1min"
                assert c.execute(select(func.count()).select_from(s.unit)).scalar_one() > 0
            for sql in WRITES + PG_ROLE_WRITES:
                with pytest.raises(SQLAlchemyError), reader.begin() as c:
                    c.execute(text("SET default_transaction_read_only = off"))
                    c.execute(text("SET transaction_read_only = off"))
                    c.execute(text(sql))
        finally:
            reader.dispose()
        # the dashboard's own engine, logged in as the role: reads, with its own time limit
        app = get_engine(url.set(username=role, password="s3cret-test").render_as_string(
            hide_password=False), read_only=True)
        try:
            with app.connect() as c:
                assert c.execute(select(func.count()).select_from(s.unit)).scalar_one() > 0
                assert c.execute(text("SHOW statement_timeout")).scalar() == "1min"
                assert c.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
        finally:
            app.dispose()
        assert table_counts(engine) == before
        with admin.connect() as c:
            assert c.execute(text("SELECT count(*) FROM pg_largeobject_metadata")).scalar() == los
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP OWNED BY "{role}"'))
            c.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
