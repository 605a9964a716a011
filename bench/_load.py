"""Load generation and figures shared by the benchmarks (not a test helper)."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figures:
    label: str
    count: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    show_rate: bool = True

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def line(self) -> str:
        rate = f"{self.rate:>9.0f}/s" if self.show_rate else " " * 11
        return (
            f"{self.label:<44} {rate}  p50 {self.percentile(50):>7.1f} ms  "
            f"p99 {self.percentile(99):>7.1f} ms  n={self.count} errors={self.errors}"
        )


async def closed_loop(
    label: str, call: Callable[[int], Awaitable[bool]], concurrency: int, seconds: float
) -> Figures:
    """``concurrency`` workers calling back to back for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    counter = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors, counter
        while time.perf_counter() < stop:
            counter += 1
            started = time.perf_counter()
            ok = await call(counter)
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Figures(label, len(latencies), errors, time.perf_counter() - started, latencies)


async def open_loop(
    label: str,
    call: Callable[[int], Awaitable[bool]],
    rate: float,
    seconds: float,
    max_in_flight: int = 64,
) -> tuple[Figures, list[float]]:
    """Offer a call every 1/rate s whatever the answers (at most ``max_in_flight`` on
    the wire; the rest wait, and their wait counts in their latency); also returns the
    moment (perf_counter) each successful call was answered."""
    gate = asyncio.Semaphore(max_in_flight)
    latencies: list[float] = []
    answered: list[float] = []
    errors = 0
    tasks = []
    total = int(rate * seconds)

    async def one(n: int) -> None:
        nonlocal errors
        started = time.perf_counter()
        async with gate:
            ok = await call(n)
        done = time.perf_counter()
        if ok:
            latencies.append((done - started) * 1000)
            answered.append(done)
        else:
            errors += 1

    begin = time.perf_counter()
    for n in range(total):
        delay = begin + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - begin
    return Figures(label, len(latencies), errors, elapsed, latencies), answered


def machine() -> str:
    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    return f"nproc={os.cpu_count()} RAM={memory}"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (other work on a shared machine)."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size so far."""
    return _status_mb(pid, "VmHWM:")


def rss_mb(pid: int) -> float:
    """VmRSS: the process's resident set size now."""
    return _status_mb(pid, "VmRSS:")


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
