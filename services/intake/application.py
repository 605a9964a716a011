"""Intake's use cases, shared by the HTTP API, the policies and the timers:
each turns a request into commands on the event store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.actors import Actor
from shared.errors import Conflict, Invalid
from shared.events.intake import Attachment, TipChannel
from shared.eventstore import CommandContext
from shared.ids import prefixed_id, random_below, unique_id
from shared.vocabulary import Power

from .domain.commands import EscalateTip, ReceiveTip, RecordProblem
from .domain.receipt import new_receipt_code
from .domain.self_inspection import SelfInspectionState
from .domain.tip import TipState
from .parts import IntakeParts
from .store import PROBLEM, SELF_INSPECTION, TIP
from .tipster_privacy import TipWords


def new_tip_id() -> str:
    return prefixed_id("tip-", 20)


def new_problem_id() -> str:
    return prefixed_id("prb-", 20)


def new_correlation_id() -> str:
    return unique_id()


def secret_random_below() -> Callable[[int], int]:
    """The draw of one receipt code's symbols: ``shared.ids.random_below``, uniform
    and from the operating system's CSPRNG, read in blocks."""
    return random_below


@dataclass(frozen=True)
class NewTip:
    campaign_id: str
    channel: TipChannel
    region_code: str
    description: str
    occurred_on: date
    agency_id: str = ""
    agency_text: str = ""
    power: Power | None = None
    attachments: tuple[Attachment, ...] = ()
    contact: dict[str, str] | None = None
    origin_ref: str = ""
    with_receipt: bool = True
    filer: Actor | None = None  # the officer filing it, None for the public
    by_system: bool = False
    # The request as sent, for the idempotency check (only with an Idempotency-Key).
    request_body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmittedTip:
    tip_id: str
    receipt_code: str
    state: TipState
    replayed: bool = False


async def submit_tip(
    parts: IntakeParts,
    tip: NewTip,
    *,
    actor: str,
    idempotency_key: str = "",
    correlation_id: str = "",
    tip_id: str = "",
) -> SubmittedTip:
    """Receive a tip; with an idempotency key, a retry returns the first result."""
    if not idempotency_key:
        return await _receive(parts, tip, actor, "", correlation_id, tip_id)
    lookup = parts.privacy.lookup("idempotency", idempotency_key)
    async with parts.idempotency_locks.hold(lookup):
        first = parts.store.tip_by_idempotency_key.get(lookup)
        if first is None:
            return await _receive(parts, tip, actor, lookup, correlation_id, tip_id)
        state: TipState = parts.store.state(TIP, first)
        if state.request_fingerprint != parts.privacy.fingerprint(tip.request_body):
            raise Invalid(
                "该 Idempotency-Key 已用于另一份不同的提交",
                "this Idempotency-Key was already used for a different submission",
                field="Idempotency-Key",
            )
        receipt = ""
        if state.sealed_receipt:
            receipt = await asyncio.to_thread(
                parts.privacy.open_receipt, first, state.sealed_receipt
            )
        return SubmittedTip(first, receipt, state, replayed=True)


async def _receive(
    parts: IntakeParts,
    tip: NewTip,
    actor: str,
    idempotency_lookup: str,
    correlation_id: str,
    tip_id: str,
) -> SubmittedTip:
    tip_id = tip_id or new_tip_id()
    now = parts.clock.now()
    receipt = new_receipt_code(secret_random_below()) if tip.with_receipt else ""
    # A sealed copy of the receipt code is kept only to answer a retry with the same
    # Idempotency-Key; without a key nothing would ever open it.
    kept_receipt = receipt if idempotency_lookup else ""
    words = TipWords(
        description=tip.description,
        agency_text=tip.agency_text,
        attachment_names=tuple(a.file_name for a in tip.attachments),
    )
    sealed_contact, sealed_receipt, sealed_text = await parts.privacy.seal_new_tip(
        tip_id, tip.contact, kept_receipt, words
    )
    command = ReceiveTip(
        tip_id=tip_id,
        campaign_id=tip.campaign_id,
        channel=tip.channel,
        region_code=tip.region_code,
        description=tip.description,
        occurred_on=tip.occurred_on,
        triage_due_at=parts.directory.triage_due(tip.campaign_id, now),
        at=now,
        agency_id=tip.agency_id,
        agency_text=tip.agency_text,
        power=tip.power,
        attachments=tip.attachments,
        sealed_contact=sealed_contact,
        sealed_text=sealed_text,
        receipt_lookup=parts.privacy.lookup("receipt", receipt) if receipt else "",
        sealed_receipt=sealed_receipt,
        idempotency_lookup=idempotency_lookup,
        # Compared only when the same Idempotency-Key comes again.
        request_fingerprint=(
            parts.privacy.fingerprint(tip.request_body) if idempotency_lookup else ""
        ),
        origin_ref=tip.origin_ref,
        filer=tip.filer,
        by_system=tip.by_system,
    )
    context = CommandContext(
        actor=actor,
        campaign_id=tip.campaign_id,
        region_code=tip.region_code,
        correlation_id=correlation_id or new_correlation_id(),
    )
    await parts.store.execute(TIP, tip_id, command, context)
    return SubmittedTip(tip_id, receipt, parts.store.state(TIP, tip_id))


async def record_tip_problems(parts: IntakeParts, tip_id: str, correlation_id: str = "") -> int:
    """One ``ProblemFound`` per problem of a substantiated tip, each exactly once."""
    state: TipState = parts.store.state(TIP, tip_id)
    found = state.substantiation
    if found is None:
        return 0
    recorded = 0
    for problem in found.problems:
        command = RecordProblem(
            problem=problem,
            campaign_id=state.campaign_id,
            source_tip_ids=found.backing_tip_ids,
            phase=found.phase,
            at=found.substantiated_at,
        )
        recorded += await _record(parts, command, tip_id, correlation_id)
    return recorded


async def record_report_problems(
    parts: IntakeParts, aggregate_id: str, correlation_id: str = ""
) -> int:
    state: SelfInspectionState = parts.store.state(SELF_INSPECTION, aggregate_id)
    report = state.report
    if report is None:
        return 0
    recorded = 0
    for problem in report.problems:
        command = RecordProblem(
            problem=problem,
            campaign_id=report.campaign_id,
            source_tip_ids=(),
            phase=report.phase,
            at=report.filed_at,
            source_report_id=report.report_id,
        )
        recorded += await _record(parts, command, aggregate_id, correlation_id)
    return recorded


async def _record(
    parts: IntakeParts, command: RecordProblem, cause: str, correlation_id: str
) -> int:
    problem_id = command.problem.problem_id
    if parts.store.get(PROBLEM, problem_id) is not None:
        return 0
    context = CommandContext(
        actor="system:intake:",
        campaign_id=command.campaign_id,
        region_code=command.problem.region_code,
        correlation_id=correlation_id or new_correlation_id(),
        causation_id=cause,
    )
    try:
        await parts.store.execute(PROBLEM, problem_id, command, context)
    except Conflict:
        return 0
    return 1


async def escalate_overdue(parts: IntakeParts) -> int:
    """Escalate every open tip past its deadline; the decider makes it once per stage.
    A tip whose escalation fails stays due, so the next pass tries it again."""
    escalated = 0
    now = parts.clock.now()
    for tip_id in parts.store.tips_due(now):
        state: TipState = parts.store.state(TIP, tip_id)
        context = CommandContext(
            actor="system:intake-deadlines:",
            campaign_id=state.campaign_id,
            region_code=state.region_code,
            correlation_id=new_correlation_id(),
        )
        events = await parts.store.execute(TIP, tip_id, EscalateTip(at=now), context)
        escalated += len(events)
    return escalated


async def finish_erasures(parts: IntakeParts) -> int:
    """Shred the keys of tipsters whose erasure is recorded: the event is published
    first, so a crash before the shredding leaves the tip on this work list, and the
    next pass shreds it. Shredding twice changes nothing."""
    shredded = 0
    for tip_id in parts.store.tips_to_erase.members():
        await asyncio.to_thread(parts.privacy.erase, tip_id)
        parts.store.tips_to_erase.discard(tip_id)
        shredded += 1
    return shredded


async def reconcile_problems(parts: IntakeParts) -> int:
    """Record problems whose ``ProblemFound`` is missing (a crash between the tip's
    event and its problems' events): the substantiation is the outbox. An aggregate
    leaves the work list once all its problems are recorded."""
    recorded = 0
    for tip_id in parts.store.tips_with_problems.members():
        recorded += await record_tip_problems(parts, tip_id)
        parts.store.tips_with_problems.discard(tip_id)
    for aggregate_id in parts.store.reports_with_problems.members():
        recorded += await record_report_problems(parts, aggregate_id)
        parts.store.reports_with_problems.discard(aggregate_id)
    return recorded
