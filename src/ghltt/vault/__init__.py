"""The vault: credentials encrypted at rest, key rotation, connections, bridges and GHL OAuth.

Start with :func:`build_services` (settings + store engine → vault, connections, bridges,
OAuth flow). The engine gets clients with ``connections.ghl_client(id)`` /
``connections.tt_client(id)``; the webhook intake calls :func:`handle_install_event` and
:func:`handle_uninstall_event`, and verifies TT deliveries with ``bridges.webhook_tokens(id)``.
See docs/vault.md.
"""

from ghltt.vault.bridges import BridgeService, BridgeView
from ghltt.vault.connections import ConnectionService, Outcome
from ghltt.vault.crypto import Cipher
from ghltt.vault.errors import MissingScopes, VaultError
from ghltt.vault.failures import ConnectionFailed, Failure, FailureKind, classify
from ghltt.vault.install import handle_install_event, handle_uninstall_event
from ghltt.vault.keys import EnvKeySource, FileKeySource, Keyring, ensure_key_file, key_source
from ghltt.vault.oauth_flow import AuthorizeRequest, OAuthFlow
from ghltt.vault.records import ConnectionView
from ghltt.vault.remotes import Remotes
from ghltt.vault.rotation import RotationReport, rotate_key
from ghltt.vault.secrets import SecretRecord, Vault
from ghltt.vault.services import VaultServices, build_services, open_vault
from ghltt.vault.tokens import VaultOAuthAuth, VaultTokenStore

__all__ = [
    "AuthorizeRequest",
    "BridgeService",
    "BridgeView",
    "Cipher",
    "ConnectionFailed",
    "ConnectionService",
    "ConnectionView",
    "EnvKeySource",
    "Failure",
    "FailureKind",
    "FileKeySource",
    "Keyring",
    "MissingScopes",
    "OAuthFlow",
    "Outcome",
    "Remotes",
    "RotationReport",
    "SecretRecord",
    "Vault",
    "VaultError",
    "VaultOAuthAuth",
    "VaultServices",
    "VaultTokenStore",
    "build_services",
    "classify",
    "ensure_key_file",
    "handle_install_event",
    "handle_uninstall_event",
    "key_source",
    "open_vault",
    "rotate_key",
]
