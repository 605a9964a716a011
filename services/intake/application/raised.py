"""Problems raised on ballots at evaluation meetings (``evaluation.ProblemRaised``),
each becoming a tip of the ``public_evaluation`` channel, once."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from shared.clock import local_date
from shared.errors import Conflict, Refusal
from shared.events.evaluation import ProblemRaised, ballot_text_subject
from shared.events.intake import TipChannel
from shared.privacy import ERASED, UnreadableCiphertext, is_sealed
from shared.regions import jiangxi

from ..store import TIP
from .app import IntakeApp
from .submission import NewTip, submit_tip

log = logging.getLogger(__name__)

UNSTATED = "（评议代表未填写具体内容）"
UNREADABLE = (
    "（评议会提出的问题无法解密，原文见评议会记录）/ (the problem's text could not be opened)"
)


def tip_id_for_raised(raised_id: str) -> str:
    """The same raised problem always maps to the same tip: redelivery is harmless."""
    return "tip-ev-" + hashlib.sha256(raised_id.encode()).hexdigest()[:20]


async def raised_text(app: IntakeApp, event: ProblemRaised) -> str:
    """What the representative wrote, opened with the meeting's key in the key store
    intake shares with evaluation (then sealed again under the new tip's own key)."""
    if not event.description:
        return UNSTATED
    if not is_sealed(event.description):  # recorded before problems were sealed
        return event.description
    subject = ballot_text_subject(event.meeting_id)
    try:
        plain = await asyncio.to_thread(app.privacy.vault.decrypt, subject, event.description)
    except UnreadableCiphertext:
        plain = ERASED
    if plain == ERASED:  # a key store evaluation does not share: a deployment error
        log.error("ProblemRaised %s: its text cannot be opened here", event.raised_id)
        return UNREADABLE
    return plain


async def take_raised_problem(app: IntakeApp, event: ProblemRaised, correlation_id: str) -> bool:
    """Turn a problem raised on a ballot into a tip; False if it was one already, or if
    it can never become one (logged: it must not block the stream)."""
    tip_id = tip_id_for_raised(event.raised_id)
    if app.store.get(TIP, tip_id) is not None:
        return False
    agency_known = event.agency_id in app.directory.agencies
    region = event.region_code if event.region_code in jiangxi() else jiangxi().province.code
    tip = NewTip(
        campaign_id=event.campaign_id or app.settings.default_campaign_id,
        channel=TipChannel.public_evaluation,
        region_code=region,
        description=await raised_text(app, event),
        occurred_on=min(local_date(event.raised_at), local_date(app.clock.now())),
        agency_id=event.agency_id if agency_known else "",
        agency_text="" if agency_known else event.agency_id,
        origin_ref=f"evaluation:{event.raised_id}",
        with_receipt=False,
        by_system=True,
    )
    try:
        await submit_tip(
            app,
            tip,
            actor="system:evaluation-meeting:",
            correlation_id=correlation_id,
            tip_id=tip_id,
        )
    except Conflict:
        return False
    except Refusal as refusal:
        log.warning("ProblemRaised %s not taken as a tip: %s", event.raised_id, refusal)
        return False
    return True
