"""Replay benchmark: N events into the reporting read models, beside a bare
kafka-python consumer that only reads and decodes the same topic, in the same run.

    .venv/bin/python bench/replay_bench.py                 # 1,000,000 events
    .venv/bin/python bench/replay_bench.py --events 200000 --db sqlite   # or --db <URL>

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, otherwise starts a throwaway broker with
``deploy/kafka/kafkactl.py``. Each measurement runs in its own process so its peak
RSS is its own. Events: copies of one agency's complete campaign story (every event
type), spread over agencies in every county, published once to a fresh topic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402

from shared.codec import encode  # noqa: E402
from shared.kafka.local import LocalBroker  # noqa: E402
from shared.kafka.security import client_options  # noqa: E402
from shared.regions import jiangxi  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.topics import TopicSpec  # noqa: E402

KEY = "QQKEYQQ"
AGENCY = "QQAGENCYQQ"
REGION = "369999"  # placeholder replaced per copy (never a real code)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the events ----------------------------------------------------------------------


def _templates() -> list[tuple[bytes, bytes]]:
    """One complete story with placeholders, encoded once."""
    from tests.reporting.sample_events import EventLog, full_story

    log = EventLog()
    full_story(log, KEY, AGENCY, "360102")
    result = []
    for envelope in log.envelopes:
        record = encode(envelope)
        value = record.value.replace(
            envelope.id.encode(), b"QQID" + str(len(result)).encode() + b"QQ"
        )
        result.append((record.key, value.replace(b"360102", REGION.encode())))
    return result


def _directory(counties: list[str]) -> list[tuple[bytes, bytes]]:
    from tests.reporting.sample_events import EventLog, register_agency, register_campaign

    log = EventLog()
    register_campaign(log)
    for n, code in enumerate(counties):
        register_agency(log, f"ag-bench-{n}", code)
    return [(encode(e).key, encode(e).value) for e in log.envelopes]


def publish(bootstrap: str, topic: str, count: int) -> int:
    counties = [r.code for r in jiangxi().counties()]
    producer = KafkaProducer(
        **client_options(Settings(kafka_bootstrap_servers=bootstrap)),
        acks=1,
        linger_ms=50,
        batch_size=1024 * 1024,
        max_request_size=8 * 1024 * 1024,
    )
    sent = 0
    for key, value in _directory(counties):
        producer.send(topic, key=key, value=value)
        sent += 1
    templates = _templates()
    copy = 0
    while sent < count:
        n = copy % len(counties)
        token = f"b{copy}".encode()
        agency = f"ag-bench-{n}".encode()
        region = counties[n].encode()
        for index, (key, value) in enumerate(templates):
            if sent >= count:
                break
            event_id = f"{uuid.uuid4()}".encode()
            body = (
                value.replace(b"QQID" + str(index).encode() + b"QQ", event_id)
                .replace(KEY.encode(), token)
                .replace(AGENCY.encode(), agency)
                .replace(REGION.encode(), region)
            )
            record_key = key.replace(KEY.encode(), token).replace(AGENCY.encode(), agency)
            producer.send(topic, key=record_key, value=body)
            sent += 1
        copy += 1
    producer.flush()
    producer.close()
    return sent


# -- the two measurements --------------------------------------------------------------


def measure_bare(bootstrap: str, topic: str) -> dict[str, Any]:
    """The issue's baseline: kafka-python reading and decoding, nothing else."""
    from shared.events.reader import read_in_one_pass

    consumer = KafkaConsumer(
        **client_options(Settings(kafka_bootstrap_servers=bootstrap)),
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
        # CRCs checked like the projector does; the crc32c package makes it native
        check_crcs=importlib.util.find_spec("crc32c") is not None,
    )
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    end = consumer.end_offsets(partitions)
    started = time.perf_counter()
    count = 0
    while any(consumer.position(tp) < end[tp] for tp in partitions):
        for records in consumer.poll(timeout_ms=500, max_records=5000).values():
            for record in records:
                # unreadable records: the projection dead-letters them, here they are skipped
                with contextlib.suppress(ValueError):
                    read_in_one_pass(record.key, record.value)
                count += 1
    seconds = time.perf_counter() - started
    consumer.close()
    return _rate(count, seconds)


def measure_bare_aiokafka(bootstrap: str, topic: str) -> dict[str, Any]:
    """A second baseline: the client the projector reads with, reading and decoding."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka import TopicPartition as AioPartition

    from shared.events.reader import read_in_one_pass

    async def run() -> dict[str, Any]:
        consumer = AIOKafkaConsumer(
            **client_options(Settings(kafka_bootstrap_servers=bootstrap)),
            group_id=None,
            enable_auto_commit=False,
            max_partition_fetch_bytes=2 * 1024 * 1024,
            fetch_max_bytes=16 * 1024 * 1024,
            check_crcs=True,
        )
        await consumer.start()
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [AioPartition(topic, p) for p in sorted(cluster.partitions_for_topic(topic))]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        started = time.perf_counter()
        count = 0
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            fetched = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in fetched.values():
                for record in records:
                    with contextlib.suppress(ValueError):
                        read_in_one_pass(record.key, record.value)
                    count += 1
        seconds = time.perf_counter() - started
        await consumer.stop()
        return _rate(count, seconds)

    return asyncio.run(run())


def _rate(count: int, seconds: float) -> dict[str, Any]:
    return {
        "events": count,
        "seconds": seconds,
        "rate": count / seconds,
        "peak_rss_mb": _peak_rss_mb(),
    }


def measure_projection(bootstrap: str, topic: str, url: str, lanes: int) -> dict[str, Any]:
    from services.reporting.readmodels.lanes import build_fresh

    settings = Settings(kafka_bootstrap_servers=bootstrap)
    started = time.perf_counter()
    summary = build_fresh(settings, url, lanes=lanes, topics=[topic])  # as an audit replay
    seconds = time.perf_counter() - started
    status = summary.status
    count = status.applied + status.skipped + status.dead
    return {
        "events": count,
        "applied": status.applied,
        "dead_letters": status.dead,
        "seconds": seconds,
        "rate": count / seconds,
        "lanes": summary.lanes,
        "lane_rss_mb": summary.peak_rss_mb,
        # every process's own peak, added up: an upper bound on the replay's memory
        "peak_rss_mb": sum(summary.peak_rss_mb),
    }


def _child(
    measurement: str, bootstrap: str, topic: str, url: str, lanes: int = 1
) -> dict[str, Any]:
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            measurement,
            "--bootstrap",
            bootstrap,
            "--topic",
            topic,
            "--db",
            url,
            "--lanes",
            str(lanes),
        ],
        capture_output=True,
        text=True,
    )
    if output.returncode != 0:
        raise SystemExit(f"{measurement} failed:\n{output.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument(
        "--lanes", type=int, default=0, help="projection processes (default: one per CPU, ≤ 4)"
    )
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", ""))
    parser.add_argument("--db", default="sqlite", help="'sqlite' (a temp file) or a SQLAlchemy URL")
    parser.add_argument(
        "--measure", choices=["bare", "bare-aiokafka", "project"], help=argparse.SUPPRESS
    )
    parser.add_argument("--topic", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure == "bare":
        print(json.dumps(measure_bare(args.bootstrap, args.topic)))
        return 0
    if args.measure == "bare-aiokafka":
        print(json.dumps(measure_bare_aiokafka(args.bootstrap, args.topic)))
        return 0
    if args.measure == "project":
        print(json.dumps(measure_projection(args.bootstrap, args.topic, args.db, args.lanes)))
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="replay-bench-"))
    broker_dir = None
    bootstrap = args.bootstrap
    kafkactl = [sys.executable, str(ROOT / "deploy" / "kafka" / "kafkactl.py")]
    try:
        if not bootstrap:
            broker_dir = scratch / "kafka"
            port, controller = _free_port(), _free_port()
            options = [
                "--port",
                str(port),
                "--controller-port",
                str(controller),
                "--data-dir",
                str(broker_dir),
            ]
            subprocess.run([*kafkactl, "start", *options], check=True, capture_output=True)
            bootstrap = f"127.0.0.1:{port}"
            # The broker takes SASL logins only: this process and the measuring children
            # (they inherit the environment) log in as its admin.
            os.environ.update(LocalBroker(port, broker_dir).admin_login().environment())
        from shared.kafka.admin import ensure_topics

        topic = f"bench.replay.{int(time.time())}"
        settings = Settings(kafka_bootstrap_servers=bootstrap)
        ensure_topics(settings, [TopicSpec(topic, args.partitions, 1, {"retention.ms": "-1"})])
        started = time.perf_counter()
        published = publish(bootstrap, topic, args.events)
        print(f"published {published:,} events to {topic} in {time.perf_counter() - started:.1f} s")

        url = f"sqlite:///{scratch / 'bench.db'}" if args.db == "sqlite" else args.db
        bare = _child("bare", bootstrap, topic, url)
        bare_aio = _child("bare-aiokafka", bootstrap, topic, url)
        from services.reporting.readmodels.lanes import default_lanes

        projection = _child("project", bootstrap, topic, url, args.lanes or default_lanes())
        ratio = projection["rate"] / bare["rate"]
        print(
            f"bare consumer (read + decode): {bare['events']:,} events in {bare['seconds']:.1f} s"
            f" = {bare['rate']:,.0f} events/s, peak RSS {bare['peak_rss_mb']:.0f} MB"
        )
        print(
            f"bare aiokafka consumer (read + decode; the projector's client): "
            f"{bare_aio['events']:,} events in {bare_aio['seconds']:.1f} s"
            f" = {bare_aio['rate']:,.0f} events/s, peak RSS {bare_aio['peak_rss_mb']:.0f} MB"
        )
        print(
            f"projection replay ({url.split(':')[0]}): {projection['events']:,} events in "
            f"{projection['seconds']:.1f} s = {projection['rate']:,.0f} events/s in "
            f"{projection['lanes']} lane(s), peak RSS {projection['peak_rss_mb']:.0f} MB "
            f"(per process: {', '.join(f'{m:.0f}' for m in projection['lane_rss_mb'])})"
        )
        print(f"ratio projection / bare kafka-python = {ratio:.2f}")
        print(f"ratio projection / bare aiokafka = {projection['rate'] / bare_aio['rate']:.2f}")
        verdict = {
            "rate >= 50,000/s": projection["rate"] >= 50_000,
            "ratio >= 0.5": ratio >= 0.5,
            "peak RSS < 300 MB": projection["peak_rss_mb"] < 300,
        }
        print(
            "targets: " + ", ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in verdict.items())
        )
        return 0
    finally:
        if broker_dir is not None:
            subprocess.run([*kafkactl, "stop", "--data-dir", str(broker_dir)], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
