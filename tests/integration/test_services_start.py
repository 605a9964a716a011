"""Each of the four services starts on the real broker and reports it reachable."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.kafka


@pytest.mark.parametrize("service", ["intake", "rectification", "evaluation", "reporting"])
def test_service_health_reports_kafka_reachable(
    service: str, service_client: Callable[..., TestClient]
) -> None:
    client = service_client(service)
    response = client.get("/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["service"] == service
    assert body["kafka"]["reachable"] is True
    assert client.get("/openapi.json").status_code == 200
