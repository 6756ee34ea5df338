"""The vault: credentials only. Master key and rotation, encrypted secrets, connections (add,
check, rotate, revoke), GHL OAuth tokens with single-flight refresh, scopes, and the GHL
Marketplace install/uninstall events that create and retire OAuth connections.

It builds no API client: a check is made through the ``ClientFactory`` it is handed (``ghltt.
bridges.Remotes``), and bridges hand it their own clean-up as a revoke hook. See docs/vault.md.
"""

from ghltt.store.connections import ConnectionView
from ghltt.vault.clients import ClientFactory
from ghltt.vault.connections import ConnectionService, Outcome
from ghltt.vault.crypto import Cipher
from ghltt.vault.errors import MissingScopes, VaultError
from ghltt.vault.failures import ConnectionFailed, Failure, FailureKind, classify
from ghltt.vault.install import handle_install_event, handle_uninstall_event
from ghltt.vault.keys import EnvKeySource, FileKeySource, Keyring, ensure_key_file, key_source
from ghltt.vault.kinds import GHL, TT
from ghltt.vault.oauth_flow import CALLBACK_PATH, AuthorizeRequest, OAuthFlow
from ghltt.vault.rotation import RotationReport, rotate_key
from ghltt.vault.secrets import SecretRecord, Vault, open_vault
from ghltt.vault.tokens import VaultOAuthAuth, VaultTokenStore

__all__ = [
    "CALLBACK_PATH",
    "GHL",
    "TT",
    "AuthorizeRequest",
    "Cipher",
    "ClientFactory",
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
    "RotationReport",
    "SecretRecord",
    "Vault",
    "VaultError",
    "VaultOAuthAuth",
    "VaultTokenStore",
    "classify",
    "ensure_key_file",
    "handle_install_event",
    "handle_uninstall_event",
    "key_source",
    "open_vault",
    "rotate_key",
]
