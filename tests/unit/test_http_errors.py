import pickle
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

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
