"""Fixtures of the evaluation tests that run the application without a broker."""

from __future__ import annotations

import pytest

from shared.clock import ControlledClock
from shared.settings import Settings
from tests.evaluation.steps import Harness, evaluation_harness


@pytest.fixture
def harnessed(settings: Settings) -> tuple[Harness, ControlledClock]:
    return evaluation_harness(settings)


@pytest.fixture
def h(harnessed: tuple[Harness, ControlledClock]) -> Harness:
    return harnessed[0]
