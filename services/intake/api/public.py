"""The public side: submit a tip, follow it with the receipt code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from shared import correlation
from shared.actors import Role
from shared.auth import OptionalActor
from shared.clock import local_date
from shared.errors import Invalid, NotFound
from shared.events.intake import Attachment
from shared.regions import jiangxi

from ..application import NewTip, submit_tip
from ..domain.receipt import format_code, is_well_formed, normalise
from ..domain.tip import STATUS_ZH, TipState, TipStatus
from ..store import TIP
from .deps import ClientKey, Parts, client_of, intake_parts_of
from .models import StatusLookup, TipPublicStatus, TipReceipt, TipSubmission

router = APIRouter(tags=["tips (public) / 线索（公众）"])

NOT_FOUND_ZH = "未找到与此回执码对应的线索，请核对后重试"
NOT_FOUND_EN = "no tip matches this receipt code; check it and try again"


def validate_references(parts: Parts, body: TipSubmission) -> str:
    """Reference checks the request model cannot make; returns the campaign id."""
    if body.region_code not in jiangxi():
        raise Invalid(
            f"地区代码 {body.region_code} 不是江西省的行政区划代码",
            f"region_code {body.region_code} is not a Jiangxi GB/T 2260 division",
            field="region_code",
        )
    campaign_id = body.campaign_id or parts.settings.default_campaign_id
    if body.campaign_id and body.campaign_id not in parts.directory.campaigns:
        raise Invalid(
            f"未知的专项治理活动 {body.campaign_id}",
            f"unknown campaign {body.campaign_id}",
            field="campaign_id",
        )
    if body.agency_id and body.agency_id not in parts.directory.agencies:
        raise Invalid(
            f"未知的执法机关编号 {body.agency_id}，不知道编号可填写机关名称（agency_text）",
            f"unknown agency_id {body.agency_id}; give agency_text if you do not know the id",
            field="agency_id",
        )
    if not body.agency_id and not body.agency_text:
        raise Invalid(
            "请填写被反映的执法机关（编号或名称）",
            "name the agency concerned: agency_id or agency_text",
            field="agency_text",
        )
    if body.occurred_on > local_date(parts.clock.now()):
        raise Invalid(
            "发生日期不能晚于今天", "occurred_on must not be in the future", field="occurred_on"
        )
    return campaign_id


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
    # The public's busiest route takes its parts and correlation id from the request
    # rather than through dependencies: FastAPI spends on each dependency about what
    # this route spends validating the tip.
    parts = intake_parts_of(request)
    if actor is None or actor.role is Role.public:
        await parts.throttle.tip_submitted(client_of(request))
    campaign_id = validate_references(parts, body)
    tip = NewTip(
        campaign_id=campaign_id,
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
        filer=actor,
    )
    submitted = await submit_tip(
        parts,
        tip,
        actor=actor.as_extension() if actor else "public:anonymous:",
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
async def lookup_status(body: StatusLookup, parts: Parts, client: ClientKey) -> TipPublicStatus:
    await parts.throttle.check_lookup(client)
    if not is_well_formed(body.receipt_code):
        await parts.throttle.lookup_failed(client)
        raise Invalid(
            "回执码有误（校验位不符），请核对是否输错",
            "the receipt code is mistyped (its check character does not match)",
            field="receipt_code",
        )
    lookup = parts.privacy.lookup("receipt", _formatted(body.receipt_code))
    tip_id = parts.store.tip_by_receipt.get(lookup)
    if tip_id is None:
        await parts.throttle.lookup_failed(client)
        raise NotFound(NOT_FOUND_ZH, NOT_FOUND_EN, field="receipt_code", code="not_found")
    state: TipState = parts.store.state(TIP, tip_id)
    assert state.received_at is not None and state.updated_at is not None
    return TipPublicStatus(
        status=state.status.value,
        status_zh=STATUS_ZH[state.status],
        received_on=local_date(state.received_at),
        updated_on=local_date(state.updated_at),
        referred_to=state.referred_to if state.status is TipStatus.rejected else "",
    )


def _formatted(code: str) -> str:
    return format_code(normalise(code))
