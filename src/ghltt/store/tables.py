"""The store's tables. Alembic migrations in ``migrations/`` create exactly these."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

Timestamp = sa.DateTime(timezone=True)

connections = sa.Table(
    "connections",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("system", sa.String(8), nullable=False),  # ghl | tt
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("auth_kind", sa.String(32), nullable=False),  # pit, api_key, oauth, app_password
    sa.Column(
        "vault_ref", sa.String(128), nullable=True
    ),  # where the secret lives; never the secret
    sa.Column("account_id", sa.String(100), nullable=True),  # GHL location / TT account
    sa.Column("status", sa.String(32), nullable=False, server_default="active"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    # Added by 0002 (vault): what the last check saw, never a secret.
    sa.Column("company_id", sa.String(100), nullable=True),  # GHL agency (company)
    sa.Column("parent_id", sa.String(64), nullable=True),  # agency connection of a location one
    sa.Column("identity", sa.String(300), nullable=True),  # who the credential acts as
    sa.Column("scopes", sa.JSON, nullable=True),  # granted scopes; None when not knowable
    sa.Column("status_detail", sa.Text, nullable=True),  # the last failure and what to do
    sa.Column("checked_at", Timestamp, nullable=True),
    sa.Index("ix_connections_system_account", "system", "account_id"),
)

bridges = sa.Table(
    "bridges",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False, server_default="sandbox"),
    sa.Column("ghl_connection_id", sa.ForeignKey("connections.id"), nullable=True),
    sa.Column("tt_connection_id", sa.ForeignKey("connections.id"), nullable=True),
    sa.Column("settings", sa.JSON, nullable=False, default=dict),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.UniqueConstraint("name"),  # added by 0002: bridges are named in the CLI
)

inbox_events = sa.Table(
    "inbox_events",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("bridge_id", sa.String(64), nullable=False),
    sa.Column("dedup_key", sa.String(255), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("object_type", sa.String(50), nullable=True),
    sa.Column("object_id", sa.String(100), nullable=True),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("occurred_at", Timestamp, nullable=False),
    sa.Column("received_at", Timestamp, nullable=False),
    # Unknown is SQL NULL (not JSON null), so "not said yet" is one condition on both databases.
    sa.Column("changed_fields", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
    # Outbox state: set once a durable run was enqueued for the event, then once it finished.
    sa.Column("dispatched_at", Timestamp, nullable=True),
    sa.Column("processed_at", Timestamp, nullable=True),
    sa.Column("outcome", sa.String(16), nullable=True),
    # The batch the dispatcher put the event in, fixed before the batch is enqueued.
    sa.Column("batch_id", sa.String(80), nullable=True, index=True),
    sa.UniqueConstraint("bridge_id", "dedup_key"),
    sa.Index("ix_inbox_events_undispatched", "dispatched_at", "received_at"),
    sa.Index("ix_inbox_events_bridge_id_source_object_id", "bridge_id", "source", "object_id"),
    sa.Index("ix_inbox_events_processed", "processed_at"),
    sa.Index("ix_inbox_events_bridge_id_received_at", "bridge_id", "received_at"),  # 0016
    sa.Index("ix_inbox_events_object_id", "object_id"),  # 0016: search by record id
    # 0017: whether an event about a record waits, whatever the record's history
    sa.Index(
        "ix_inbox_events_pending_object",
        "bridge_id",
        "source",
        "object_id",
        sqlite_where=sa.text("processed_at IS NULL"),
        postgresql_where=sa.text("processed_at IS NULL"),
    ),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("workflow_id", sa.String(200), nullable=False),
    sa.Column("event_id", sa.ForeignKey("inbox_events.id"), nullable=False, index=True),
    sa.Column("bridge_id", sa.String(64), nullable=False),
    sa.Column("recipe", sa.String(200), nullable=False),
    # queued (in a batch, not run yet), running, succeeded, failed; retried: failed in a
    # batch, retried in the event's own workflow
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
    # Added by 0013: the kind of a failed run's last error (credential, network, rejected...).
    sa.Column("error_class", sa.String(32), nullable=True),
    sa.UniqueConstraint("workflow_id", "event_id", "recipe"),
    sa.Index("ix_runs_status_started", "status", "started_at"),
    sa.Index("ix_runs_status_finished", "status", "finished_at"),
    sa.Index("ix_runs_started_at", "started_at"),
    sa.Index("ix_runs_bridge_id_started_at", "bridge_id", "started_at"),
    # 0016: the dashboard's lists by bridge and status, by recipe, and the live tail
    sa.Index("ix_runs_bridge_id_status_started_at", "bridge_id", "status", "started_at"),
    sa.Index("ix_runs_recipe_started_at", "recipe", "started_at"),
    sa.Index("ix_runs_finished_at", "finished_at"),
)

run_steps = sa.Table(
    "run_steps",
    metadata,
    sa.Column("run_id", sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),  # the function it called (jobs' Step)
    sa.Column("status", sa.String(16), nullable=False),  # succeeded, failed
    sa.Column("input", sa.JSON, nullable=True),
    sa.Column("output", sa.JSON, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
    sa.Column("finished_at", Timestamp, nullable=False),
    # The remote requests the step made, redacted (ghltt.observability.RemoteCalls).
    sa.Column("requests", sa.JSON, nullable=True),
)

record_links = sa.Table(
    "record_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("bridge_id", sa.String(64), nullable=False),
    sa.Column("ghl_type", sa.String(50), nullable=False),
    sa.Column("ghl_id", sa.String(100), nullable=False),
    sa.Column("tt_type", sa.String(50), nullable=False),
    sa.Column("tt_id", sa.String(100), nullable=False),
    # Fingerprints of the mapped fields each side held right after we synced it (echo detection).
    sa.Column("ghl_fingerprint", sa.String(64), nullable=True),
    sa.Column("tt_fingerprint", sa.String(64), nullable=True),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.UniqueConstraint("bridge_id", "ghl_type", "ghl_id", "tt_type"),
    sa.UniqueConstraint("bridge_id", "tt_type", "tt_id", "ghl_type"),
    # 0016: the dashboard finds a record's runs by either side's id, whatever the bridge
    sa.Index("ix_record_links_ghl_id", "ghl_id"),
    sa.Index("ix_record_links_tt_id", "tt_id"),
)

provenance = sa.Table(
    "provenance",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # NULL once retention pruned the run: the newest provenance of a field is kept.
    sa.Column("run_id", sa.ForeignKey("runs.id"), nullable=True, index=True),
    sa.Column("bridge_id", sa.String(64), nullable=False),
    sa.Column("target_system", sa.String(8), nullable=False),
    sa.Column("object_type", sa.String(50), nullable=False),
    sa.Column("object_id", sa.String(100), nullable=False),
    sa.Column("field", sa.String(200), nullable=False),
    sa.Column("source_system", sa.String(8), nullable=False),
    sa.Column("source_path", sa.String(500), nullable=False),
    sa.Column("value_hash", sa.String(64), nullable=False),  # a hash: values may be personal data
    sa.Column("written_at", Timestamp, nullable=False),
    sa.Index("ix_provenance_object", "bridge_id", "target_system", "object_type", "object_id"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("revoked_at", Timestamp, nullable=True),
)


# ---- vault (0002) ---------------------------------------------------------------------------

vault_secrets = sa.Table(
    "vault_secrets",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("purpose", sa.String(32), nullable=False),  # ghl.pit, ghl.oauth, tt.webhook…
    sa.Column("owner", sa.String(64), nullable=True),  # the connection or bridge it belongs to
    sa.Column("key_id", sa.String(32), nullable=False),  # which master key encrypted it
    # AES-256-GCM: 12-byte nonce then ciphertext and tag; the row's id and purpose are the AAD.
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Index("ix_vault_secrets_key_id", "key_id"),
)

vault_rotations = sa.Table(
    "vault_rotations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("target_key_id", sa.String(32), nullable=False),
    sa.Column("rewrapped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp, nullable=True),
)

leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("holder", sa.String(100), nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
)

oauth_states = sa.Table(
    "oauth_states",
    metadata,
    sa.Column("state_hash", sa.String(64), primary_key=True),  # sha256 of the state sent
    sa.Column("user_type", sa.String(16), nullable=False),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("redirect_uri", sa.String(500), nullable=False),
    sa.Column("label", sa.String(200), nullable=True),
    sa.Column("connection_id", sa.String(64), nullable=True),  # set when reconnecting
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
)

bridge_recipes = sa.Table(
    "bridge_recipes",
    metadata,
    sa.Column("bridge_id", sa.ForeignKey("bridges.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("recipe", sa.String(200), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("scopes", sa.JSON, nullable=False),  # GHL scopes its actions declare
    sa.Column("disabled_reason", sa.Text, nullable=True),
    sa.Column("updated_at", Timestamp, nullable=False),
    # The recipe_versions row the bridge runs; NULL: the template shipped with ghltt.
    sa.Column("version", sa.Integer, nullable=True),
)

recipe_versions = sa.Table(
    "recipe_versions",
    metadata,
    # Every text of a recipe file enabled on a bridge, numbered from 1 per (bridge, recipe).
    sa.Column("bridge_id", sa.ForeignKey("bridges.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("recipe", sa.String(200), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("source", sa.String(500), nullable=False),  # the file it was enabled from
    sa.Column("created_at", Timestamp, nullable=False),
)

bridge_webhooks = sa.Table(
    "bridge_webhooks",
    metadata,
    sa.Column("bridge_id", sa.ForeignKey("bridges.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("system", sa.String(8), primary_key=True),
    sa.Column("remote_id", sa.String(100), primary_key=True),
    sa.Column("url", sa.String(500), nullable=False),
    sa.Column("events", sa.JSON, nullable=False),
    sa.Column("secret_ref", sa.String(64), nullable=True),  # the verification token, in the vault
    sa.Column("created_at", Timestamp, nullable=False),
)

once_keys = sa.Table(
    "once_keys",
    metadata,
    # An automation step marked `once` runs at most once per key per bridge and recipe.
    sa.Column("bridge_id", sa.String(64), primary_key=True),
    sa.Column("recipe", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("run_id", sa.String(64), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

sync_cursors = sa.Table(
    "sync_cursors",
    metadata,
    # Where reconciliation left off, per bridge and stream (e.g. "tt.events", "ghl.contacts").
    sa.Column("bridge_id", sa.String(64), primary_key=True),
    sa.Column("stream", sa.String(100), primary_key=True),
    sa.Column("cursor", sa.JSON, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

record_snapshots = sa.Table(
    "record_snapshots",
    metadata,
    # The last state we saw of a remote record, so an event that does not say which fields
    # changed can be given the difference. Values are the mapped source fields only.
    sa.Column("bridge_id", sa.String(64), primary_key=True),
    sa.Column("system", sa.String(8), primary_key=True),
    sa.Column("object_type", sa.String(50), primary_key=True),
    sa.Column("object_id", sa.String(100), primary_key=True),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

rate_slots = sa.Table(
    "rate_slots",
    metadata,
    # One booked send to a remote's rate budget (e.g. "ghl:<location>"), shared by every process
    # of a deployment on PostgreSQL. ``at``: wall-clock seconds of the send, then the response.
    sa.Column("budget", sa.String(200), primary_key=True),
    sa.Column("token", sa.String(100), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("ix_rate_slots_budget_at", "budget", "at"),
)

rate_blocks = sa.Table(
    "rate_blocks",
    metadata,
    # After a 429: no process sends on the budget before ``until`` (wall-clock seconds).
    sa.Column("budget", sa.String(200), primary_key=True),
    sa.Column("until", sa.Float, nullable=False),
)

executors = sa.Table(
    "executors",
    metadata,
    # One row per executor process (added by 0013): readiness asks whether any is alive.
    sa.Column("id", sa.String(200), primary_key=True),  # executor id, host and pid
    sa.Column("executor_id", sa.String(100), nullable=False),  # GHLTT_EXECUTOR_ID
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("heartbeat_at", Timestamp, nullable=False, index=True),
)

imports = sa.Table(
    "imports",
    metadata,
    # One import of a sync recipe's existing records (a plan, a run, or a scheduled catch-up).
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("bridge_id", sa.String(64), nullable=False),
    sa.Column("recipe", sa.String(200), nullable=False),
    sa.Column("directions", sa.JSON, nullable=False),  # ["ghl_to_tt", "tt_to_ghl"]
    sa.Column("filters", sa.JSON, nullable=False),  # since, tags, query, limit
    sa.Column("plan_only", sa.Boolean, nullable=False),
    # pending | running | paused | cancelled | finished | failed
    sa.Column("status", sa.String(16), nullable=False),
    # The checkpoint, per direction: the source's cursor after the last page done, the
    # counts so far, whether the stream is exhausted. Written once per page.
    sa.Column("progress", sa.JSON, nullable=False),
    sa.Column("samples", sa.JSON, nullable=False),  # a plan's sample of writes
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Index("ix_imports_bridge_id_recipe", "bridge_id", "recipe"),
)

import_failures = sa.Table(
    "import_failures",
    metadata,
    # A record an import set aside (its writes failed, its match was ambiguous, its data does
    # not map), with the reason: the import's dead letters, each replayable alone.
    sa.Column("import_id", sa.String(64), primary_key=True),
    sa.Column("system", sa.String(8), primary_key=True),
    sa.Column("record_id", sa.String(100), primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("record", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # failed | ambiguous | invalid | replayed
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

dashboard_auth = sa.Table(
    "dashboard_auth",
    metadata,
    # Added by 0016: the dashboard's own password (one row), as a salted scrypt hash.
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)
