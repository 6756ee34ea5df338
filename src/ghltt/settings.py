"""Settings from the environment (``GHLTT_*``) and an optional TOML/env file, validated at start.

A bad value stops the program with one line naming the setting and what is wrong
(see :func:`load_settings`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ghltt.core.errors import InvalidInput
from ghltt.permissions import sqlite_files

LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["auto", "json", "console"]


class Settings(BaseSettings):
    """Everything ghltt reads from its environment. Names map to ``GHLTT_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="GHLTT_",
        env_file=os.environ.get("GHLTT_ENV_FILE", ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(default=Path("data"), description="Where SQLite files and keys live.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default: a SQLite file in the data directory.",
    )
    jobs_database_url: str | None = Field(
        default=None,
        description="URL of the durable-execution system database; default: beside the store "
        "(its own SQLite file, or the same PostgreSQL database).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL remote services call back."
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: LogLevel = "info"
    log_format: LogFormat = "auto"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    executor_id: str = Field(
        default="local", min_length=1, max_length=64, description="Stable id of this worker."
    )
    bridge_rate_limit: int | None = Field(
        default=None,
        ge=1,
        description="At most this many batch workflows started per bridge per rate period; "
        "unset, none (the remote APIs' own limits are kept by the clients' rate budgets, and a "
        "queue limit makes DBOS claim work in transactions that conflict between workers).",
    )
    bridge_rate_period: float = Field(default=1.0, gt=0)
    worker_concurrency: int = Field(default=16, ge=1, le=1000)
    run_batch_max: int = Field(
        default=25,
        ge=1,
        le=500,
        description="Most events one batch workflow carries (a record's events stay together).",
    )
    import_budget_share: float = Field(
        default=0.7,
        gt=0,
        le=1,
        description="Share of each rate budget (GHL per location, TT) an import may use; "
        "the rest is kept for real-time runs.",
    )
    import_page_size: int = Field(
        default=500,
        ge=1,
        le=500,
        description="Records an import reads, does and checkpoints at a time (GHL's contact "
        "search answers up to 500).",
    )
    run_max_attempts: int = Field(default=5, ge=1, le=50, description="Attempts per step.")
    run_retry_interval: float = Field(default=1.0, gt=0, description="First retry delay, s.")
    intake_batch_max: int = Field(default=512, ge=1, le=10000)
    intake_queue_max: int = Field(
        default=50_000, ge=1, description="Pending acknowledgements before intake answers 429."
    )
    bench_baseline: bool = Field(
        default=False, description="Mount a non-persisting twin of the intake, for benchmarks."
    )
    auto_migrate: bool = Field(
        default=False,
        description="Also upgrade an existing store's older schema when a command opens it "
        "(a new store is always set up; otherwise 'ghltt db upgrade' does it).",
    )
    retention_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="Days of history kept: older finished runs, processed events and workflow "
        "records are pruned every hour (0 keeps everything). Dead letters stay until replayed.",
    )
    plugins: list[str] = Field(
        default_factory=list,
        description="Python modules imported at start (extra actions, steps or routes).",
    )
    # The vault (see docs/vault.md). GHLTT_MASTER_KEY may hold several comma-separated keys
    # during a rotation: the first encrypts, all of them decrypt.
    master_key: SecretStr | None = Field(
        default=None, description="Master key(s) of the vault; default: the key file."
    )
    master_key_file: Path | None = Field(
        default=None, description="Key file of the vault; default: <data_dir>/master.key."
    )
    ghl_client_id: str | None = Field(default=None, description="GHL Marketplace app client id.")
    ghl_client_secret: SecretStr | None = Field(
        default=None, description="GHL Marketplace app client secret."
    )
    ghl_base_url: str = Field(
        default="https://services.leadconnectorhq.com", description="GHL API base URL."
    )
    ghl_authorize_url: str = Field(
        default="https://marketplace.gohighlevel.com/oauth/chooselocation",
        description="GHL OAuth authorize (choose location) page.",
    )
    tt_base_url: str = Field(
        default="https://api.trackingtime.co/api/v4", description="TrackingTime API base URL."
    )
    tt_rate_limit: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Requests per minute per TT account (TT publishes no quota: unthrottled).",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:port/db: share rate budgets between processes through Redis "
        "(default: through the store when it is PostgreSQL).",
    )
    dashboard_session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="Hours a dashboard login lasts."
    )
    oauth_state_ttl: float = Field(
        default=600.0, gt=0, le=86400, description="Seconds an OAuth state stays usable."
    )

    @field_validator("database_url", "jobs_database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme = urlsplit(value).scheme.split("+")[0]
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        if scheme == "postgres":
            value = "postgresql" + value[len("postgres") :]
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value or None

    @field_validator("public_url", "ghl_base_url", "ghl_authorize_url", "tt_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL, e.g. https://ghltt.example.com")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _defaults_in_data_dir(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'ghltt.sqlite'}"
        if self.master_key_file is None:
            self.master_key_file = self.data_dir / "master.key"
        if self.jobs_database_url is None:
            if self.database_url.startswith("sqlite"):
                self.jobs_database_url = f"sqlite:///{self.data_dir / 'jobs.sqlite'}"
            else:
                self.jobs_database_url = self.database_url
        return self

    @property
    def store_url(self) -> str:
        assert self.database_url is not None
        return self.database_url

    @property
    def jobs_url(self) -> str:
        assert self.jobs_database_url is not None
        return self.jobs_database_url

    @property
    def key_file(self) -> Path:
        assert self.master_key_file is not None
        return self.master_key_file

    @property
    def is_sqlite(self) -> bool:
        return self.store_url.startswith("sqlite")

    @property
    def private_paths(self) -> list[Path]:
        """What only ghltt's owner may read: the data directory, the SQLite databases (with
        their -wal and -shm files) and the vault's key file."""
        databases = filter(None, (sqlite_path(self.store_url), sqlite_path(self.jobs_url)))
        return [
            self.data_dir,
            *(path for database in databases for path in sqlite_files(database)),
            self.key_file,
        ]


def sqlite_path(url: str) -> Path | None:
    """The file of an ``sqlite:///<path>`` URL; None for PostgreSQL or an in-memory database."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///") :].split("?", 1)[0]
    return None if path in {"", ":memory:"} else Path(path)


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation failure into one readable line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"setting GHLTT_{name.upper()}: {err['msg']}")
        raise InvalidInput("; ".join(lines)) from None
