"""Webhook signing keys: Ed25519 (``x-ghl-signature``) and RSA (legacy ``x-wh-signature``)."""

from __future__ import annotations

import base64
import random
import threading

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

_RSA_CACHE: dict[int, rsa.RSAPrivateKey] = {}
_RSA_LOCK = threading.Lock()


def _cached_rsa(size: int) -> rsa.RSAPrivateKey:
    # A 4096-bit key takes about a second to make; one per process keeps test suites fast.
    with _RSA_LOCK:
        if size not in _RSA_CACHE:
            _RSA_CACHE[size] = rsa.generate_private_key(public_exponent=65537, key_size=size)
        return _RSA_CACHE[size]


def _pem_public(key: ed25519.Ed25519PublicKey | rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


class WebhookKeys:
    """The simulator's own key pairs; clients take the public keys as configuration."""

    def __init__(
        self,
        *,
        seed: int,
        ed25519_private_pem: bytes | None = None,
        rsa_private_pem: bytes | None = None,
        rsa_key_size: int = 4096,
    ) -> None:
        if ed25519_private_pem:
            loaded = serialization.load_pem_private_key(ed25519_private_pem, password=None)
            if not isinstance(loaded, ed25519.Ed25519PrivateKey):
                raise ValueError("ed25519_private_pem is not an Ed25519 private key")
            self._ed = loaded
        else:
            # Derived from the seed so a given seed always has the same public key.
            raw = random.Random(f"ghl-ed25519-{seed}").randbytes(32)
            self._ed = ed25519.Ed25519PrivateKey.from_private_bytes(raw)
        if rsa_private_pem:
            loaded_rsa = serialization.load_pem_private_key(rsa_private_pem, password=None)
            if not isinstance(loaded_rsa, rsa.RSAPrivateKey):
                raise ValueError("rsa_private_pem is not an RSA private key")
            self._rsa = loaded_rsa
        else:
            self._rsa = _cached_rsa(rsa_key_size)
        self.ed25519_public_pem = _pem_public(self._ed.public_key())
        self.rsa_public_pem = _pem_public(self._rsa.public_key())

    def sign_ed25519(self, body: bytes) -> str:
        return base64.b64encode(self._ed.sign(body)).decode()

    def sign_rsa(self, body: bytes) -> str:
        signature = self._rsa.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()
