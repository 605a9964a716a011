"""The fixtures of the rectification tests: the service's application on the
in-memory event log (``tests.rectification.harnessed``), on a simulated clock; and,
for the API modules, the service on the session's broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.rectification.bootstrap import DEFINITION
from shared.clock import SimulatedClock
from shared.kernel.harness import harness
from shared.settings import Settings
from tests.rectification.broker import start_service
from tests.rectification.harnessed import NOW, Harness


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW)


@pytest.fixture
def h(settings: Settings, clock: SimulatedClock) -> Harness:
    return harness(DEFINITION, settings, clock)


@pytest.fixture(scope="module")
def client(broker_settings: Settings) -> Iterator[TestClient]:
    """The service on the broker, one for a test module: it is stopped before the next
    module starts its own, so two never share the consumer group."""
    service = start_service(broker_settings, SimulatedClock(NOW))
    try:
        yield service
    finally:
        service.__exit__(None, None, None)
