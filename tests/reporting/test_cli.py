"""``campaign reporting replay | compare | report`` as a user runs them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest

from shared.envelope import CloudEvent
from shared.settings import Settings
from tests.reporting.sample_events import complete_history

pytestmark = pytest.mark.kafka
ROOT = Path(__file__).resolve().parents[2]


def _campaign(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers}
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "reporting", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_replay_compare_and_report_from_the_command_line(
    broker_settings: Settings,
    publish: Callable[[list[CloudEvent]], None],
    tmp_path: Path,
) -> None:
    publish(complete_history(f"cli{time.time_ns()}").envelopes)
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    built = _campaign(broker_settings, "replay", "--into", first)
    assert built.returncode == 0, built.stderr
    summary = json.loads(built.stdout)
    assert summary["as_of"] is None and "intake.events:0" in summary["offsets"]
    past = _campaign(broker_settings, "replay", "--into", second, "--as-of", "2000-01-01T00:00:00Z")
    assert past.returncode == 0, past.stderr
    assert json.loads(past.stdout)["applied"] == 0

    same = _campaign(broker_settings, "compare", first, first)
    assert same.returncode == 0 and json.loads(same.stdout)["identical"] is True
    different = _campaign(broker_settings, "compare", first, second)
    assert different.returncode == 1 and json.loads(different.stdout)["differences"]

    out = tmp_path / "report.pdf"
    made = _campaign(
        broker_settings, "report", "--db", first, "--region", "360000", "--out", str(out)
    )
    assert made.returncode == 0, made.stderr
    text = pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "江西省行政执法不公专项治理工作总结报告" in text
