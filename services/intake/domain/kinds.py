"""Finer kinds of problem within the six categories of the 2016 plan."""

from __future__ import annotations

from shared.errors import Invalid
from shared.vocabulary import ProblemCategory

OTHER = "other"

KINDS: dict[ProblemCategory, dict[str, str]] = {
    ProblemCategory.strict: {
        "failure_to_supervise": "监管不到位",
        "failure_to_investigate": "查处不到位",
        "tipping_off": "通风报信",
        "tolerating_violations": "放任违法",
        "shielding_violators": "包庇违法",
    },
    ProblemCategory.fair: {
        "discretion_ignored": "不落实裁量标准",
        "unfair_penalty": "处罚明显不公",
        "selective_enforcement": "选择性执法",
        "favour_case": "人情案、关系案",
    },
    ProblemCategory.procedural: {
        "arbitrary_inspection": "乱检查",
        "arbitrary_fee": "乱收费",
        "arbitrary_fine": "乱罚款",
        "unlawful_approval": "不依法依规审批",
        "beyond_authority": "超越职权或违反程序",
    },
    ProblemCategory.integrity: {
        "abuse_for_gain": "以权谋私",
        "extortion": "弄权勒索",
        "eat_take_obstruct_demand": "吃拿卡要报",
    },
    ProblemCategory.civility: {
        "rude_conduct": "态度冷漠、简单粗暴",
        "obstructive_service": "门难进、脸难看、话难听、事难办",
        "buck_passing": "推诿扯皮",
        "inefficiency": "效率低下",
    },
    ProblemCategory.oversight: {
        "fine_instead_of_manage": "以罚代管",
        "fine_quota": "下达罚没指标",
        "revenue_linked_benefits": "收费罚没与经费福利挂钩",
        "weak_oversight": "执法监管不力",
    },
}


def check_kind(category: ProblemCategory, kind: str, field: str) -> None:
    """Refuse a kind that does not belong to the category (``other`` fits any)."""
    if kind == OTHER or kind in KINDS[category]:
        return
    allowed = ", ".join([*KINDS[category], OTHER])
    raise Invalid(
        f"问题类型 {kind!r} 不属于类别 {category.value}，可选：{allowed}",
        f"kind {kind!r} does not belong to category {category.value}; one of: {allowed}",
        field=field,
    )
