"""RPC-style action paths (``tasks/update/{id}``) and the per-request context handlers get."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from ghltt.sandbox.trackingtime.auth import Principal
from ghltt.sandbox.trackingtime.config import SimulatorConfig
from ghltt.sandbox.trackingtime.envelope import ForbiddenError, NotFoundError
from ghltt.sandbox.trackingtime.params import Params
from ghltt.sandbox.trackingtime.render import View
from ghltt.sandbox.trackingtime.state import ADMIN, Account, State

MANAGER_ROLES = frozenset({ADMIN, "PROJECT_MANAGER", "MANAGER"})

R = TypeVar("R")


@dataclass
class Reply:
    """What a handler returns when the plain ``data`` is not enough."""

    data: Any = None
    siblings: dict[str, Any] | None = None
    # Answered as-is, without the envelope (e.g. zapier/createInput).
    bare: Any = None
    text: str | None = None
    media_type: str = "application/json"


@dataclass(frozen=True)
class Emission:
    event: str
    account_id: int
    data: dict[str, Any]


class Ctx(View):
    """One request: the view plus parameters, path arguments and webhook emissions."""

    def __init__(
        self,
        state: State,
        account: Account,
        principal: Principal,
        now: datetime,
        config: SimulatorConfig,
        params: Params,
        args: dict[str, str],
        method: str,
    ) -> None:
        super().__init__(state, account, principal.user, now, config)
        self.principal = principal
        self.params = params
        self.args = args
        self.method = method
        self.emissions: list[Emission] = []

    @property
    def role(self) -> str:
        return self.viewer.memberships[self.account.id].role

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES

    def arg(self, name: str = "id") -> int:
        return int(self.args[name])

    def require_manager(self) -> None:
        if not self.is_manager:
            raise ForbiddenError()

    def require_admin(self) -> None:
        if self.role != ADMIN:
            raise ForbiddenError()

    def find(self, table: dict[int, R], key: int | None) -> R:
        """A record of this account, or an in-band 404."""
        record = table.get(key) if key is not None else None
        if record is None or getattr(record, "account_id", self.account.id) != self.account.id:
            raise NotFoundError(self.config.not_found_message)
        if getattr(record, "is_deleted", False):
            raise NotFoundError(self.config.not_found_message)
        return record

    def changed(self, record: Any = None) -> None:
        if record is not None and hasattr(record, "updated_at"):
            record.updated_at = self.now
        self.invalidate()

    def emit(self, event: str, data: dict[str, Any]) -> None:
        self.emissions.append(Emission(event, self.account.id, data))


Handler = Callable[[Ctx], Any]


@dataclass(frozen=True)
class Route:
    path: str
    regex: re.Pattern[str]
    handler: Handler
    allow_delete: bool
    html_on_post: bool


@dataclass
class Router:
    routes: list[Route] = field(default_factory=list)

    def add(
        self, path: str, *, delete: bool = False, html_on_post: bool = False
    ) -> Callable[[Handler], Handler]:
        """Register ``path``; ``{name}`` matches an integer id."""
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>-?\\d+)", path.strip("/")) + "/?$")

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(path, regex, handler, delete, html_on_post))
            return handler

        return register

    def include(self, other: Router) -> None:
        self.routes.extend(other.routes)

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.regex.match(path)
            if found:
                return route, found.groupdict()
        return None
