"""POST /draws/verify is open to anyone: its body and its pool are capped, and the
recomputation runs in a worker process, so the service answers other requests while a
large verification runs. The app here is the real router with the platform's error
handling; the route needs no broker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.evaluation.api import draws
from services.evaluation.application import verifier
from services.evaluation.domain.draw import PoolDocument, draw
from shared.clock import SystemClock
from shared.events.evaluation import PoolEntry
from shared.http import create_api
from shared.settings import Settings
from tests.evaluation.factories import pool_of

RANDOMNESS = "2017-02-05 福彩 035: 3 8 1"


def _app() -> FastAPI:
    app = create_api("evaluation", Settings(), SystemClock())
    app.include_router(draws.router)

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "ok"}

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://evaluation") as client:
        yield client


def _large_pool(entities: int, agencies: int = 10) -> PoolDocument:
    ids = [f"ag-{i:02d}" for i in range(agencies)]
    return PoolDocument(
        agency_ids=tuple(ids),
        representatives=30,
        reserve_size=10,
        entities=tuple(
            PoolEntry(entity_id=f"ent-{i:06d}", agency_ids=(ids[i % agencies],))
            for i in range(entities)
        ),
    )


def _body(pool: PoolDocument, **extra: Any) -> dict[str, Any]:
    return {"pool": pool.model_dump(mode="json"), "randomness": RANDOMNESS, **extra}


def _refusal(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["message_zh"] and detail["message_en"]
    return detail


async def test_a_small_pool_is_verified_against_the_expected_draw(
    client: httpx.AsyncClient,
) -> None:
    pool = pool_of({"ag-a": 40, "ag-b": 25}, shared=5)
    expected = draw(pool, RANDOMNESS).model_dump(mode="json")
    answer = await client.post("/draws/verify", json=_body(pool, expected=expected))
    assert answer.status_code == 200, answer.text
    assert answer.json()["matches"] is True
    other = await client.post(
        "/draws/verify", json={**_body(pool, expected=expected), "randomness": "7"}
    )
    assert other.json()["matches"] is False
    assert other.json()["first_difference"].startswith("seed")


async def test_a_body_over_the_limit_is_refused_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    oversized = b'{"pool": ' + b" " * draws.MAX_VERIFY_BODY_BYTES + b"}"
    refused = _refusal(await client.post("/draws/verify", content=oversized), 413)
    assert refused["code"] == "body_too_large"
    assert "请求体" in refused["message_zh"] and "limit" in refused["message_en"]


async def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(draws.MAX_VERIFY_BODY_BYTES // 65536 + 64):
            yield b" " * 65536

    refused = _refusal(await client.post("/draws/verify", content=chunks()), 413)
    assert refused["code"] == "body_too_large"


async def test_a_body_just_under_the_limit_is_read_and_judged_on_its_content(
    client: httpx.AsyncClient,
) -> None:
    padded = json.dumps(_body(pool_of({"ag-a": 5}, representatives=2, reserve_size=1)))
    padded += " " * (draws.MAX_VERIFY_BODY_BYTES - len(padded.encode()))
    assert len(padded.encode()) == draws.MAX_VERIFY_BODY_BYTES
    answer = await client.post(
        "/draws/verify", content=padded, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 200, answer.text


async def test_a_pool_over_the_cap_is_refused_naming_the_field(client: httpx.AsyncClient) -> None:
    body = json.dumps(_body(_large_pool(draws.MAX_POOL_ENTITIES + 1)))
    assert len(body.encode()) < draws.MAX_VERIFY_BODY_BYTES
    refused = _refusal(await client.post("/draws/verify", content=body), 422)
    assert refused["field"] == "pool.entities"
    assert str(draws.MAX_POOL_ENTITIES) in refused["message_zh"]


async def test_malformed_and_refused_requests_get_bilingual_answers_from_the_worker(
    client: httpx.AsyncClient,
) -> None:
    # Not JSON at all is a malformed request (400), as on every route.
    not_json = _refusal(await client.post("/draws/verify", content=b"{not json"), 400)
    assert not_json["code"] == "malformed_body"
    pool = pool_of({"ag-a": 5}, representatives=2, reserve_size=1)
    missing = _refusal(await client.post("/draws/verify", json={"pool": pool.model_dump()}), 422)
    assert missing["field"] == "randomness"
    unknown = await client.post("/draws/verify", json=_body(pool, algorithm="v9"))
    assert _refusal(unknown, 422)["field"] == "algorithm"
    too_many = _body(pool_of({"ag-a": 5}, representatives=9, reserve_size=1))
    assert _refusal(await client.post("/draws/verify", json=too_many), 422)["field"] == (
        "representatives"
    )


async def test_other_requests_are_answered_while_a_large_verification_runs(
    client: httpx.AsyncClient,
) -> None:
    pool = _large_pool(draws.MAX_POOL_ENTITIES)
    expected = draw(pool, RANDOMNESS).model_dump(mode="json")
    large = asyncio.create_task(client.post("/draws/verify", json=_body(pool, expected=expected)))
    answered_while_running = 0
    while not large.done():
        await asyncio.sleep(0)  # in-process ASGI may never suspend: let the other task run
        pong = await client.get("/ping")
        assert pong.json() == {"pong": "ok"}
        # counted only if the large one is still running once this answer is back: had
        # the verification held the event loop, no answer could come back before it ended
        answered_while_running += not large.done()
    assert answered_while_running >= 1
    verdict = (await large).json()
    assert verdict["matches"] is True
    assert len(verdict["recomputed"]["representatives"]) == 30


async def test_verifications_beyond_the_queue_are_refused_not_piled_up(
    client: httpx.AsyncClient,
) -> None:
    body = json.dumps(_body(_large_pool(draws.MAX_POOL_ENTITIES)))
    answers = await asyncio.gather(
        *(
            client.post("/draws/verify", content=body)
            for _ in range(draws.MAX_PENDING_VERIFICATIONS + 2)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * draws.MAX_PENDING_VERIFICATIONS + [503, 503]
    assert _refusal(next(a for a in answers if a.status_code == 503), 503)["code"] == "unavailable"
    after = await client.post("/draws/verify", content=body)
    assert after.status_code == 200


def test_the_request_body_and_the_limits_are_documented() -> None:
    operation = _app().openapi()["paths"]["/draws/verify"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"pool", "randomness"}
    assert "$ref" not in json.dumps(schema)  # self-contained
    assert schema["properties"]["pool"]["properties"]["entities"]["type"] == "array"
    assert {"413", "422", "503"} <= set(operation["responses"])
    assert str(draws.MAX_POOL_ENTITIES) in operation["description"]


@pytest.fixture(autouse=True, scope="module")
def _stop_the_worker() -> Iterator[None]:
    yield
    verifier.WORKER.close()
