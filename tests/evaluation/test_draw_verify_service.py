"""POST /draws/verify on a running evaluation service (``campaign serve evaluation`` as
its own process, on the real broker): the 9.8 MB body that blocked the service is
refused, and the service answers other requests while an allowed, large verification
runs in its worker process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from services.evaluation.api import draws
from services.evaluation.domain.draw import draw
from shared.settings import Settings
from tests.evaluation.test_draw_verify_limits import RANDOMNESS, _body, _large_pool

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _running_evaluation(settings: Settings, data_dir: Path) -> Iterator[tuple[str, int]]:
    """``campaign serve evaluation`` as a process of its own: (its URL, its pid)."""
    port = _free_port()
    log_path = data_dir / "evaluation.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "evaluation", "--port", str(port)],
        cwd=ROOT,
        env={
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "DATA_DIR": str(data_dir),
            # the test's own throwaway secret is the development one
            "CAMPAIGN_DEV_MODE": "true",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("evaluation did not become healthy: " + log_path.read_text())
        yield url, process.pid
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def evaluation(
    broker_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with _running_evaluation(broker_settings, tmp_path_factory.mktemp("evaluation")) as (url, _):
        yield url


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_oversized_draw_is_refused(evaluation: str) -> None:
    body = b'{"pool": {"entities": [' + b'{"entity_id": "e", "agency_ids": ["a"]},' * 250_000
    body = body.rstrip(b",") + b"]}}"
    assert len(body) > 9_800_000
    refused = httpx.post(f"{evaluation}/draws/verify", content=body, timeout=30)
    assert refused.status_code == 413
    detail = refused.json()["detail"]
    assert detail["code"] == "body_too_large" and detail["message_zh"] and detail["message_en"]
    assert httpx.get(f"{evaluation}/meetings/meet-none/pool", timeout=10).status_code == 404


def test_other_requests_are_answered_while_a_large_verification_runs(evaluation: str) -> None:
    pool = _large_pool(draws.MAX_POOL_ENTITIES)
    expected = draw(pool, RANDOMNESS).model_dump(mode="json")
    outcome: dict[str, httpx.Response] = {}

    def verify() -> None:
        outcome["large"] = httpx.post(
            f"{evaluation}/draws/verify", json=_body(pool, expected=expected), timeout=120
        )

    large = threading.Thread(target=verify)
    large.start()
    answered_while_running = 0
    while large.is_alive():
        other = httpx.get(f"{evaluation}/meetings/meet-none/pool", timeout=30)
        assert other.status_code == 404
        # counted only if the verification is still running once this answer is back
        answered_while_running += large.is_alive()
    large.join()
    # Had the verification held the loop, the one request waiting behind it could at
    # best be answered as the verification's own answer is being read: not ten.
    assert answered_while_running >= 10
    assert outcome["large"].status_code == 200, outcome["large"].text
    assert outcome["large"].json()["matches"] is True


def test_the_verifier_does_not_outlive_a_killed_service(
    broker_settings: Settings, tmp_path: Path
) -> None:
    pool = _large_pool(100)
    with _running_evaluation(broker_settings, tmp_path) as (url, pid):
        before = _children(pid)
        answer = httpx.post(f"{url}/draws/verify", json=_body(pool), timeout=60)
        assert answer.status_code == 200, answer.text
        workers = {c for c in _children(pid) - before if _alive(c)}
        assert workers, "the verification ran in no worker process"
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers), "the verifier outlived the service"
