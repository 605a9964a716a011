"""The public side: submit a tip, follow it with the receipt code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from shared import correlation
from shared.auth import OptionalActor
from shared.events.intake import Attachment

from ..application import submission
from ..domain.tip import STATUS_ZH
from .deps import AppDep, ClientKey, app_of, client_of
from .models import StatusLookup, TipPublicStatus, TipReceipt, TipSubmission

router = APIRouter(tags=["tips (public) / 线索（公众）"])


@router.post(
    "/tips",
    status_code=status.HTTP_201_CREATED,
    response_model=TipReceipt,
    summary="提交线索 / Submit a tip",
    responses={
        403: {"description": "内部渠道须由受理人员登记 / internal channels need an officer"},
        429: {"description": "同一地址提交过于频繁 / too many tips from one address"},
    },
    description=(
        "匿名或实名提交问题线索，返回线索编号和回执码。联系方式加密后才写入事件。"
        "带相同 Idempotency-Key 的重试返回第一次的结果。内部渠道（督查、座谈、评查、转办等）"
        "须由本地区受理人员或法制部门登记；公众提交按客户端地址限流。 / "
        "Submit a tip, anonymously or not; "
        "contact details are sealed before any event. A retry with the same Idempotency-Key "
        "returns the first result. Internal channels (inspections, forums, reviews, referrals) "
        "are filed by an intake officer or legal office of the region; the public's tips "
        "are rate-limited per client address."
    ),
)
async def submit(
    body: TipSubmission,
    request: Request,
    actor: OptionalActor,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=8, max_length=200)
    ] = None,
) -> TipReceipt:
    # The public's busiest route takes its application and correlation id from the
    # request rather than through dependencies: FastAPI spends on each dependency about
    # what this route spends validating the tip.
    tip = submission.NewTip(
        campaign_id=body.campaign_id or "",
        channel=body.channel,
        region_code=body.region_code,
        description=body.description,
        occurred_on=body.occurred_on,
        agency_id=body.agency_id or "",
        agency_text=body.agency_text or "",
        power=body.power,
        attachments=tuple(Attachment(**a.model_dump()) for a in body.attachments),
        contact=body.contact.model_dump(exclude_none=True) if body.contact else None,
        request_body=body.model_dump(mode="json") if idempotency_key else {},
    )
    submitted = await submission.submit(
        app_of(request),
        tip,
        actor=actor,
        client=client_of(request),
        idempotency_key=idempotency_key or "",
        correlation_id=correlation.current(),
    )
    if submitted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    received_at = submitted.state.received_at
    assert received_at is not None
    return TipReceipt(
        tip_id=submitted.tip_id,
        receipt_code=submitted.receipt_code,
        status=submitted.state.status.value,
        received_at=received_at,
    )


@router.post(
    "/tips/status",
    response_model=TipPublicStatus,
    summary="凭回执码查询办理进度 / Follow a tip with its receipt code",
    description=(
        "只凭回执码即可查询，不显示内部意见。回执码错误与不存在的回答相同；同一客户端"
        "多次失败后将被限制。 / The receipt code alone shows the tip's public status. A wrong "
        "code gets the same answer as an unknown one; repeated failures are throttled. A code "
        "whose check character does not match is reported as mistyped (422)."
    ),
    responses={
        404: {"description": "未找到 / no such tip"},
        429: {"description": "同一地址失败次数过多 / too many failed lookups from one address"},
    },
)
async def lookup_status(body: StatusLookup, app: AppDep, client: ClientKey) -> TipPublicStatus:
    progress = await submission.follow_with_receipt(app, body.receipt_code, client)
    return TipPublicStatus(
        status=progress.status.value,
        status_zh=STATUS_ZH[progress.status],
        received_on=progress.received_on,
        updated_on=progress.updated_on,
        referred_to=progress.referred_to,
    )
