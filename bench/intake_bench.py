"""Intake benchmark: sustained tips/s and p50/p99 of ``POST /tips`` (acks=all), beside
the same app answering a no-op endpoint and a bare kafka-python producer sending the
same records, all in one run on one private broker. Tips are measured twice: as an
API client sends them, and with an Idempotency-Key each, as the web form sends them
(the service then also keeps a sealed copy of the receipt code, under a key of its
own in the key store, to answer a retry).

The HTTP load comes from one aiohttp client (keep-alive connections, the body encoded
once), the same for the no-op baseline and the tips: client, server and broker share
the machine's cores, and a heavier client (httpx costs several times more CPU per
request) would measure the client as much as the server.

    .venv/bin/python bench/intake_bench.py [--seconds 20] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import httpx  # noqa: E402
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402

from bench._load import Figures, closed_loop, load_average, machine  # noqa: E402
from shared.kafka.admin import ensure_topics  # noqa: E402
from shared.kafka.security import client_options  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.topics import INTAKE, TopicSpec  # noqa: E402
from simulation.system import broker_logins, free_port, private_broker  # noqa: E402

TIP = {
    "channel": "website",
    "region_code": "360102",
    "agency_text": "南昌市东湖区城市管理局",
    "description": "城管执法人员随意没收摊贩物品，未出具任何凭证。",
    "occurred_on": date.today().isoformat(),
}


BARE_TOPIC = "bench.bare-producer"


@contextmanager
def private_intake_settings(prefix: str) -> Iterator[Settings]:
    """Settings for an intake on a broker of its own, with the topics made and a new
    data directory."""
    with private_broker() as bootstrap:
        logins = broker_logins(bootstrap)
        admin = logins[0].settings_update() if logins else {}
        settings = Settings(
            **admin,
            kafka_bootstrap_servers=bootstrap,
            data_dir=Path(tempfile.mkdtemp(prefix=prefix)),
        )
        ensure_topics(settings)
        # The baseline's own topic (the broker makes no topic on first use).
        ensure_topics(settings, [TopicSpec(BARE_TOPIC, settings.topic_partitions, 1)])
        yield settings


def start_server(
    settings: Settings, port: int, patience: float = 90, poll: float = 0.3
) -> subprocess.Popen[bytes]:
    """Launch intake (``bench/intake_bench_server.py``) and wait until ``/health``
    answers 200, checking every ``poll`` s for up to ``patience`` s."""
    env = dict(os.environ)
    logins = broker_logins(settings.kafka_bootstrap_servers)
    if logins is not None:  # intake as its own principal
        env.update(logins[1]["intake"].environment())
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=settings.kafka_bootstrap_servers,
        DATA_DIR=str(settings.data_dir),
        INTAKE_PORT=str(port),
        # The bench's load comes from one address; the per-client limit would stop it
        # after a few tips. The limit's store is still written for every tip.
        INTAKE_TIP_LIMIT="1000000000/hour",
    )
    env.setdefault("CAMPAIGN_DEV_MODE", "true")
    log = (settings.data_dir / "intake.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "intake_bench_server.py")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(poll)
    process.kill()
    raise RuntimeError("intake did not become healthy; see " + str(settings.data_dir))


async def http_figures(url: str, concurrency: int, seconds: float) -> list[Figures]:
    """Tips, tips with an Idempotency-Key (as the web form sends them), and the no-op
    baseline, each for ``seconds``."""
    body = json.dumps(TIP).encode()
    headers = {"Content-Type": "application/json"}
    run = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as client:

        async def post(path: str, expected: int, extra: dict[str, str] | None = None) -> bool:
            sent = {**headers, **extra} if extra else headers
            async with client.post(path, data=body, headers=sent) as response:
                await response.read()
                return response.status == expected

        async def tip(n: int) -> bool:
            return await post("/tips", 201)

        async def keyed_tip(n: int) -> bool:
            return await post("/tips", 201, {"Idempotency-Key": f"bench-{run}-{n}"})

        async def noop(n: int) -> bool:
            return await post("/bench/noop", 200)

        await closed_loop("warm-up", tip, concurrency, 3)
        noop_figures = await closed_loop(
            "baseline: same app, no-op endpoint", noop, concurrency, seconds
        )
        tip_figures = await closed_loop("POST /tips (acks=all)", tip, concurrency, seconds)
        keyed_figures = await closed_loop(
            "POST /tips with Idempotency-Key", keyed_tip, concurrency, seconds
        )
    return [tip_figures, keyed_figures, noop_figures]


def sample_record(settings: Settings) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    consumer = KafkaConsumer(**client_options(settings))
    try:
        for partition in consumer.partitions_for_topic(INTAKE) or ():
            tp = TopicPartition(INTAKE, partition)
            consumer.assign([tp])
            consumer.seek_to_beginning(tp)
            for records in consumer.poll(timeout_ms=5000).values():
                record = records[0]
                return record.key, record.value, list(record.headers)
    finally:
        consumer.close()
    raise RuntimeError("no record on intake.events")


def producer_figures(settings: Settings, concurrency: int, seconds: float, flush: bool) -> Figures:
    """``concurrency`` threads each sending one record and waiting for its ack."""
    key, value, headers = sample_record(settings)
    producer = KafkaProducer(
        **client_options(settings),
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
    )
    topic = BARE_TOPIC
    producer.send(topic, key=key, value=value, headers=headers).get(30)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            future = producer.send(topic, key=key, value=value, headers=headers)
            if flush:
                producer.flush(30)
            future.get(30)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    producer.close()
    label = (
        "baseline: bare producer, send+flush+get" if flush else "baseline: bare producer, send+get"
    )
    return Figures(label, len(latencies), 0, elapsed, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    load_before = load_average()
    with private_intake_settings("bench-intake-") as settings:
        port = free_port()
        server = start_server(settings, port)
        try:
            http = asyncio.run(
                http_figures(f"http://127.0.0.1:{port}", args.concurrency, args.seconds)
            )
        finally:
            server.terminate()
            server.wait(15)
        bare = producer_figures(settings, args.concurrency, args.seconds, flush=False)
        bare_flush = producer_figures(settings, args.concurrency, args.seconds, flush=True)
    print(
        f"intake benchmark · {machine()} · load average {load_before} before, "
        f"{load_average()} after · "
        f"concurrency {args.concurrency} · {args.seconds:.0f} s each · aiohttp client"
    )
    for figures in (*http, bare, bare_flush):
        print(figures.line())
    print("target: ≥ 1000 tips/s with p99 < 50 ms")


if __name__ == "__main__":
    main()
