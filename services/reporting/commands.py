"""``campaign reporting …``: project, replay (optionally as of a moment), compare two
builds figure by figure, and write summary reports."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.settings import get_settings


def _as_of(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _project(args: argparse.Namespace) -> int:
    from services.reporting.readmodels.consumer import Projector
    from services.reporting.readmodels.schema import create_tables, make_engine

    settings = get_settings()
    engine = make_engine(args.db or settings.resolved_readmodel_url)
    create_tables(engine)
    projector = Projector(settings, engine, max_records=args.batch)
    try:
        if args.follow:
            projector.run_forever()
        else:
            status = projector.run_until()
            print(json.dumps({"applied": status.applied, "dead_letters": status.dead}))
    finally:
        projector.close()
    return 0


def _replay(args: argparse.Namespace) -> int:
    from services.reporting.replay.audit import rebuild

    summary = rebuild(get_settings(), args.into, as_of=_as_of(args.as_of), lanes=args.lanes)
    print(
        json.dumps(
            {
                "into": summary.url,
                "as_of": summary.as_of.isoformat() if summary.as_of else None,
                "applied": summary.applied,
                "skipped": summary.skipped,
                "dead_letters": summary.dead_letters,
                "seconds": summary.seconds,
                "offsets": summary.offsets,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


def _compare(args: argparse.Namespace) -> int:
    from services.reporting.replay.audit import compare, comparison_json

    result = compare(args.left, args.right)
    print(comparison_json(result))
    return 0 if result.identical else 1


def _report(args: argparse.Namespace) -> int:
    from services.reporting.readmodels.schema import make_engine
    from services.reporting.reports.render import render_summary

    settings = get_settings()
    engine = make_engine(args.db or settings.resolved_readmodel_url)
    as_of = _as_of(args.as_of) or datetime.now(UTC)
    body, name = render_summary(
        engine, as_of, args.format, region_code=args.region, agency_id=args.agency
    )
    out = Path(args.out) if args.out else Path(name)
    out.write_bytes(body)
    print(f"wrote {out} ({len(body)} bytes)", file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("reporting", help="read models: project, replay, compare, report")
    actions = parser.add_subparsers(dest="reporting_action", required=True)

    project = actions.add_parser("project", help="project the topics into a database")
    project.add_argument("--db", help="SQLAlchemy URL (default READMODEL_URL)")
    project.add_argument("--batch", type=int, default=5000, help="records per transaction")
    project.add_argument("--follow", action="store_true", help="keep following the topics")
    project.set_defaults(func=_project)

    replay = actions.add_parser("replay", help="rebuild from offset 0 into a separate database")
    replay.add_argument("--into", required=True, help="SQLAlchemy URL of the new build")
    replay.add_argument("--as-of", help="only events whose time is ≤ this (ISO 8601)")
    replay.add_argument(
        "--lanes", type=int, help="processes sharing the partitions (default: one per CPU, ≤ 4)"
    )
    replay.set_defaults(func=_replay)

    comparison = actions.add_parser("compare", help="compare two builds figure by figure")
    comparison.add_argument("left", help="SQLAlchemy URL")
    comparison.add_argument("right", help="SQLAlchemy URL")
    comparison.set_defaults(func=_compare)

    report = actions.add_parser("report", help="write a summary report (PDF or Word)")
    target = report.add_mutually_exclusive_group(required=True)
    target.add_argument("--region", help="GB/T 2260 region code")
    target.add_argument("--agency", help="agency id")
    report.add_argument("--format", choices=["pdf", "docx"], default="pdf")
    report.add_argument("--out", help="output file (default: the report's title)")
    report.add_argument("--db", help="SQLAlchemy URL (default READMODEL_URL)")
    report.add_argument("--as-of", help="the moment the report states (default now)")
    report.set_defaults(func=_report)
