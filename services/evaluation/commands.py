"""``campaign evaluation …``: recompute a draw or a tally, as anyone can.

- ``verify-draw --pool FILE --randomness X --algorithm v1 [--expected FILE]``
  recomputes the draw from a published pool; with ``--expected`` it says whether it
  matches and names the first difference (exit 0 match, 1 mismatch, 2 bad input).
- ``tally --meeting ID`` reads ``evaluation.events`` and recomputes the meeting's
  tally from its events alone (exit 0 when it equals the recorded tally).
- ``export-draw --meeting ID --pool-out F --draw-out F`` writes the published pool
  and draw of a meeting, read from the topic, for ``verify-draw``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from services.evaluation.domain import draw as draw_algorithm
from services.evaluation.domain.audit import recompute_tally
from services.evaluation.domain.preparation import drawn_result, pool_document
from services.evaluation.domain.tally import counts
from shared.envelope import CloudEvent
from shared.errors import Refusal
from shared.events.base import DomainEvent
from shared.events.evaluation import PoolFrozen, RepresentativesDrawn
from shared.settings import get_settings
from shared.topics import EVALUATION


def _pick(document: dict[str, Any], nested: str, fields: set[str]) -> dict[str, Any]:
    """Accept the bare document, an API view wrapping it, or an event's data."""
    if nested in document and isinstance(document[nested], dict):
        document = document[nested]
    return {k: v for k, v in document.items() if k in fields}


def load_pool(path: Path) -> draw_algorithm.PoolDocument:
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = set(draw_algorithm.PoolDocument.model_fields)
    return draw_algorithm.PoolDocument.model_validate(_pick(data, "pool", fields))


def load_draw(path: Path) -> draw_algorithm.DrawResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = set(draw_algorithm.DrawResult.model_fields)
    return draw_algorithm.DrawResult.model_validate(_pick(data, "draw", fields))


def _verify_draw(args: argparse.Namespace) -> int:
    try:
        pool = load_pool(Path(args.pool))
        expected = load_draw(Path(args.expected)) if args.expected else None
        verification = draw_algorithm.verify(pool, args.randomness, args.algorithm, expected)
    except (OSError, ValueError, ValidationError) as exc:
        print(f"无法读取输入 / cannot read input: {exc}", file=sys.stderr)
        return 2
    except Refusal as refusal:
        print(f"{refusal.zh} / {refusal.en}", file=sys.stderr)
        return 2
    if verification.matches is None:
        print(verification.recomputed.model_dump_json(indent=2))
        return 0
    if verification.matches:
        print(
            f"一致 / MATCH: pool {verification.recomputed.pool_hash}, "
            f"seed {verification.recomputed.seed}"
        )
        return 0
    print(f"不一致 / MISMATCH: first difference: {verification.first_difference}")
    return 1


def _meeting_events(meeting_id: str) -> list[DomainEvent]:
    from shared.kafka.replay import replay_topic

    collected: list[tuple[int, DomainEvent]] = []

    def keep(envelope: CloudEvent, event: DomainEvent) -> None:
        if envelope.subject == meeting_id:
            collected.append((envelope.sequence, event))

    replay_topic(get_settings(), EVALUATION, keep)
    return [event for _, event in sorted(collected, key=lambda pair: pair[0])]


def _tally(args: argparse.Namespace) -> int:
    events = _meeting_events(args.meeting)
    if not events:
        print(f"未找到评议会 / no events for meeting {args.meeting}", file=sys.stderr)
        return 2
    check = recompute_tally(events)
    recomputed = check.recomputed
    print(
        json.dumps(
            {
                "meeting_id": args.meeting,
                **counts(recomputed),
                "results": [r.model_dump() for r in recomputed.results],
                "matches_recorded": check.matches,
                "first_difference": check.first_difference,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0 if check.matches else 1


def _export_draw(args: argparse.Namespace) -> int:
    events = _meeting_events(args.meeting)
    pool = next((e for e in events if isinstance(e, PoolFrozen)), None)
    drawn = next((e for e in events if isinstance(e, RepresentativesDrawn)), None)
    if pool is None or drawn is None:
        print("该评议会尚未冻结样本库或抽取 / pool not frozen or not drawn", file=sys.stderr)
        return 2
    Path(args.pool_out).write_text(pool_document(pool).model_dump_json(indent=2), "utf-8")
    Path(args.draw_out).write_text(drawn_result(drawn).model_dump_json(indent=2), "utf-8")
    print(f"randomness: {drawn.randomness}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("evaluation", help="verify draws and tallies of evaluations")
    sub = parser.add_subparsers(dest="evaluation_command", required=True)

    verify = sub.add_parser("verify-draw", help="recompute a draw from its published pool")
    verify.add_argument("--pool", required=True, help="pool document (JSON)")
    verify.add_argument("--randomness", required=True, help="the public randomness")
    verify.add_argument(
        "--algorithm", default=draw_algorithm.ALGORITHM, help="draw algorithm version (default v1)"
    )
    verify.add_argument("--expected", help="the published draw (JSON) to compare with")
    verify.set_defaults(func=_verify_draw)

    tally = sub.add_parser("tally", help="recompute a meeting's tally from evaluation.events")
    tally.add_argument("--meeting", required=True)
    tally.set_defaults(func=_tally)

    export = sub.add_parser("export-draw", help="write a meeting's pool and draw from the topic")
    export.add_argument("--meeting", required=True)
    export.add_argument("--pool-out", required=True)
    export.add_argument("--draw-out", required=True)
    export.set_defaults(func=_export_draw)
