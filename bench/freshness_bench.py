"""Freshness benchmark: from a tip's 201 to the first reporting figure that counts it,
p50/p99, with tips offered at a fixed rate (open loop). Beside it, in the same run,
the plain round trip of the figure read itself (the baseline a poller cannot beat).

    .venv/bin/python bench/freshness_bench.py [--rate 500] [--seconds 6] [--also-rate 50]

Method: every tip goes to one county; a poller reads that county's ``tips.total``
every ``--poll-ms``; the k-th 201 (in answer order) is fresh when the figure first
reaches baseline + k. Resolution: one poll interval.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench._load import Figures, machine, open_loop  # noqa: E402
from shared.actors import Role  # noqa: E402
from shared.auth import bearer_header  # noqa: E402
from simulation.system import System, private_broker  # noqa: E402

REGION = "360102"
TIP = {
    "channel": "hotline",
    "region_code": REGION,
    "agency_text": "南昌市东湖区市场和质量监督管理局",
    "description": "执法人员对同类违法行为处罚畸轻畸重。",
    "occurred_on": date.today().isoformat(),
}


async def measure(system: System, rate: float, seconds: float, poll_ms: float) -> list[Figures]:
    auth = bearer_header(system.settings, Role.auditor, "au-360000", "360000", subject="bench")
    # aiohttp, as in the intake bench: httpx costs several times the CPU per request,
    # on the same two cores as the services.
    connector = aiohttp.TCPConnector(limit=128)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        figure_url = f"{system.urls['reporting']}/dashboard/regions/{REGION}"
        tip_url = f"{system.urls['intake']}/tips"

        async def total() -> float:
            async with http.get(figure_url, headers=auth) as response:
                body = await response.json()
            return float(body["figures"].get("tips.total", 0))

        async def caught_up(expected: float, timeout_s: float = 120) -> None:
            deadline = time.monotonic() + timeout_s
            while await total() < expected and time.monotonic() < deadline:
                await asyncio.sleep(0.2)

        base = await total()
        polls: list[tuple[float, float]] = []
        read_ms: list[float] = []
        stop = asyncio.Event()

        async def poller() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                value = await total()
                polls.append((time.perf_counter(), value))
                read_ms.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(poll_ms / 1000)

        async def tip(n: int) -> bool:
            async with http.post(tip_url, json=TIP) as response:
                await response.read()
                return response.status == 201

        polling = asyncio.create_task(poller())
        submitted, answered = await open_loop(
            f"POST /tips offered at {rate:.0f}/s", tip, rate, seconds
        )
        await caught_up(base + len(answered))
        await asyncio.sleep(poll_ms / 1000 * 2)
        stop.set()
        await polling
    times = [t for t, _ in polls]
    values = [v for _, v in polls]
    freshness = []
    for k, answered_at in enumerate(sorted(answered), start=1):
        index = bisect.bisect_left(values, base + k)  # the figure never decreases
        if index == len(values):
            continue
        first = max(index, bisect.bisect_left(times, answered_at))
        seen = times[min(first, len(times) - 1)]
        freshness.append(max(0.0, (seen - answered_at) * 1000))
    return [
        submitted,
        Figures(
            f"freshness: 201 → counted by reporting ({rate:.0f}/s)",
            len(freshness),
            0,
            seconds,
            freshness,
            show_rate=False,
        ),
        Figures("baseline: one read of the figure", len(read_ms), 0, seconds, read_ms),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--also-rate", type=float, default=50, help="0 to skip")
    parser.add_argument("--poll-ms", type=float, default=20)
    args = parser.parse_args()
    with private_broker() as bootstrap:
        system = System(
            bootstrap, Path(tempfile.mkdtemp(prefix="bench-fresh-")), {"CLOCK_MODE": "system"}
        )
        from shared.kafka.admin import ensure_topics

        ensure_topics(system.settings)
        try:
            for service in ("intake", "reporting"):
                system.start(service)
            system.wait_healthy(("intake", "reporting"))
            results = asyncio.run(measure(system, args.rate, args.seconds, args.poll_ms))
            if args.also_rate:
                results += asyncio.run(
                    measure(system, args.also_rate, max(args.seconds, 10), args.poll_ms)
                )
        finally:
            system.stop_all()
    print(f"freshness benchmark · {machine()} · poll every {args.poll_ms:.0f} ms")
    for figures in results:
        print(figures.line())
    print("target: p99 under 1 s at 500 tips/s")


if __name__ == "__main__":
    main()
