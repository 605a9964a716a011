"""docker-compose's broker without Docker: ``deploy/compose/kafka-start.sh`` runs on the
launcher's jars (a stand-in for /opt/kafka/bin), in a network namespace of its own where
``kafka`` and the departments' host name resolve to the loopback, with TLS files made
as the README says. Then, as compose would: ``campaign kafka provision`` as the admin over
SASL_SSL, a service over TLS, a department on the EXTERNAL listener reading but not
writing, and a client that does not trust the operator's CA refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "deploy" / "kafka" / ".cache" / "lib"
LOG4J = ROOT / "deploy" / "kafka" / "log4j2.yaml"
START = ROOT / "deploy" / "compose" / "kafka-start.sh"
EXTERNAL_HOST = "kafka.example.gov.cn"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _namespaces_available() -> bool:
    if os.geteuid() != 0 or not all(shutil.which(t) for t in ("unshare", "openssl", "ip")):
        return False
    probe = subprocess.run(["unshare", "--mount", "--net", "true"], capture_output=True)
    return probe.returncode == 0


def _tls(directory: Path) -> None:
    """The README's openssl steps."""
    directory.mkdir()
    steps = [
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 "
        '-subj "/CN=test Kafka CA"',
        'openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj "/CN=kafka"',
        f'printf "subjectAltName=DNS:kafka,DNS:{EXTERNAL_HOST}\\n" > san.ext',
        "openssl x509 -req -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out broker.crt -days 30 -extfile san.ext",
        "openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.pkcs8.key",
        "cat broker.pkcs8.key broker.crt > broker.pem",
    ]
    for step in steps:
        subprocess.run(step, shell=True, cwd=directory, check=True, capture_output=True)


def _kafka_home(home: Path, logs: Path) -> None:
    """/opt/kafka/bin's two scripts, on the jars the launcher fetched."""
    (home / "bin").mkdir(parents=True)
    java = (
        f"exec java -Xmx512m -Dlog4j2.configurationFile={LOG4J} -Dkafka.logs.dir={logs} "
        f'-cp "{LIB}/*"'
    )
    for name, main in (
        ("kafka-storage.sh", "kafka.tools.StorageTool"),
        ("kafka-server-start.sh", "kafka.Kafka"),
    ):
        script = home / "bin" / name
        script.write_text(f'#!/bin/bash\n{java} {main} "$@"\n')
        script.chmod(0o755)


@pytest.mark.skipif(not _namespaces_available(), reason="needs root, unshare, ip and openssl")
@pytest.mark.skipif(not LIB.is_dir(), reason="the Kafka jars are not fetched (./dev setup)")
def test_the_compose_broker_takes_tls_logins_and_enforces_the_acls(tmp_path: Path) -> None:
    _tls(tmp_path / "tls")
    _kafka_home(tmp_path / "home", tmp_path)
    (tmp_path / "data").mkdir()
    hosts = tmp_path / "hosts"
    hosts.write_text(f"127.0.0.1 localhost kafka {EXTERNAL_HOST} {os.uname().nodename}\n")
    env = {
        **os.environ,
        "START": str(START),
        "KAFKA_BROKER_PASSWORD": "broker-password-0123456789abcdef",
        "KAFKA_ADMIN_PASSWORD": "admin-password-0123456789abcdef",
        "KAFKA_EXTERNAL_ADDRESS": f"{EXTERNAL_HOST}:9094",
        "KAFKA_TLS_MOUNT": str(tmp_path / "tls"),
        "KAFKA_DATA_DIR": str(tmp_path / "data"),
        "KAFKA_HOME": str(tmp_path / "home"),
        "KAFKA_RUN_DIR": str(tmp_path / "run"),
        "PYTHONPATH": str(ROOT),
    }
    inner = (
        f"ip link set lo up && mount --bind {hosts} /etc/hosts && "
        f"exec {sys.executable} -m tests.integration.compose_kafka_inner {tmp_path} "
        f"{EXTERNAL_HOST}:9094"
    )
    done = subprocess.run(
        ["unshare", "--mount", "--net", "bash", "-c", inner],
        env=env,
        capture_output=True,
        text=True,
        timeout=500,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    log = (tmp_path / "broker.out").read_text() if (tmp_path / "broker.out").exists() else ""
    assert lines, f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}\n{log[-3000:]}"
    results = json.loads(lines[-1].removeprefix("RESULTS "))
    assert len(results["topics"]) == 8
    assert results["intake_wrote"] is True
    assert results["department_read"] >= 1
    assert results["department_wrote"] is False
    assert results["untrusted_reachable"] is False
