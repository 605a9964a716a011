"""Exactly once: a projector process killed (SIGKILL) mid-stream and restarted ends
with the same figures as a clean rebuild up to the same offsets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import TopicPartition
from sqlalchemy import func, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.figures import agency_figures, all_figures
from services.reporting.readmodels.schema import make_engine
from services.reporting.readmodels.status import stored_offsets
from services.reporting.replay.audit import compare, rebuild
from shared.envelope import CloudEvent
from shared.settings import Settings
from tests.reporting.sample_events import EventLog, item_story, register_agency, tip_story

pytestmark = pytest.mark.kafka
ROOT = Path(__file__).resolve().parents[2]


def _projector(settings: Settings, url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "DATA_DIR": str(settings.data_dir),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.cli",
            "reporting",
            "project",
            "--db",
            url,
            "--batch",
            "150",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _published_stories(
    publish: Callable[[list[CloudEvent]], None], prefix: str, *, tips: int, verify_every: int
) -> tuple[str, int]:
    """A new agency in 360403 with ``tips`` tips; each becomes a problem with a
    rectification item, and every ``verify_every``-th item is verified. Returns the
    agency and how many events were published."""
    key = f"{prefix}{time.time_ns()}"
    agency = f"ag-{key}"
    log = EventLog()
    register_agency(log, agency, "360403")
    for n in range(tips):
        problem = tip_story(log, f"{key}-{n}", agency, "360403")
        item_story(log, problem, agency, "360403", verify=n % verify_every == 0)
    publish(log.envelopes)
    return agency, len(log.envelopes)


def _progress(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(schema.event_log)).scalar_one()
            )
    except Exception:
        return 0
    finally:
        engine.dispose()


def test_killed_projector_restarts_without_losing_or_double_counting(
    broker_settings: Settings,
    publish: Callable[[list[CloudEvent]], None],
    tmp_path: Path,
) -> None:
    agency, published = _published_stories(publish, "eo", tips=500, verify_every=3)
    assert published == 3335  # 1 + 500 × 6 + 167 × 2 events

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    first = _projector(broker_settings, url)
    deadline = time.monotonic() + 60
    while _progress(url) < 1500 and time.monotonic() < deadline:
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        time.sleep(0.02)
    assert first.poll() is None, "the projector finished before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = _progress(url)
    assert killed_at >= 1500

    second = _projector(broker_settings, url)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()

    engine = make_engine(url)
    positions = stored_offsets(engine)
    with engine.connect() as conn:
        figures = agency_figures(conn, agency)
    engine.dispose()
    assert figures["tips.total"] == 500 and figures["problems.total"] == 500
    assert figures["items.total"] == 500 and figures["items.verified"] == 167

    # A clean rebuild up to exactly the same offsets gives the same figures, whether
    # one process replays every partition or two lanes share them out.
    targets = {TopicPartition(t, p): o for (t, p), o in positions.items()}
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    rebuild(broker_settings, clean, targets=targets, lanes=1)
    in_lanes = f"sqlite:///{tmp_path / 'lanes.db'}"
    rebuild(broker_settings, in_lanes, targets=targets, lanes=2)
    assert compare(clean, in_lanes).identical
    comparison = compare(url, clean)
    assert comparison.identical, comparison.differences[:5]
    assert comparison.left_offsets == comparison.right_offsets
    assert all_figures(make_engine(url))["build/events"] >= 3335


def test_two_projectors_on_one_database_still_count_each_event_once(
    broker_settings: Settings,
    publish: Callable[[list[CloudEvent]], None],
    tmp_path: Path,
) -> None:
    """Two projector processes writing the same read models at once (say, an old and a
    new container during a rolling restart): each batch advances the offsets only from
    where it started, so the loser of a race reads again and nothing counts twice."""
    agency, _ = _published_stories(publish, "two", tips=300, verify_every=2)

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    racers = [_projector(broker_settings, url) for _ in range(2)]
    for racer in racers:
        _, err = racer.communicate(timeout=180)
        assert racer.returncode == 0, err.decode()

    engine = make_engine(url)
    with engine.connect() as conn:
        figures = agency_figures(conn, agency)
        logged = conn.execute(select(func.count()).select_from(schema.event_log)).scalar_one()
        distinct = conn.execute(
            select(func.count(func.distinct(schema.event_log.c.event_id)))
        ).scalar_one()
    positions = stored_offsets(engine)
    engine.dispose()
    assert logged == distinct, "an event was logged twice"
    assert figures["tips.total"] == 300 and figures["items.verified"] == 150

    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    rebuild(
        broker_settings, clean, targets={TopicPartition(t, p): o for (t, p), o in positions.items()}
    )
    comparison = compare(url, clean)
    assert comparison.identical, comparison.differences[:5]
