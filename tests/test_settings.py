"""Settings are validated at start and a bad one is named in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ghltt.core import InvalidInput
from ghltt.settings import load_settings


def test_defaults_put_everything_in_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.store_url == f"sqlite:///{tmp_path / 'ghltt.sqlite'}"
    assert settings.jobs_url == f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    assert settings.is_sqlite


def test_postgres_shares_one_database_by_default(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, database_url="postgres://u@h/db")
    assert settings.store_url == "postgresql://u@h/db" == settings.jobs_url


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"port": 70000}, "GHLTT_PORT"),
        ({"database_url": "mysql://x"}, "GHLTT_DATABASE_URL"),
        ({"public_url": "ghltt.example.com"}, "GHLTT_PUBLIC_URL"),
        ({"log_level": "loud"}, "GHLTT_LOG_LEVEL"),
    ],
)
def test_a_bad_setting_is_named(overrides: dict[str, object], named: str) -> None:
    with pytest.raises(InvalidInput, match=named):
        load_settings(**overrides)


def test_the_cli_stops_with_one_line_naming_the_setting(tmp_path: Path) -> None:
    env = {"GHLTT_PORT": "eighty", "GHLTT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "ghltt", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "GHLTT_PORT" in lines[0] and "Traceback" not in result.stderr
