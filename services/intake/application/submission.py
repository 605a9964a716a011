"""Tips coming in: submitted by the public or filed by an officer (rate-limited,
idempotent with an Idempotency-Key), and followed by the public with a receipt code."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from shared.actors import Actor, Role
from shared.clock import local_date
from shared.errors import Invalid, NotFound
from shared.eventstore import CommandContext
from shared.regions import jiangxi

from ..domain.commands import ReceiveTip, TipAsTold
from ..domain.receipt import format_code, is_well_formed, new_receipt_code, normalise
from ..domain.tip import TipState, TipStatus
from ..store import TIP
from ..tipster_privacy import TipWords
from .app import IntakeApp
from .ids import new_correlation_id, new_tip_id, secret_random_below

RECEIPT_NOT_FOUND_ZH = "未找到与此回执码对应的线索，请核对后重试"
RECEIPT_NOT_FOUND_EN = "no tip matches this receipt code; check it and try again"


@dataclass(frozen=True, kw_only=True)
class NewTip(TipAsTold):
    """``campaign_id`` "" is the default campaign; ``contact`` the tipster's, in clear
    (sealed before the tip is received)."""

    contact: dict[str, str] | None = None
    with_receipt: bool = True
    # The request as sent, for the idempotency check (only with an Idempotency-Key).
    request_body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmittedTip:
    tip_id: str
    receipt_code: str
    state: TipState
    replayed: bool = False


@dataclass(frozen=True)
class PublicProgress:
    """What anyone holding the receipt code may see: no internal notes, no names."""

    status: TipStatus
    received_on: date
    updated_on: date
    referred_to: str = ""


async def submit(
    app: IntakeApp,
    tip: NewTip,
    *,
    actor: Actor | None,
    client: str,
    idempotency_key: str = "",
    correlation_id: str = "",
) -> SubmittedTip:
    """``POST /tips``: the public's tips count against the client's budget (officers'
    do not), their references are checked, then the tip is received."""
    if actor is None or actor.role is Role.public:
        await app.throttle.tip_submitted(client)
    tip = dataclasses.replace(tip, campaign_id=check_references(app, tip), filer=actor)
    return await submit_tip(
        app,
        tip,
        actor=actor.as_extension() if actor else "public:anonymous:",
        idempotency_key=idempotency_key,
        correlation_id=correlation_id,
    )


def check_references(app: IntakeApp, tip: NewTip) -> str:
    """Reference checks against the directory; returns the campaign id."""
    if tip.region_code not in jiangxi():
        raise Invalid(
            f"地区代码 {tip.region_code} 不是江西省的行政区划代码",
            f"region_code {tip.region_code} is not a Jiangxi GB/T 2260 division",
            field="region_code",
        )
    campaign_id = tip.campaign_id or app.settings.default_campaign_id
    if tip.campaign_id and tip.campaign_id not in app.directory.campaigns:
        raise Invalid(
            f"未知的专项治理活动 {tip.campaign_id}",
            f"unknown campaign {tip.campaign_id}",
            field="campaign_id",
        )
    if tip.agency_id and tip.agency_id not in app.directory.agencies:
        raise Invalid(
            f"未知的执法机关编号 {tip.agency_id}，不知道编号可填写机关名称（agency_text）",
            f"unknown agency_id {tip.agency_id}; give agency_text if you do not know the id",
            field="agency_id",
        )
    if not tip.agency_id and not tip.agency_text:
        raise Invalid(
            "请填写被反映的执法机关（编号或名称）",
            "name the agency concerned: agency_id or agency_text",
            field="agency_text",
        )
    if tip.occurred_on > local_date(app.clock.now()):
        raise Invalid(
            "发生日期不能晚于今天", "occurred_on must not be in the future", field="occurred_on"
        )
    return campaign_id


async def submit_tip(
    app: IntakeApp,
    tip: NewTip,
    *,
    actor: str,
    idempotency_key: str = "",
    correlation_id: str = "",
    tip_id: str = "",
) -> SubmittedTip:
    """Receive a tip; with an idempotency key, a retry returns the first result."""
    if not idempotency_key:
        return await _receive(app, tip, actor, "", correlation_id, tip_id)
    lookup = app.privacy.lookup("idempotency", idempotency_key)
    async with app.idempotency_locks.hold(lookup):
        first = app.store.tip_by_idempotency_key.get(lookup)
        if first is None:
            return await _receive(app, tip, actor, lookup, correlation_id, tip_id)
        state: TipState = app.store.state(TIP, first)
        if state.request_fingerprint != app.privacy.fingerprint(tip.request_body):
            raise Invalid(
                "该 Idempotency-Key 已用于另一份不同的提交",
                "this Idempotency-Key was already used for a different submission",
                field="Idempotency-Key",
            )
        receipt = ""
        if state.sealed_receipt:
            receipt = await asyncio.to_thread(app.privacy.open_receipt, first, state.sealed_receipt)
        return SubmittedTip(first, receipt, state, replayed=True)


async def _receive(
    app: IntakeApp,
    tip: NewTip,
    actor: str,
    idempotency_lookup: str,
    correlation_id: str,
    tip_id: str,
) -> SubmittedTip:
    tip_id = tip_id or new_tip_id()
    now = app.clock.now()
    receipt = new_receipt_code(secret_random_below()) if tip.with_receipt else ""
    # A sealed copy of the receipt code is kept only to answer a retry with the same
    # Idempotency-Key; without a key nothing would ever open it.
    kept_receipt = receipt if idempotency_lookup else ""
    words = TipWords(
        description=tip.description,
        agency_text=tip.agency_text,
        attachment_names=tuple(a.file_name for a in tip.attachments),
    )
    sealed_contact, sealed_receipt, sealed_text = await app.privacy.seal_new_tip(
        tip_id, tip.contact, kept_receipt, words
    )
    command = ReceiveTip(
        **{told.name: getattr(tip, told.name) for told in fields(TipAsTold)},
        tip_id=tip_id,
        triage_due_at=app.directory.triage_due(tip.campaign_id, now),
        at=now,
        sealed_contact=sealed_contact,
        sealed_text=sealed_text,
        receipt_lookup=app.privacy.lookup("receipt", receipt) if receipt else "",
        sealed_receipt=sealed_receipt,
        idempotency_lookup=idempotency_lookup,
        # Compared only when the same Idempotency-Key comes again.
        request_fingerprint=(
            app.privacy.fingerprint(tip.request_body) if idempotency_lookup else ""
        ),
    )
    context = CommandContext(
        actor=actor,
        campaign_id=tip.campaign_id,
        region_code=tip.region_code,
        correlation_id=correlation_id or new_correlation_id(),
    )
    await app.store.execute(TIP, tip_id, command, context)
    return SubmittedTip(tip_id, receipt, app.store.state(TIP, tip_id))


async def follow_with_receipt(app: IntakeApp, receipt_code: str, client: str) -> PublicProgress:
    """``POST /tips/status``: a client that failed too often is refused before its code
    is looked at; a mistyped code (check character) is told apart, a wrong one is not."""
    await app.throttle.check_lookup(client)
    if not is_well_formed(receipt_code):
        await app.throttle.lookup_failed(client)
        raise Invalid(
            "回执码有误（校验位不符），请核对是否输错",
            "the receipt code is mistyped (its check character does not match)",
            field="receipt_code",
        )
    lookup = app.privacy.lookup("receipt", format_code(normalise(receipt_code)))
    tip_id = app.store.tip_by_receipt.get(lookup)
    if tip_id is None:
        await app.throttle.lookup_failed(client)
        raise NotFound(
            RECEIPT_NOT_FOUND_ZH, RECEIPT_NOT_FOUND_EN, field="receipt_code", code="not_found"
        )
    state: TipState = app.store.state(TIP, tip_id)
    assert state.received_at is not None and state.updated_at is not None
    return PublicProgress(
        status=state.status,
        received_on=local_date(state.received_at),
        updated_on=local_date(state.updated_at),
        referred_to=state.referred_to if state.status is TipStatus.rejected else "",
    )
