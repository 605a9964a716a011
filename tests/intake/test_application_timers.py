"""The deadline watcher, without a broker: one pass on a simulated clock escalates a
late tip once per stage; administrators run a pass on demand; the interval comes from
``INTAKE_TICK_SECONDS``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.intake.application.deadlines import DuePass, run_now
from services.intake.application.triage import accept_tip
from services.intake.bootstrap import DEFINITION
from shared.actors import Role
from shared.errors import Forbidden
from shared.settings import Settings

from .fakes import Desk, actor


async def test_a_late_tip_is_escalated_once_per_stage(desk: Desk) -> None:
    tip_id = await desk.tip()
    state = desk.app.store.state("tip", tip_id)
    assert state.triage_due_at is not None
    first = await desk.h.run_timer("deadlines")
    assert first == DuePass(0, 0, desk.clock.now())  # nothing due yet
    desk.clock.set(state.triage_due_at + timedelta(seconds=1))
    passed = await desk.h.run_timer("deadlines")
    assert isinstance(passed, DuePass) and passed.escalated == 1
    escalated = desk.last("TipEscalated")
    assert escalated["stage"] == "triage" and escalated["tip_id"] == tip_id
    assert escalated["from_region_code"] == "360102" and escalated["to_region_code"] == "360100"
    assert desk.events("TipEscalated")[0].actor == "system:intake-deadlines:"
    desk.clock.advance(timedelta(days=30))
    assert (await desk.h.run_timer("deadlines")) == DuePass(0, 0, desk.clock.now())
    # Accepted late, the tip has a verification deadline of its own: a second stage.
    await accept_tip(desk.app, actor(Role.intake_officer, "360100"), tip_id)
    verification_due = desk.app.store.state("tip", tip_id).verification_due_at
    desk.clock.set(verification_due + timedelta(seconds=1))
    assert (await desk.h.run_timer("deadlines")) == DuePass(1, 0, desk.clock.now())
    assert desk.last("TipEscalated")["stage"] == "verification"
    assert desk.types().count("TipEscalated") == 2


async def test_an_administrator_runs_a_pass_now(desk: Desk) -> None:
    tip_id = await desk.tip()
    with pytest.raises(Forbidden):
        await run_now(desk.app, actor(Role.intake_officer, "360000"))
    desk.clock.advance(timedelta(days=365))
    done = await run_now(desk.app, actor(Role.admin, "360000"))
    assert done.escalated == 1 and done.at == desk.clock.now()
    assert desk.last("TipEscalated")["tip_id"] == tip_id


def test_the_interval_is_intake_tick_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    (timer,) = DEFINITION.timers
    assert timer.name == "deadlines" and timer.interval(Settings()) == 5.0
    monkeypatch.setenv("INTAKE_TICK_SECONDS", "0.5")
    assert timer.interval(Settings()) == 0.5
    assert timer.wait_first
