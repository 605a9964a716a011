"""CLI: ``campaign directory import --campaigns F --agencies F --entities F``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _import(args: argparse.Namespace) -> int:
    from shared.settings import get_settings

    from .directory.importer import run_import

    if not (args.campaigns or args.agencies or args.entities):
        print("give at least one of --campaigns, --agencies, --entities", file=sys.stderr)
        return 2
    report = run_import(
        get_settings(),
        campaigns=Path(args.campaigns) if args.campaigns else None,
        agencies=Path(args.agencies) if args.agencies else None,
        entities=Path(args.entities) if args.entities else None,
    )
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    if not report.ok:
        print(f"nothing imported: {len(report.errors)} malformed row(s)", file=sys.stderr)
        return 1
    for line in report.published:
        print(f"published {line}")
    for note in report.notes:
        print(f"note: {note}")
    print(f"{len(report.published)} published, {report.unchanged} unchanged")
    return 0


def register(subparsers: Any) -> None:
    directory = subparsers.add_parser("directory", help="reference data on directory.events")
    actions = directory.add_subparsers(dest="directory_action", required=True)
    importer = actions.add_parser(
        "import",
        help="import campaigns, agencies and regulated entities from CSV (idempotent)",
    )
    importer.add_argument("--campaigns", help="campaigns CSV (one row per campaign)")
    importer.add_argument("--agencies", help="agencies CSV")
    importer.add_argument("--entities", help="regulated entities CSV (names sealed per entity)")
    importer.set_defaults(func=_import)
