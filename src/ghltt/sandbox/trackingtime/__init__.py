"""A faithful simulator of the TrackingTime API v4 (``api.trackingtime.co/api/v4``).

Written from the public API reference only (never from our client's models). Start with::

    sim = TrackingTimeSimulator(clock=FixedClock(...))
    client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sim.app),
                                base_url="https://api.trackingtime.co")
"""

from ghltt.sandbox.trackingtime.config import DEFAULT_WEBHOOK_EVENTS, SimulatorConfig
from ghltt.sandbox.trackingtime.delivery import Delivery, sign
from ghltt.sandbox.trackingtime.faults import FaultConfig
from ghltt.sandbox.trackingtime.instance import SignUp, SimulatorError
from ghltt.sandbox.trackingtime.seed import SAMPLE_ACCOUNT_ID, SECOND_ACCOUNT_ID, SeededUser
from ghltt.sandbox.trackingtime.simulator import TrackingTimeSimulator

__all__ = [
    "DEFAULT_WEBHOOK_EVENTS",
    "SAMPLE_ACCOUNT_ID",
    "SECOND_ACCOUNT_ID",
    "Delivery",
    "FaultConfig",
    "SeededUser",
    "SignUp",
    "SimulatorConfig",
    "SimulatorError",
    "TrackingTimeSimulator",
    "sign",
]
