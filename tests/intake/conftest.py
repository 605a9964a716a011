"""Intake fixtures: one service per test module on the session's broker, a fresh
campaign and agencies published before it starts, tokens minted on its clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from services.intake.bootstrap import build_app
from shared.actors import Role
from shared.auth import mint_token
from shared.clock import SimulatedClock
from shared.settings import Settings

from .fakes import Desk
from .helpers import START, World, publish_world

Headers = Callable[..., dict[str, str]]


@pytest.fixture(scope="module")
def world(broker_settings: Settings) -> World:
    return publish_world(broker_settings)


@pytest.fixture(scope="module")
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture(scope="module")
def intake(broker_settings: Settings, world: World, clock: SimulatedClock) -> Iterator[TestClient]:
    # These tests submit many tips from one test client; the limit itself is tested
    # in test_rate_limits.py. Failed lookups get a day's window, so that no run
    # straddles the end of one (the sliding window weighs the previous one in).
    settings = broker_settings.model_copy(
        update={"intake_tip_limit": "100000/day", "intake_lookup_failure_limit": "5/day"}
    )
    client = TestClient(build_app(settings, clock))
    with client:
        yield client


@pytest.fixture(scope="module")
def as_role(clock: SimulatedClock) -> Headers:
    """``as_role(Role.intake_officer, "360102")`` -> bearer header valid on the app's clock."""

    def header(role: Role, region: str, organisation: str = "") -> dict[str, str]:
        token = mint_token(
            Settings(),
            clock,
            subject=f"{role.value}@{region}",
            role=role,
            organisation=organisation or f"lo-{region}",
            region_code=region,
        )
        return {"Authorization": f"Bearer {token}"}

    return header


@pytest.fixture
async def desk(settings: Settings) -> Desk:
    """Intake on the in-memory event log (no broker), the world's directory delivered."""
    return await Desk.open(settings.model_copy(update={"intake_tip_limit": "1000/hour"}))
