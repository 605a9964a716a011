"""Checks the tip decider makes on a command's input, each a bilingual refusal."""

from __future__ import annotations

from shared.errors import Conflict, Forbidden, Invalid
from shared.events.intake import PUBLIC_CHANNELS

from .access import require_region
from .commands import ReceiveTip
from .tip_state import INTERNAL_FILERS, STATUS_ZH, SYSTEM_CHANNELS, TipState


def not_blank(value: str, field: str, zh: str, en: str) -> None:
    if not value.strip():
        raise Invalid(f"{zh}不能为空", f"{en} must not be empty", field=field)


def check_filer(c: ReceiveTip) -> None:
    """The public files under the public channels only; an internal channel needs an
    officer of the tip's region; evaluation meetings' channel is the platform's own."""
    if c.by_system or c.channel in PUBLIC_CHANNELS:
        return
    if c.channel in SYSTEM_CHANNELS:
        raise Invalid(
            "民主评议会渠道的线索只能由评议系统转入",
            "public_evaluation tips come only from evaluation meetings",
            field="channel",
        )
    if c.filer is None or c.filer.role not in INTERNAL_FILERS:
        raise Forbidden(
            f"“{c.channel.value}”是内部渠道，只有线索受理人员或法制部门可以登记",
            f"channel {c.channel.value} is internal: only an intake officer or a legal office "
            "may file under it",
            field="channel",
            code="channel_not_allowed",
        )
    require_region(c.filer, c.region_code)


def require_sealed(plain: str, sealed: str, field: str) -> None:
    """Free text about a tip enters an event only sealed."""
    if plain.strip() and not sealed:
        raise Invalid(
            f"{field} 未加密，不能写入事件",
            f"{field} must be sealed under the tip's key before it is recorded",
            field=field,
        )


def sealed_words(plain: str, sealed: str, field: str, zh: str) -> None:
    """Free text a command needs: not blank, and sealed for the event."""
    not_blank(plain, field, zh, field)
    require_sealed(plain, sealed, field)


def refuse_status(state: TipState, action_zh: str, action_en: str) -> Conflict:
    return Conflict(
        f"线索 {state.tip_id} 当前状态为“{STATUS_ZH[state.status]}”，不能{action_zh}",
        f"tip {state.tip_id} is {state.status.value}; it cannot be {action_en}",
        code="illegal_transition",
    )
