"""The three ways to authenticate to TrackingTime. Secrets never appear in a repr or str."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

__all__ = ["AppPassword", "BearerToken", "Credentials", "EmailPassword"]


def _basic(username: str, password: str) -> str:
    raw = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True, repr=False)
class AppPassword:
    """An App Password: Basic ``API_TOKEN:<password>`` (TT ignores the username half)."""

    password: str
    username: str = "API_TOKEN"

    def authorization(self) -> str:
        return _basic(self.username, self.password)

    def secrets(self) -> tuple[str, ...]:
        return (self.password, self.authorization().split(" ", 1)[1])

    def __repr__(self) -> str:
        return f"AppPassword(username={self.username!r}, password='***')"


@dataclass(frozen=True, repr=False)
class EmailPassword:
    """A user's own email and password, as Basic auth."""

    email: str
    password: str = field(repr=False)

    def authorization(self) -> str:
        return _basic(self.email, self.password)

    def secrets(self) -> tuple[str, ...]:
        return (self.password, self.authorization().split(" ", 1)[1])

    def __repr__(self) -> str:
        return f"EmailPassword(email={self.email!r}, password='***')"


@dataclass(frozen=True, repr=False)
class BearerToken:
    """A bearer token TrackingTime issued on request."""

    token: str

    def authorization(self) -> str:
        return f"Bearer {self.token}"

    def secrets(self) -> tuple[str, ...]:
        return (self.token,)

    def __repr__(self) -> str:
        return "BearerToken(token='***')"


Credentials = AppPassword | EmailPassword | BearerToken
