"""The real identity provider: one Keycloak per test session, started through the
launcher (deploy/keycloak/keycloakctl.py) on a free port and a data directory of its
own, with the campaign realm and its demo users imported. It boots in about half a
minute once the distribution is built (a minute more the first time), so the tests that
use it are marked ``slow``."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .keycloak import Keycloak

ROOT = Path(__file__).resolve().parents[2]
KEYCLOAKCTL = ROOT / "deploy" / "keycloak" / "keycloakctl.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def keycloak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keycloak]:
    data_dir = tmp_path_factory.mktemp("keycloak")
    options = ["--port", str(_free_port()), "--data-dir", str(data_dir)]
    base = [sys.executable, str(KEYCLOAKCTL)]
    started = subprocess.run(
        [*base, "start", *options], capture_output=True, text=True, timeout=900, check=False
    )
    if started.returncode != 0:
        pytest.fail(f"Keycloak did not start:\n{started.stdout}\n{started.stderr}")
    issuer = started.stdout.strip().splitlines()[-1]
    try:
        yield Keycloak(base_url=issuer.split("/realms/")[0])
    finally:
        subprocess.run([*base, "stop", *options], capture_output=True, timeout=120, check=False)
        shutil.rmtree(data_dir, ignore_errors=True)
