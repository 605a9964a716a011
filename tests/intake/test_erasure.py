"""Erasing a tipster: the erasure is published first and the keys shredded after, so
a crash between the two leaves a record and a key still to shred (which the next
watcher pass shreds), never a shredded key with no record."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.intake.application import IntakeApp
from shared.actors import Role
from shared.errors import Unavailable
from shared.settings import Settings
from shared.topics import INTAKE

from .conftest import Headers
from .helpers import World, events_of
from .test_api_tips import submit


def parts_of(intake: TestClient) -> IntakeApp:
    parts: IntakeApp = intake.app.state.application  # type: ignore[attr-defined]
    return parts


def test_a_crash_after_the_record_is_finished_by_the_watcher(
    intake: TestClient,
    world: World,
    as_role: Headers,
    broker_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parts = parts_of(intake)
    tip_id = submit(intake, world, contact={"phone": "13900002222"})["tip_id"]
    legal = as_role(Role.legal_office, "360102")

    def crash(tip: str) -> None:
        raise RuntimeError("the process died before shredding")

    # While the shredding keeps failing (the app's own watcher would fail the same way),
    # the erasure stays recorded and on the work list.
    with monkeypatch.context() as patched:
        patched.setattr(parts.privacy, "erase", crash)
        with pytest.raises(RuntimeError):
            intake.post(f"/tips/{tip_id}/contact/erase", json={"reason": "申请"}, headers=legal)
        events = events_of(broker_settings, INTAKE, tip_id)
        assert any(e.type.endswith("ContactErased.v1") for e in events)
        assert not parts.privacy.is_erased(tip_id)
        assert tip_id in parts.store.tips_to_erase.members()

    admin = as_role(Role.admin, "360000")
    assert intake.post("/admin/timers/run", headers=admin).status_code == 200  # the next pass
    assert parts.privacy.is_erased(tip_id)
    assert tip_id not in parts.store.tips_to_erase.members()
    read = intake.post(f"/tips/{tip_id}/contact/decrypt", json={"purpose": "回访"}, headers=legal)
    assert read.status_code == 409


def test_an_erasure_that_was_not_recorded_shreds_nothing(
    intake: TestClient, world: World, as_role: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = parts_of(intake)
    tip_id = submit(intake, world, contact={"phone": "13900003333"})["tip_id"]

    async def broker_down(*args: Any, **kwargs: Any) -> None:
        raise Unavailable("消息系统暂不可用", "the broker did not answer")

    with monkeypatch.context() as patched:
        patched.setattr(parts.store, "execute", broker_down)
        refused = intake.post(
            f"/tips/{tip_id}/contact/erase",
            json={"reason": "申请"},
            headers=as_role(Role.legal_office, "360102"),
        )
    assert refused.status_code == 503
    assert not parts.privacy.is_erased(tip_id)
    read = intake.post(
        f"/tips/{tip_id}/contact/decrypt",
        json={"purpose": "回访"},
        headers=as_role(Role.legal_office, "360102"),
    )
    assert read.status_code == 200 and read.json()["phone"] == "13900003333"
