"""The whole system as separate local processes, for the end-to-end test and the
benchmarks: a private Kafka broker (``deploy/kafka/kafkactl.py``) on free ports and
the four services (``python -m services.cli serve <svc>``) on free ports, sharing a
controlled clock. ``kill``/``restart`` one service to test crash recovery."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.ids import token_urlsafe
from shared.kafka.local import LocalBroker, Login, provision_local
from shared.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# The four services a campaign runs on (a web front end, if any, is not driven).
SERVICES = ("intake", "rectification", "evaluation", "reporting")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# How to log in to each private broker (by bootstrap address): its admin, and a
# principal per service with only that service's ACLs (shared/kafka/access.py).
_LOGINS: dict[str, tuple[Login, dict[str, Login]]] = {}


def broker_logins(bootstrap: str) -> tuple[Login, dict[str, Login]] | None:
    return _LOGINS.get(bootstrap)


@contextmanager
def private_broker() -> Iterator[str]:
    """A broker of its own (its bootstrap address), provisioned: topics, a login per
    service and their ACLs. ``E2E_KAFKA_BOOTSTRAP_SERVERS`` may name one reserved for this
    use instead (exact figures need topics nothing else writes to), with the admin's
    login in ``KAFKA_USERNAME`` / ``KAFKA_PASSWORD``."""
    configured = os.environ.get("E2E_KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    broker = LocalBroker(free_port(), Path(tempfile.mkdtemp(prefix="campaign-kafka-")), free_port())
    broker.start()
    try:
        _, logins = provision_local(broker, Settings())
        _LOGINS[broker.bootstrap] = (broker.admin_login(), logins)
        yield broker.bootstrap
    finally:
        _LOGINS.pop(broker.bootstrap, None)
        broker.stop()
        shutil.rmtree(broker.data_dir, ignore_errors=True)


@dataclass
class System:
    """Four service processes on one broker. ``env`` extends the environment of each."""

    bootstrap: str
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=lambda: {s: free_port() for s in SERVICES})
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # The services refuse the committed development secret: this system signs with its own.
    jwt_secret: str = field(default_factory=lambda: token_urlsafe(32))
    log_level: str = "warning"

    @property
    def settings(self) -> Settings:
        """The operator's settings: the broker's admin (topics, the directory import)."""
        logins = broker_logins(self.bootstrap)
        login = logins[0].settings_update() if logins else {}
        return Settings(
            **login,
            kafka_bootstrap_servers=self.bootstrap,
            data_dir=self.data_dir,
            jwt_secret=self.jwt_secret,
            clock_mode="controlled",
            **{f"{s}_port": p for s, p in self.ports.items()},  # type: ignore[arg-type]
        )

    @property
    def urls(self) -> dict[str, str]:
        return {s: f"http://127.0.0.1:{p}" for s, p in self.ports.items()}

    def service_env(self, service: str | None = None) -> dict[str, str]:
        """The environment of ``service``'s process, logged in as its own principal."""
        env = dict(os.environ)
        logins = broker_logins(self.bootstrap)
        if logins is not None:
            admin, services = logins
            login = services.get(service) if service else admin
            if login is None:  # no principal (the web app talks HTTP only): no login at all
                env.pop("KAFKA_USERNAME", None)
                env.pop("KAFKA_PASSWORD", None)
            else:
                env.update(login.environment())
        env.update(
            KAFKA_BOOTSTRAP_SERVERS=self.bootstrap,
            DATA_DIR=str(self.data_dir),
            CLOCK_MODE="controlled",
            RECTIFICATION_TICK_SECONDS="0.5",
            PYTHONUNBUFFERED="1",
            # Every simulated citizen files from this one address; intake's per-client
            # limit on public tips would stop the campaign after a few.
            INTAKE_TIP_LIMIT="1000000/hour",
            JWT_SECRET=self.jwt_secret,
            **{f"{s.upper()}_PORT": str(p) for s, p in self.ports.items()},
        )
        env.update(self.env)
        return env

    def log_path(self, service: str) -> Path:
        return self.data_dir / "log" / f"{service}.log"

    def start(self, service: str) -> None:
        self.log_path(service).parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path(service).open("ab")
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", service, "--log-level", self.log_level],
            cwd=ROOT,
            env=self.service_env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start_all(self, timeout_s: float = 120.0) -> None:
        from shared.kafka.admin import ensure_topics

        ensure_topics(self.settings)  # provisioned already on a private broker
        for service in SERVICES:
            self.start(service)
        self.wait_healthy(SERVICES, timeout_s)

    def wait_healthy(self, services: tuple[str, ...], timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(services)
        while pending:
            for service in list(pending):
                process = self.processes[service]
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{service} exited with {process.returncode}; log:\n"
                        + self.log_path(service).read_text()[-3000:]
                    )
                try:
                    if httpx.get(f"{self.urls[service]}/health", timeout=2).status_code == 200:
                        pending.remove(service)
                except httpx.TransportError:
                    pass
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"not healthy after {timeout_s:.0f} s: {pending}")
            time.sleep(0.3)

    def kill(self, service: str) -> None:
        """SIGKILL: no lifespan shutdown, no flush, no commit."""
        process = self.processes[service]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def pid(self, service: str) -> int:
        return self.processes[service].pid

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@contextmanager
def running_system(data_dir: Path | None = None, **env: str) -> Iterator[System]:
    with private_broker() as bootstrap:
        system = System(bootstrap, data_dir or Path(tempfile.mkdtemp(prefix="campaign-sys-")), env)
        try:
            system.start_all()
            yield system
        finally:
            system.stop_all()
