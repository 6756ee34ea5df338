"""Settings of one simulator instance; each [UNCONFIRMED] behaviour of the reference is a knob."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Version header values the live API answered with 200 (reference §1.1, OBS-VER).
DEFAULT_VERSIONS: tuple[str, ...] = ("2021-07-28", "2021-04-15", "2023-02-21", "v3")


@dataclass
class GhlSimulatorConfig:
    """How the simulator behaves. Defaults follow the real API (reference ghl-api.md)."""

    seed: int = 1
    base_url: str = "http://127.0.0.1:8101"
    # Rate limits per app per location (reference §8).
    rate_limit_burst: int = 100
    rate_limit_window_ms: int = 10_000
    rate_limit_daily: int = 200_000
    accepted_versions: tuple[str, ...] = DEFAULT_VERSIONS
    # OAuth lifetimes (reference §10.2): access tokens live one day, codes are short-lived.
    access_token_ttl_s: int = 86_399
    auth_code_ttl_s: int = 600
    # Contacts (reference §2.3, §2.11).
    allow_duplicate_contact: bool = False
    duplicate_priority: tuple[str, ...] = ("email", "phone")
    lowercase_tags: bool = True
    # Webhooks (reference §9). GHL retries only on 429, every 10 min + jitter, at most 6 times.
    webhook_max_retries: int = 6
    webhook_retry_delay_s: float = 600.0
    webhook_retry_jitter_s: float = 60.0
    webhook_timeout_s: float = 10.0
    sign_legacy_rsa: bool = True
    app_id: str = "6578278e879ad2646715ba9c"
    version_id: str = "6578278e879ad2646715ba9c"
    # Optional httpx2 transport for webhook delivery (e.g. an ASGITransport into another app).
    webhook_transport: Any = None
    # Keys in PEM; generated when absent (the real GHL private keys are, of course, unknown).
    ed25519_private_pem: bytes | None = None
    rsa_private_pem: bytes | None = None
    rsa_key_size: int = 4096
    extra: dict[str, Any] = field(default_factory=dict)
