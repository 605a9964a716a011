"""Restart benchmark: how long intake takes from launch to healthy with N tips on its
topic, in one run on one private broker:

- after a clean stop, reading on from its state file;
- after a clean stop with the state file removed, folding the topic from offset 0 (what
  every start did before the file was kept): the baseline;
- after a SIGKILL (the file is not trusted, so it also folds from 0, and the consumer
  group waits for the dead member's session to time out);
- and a first start on an empty topic.

    .venv/bin/python bench/restart_bench.py [--tips 30000 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench._load import load_average, machine  # noqa: E402
from bench.intake_bench import TIP, private_intake_settings, start_server  # noqa: E402
from shared.settings import Settings  # noqa: E402
from simulation.system import free_port  # noqa: E402


def launch(settings: Settings, port: int) -> tuple[subprocess.Popen[bytes], float]:
    """Start intake; return it and the seconds until ``/health`` answered 200."""
    started = time.perf_counter()
    process = start_server(settings, port, patience=600, poll=0.1)
    return process, time.perf_counter() - started


async def submit(url: str, count: int, concurrency: int = 16) -> None:
    body = json.dumps(TIP).encode()
    headers = {"Content-Type": "application/json"}
    left = count
    async with aiohttp.ClientSession(
        url, connector=aiohttp.TCPConnector(limit=concurrency)
    ) as client:

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                async with client.post("/tips", data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 201:
                        raise RuntimeError(f"POST /tips answered {response.status}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))


def stop(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    process.send_signal(sig)
    process.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tips", type=int, nargs="+", default=[30_000, 100_000])
    args = parser.parse_args()
    load_before = load_average()
    rows: list[str] = []
    with private_intake_settings("bench-restart-") as settings:
        port = free_port()
        process, empty = launch(settings, port)
        rows.append(f"{'first start on an empty topic':<56} {empty:>7.1f} s")
        on_topic = 0
        for target in sorted(args.tips):
            asyncio.run(submit(f"http://127.0.0.1:{port}", target - on_topic))
            on_topic = target
            stop(process, signal.SIGTERM)
            process, resumed = launch(settings, port)
            stop(process, signal.SIGTERM)
            (settings.data_dir / "state" / "intake.sqlite").unlink()
            process, rebuilt = launch(settings, port)
            stop(process, signal.SIGKILL)
            process, crashed = launch(settings, port)
            for how, seconds in (
                ("after a clean stop (reads on)", resumed),
                ("baseline: state file removed (folds from 0)", rebuilt),
                ("after SIGKILL (folds from 0)", crashed),
            ):
                rows.append(f"{f'{on_topic:,} tips: {how}':<56} {seconds:>7.1f} s")
        stop(process, signal.SIGTERM)
    print(
        f"restart benchmark · {machine()} · load average {load_before} before, "
        f"{load_average()} after · launch to /health 200"
    )
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
