"""Fixtures shared by every test layer. The broker comes from, in order:
``KAFKA_BOOTSTRAP_SERVERS``; testcontainers where a Docker engine answers; the
local launcher in ``deploy/kafka`` (started once per test session)."""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.actors import Role
from shared.auth import mint_token
from shared.clock import Clock, SystemClock
from shared.ids import token_urlsafe
from shared.settings import Settings

# Services refuse the committed development secret; the tests run them, in process and
# as child processes, with a secret of their own.
os.environ.setdefault("JWT_SECRET", token_urlsafe(48))
# The tests sign in with development tokens (HS256), which services accept in
# development mode only; tests/identity runs them outside it, against Keycloak.
os.environ.setdefault("CAMPAIGN_DEV_MODE", "true")

ROOT = Path(__file__).resolve().parent.parent
KAFKACTL = ROOT / "deploy" / "kafka" / "kafkactl.py"
KAFKA_IMAGE = "apache/kafka:4.1.2"  # the version deploy/kafka/kafkactl.py runs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    if _docker_engine_answers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer(KAFKA_IMAGE).with_kraft() as container:
            yield container.get_bootstrap_server()
        return
    port = _free_port()
    controller_port = _free_port()
    data_dir = tempfile.mkdtemp(prefix="campaign-test-kafka-")
    base = [sys.executable, str(KAFKACTL)]
    options = [
        "--port",
        str(port),
        "--controller-port",
        str(controller_port),
        "--data-dir",
        data_dir,
    ]
    started = subprocess.run([*base, "start", *options], capture_output=True, text=True)
    if started.returncode != 0:
        pytest.exit(f"local Kafka broker did not start:\n{started.stdout}\n{started.stderr}", 3)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([*base, "stop", *options], capture_output=True)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def broker_settings(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at the session's broker, with topics created."""
    from shared.kafka.admin import ensure_topics

    settings = Settings(
        kafka_bootstrap_servers=kafka_bootstrap,
        data_dir=tmp_path_factory.mktemp("campaign-data"),
        kafka_send_timeout_s=10,
    )
    ensure_topics(settings)
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for tests without a broker (nothing listens on port 1)."""
    return Settings(kafka_bootstrap_servers="127.0.0.1:1", data_dir=tmp_path)


@pytest.fixture
def service_client(broker_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Start a service in-process on the session's broker, lifespan and faust app
    included: ``client = service_client("intake", clock=SimulatedClock(...))``."""
    started: list[TestClient] = []

    def start(service: str, clock: Clock | None = None, **overrides: Any) -> TestClient:
        bootstrap = importlib.import_module(f"services.{service}.bootstrap")
        settings = broker_settings.model_copy(update=overrides)
        client = TestClient(bootstrap.build_app(settings, clock))
        client.__enter__()
        started.append(client)
        return client

    yield start
    for client in reversed(started):
        client.__exit__(None, None, None)


@pytest.fixture
def auth_header() -> Callable[..., dict[str, str]]:
    """``auth_header(Role.intake_officer, "office-360100", "360100")`` -> bearer header
    signed with the default settings' secret (the one test apps use)."""

    def header(
        role: Role, organisation: str, region_code: str, clock: Clock | None = None
    ) -> dict[str, str]:
        token = mint_token(
            Settings(),
            clock or SystemClock(),
            subject=f"{role.value}@{organisation}",
            role=role,
            organisation=organisation,
            region_code=region_code,
        )
        return {"Authorization": f"Bearer {token}"}

    return header
