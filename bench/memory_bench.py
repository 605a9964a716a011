"""Memory benchmark: peak RSS (VmHWM) of each service process during a whole-campaign
simulation, beside the same processes' peak right after start (idle, same run).

    .venv/bin/python bench/memory_bench.py [--size small|medium|large] [--seed 1]

``--size large`` plays ~1.2 million events (hours on a 2-core machine).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._load import machine, peak_rss_mb  # noqa: E402
from simulation.campaign import simulate  # noqa: E402
from simulation.plan import SIZES  # noqa: E402
from simulation.system import SERVICES, running_system  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with running_system(Path(tempfile.mkdtemp(prefix="bench-memory-"))) as system:
        idle = {s: peak_rss_mb(system.pid(s)) for s in SERVICES}
        started = time.monotonic()
        ledger = simulate(
            system.settings, SIZES[args.size], args.seed, system.urls, log=lambda _: None
        )
        seconds = time.monotonic() - started
        peak = {s: peak_rss_mb(system.pid(s)) for s in SERVICES}
    run = ledger.notes["run"]
    print(
        f"memory benchmark · {machine()} · simulation {args.size} seed {args.seed}: "
        f"{run['http_calls']} HTTP calls in {seconds:.0f} s"
    )
    print(f"{'service':<15} {'peak RSS during run':>20} {'baseline: idle peak':>20}")
    for service in SERVICES:
        print(f"{service:<15} {peak[service]:>17.0f} MB {idle[service]:>17.0f} MB")
    print("target: at most 200 MB each (large simulation)")


if __name__ == "__main__":
    main()
