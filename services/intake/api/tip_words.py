"""The tipster's sealed data: contact and words are read only through an endpoint
that records who read them and why, before they are shown; erasure is recorded
first and then the tipster's keys are shredded."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shared.auth import CurrentActor
from shared.params import IdPath

from ..application import tipster
from .deps import AppDep, CorrelationId
from .models import ContactOut, DecryptBody, EraseBody

router = APIRouter(tags=["tips (staff) / 线索受理与核查"])

NOTE_LABELS = {
    "accepted": "受理意见 / note on acceptance",
    "assigned": "交办意见 / note on assignment",
    "rejected": "不予受理理由 / reason for rejection",
    "transferred": "转办理由 / reason for transfer",
    "substantiated": "核查结论 / findings",
    "unsubstantiated": "核查不属实的理由 / reason found untrue",
}


class NoteOut(BaseModel):
    kind: str = Field(description="accepted, assigned, rejected, transferred, substantiated …")
    label: str
    text: str


class TipTextOut(BaseModel):
    tip_id: str
    description: str
    agency_text: str = ""
    attachment_names: list[str] = []
    notes: list[NoteOut] = Field(default=[], description="officers' notes, oldest first")


@router.post(
    "/tips/{tip_id}/text/decrypt",
    response_model=TipTextOut,
    summary="查看线索内容（留痕） / Read the tip's words (recorded)",
    description=(
        "线索内容、附件名称及核查人员的意见均加密保存；先写入 TipTextDecrypted 事件（查看人、"
        "单位、地区、目的），再返回明文。仅限本地区线索受理人员和法制部门。举报人被删除后"
        "返回 409。 / The tip's description, attachment names and the officers' notes are "
        "sealed; TipTextDecrypted (reader, office, region, purpose) is recorded first, then "
        "the text is returned. Intake officers and legal offices of the region only; 409 once "
        "the tipster was erased."
    ),
    responses={409: {"description": "举报人已被删除 / the tipster was erased"}},
)
async def decrypt_text(
    tip_id: IdPath, body: DecryptBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> TipTextOut:
    opened = await tipster.decrypt_text(
        app, actor, tip_id, purpose=body.purpose, correlation_id=correlation
    )
    return TipTextOut(
        tip_id=tip_id,
        description=opened.words.description,
        agency_text=opened.words.agency_text,
        attachment_names=list(opened.words.attachment_names),
        notes=[
            NoteOut(kind=kind, label=NOTE_LABELS.get(kind, kind), text=text)
            for kind, text in opened.notes
        ],
    )


@router.post(
    "/tips/{tip_id}/contact/decrypt",
    response_model=ContactOut,
    summary="查看举报人联系方式（留痕） / Read the tipster's contact (recorded)",
    description="先写入 ContactDecrypted 事件，再返回明文。 / ContactDecrypted is recorded first.",
)
async def decrypt_contact(
    tip_id: IdPath, body: DecryptBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> ContactOut:
    contact = await tipster.decrypt_contact(
        app, actor, tip_id, purpose=body.purpose, correlation_id=correlation
    )
    if contact is None:
        return ContactOut(tip_id=tip_id, erased=True)
    return ContactOut(tip_id=tip_id, erased=False, **contact)


@router.post(
    "/tips/{tip_id}/contact/erase",
    response_model=ContactOut,
    summary="删除举报人信息（销毁密钥） / Erase the tipster (crypto-shredding)",
    description=(
        "先记录 ContactErased，再销毁该线索举报人的密钥：此后任何回放都读不出其联系方式、"
        "线索内容及引述它的意见。若两步之间中断，期限巡查会补做销毁。 / Records "
        "ContactErased, then shreds the tipster's keys, so no replay can ever read their "
        "contact, their words or the notes sealed with them. A crash between the two is "
        "finished by the deadline watcher."
    ),
)
async def erase_contact(
    tip_id: IdPath, body: EraseBody, app: AppDep, actor: CurrentActor, correlation: CorrelationId
) -> ContactOut:
    await tipster.erase_contact(app, actor, tip_id, reason=body.reason, correlation_id=correlation)
    return ContactOut(tip_id=tip_id, erased=True)
