import pickle
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from shared.body_limit import DEFAULT_BODY_LIMIT, KiB, body_limit
from shared.clock import SimulatedClock
from shared.errors import Conflict, NotFound, Refusal, Throttled
from shared.http import create_api
from shared.settings import Settings


class Body(BaseModel):
    text: str = Field(min_length=1, max_length=10)
    count: int


def test_validation_errors_name_the_field_in_chinese_and_english(settings: Settings) -> None:
    api = create_api("test", settings, SimulatedClock(datetime(2016, 1, 1, tzinfo=UTC)))

    @api.post("/things")
    def create(body: Body) -> dict[str, str]:
        raise Conflict("状态不允许", "state does not allow it", code="bad_state")

    client = TestClient(api)
    response = client.post("/things", json={"text": "", "count": 1})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["field"] == "text"
    assert "字段 text" in detail["message_zh"] and "field text" in detail["message_en"]

    missing = client.post("/things", json={"text": "ok"}).json()["detail"]
    assert missing["field"] == "count" and "缺少必填字段" in missing["message_zh"]

    conflict = client.post("/things", json={"text": "ok", "count": 1})
    assert conflict.status_code == 409
    assert conflict.json()["detail"]["message"] == "状态不允许 / state does not allow it"


def test_health_reports_an_unreachable_broker(settings: Settings) -> None:
    api = create_api("test", settings, SimulatedClock(datetime(2016, 1, 1, tzinfo=UTC)))
    response = TestClient(api).get("/health")
    assert response.status_code == 503
    assert response.json()["kafka"]["reachable"] is False


def test_a_request_keeps_the_callers_correlation_id_or_gets_one(settings: Settings) -> None:
    from shared import correlation

    api = create_api("test", settings, SimulatedClock(datetime(2016, 1, 1, tzinfo=UTC)))

    @api.get("/whoami")
    def whoami() -> dict[str, str]:
        return {"correlation": correlation.current()}

    client = TestClient(api)
    given = client.get("/whoami", headers={"X-Correlation-ID": "call-42"})
    assert given.json() == {"correlation": "call-42"}
    assert given.headers["X-Correlation-ID"] == "call-42"
    fresh = client.get("/whoami")
    assert fresh.json()["correlation"] == fresh.headers["X-Correlation-ID"] != ""
    assert client.get("/whoami").headers["X-Correlation-ID"] != fresh.headers["X-Correlation-ID"]


def test_the_correlation_id_is_echoed_on_refusals_and_invalid_requests(settings: Settings) -> None:
    from shared import correlation

    api = create_api("test", settings, SimulatedClock(datetime(2016, 1, 1, tzinfo=UTC)))
    seen: list[str] = []

    @api.post("/things")
    async def create(body: Body) -> dict[str, str]:
        seen.append(correlation.current())
        raise Conflict("状态不允许", "state does not allow it", code="bad_state")

    client = TestClient(api)
    refused = client.post(
        "/things", json={"text": "ok", "count": 1}, headers={"X-Correlation-ID": "call-7"}
    )
    assert refused.status_code == 409 and refused.headers["X-Correlation-ID"] == "call-7"
    assert seen == ["call-7"]
    invalid = client.post("/things", json={"text": ""}, headers={"X-Correlation-ID": "call-8"})
    assert invalid.status_code == 422 and invalid.headers["X-Correlation-ID"] == "call-8"
    # One header, even when the caller's id is refused (a fresh one replaces it).
    long = client.post("/things", json={"text": ""}, headers={"X-Correlation-ID": "x" * 300})
    assert len(long.headers.get_list("X-Correlation-ID")) == 1
    assert long.headers["X-Correlation-ID"] != "x" * 300


@pytest.mark.parametrize(
    "requested",
    [
        "x" * 65,
        "call\r\nSet-Cookie: a=b",
        "call 42",
        "<script>alert(1)</script>",
        "-leading-dash",
        "call\u202e42",
        "呼叫-42",
        "call%0d42",
    ],
)
def test_a_correlation_id_that_is_not_plainly_an_id_is_replaced_not_echoed(
    settings: Settings, requested: str
) -> None:
    from shared import correlation

    api = create_api("test", settings, SimulatedClock(datetime(2016, 1, 1, tzinfo=UTC)))

    @api.get("/whoami")
    def whoami() -> dict[str, str]:
        return {"correlation": correlation.current()}

    client = TestClient(api)
    # Sent as raw bytes: some of these a well-behaved client would refuse to send.
    response = client.get("/whoami", headers=[("X-Correlation-ID", requested.encode())])
    used = response.json()["correlation"]
    assert used != requested and requested not in response.headers["X-Correlation-ID"]
    assert uuid.UUID(used).version == 4 and response.headers["X-Correlation-ID"] == used


@pytest.mark.parametrize(
    "requested", ["a", "call-42", "0f8e2c1a-" + "b" * 40, "sim:run.7_x", "x" * 64]
)
def test_a_plain_id_of_at_most_64_characters_is_adopted(settings: Settings, requested: str) -> None:
    from shared import correlation

    api = create_api("test", settings, SimulatedClock(datetime(2016, 1, 1, tzinfo=UTC)))

    @api.get("/whoami")
    def whoami() -> dict[str, str]:
        return {"correlation": correlation.current()}

    response = TestClient(api).get("/whoami", headers={"X-Correlation-ID": requested})
    assert response.json() == {"correlation": requested}
    assert response.headers["X-Correlation-ID"] == requested


@pytest.mark.parametrize(
    "refusal",
    [
        NotFound("没有该机关", "no such agency", field="agency_id"),
        Throttled("请稍后再试", "try again later", retry_after=7),
    ],
)
def test_a_refusal_survives_pickling_with_its_fields(refusal: Refusal) -> None:
    # Reports render in a child process; its refusals come back pickled.
    again = pickle.loads(pickle.dumps(refusal))
    assert type(again) is type(refusal)
    assert again.as_detail() == refusal.as_detail()
    assert str(again) == str(refusal)
    assert vars(again) == vars(refusal)


@pytest.mark.parametrize("enabled", [False, True])
def test_fastapi_telemetry_follows_the_setting(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    """With an OpenTelemetry tracer provider configured for the process, requests are
    traced only when ``HTTP_TELEMETRY`` asks for it (looking costs every request)."""
    from fastapi.telemetry import get_telemetry_data
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    monkeypatch.setattr(trace, "get_tracer_provider", lambda: TracerProvider())
    api = create_api(
        "test",
        settings.model_copy(update={"http_telemetry": enabled}),
        SimulatedClock(datetime(2016, 1, 1, tzinfo=UTC)),
    )

    @api.get("/traced")
    async def traced() -> dict[str, bool]:
        return {"traced": get_telemetry_data() is not None}

    assert TestClient(api).get("/traced").json() == {"traced": enabled}


def bilingual(body: dict[str, object], code: str) -> dict[str, object]:
    detail = body["detail"]
    assert isinstance(detail, dict)
    assert detail["code"] == code
    assert detail["message"] == f"{detail['message_zh']} / {detail['message_en']}"
    assert str(detail["message_zh"]) and str(detail["message_en"])
    return detail


def errors_app(settings: Settings) -> FastAPI:
    api = create_api("test", settings, SimulatedClock(datetime(2016, 1, 1, tzinfo=UTC)))

    @api.post("/things")
    async def create(body: Body) -> dict[str, str]:
        return {"text": body.text}

    @api.post("/uploads")
    @body_limit(200 * KiB)
    async def upload(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @api.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError("secret internal state")

    return api


def test_unknown_paths_and_methods_get_bilingual_bodies(settings: Settings) -> None:
    client = TestClient(errors_app(settings))
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert bilingual(missing.json(), "not_found")["message_zh"] == "没有该资源"
    wrong_method = client.delete("/things")
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST"
    assert "不支持" in bilingual(wrong_method.json(), "method_not_allowed")["message_zh"]
    assert client.post("/things", json={"text": "ok", "count": 1}).status_code == 200


def test_a_malformed_json_body_is_a_bilingual_400_not_a_422(settings: Settings) -> None:
    client = TestClient(errors_app(settings))
    broken = client.post(
        "/things", content=b'{"text": "ok", ', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert "JSON" in bilingual(broken.json(), "malformed_body")["message_zh"]
    wrong_shape = client.post("/things", json={"text": "ok", "count": "many"})
    assert wrong_shape.status_code == 422
    assert bilingual(wrong_shape.json(), "invalid")["field"] == "count"


def test_an_unexpected_error_is_a_bilingual_500_that_keeps_its_secrets(
    settings: Settings,
) -> None:
    client = TestClient(errors_app(settings), raise_server_exceptions=False)
    response = client.get("/boom", headers={"X-Correlation-ID": "call-500"})
    assert response.status_code == 500
    detail = bilingual(response.json(), "internal_error")
    assert "call-500" in str(detail["message_en"]) and "secret" not in response.text
    assert response.headers["X-Correlation-ID"] == "call-500"


def test_an_oversized_body_is_refused_with_413_before_it_is_read(settings: Settings) -> None:
    client = TestClient(errors_app(settings))
    big = b'{"text": "' + b"x" * (DEFAULT_BODY_LIMIT + 1) + b'", "count": 1}'
    declared = client.post("/things", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413
    detail = bilingual(declared.json(), "body_too_large")
    assert str(DEFAULT_BODY_LIMIT) in str(detail["message_en"])

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"text": "'
        for _ in range(DEFAULT_BODY_LIMIT // 1024 + 1):
            yield b"x" * 1024
        yield b'", "count": 1}'

    chunked = client.post("/things", content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    bilingual(chunked.json(), "body_too_large")
    small = client.post("/things", json={"text": "ok", "count": 1})
    assert small.status_code == 200


def test_a_route_declares_a_larger_limit_beside_it(settings: Settings) -> None:
    client = TestClient(errors_app(settings))
    assert client.post("/uploads", content=b"x" * (150 * KiB)).json() == {"received": 150 * KiB}
    over = client.post("/uploads", content=b"x" * (200 * KiB + 1))
    assert over.status_code == 413 and str(200 * KiB) in over.json()["detail"]["message_en"]

    def chunks() -> Iterator[bytes]:
        for _ in range(201):
            yield b"x" * KiB

    assert client.post("/uploads", content=chunks()).status_code == 413


def test_a_content_length_that_is_not_a_number_is_refused(settings: Settings) -> None:
    client = TestClient(errors_app(settings))
    response = client.post(
        "/things",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": "2x"},
    )
    assert response.status_code == 400
    bilingual(response.json(), "bad_content_length")


def test_openapi_documents_the_real_error_body(settings: Settings) -> None:
    schema = TestClient(errors_app(settings)).get("/openapi.json").json()
    assert "HTTPValidationError" not in str(schema)
    assert set(schema["components"]["schemas"]["ErrorBody"]["properties"]) == {"detail"}
    things = schema["paths"]["/things"]["post"]
    for status in ("422", "4XX", "5XX", "413"):
        assert things["responses"][status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
    assert things["x-max-body-bytes"] == DEFAULT_BODY_LIMIT
    assert schema["paths"]["/uploads"]["post"]["x-max-body-bytes"] == 200 * KiB
    assert "413" not in schema["paths"]["/boom"]["get"]["responses"]
