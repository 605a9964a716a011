"""The broker-free fixtures of the rectification tests: the service's application on
the in-memory event log (``tests.rectification.harnessed``), on a simulated clock."""

from __future__ import annotations

import pytest

from services.rectification.bootstrap import DEFINITION
from shared.clock import SimulatedClock
from shared.kernel.harness import harness
from shared.settings import Settings
from tests.rectification.harnessed import NOW, Harness


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(NOW)


@pytest.fixture
def h(settings: Settings, clock: SimulatedClock) -> Harness:
    return harness(DEFINITION, settings, clock)
