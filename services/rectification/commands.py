"""CLI: ``campaign rectification status [--region CODE]``: items by status and the
overdue ones, read from ``rectification.events`` (read-only: it never writes)."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any


def _status(args: argparse.Namespace) -> int:
    from services.rectification.application.app import AGGREGATE_KINDS, ITEM
    from services.rectification.domain.items.state import STATUS_ZH, ItemState
    from shared.clock import SystemClock
    from shared.eventstore import EventStore
    from shared.kafka.producer import EventPublisher
    from shared.kafka.replay import replay_topic
    from shared.regions import jiangxi
    from shared.settings import get_settings
    from shared.topics import RECTIFICATION

    settings = get_settings()
    store = EventStore(
        source="/rectification-cli",
        topic=RECTIFICATION,
        publisher=EventPublisher(settings),
        clock=SystemClock(),
    )
    for kind in AGGREGATE_KINDS:
        store.register(kind)
    replay_topic(settings, RECTIFICATION, store.apply)
    regions = jiangxi()
    items: list[ItemState] = [
        state
        for _, state in store.all(ITEM)
        if state is not None and regions.is_within(state.region_code, args.region)
    ]
    counts = Counter(item.status for item in items)
    print(f"{len(items)} items in {args.region} / 辖区内整改事项 {len(items)} 项")
    for status, count in sorted(counts.items()):
        print(f"  {STATUS_ZH[status]} {status.value}: {count}")
    overdue = sorted((i for i in items if i.overdue), key=lambda i: (i.due_on, i.item_id))
    print(f"overdue / 逾期: {len(overdue)}")
    for item in overdue:
        flag = " escalated/已升级" if item.escalated else ""
        print(f"  {item.item_id} {item.agency_id} {item.region_code} due {item.due_on}{flag}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rectification", help="rectification items (read-only)")
    actions = parser.add_subparsers(dest="rectification_action", required=True)
    status = actions.add_parser("status", help="items by status and the overdue ones")
    status.add_argument("--region", default="360000", help="GB/T 2260 code (default 360000)")
    status.set_defaults(func=_status)
