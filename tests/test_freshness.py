"""When data counts as stale: the configured number of days (environment, secrets.toml, default),
the injectable "today", and the age at the boundary."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from data_access import freshness


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(freshness.STALE_ENV, raising=False)
    monkeypatch.delenv(freshness.TODAY_ENV, raising=False)


def test_stale_days_from_env_then_secrets_then_default(monkeypatch, tmp_path):
    secrets = tmp_path / "secrets.toml"
    assert freshness.stale_days(secrets) == 8, "no file, no variable: the default"
    secrets.write_text('[data]\nstale_days = 15\n', encoding="utf-8")
    assert freshness.stale_days(secrets) == 15
    monkeypatch.setenv(freshness.STALE_ENV, "3")
    assert freshness.stale_days(secrets) == 3, "the environment wins, as for the database URL"


@pytest.mark.parametrize("bad", ["", "abc", "-2", "7.5", " "])
def test_bad_values_fall_through(monkeypatch, tmp_path, bad):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[data]\nstale_days = "{bad}"\n', encoding="utf-8")
    monkeypatch.setenv(freshness.STALE_ENV, bad)
    assert freshness.stale_days(secrets) == 8, "a typo never hides the warning"
    secrets.write_text("[data\nbroken", encoding="utf-8")
    assert freshness.stale_days(secrets) == 8


def test_today_is_injectable(monkeypatch):
    assert freshness.today() == date.today()
    monkeypatch.setenv(freshness.TODAY_ENV, "2025-01-10")
    assert freshness.today() == date(2025, 1, 10)
    monkeypatch.setenv(freshness.TODAY_ENV, "not a day")
    assert freshness.today() == date.today()


def test_stale_age_boundary():
    until = date(2024, 12, 29)
    assert freshness.stale_age(until, date(2025, 1, 6), limit=8) is None, "8 days old: not yet"
    assert freshness.stale_age(until, date(2025, 1, 7), limit=8) == 9
    assert freshness.stale_age(datetime(2024, 12, 29, 10), date(2025, 1, 28), limit=8) == 30
    assert freshness.stale_age(None, date(2025, 1, 28), limit=8) is None, "no data: nothing to say"
    assert freshness.stale_age(until, date(2024, 12, 30), limit=0) == 1
