"""The local broker (``deploy/kafka/kafkactl.py``) from Python, for the stack, the tests
and the simulation: start and stop it, log in as its admin, give each service process
a principal of its own (passwords kept beside the broker's data, mode 0600)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from shared.ids import token_urlsafe
from shared.kafka.access import SERVICES
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
KAFKACTL = ROOT / "deploy" / "kafka" / "kafkactl.py"
PRINCIPALS_FILE = "principals.json"


class LocalBrokerError(RuntimeError):
    pass


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    security_protocol: str = "SASL_PLAINTEXT"
    mechanism: str = "SCRAM-SHA-512"

    def settings_update(self) -> dict[str, Any]:
        """For ``Settings.model_copy(update=...)``."""
        return {
            "kafka_security_protocol": self.security_protocol,
            "kafka_sasl_mechanism": self.mechanism,
            "kafka_username": self.username,
            "kafka_password": SecretStr(self.password),
        }

    def environment(self) -> dict[str, str]:
        """For a child process's environment."""
        return {
            "KAFKA_SECURITY_PROTOCOL": self.security_protocol,
            "KAFKA_SASL_MECHANISM": self.mechanism,
            "KAFKA_USERNAME": self.username,
            "KAFKA_PASSWORD": self.password,
        }


@dataclass(frozen=True)
class LocalBroker:
    """One kafkactl broker; ``controller_port`` None: kafkactl's default (port + 1)."""

    port: int
    data_dir: Path
    controller_port: int | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _ctl(
        self, action: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(KAFKACTL), action, "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir)]
        if self.controller_port is not None:
            command += ["--controller-port", str(self.controller_port)]
        environment = {**os.environ, **(env or {})}
        return subprocess.run(command, capture_output=True, text=True, env=environment)

    def start(self, admin_password: str | None = None) -> None:
        """Start it (formatting the data dir the first time, with ``admin_password`` for
        the admin if given); raise ``LocalBrokerError`` with the launcher's words."""
        env = {"KAFKA_LOCAL_ADMIN_PASSWORD": admin_password} if admin_password else {}
        result = self._ctl("start", env)
        if result.returncode != 0:
            raise LocalBrokerError(f"Kafka broker did not start:\n{result.stdout}\n{result.stderr}")

    def stop(self) -> int:
        return self._ctl("stop").returncode

    def status(self) -> int:
        result = self._ctl("status")
        print(result.stdout, end="")
        return result.returncode

    def admin_login(self) -> Login:
        result = self._ctl("credentials")
        if result.returncode != 0:
            raise LocalBrokerError(result.stderr.strip())
        document = json.loads(result.stdout)
        return Login(
            document["username"],
            document["password"],
            document["security_protocol"],
            document["sasl_mechanism"],
        )

    def service_logins(self) -> dict[str, Login]:
        """A login per service principal, made once and kept in the data dir."""
        path = self.data_dir / PRINCIPALS_FILE
        try:
            passwords: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            passwords = {}
        if set(passwords) != set(SERVICES):
            passwords = {name: passwords.get(name) or token_urlsafe(32) for name in SERVICES}
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(passwords, handle, indent=2)
        return {name: Login(name, password) for name, password in passwords.items()}


def provision_local(broker: LocalBroker, settings: Settings) -> tuple[Settings, dict[str, Login]]:
    """The admin's settings on ``broker`` and every service's login, provisioned (topics,
    SCRAM logins, ACLs)."""
    from shared.kafka.provision import provision

    admin = settings.model_copy(
        update={
            "kafka_bootstrap_servers": broker.bootstrap,
            **broker.admin_login().settings_update(),
        }
    )
    logins = broker.service_logins()
    provision(admin, {name: login.password for name, login in logins.items()})
    return admin, logins
