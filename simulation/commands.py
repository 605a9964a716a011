"""CLI: ``campaign simulate --size small|medium|large --seed N``."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Any

from shared.settings import get_settings

from .directory import DirectoryImport


def _simulate(args: argparse.Namespace, run_import: DirectoryImport) -> int:
    from .campaign import simulate
    from .check import wait_for_reporting
    from .client import Api, default_urls
    from .ledger import expected_figures
    from .plan import SIZES

    settings = get_settings()
    urls = default_urls(settings)
    for service in urls:
        override = getattr(args, f"base_url_{service}")
        if override:
            urls[service] = override.rstrip("/")
    ledger = simulate(settings, SIZES[args.size], args.seed, urls, run_import=run_import)
    out = Path(args.ledger)
    ledger.write(out)
    run = ledger.notes["run"]
    print(
        f"simulated {run['campaign_id']} ({args.size}, seed {args.seed}) in "
        f"{run['wall_seconds']} s, {run['http_calls']} HTTP calls; ledger: {out}"
    )
    if not args.check:
        return 0
    from datetime import datetime

    from shared.clock import SimulatedClock

    clock = SimulatedClock(datetime.fromisoformat(run["simulated_to"]))
    api = Api(settings=settings, urls=urls, clock=clock)
    try:
        found = wait_for_reporting(api, expected_figures([ledger.to_rows()]), args.check_timeout)
    finally:
        api.close()
    for line in found[:50]:
        print(f"mismatch: {line}", file=sys.stderr)
    print("reporting matches the ledger" if not found else f"{len(found)} figures differ")
    return 0 if not found else 1


def register(subparsers: Any, run_import: DirectoryImport) -> None:
    """``run_import`` loads the generated directory (intake's importer, from the
    composition root)."""
    parser = subparsers.add_parser(
        "simulate",
        help="play a whole campaign through the running services' HTTP APIs "
        "(needs CLOCK_MODE=controlled); writes a ledger of expected figures",
    )
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--ledger", default="var/simulation/ledger.json", help="where to write it")
    parser.add_argument(
        "--check",
        action="store_true",
        help="then wait for reporting and compare its figures with the ledger (exit 1 if not equal)"
        " — only meaningful on a broker that holds nothing but simulated runs",
    )
    parser.add_argument("--check-timeout", type=float, default=120.0)
    for service in ("intake", "rectification", "evaluation", "reporting"):
        parser.add_argument(
            f"--base-url-{service}", help=f"default http://HTTP_HOST:{service.upper()}_PORT"
        )
    parser.set_defaults(func=partial(_simulate, run_import=run_import))
