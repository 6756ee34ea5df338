"""``TrackingTimeInstance``: state, config, clock, faults and logs of one simulated TrackingTime,
plus its controls. The app and admin routes work on it; ``simulator`` adds the ASGI app."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2

from ghltt.core.clock import Clock, FixedClock, SystemClock
from ghltt.sandbox.trackingtime.config import SimulatorConfig
from ghltt.sandbox.trackingtime.delivery import Delivery, Dispatcher
from ghltt.sandbox.trackingtime.faults import FaultConfig, Faults
from ghltt.sandbox.trackingtime.requestlog import RequestLog
from ghltt.sandbox.trackingtime.seed import (
    SAMPLE_ACCOUNT_ID,
    SeededUser,
    make_user,
    secret,
    seed_sample,
)
from ghltt.sandbox.trackingtime.state import CO_WORKER, ROLES, Account, State


@dataclass(frozen=True)
class SignUp:
    """A simulated sign-up: the new user and the credentials a client can use for them."""

    user_id: int
    account_id: int
    email: str
    password: str
    app_password: str
    role: str


class SimulatorError(ValueError):
    """A bad argument to an admin operation."""


class TrackingTimeInstance:
    """One simulated TrackingTime, without its ASGI app.

    ``clock`` defaults to the system clock; pass ``FixedClock`` for deterministic tests.
    ``webhook_transport`` lets tests deliver webhooks in-process (e.g. an ``ASGITransport``).
    """

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        faults: FaultConfig | None = None,
        webhook_transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config or SimulatorConfig()
        self.clock: Clock = clock or SystemClock()
        self.faults = Faults(faults, seed=self.config.seed)
        self.lock = threading.RLock()
        self.requests = RequestLog()
        self.webhooks = Dispatcher(lambda: self.config, lambda: self.faults, webhook_transport)
        self.state = State()
        self.seeded: list[SeededUser] = []
        self._rate: dict[str, list[float]] = {}
        self.reset()

    # -- lifecycle ------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def reset(self, seed: int | None = None) -> None:
        """Fresh state (the sample account when enabled), empty logs, faults off."""
        with self.lock:
            if seed is not None:
                self.config.seed = seed
            self.state = State()
            self.seeded = []
            if self.config.seed_sample_account:
                self.seeded = seed_sample(self.state, self.now(), self.config.seed)
            self.faults = Faults(seed=self.config.seed)
            self.requests.clear()
            self.webhooks.clear()
            self._rate.clear()

    def set_clock(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise SimulatorError("the clock needs an aware datetime")
        with self.lock:
            if isinstance(self.clock, FixedClock):
                self.clock.set(when)
            else:
                self.clock = FixedClock(when)

    def advance_clock(self, seconds: float) -> datetime:
        with self.lock:
            self.set_clock(self.now() + timedelta(seconds=seconds))
            return self.now()

    # -- configuration and faults ------------------------------------------------------------------
    def configure(self, **changes: Any) -> SimulatorConfig:
        with self.lock:
            merged = self.config.model_dump() | changes
            self.config = SimulatorConfig.model_validate(merged)
            return self.config

    def set_faults(self, **changes: Any) -> FaultConfig:
        with self.lock:
            return self.faults.update(**changes)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    # -- accounts and users ----------------------------------------------------------------------
    @property
    def account_id(self) -> int:
        """The sample account's id."""
        return SAMPLE_ACCOUNT_ID

    def account(self, account_id: int | None = None) -> Account:
        found = self.state.accounts.get(account_id or SAMPLE_ACCOUNT_ID)
        if found is None:
            raise SimulatorError(f"no account {account_id}")
        return found

    def credentials(self) -> list[dict[str, Any]]:
        """The seeded users with their passwords and App Passwords."""
        return [asdict(u) | {"account_id": SAMPLE_ACCOUNT_ID} for u in self.seeded]

    def simulate_signup(
        self,
        email: str,
        *,
        name: str = "New",
        surname: str = "User",
        account_id: int | None = None,
        role: str = CO_WORKER,
        password: str | None = None,
    ) -> SignUp:
        """A person signs up and joins the account: they appear in ``/users`` as a new user."""
        if "@" not in email:
            raise SimulatorError("email must look like an email address")
        if role not in ROLES:
            raise SimulatorError(f"role must be one of {', '.join(ROLES)}")
        with self.lock:
            account = self.account(account_id)
            existing = self.state.user_by_email(email)
            if existing is not None and account.id in existing.memberships:
                raise SimulatorError(f"{email} is already a member of account {account.id}")
            rng = random.Random(f"{self.config.seed}:{email}")
            app_password = secret(rng, "ttapp_")
            user = make_user(
                self.state,
                account,
                name=name,
                surname=surname,
                email=email,
                role=role,
                now=self.now(),
                status="REGISTERED",
                password=password or secret(rng, "pw_", 12),
                app_password=app_password,
                rng=rng,
            )
            return SignUp(user.id, account.id, user.email, user.password or "", app_password, role)

    def add_app_password(self, user_id: int) -> str:
        """App Passwords are made in the web UI only; this stands in for that screen."""
        with self.lock:
            user = self.state.users.get(user_id)
            if user is None:
                raise SimulatorError(f"no user {user_id}")
            value = secret(random.Random(f"{user_id}:{len(user.app_passwords)}"), "ttapp_")
            user.app_passwords.append(value)
            return value

    def revoke_app_password(self, app_password: str) -> bool:
        with self.lock:
            for user in self.state.users.values():
                if app_password in user.app_passwords:
                    user.app_passwords.remove(app_password)
                    return True
            return False

    # -- inspection ------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return self.state.snapshot()

    def request_log(self, **filters: Any) -> list[dict[str, Any]]:
        return self.requests.as_dicts(**filters)

    def clear_requests(self) -> None:
        self.requests.clear()

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.webhooks.deliveries)

    async def drain_webhooks(self, within_s: float = 10.0) -> None:
        """Wait (at most ``within_s``) for the deliveries started on this event loop."""
        await self.webhooks.drain(within_s)

    def rate_limited(self, key: str) -> bool:
        """[INFERRED] API Guard: a sliding minute per credential, on the simulator's clock."""
        limit = self.config.rate_limit_per_minute
        if limit <= 0:
            return False
        now = self.now().timestamp()
        window = [t for t in self._rate.get(key, []) if now - t < 60]
        limited = len(window) >= limit
        if not limited:
            window.append(now)
        self._rate[key] = window
        return limited
