"""Memory benchmark: peak RSS (VmHWM) of each service process during a whole-campaign
simulation, beside the same processes' peak right after start (idle, same run).

    .venv/bin/python bench/memory_bench.py [--size small|medium|large] [--seed 1] [--runs 1]

``--size large`` plays well over a million events (more than an hour on a 2-core
machine).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._load import machine, peak_rss_mb, rss_mb  # noqa: E402
from services.intake.directory.importer import run_import  # noqa: E402
from simulation.campaign import simulate  # noqa: E402
from simulation.plan import SIZES  # noqa: E402
from simulation.system import SERVICES, running_system  # noqa: E402


def _report_every(seconds: float, pids: dict[str, int]) -> None:
    started = time.monotonic()

    def report() -> None:
        while True:
            time.sleep(seconds)
            figures = " ".join(f"{s}={rss_mb(pid):.0f}" for s, pid in pids.items())
            print(f"[{time.monotonic() - started:6.0f} s] RSS MB: {figures}", flush=True)

    threading.Thread(target=report, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="simulations played one after another against the same processes "
        "(seeds seed, seed+1, …): shows how memory grows with the campaign",
    )
    parser.add_argument(
        "--every",
        type=float,
        default=0,
        help="also print each service's resident set every N seconds while it runs",
    )
    args = parser.parse_args()
    size = SIZES[args.size]
    with running_system(Path(tempfile.mkdtemp(prefix="bench-memory-"))) as system:
        if args.every:
            _report_every(args.every, {s: system.pid(s) for s in SERVICES})
        idle = {s: peak_rss_mb(system.pid(s)) for s in SERVICES}
        resident = [{s: rss_mb(system.pid(s)) for s in SERVICES}]
        calls = 0
        started = time.monotonic()
        log = (lambda line: print(line, flush=True)) if args.every else (lambda _: None)
        for run in range(args.runs):
            ledger = simulate(
                system.settings, size, args.seed + run, system.urls, log=log, run_import=run_import
            )
            calls += ledger.notes["run"]["http_calls"]
            resident.append({s: rss_mb(system.pid(s)) for s in SERVICES})
        seconds = time.monotonic() - started
        peak = {s: peak_rss_mb(system.pid(s)) for s in SERVICES}
    print(
        f"memory benchmark · {machine()} · {args.runs} × simulation {args.size} "
        f"(seed {args.seed}…): {calls} HTTP calls in {seconds:.0f} s"
    )
    print(f"{'service':<15} {'peak RSS during run':>20} {'baseline: idle peak':>20}")
    for service in SERVICES:
        print(f"{service:<15} {peak[service]:>17.0f} MB {idle[service]:>17.0f} MB")
    if args.runs > 1:
        tips = [f"{run * size.tips:,} tips" for run in range(args.runs + 1)]
        print("resident set after each run (MB):")
        print(f"{'service':<15}" + "".join(f"{t:>14}" for t in tips))
        for service in SERVICES:
            print(f"{service:<15}" + "".join(f"{r[service]:>14.0f}" for r in resident))
    print("target: at most 200 MB each (large simulation)")


if __name__ == "__main__":
    main()
