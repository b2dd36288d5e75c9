from helpers.reference import REFERENCE_LEVELS, REFERENCE_UNITS
from sqlalchemy import func, select

from data_access import schema
from data_access.db import has_schema, init_db


def test_init_creates_schema_and_defaults(engine):
    assert has_schema(engine)
    with engine.connect() as c:
        n_units = c.execute(select(func.count()).select_from(schema.unit)).scalar_one()
        levels = dict(
            c.execute(
                select(schema.unit.c.level, func.count()).group_by(schema.unit.c.level)
            ).all()
        )
        n_components = c.execute(select(func.count()).select_from(schema.methodology)).scalar_one()
        total_max = c.execute(select(func.sum(schema.methodology.c.max_points))).scalar_one()
    assert levels == REFERENCE_LEVELS
    assert n_units == REFERENCE_UNITS
    assert n_components == 20
    assert total_max == 18 + 20 + 12 + 10 + 18 + 22 == 100  # the six groups' maxima


def test_init_is_idempotent(engine):
    init_db(engine)
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(schema.unit)).scalar_one() == REFERENCE_UNITS


def test_no_personal_data_columns():
    personal = {"name", "id_number", "phone", "email", "address", "applicant", "cccd", "cmnd"}
    for table in (schema.dossier, schema.feedback):
        assert not personal & {c.name for c in table.columns}
