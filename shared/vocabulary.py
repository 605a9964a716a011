"""The campaign's shared vocabulary, with the Chinese terms of the 2016 plan."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import Invalid


class Sector(StrEnum):
    """The ten focus sectors (重点领域)."""

    land_expropriation = "land_expropriation"  # 土地征收
    housing_demolition = "housing_demolition"  # 房屋拆迁
    village_town_planning = "village_town_planning"  # 村镇规划
    urban_management = "urban_management"  # 城市管理
    traffic_public_order = "traffic_public_order"  # 交通与治安管理
    road_transport = "road_transport"  # 道路运输
    market_supervision = "market_supervision"  # 市场监管
    pig_slaughter = "pig_slaughter"  # 生猪屠宰
    health_family_planning = "health_family_planning"  # 卫生与计生
    ecology_environment = "ecology_environment"  # 生态环境与资源保护


class Power(StrEnum):
    """The five enforcement powers."""

    penalty = "penalty"  # 行政处罚
    inspection = "inspection"  # 行政检查
    approval = "approval"  # 行政审批
    coercion = "coercion"  # 行政强制
    levy = "levy"  # 行政征收


class ProblemCategory(StrEnum):
    """The six problem categories (专项治理的内容)."""

    strict = "strict"  # 严格执法
    fair = "fair"  # 公正执法
    procedural = "procedural"  # 规范执法
    integrity = "integrity"  # 廉洁执法
    civility = "civility"  # 文明执法
    oversight = "oversight"  # 执法监管


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class AdminLevel(StrEnum):
    province = "province"
    city = "city"
    county = "county"


LABELS_ZH: dict[str, str] = {
    **{
        Sector.land_expropriation: "土地征收",
        Sector.housing_demolition: "房屋拆迁",
        Sector.village_town_planning: "村镇规划",
        Sector.urban_management: "城市管理",
        Sector.traffic_public_order: "交通与治安管理",
        Sector.road_transport: "道路运输",
        Sector.market_supervision: "市场监管",
        Sector.pig_slaughter: "生猪屠宰",
        Sector.health_family_planning: "卫生与计生",
        Sector.ecology_environment: "生态环境与资源保护",
    },
    **{
        Power.penalty: "行政处罚",
        Power.inspection: "行政检查",
        Power.approval: "行政审批",
        Power.coercion: "行政强制",
        Power.levy: "行政征收",
    },
    **{
        ProblemCategory.strict: "严格执法",
        ProblemCategory.fair: "公正执法",
        ProblemCategory.procedural: "规范执法",
        ProblemCategory.integrity: "廉洁执法",
        ProblemCategory.civility: "文明执法",
        ProblemCategory.oversight: "执法监管",
    },
    **{Severity.low: "一般", Severity.medium: "较重", Severity.high: "严重"},
    **{AdminLevel.province: "省", AdminLevel.city: "市", AdminLevel.county: "县(区)"},
}

# Finer kinds of problem within the six categories of the 2016 plan.
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
