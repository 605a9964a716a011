"""deploy/keycloak/keycloakctl.py without booting Keycloak: status of a stopped data dir,
a port in use, the JDK it picks and the realm it imports (test_keycloak.py boots it)."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from shared.actors import Role

LAUNCHER_DIR = Path(__file__).resolve().parents[2] / "deploy" / "keycloak"
KEYCLOAKCTL = LAUNCHER_DIR / "keycloakctl.py"


@pytest.fixture(scope="module")
def kcdist() -> ModuleType:
    sys.path.insert(0, str(LAUNCHER_DIR))
    try:
        return importlib.import_module("kcdist")
    finally:
        sys.path.remove(str(LAUNCHER_DIR))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(KEYCLOAKCTL), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_status_of_a_stopped_instance_is_exit_3(tmp_path: Path) -> None:
    status = run("status", "--data-dir", str(tmp_path))
    assert status.returncode == 3
    assert "stopped" in status.stdout


def test_start_on_a_port_in_use_is_exit_4_and_names_the_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = run("start", "--port", str(port), "--data-dir", str(tmp_path))
    assert started.returncode == 4
    assert f"port {port}" in started.stderr


def test_it_picks_java_17_or_21_and_later_past_an_unusable_java_home(
    kcdist: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))  # no bin/java here
    home = kcdist.java_home()
    major = kcdist.java_major(home / "bin" / "java")
    assert major == 17 or major >= 21


def test_the_import_is_the_realm_with_the_development_client_and_users(
    kcdist: ModuleType,
) -> None:
    realm = kcdist.realm_import()
    assert [c["clientId"] for c in realm["clients"]] == ["campaign-web", "campaign-cli"]
    roles = {role.value for role in Role}
    assert {r for u in realm["users"] for r in u["realmRoles"]} >= roles
