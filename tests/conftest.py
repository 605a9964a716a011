"""Fixtures shared by every test layer. The broker comes from ``KAFKA_BOOTSTRAP_SERVERS``
if set (log in to it with ``KAFKA_USERNAME`` / ``KAFKA_PASSWORD`` as a super user), else
from the local launcher in ``deploy/kafka``, started once per test session with SASL/SCRAM
and the StandardAuthorizer: every client of the tests logs in, as the admin unless it is a
service, which logs in as its own principal with only the ACLs of ``shared/kafka/access.py``.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.actors import Role
from shared.auth import mint_token
from shared.clock import Clock, SystemClock
from shared.ids import token_urlsafe
from shared.kafka.access import SERVICES
from shared.kafka.local import LocalBroker, LocalBrokerError, Login, provision_local
from shared.settings import Settings

# Services refuse the committed development secret; the tests run them, in process and
# as child processes, with a secret of their own.
os.environ.setdefault("JWT_SECRET", token_urlsafe(48))
# The tests sign in with development tokens (HS256), which services accept in
# development mode only; tests/identity runs them outside it, against Keycloak.
os.environ.setdefault("CAMPAIGN_DEV_MODE", "true")

# The session's own broker is formatted with this admin; every Settings() of the tests
# (and every child process, unless given a service's login) logs in as it.
if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
    os.environ.update(Login("admin", token_urlsafe(32)).environment())

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class SessionBroker:
    """The session's broker: the admin's settings, and a login per service principal
    (``None`` on a configured broker without SASL, where ACLs cannot be tested)."""

    admin: Settings
    logins: dict[str, Login] | None

    @property
    def bootstrap(self) -> str:
        return self.admin.kafka_bootstrap_servers

    def settings_of(self, principal: str, base: Settings) -> Settings:
        """``base`` logged in as ``principal`` (a service or the directory importer)."""
        if self.logins is None:
            return base
        return base.model_copy(update=self.logins[principal].settings_update())


def _provisioned(bootstrap: str, data_dir: Path | None) -> SessionBroker:
    from shared.kafka.provision import provision

    admin = Settings(kafka_bootstrap_servers=bootstrap, kafka_send_timeout_s=10)
    if admin.kafka_security_protocol == "PLAINTEXT":
        from shared.kafka.admin import ensure_topics

        ensure_topics(admin)
        return SessionBroker(admin, None)
    if data_dir is not None:
        admin, logins = provision_local(
            LocalBroker(int(bootstrap.rsplit(":", 1)[1]), data_dir), admin
        )
        return SessionBroker(admin, logins)
    logins = {name: Login(name, token_urlsafe(32)) for name in SERVICES}
    provision(admin, {name: login.password for name, login in logins.items()})
    return SessionBroker(admin, logins)


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[SessionBroker]:
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield _provisioned(configured, None)
        return
    data_dir = Path(tempfile.mkdtemp(prefix="campaign-test-kafka-"))
    broker = LocalBroker(_free_port(), data_dir, controller_port=_free_port())
    try:
        broker.start(admin_password=os.environ["KAFKA_PASSWORD"])
    except LocalBrokerError as failed:
        pytest.exit(f"local Kafka broker did not start:\n{failed}", 3)
    try:
        yield _provisioned(broker.bootstrap, data_dir)
    finally:
        broker.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: SessionBroker) -> str:
    return kafka_broker.bootstrap


@pytest.fixture(scope="session")
def broker_settings(
    kafka_broker: SessionBroker, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings pointing at the session's broker as its admin, with topics created."""
    return kafka_broker.admin.model_copy(
        update={"data_dir": tmp_path_factory.mktemp("campaign-data")}
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for tests without a broker (nothing listens on port 1)."""
    return Settings(kafka_bootstrap_servers="127.0.0.1:1", data_dir=tmp_path)


@pytest.fixture
def service_client(
    broker_settings: Settings, kafka_broker: SessionBroker
) -> Iterator[Callable[..., TestClient]]:
    """Start a service in-process on the session's broker, lifespan and faust app
    included, logged in as the service's own principal:
    ``client = service_client("intake", clock=SimulatedClock(...))``."""
    started: list[TestClient] = []

    def start(service: str, clock: Clock | None = None, **overrides: Any) -> TestClient:
        bootstrap = importlib.import_module(f"services.{service}.bootstrap")
        settings = kafka_broker.settings_of(service, broker_settings).model_copy(update=overrides)
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
