"""What a summary report says, independent of its format: built from the read models
at one moment, stating that moment and the offsets the figures reflect."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from services.reporting.api.views import agency_row, offsets
from services.reporting.readmodels.figures import (
    agency_figures,
    children_figures,
    region_figures,
)
from services.reporting.reports.charts import bar_chart_png
from services.reporting.reports.labels import (
    CATEGORY_LABELS_ZH,
    METRIC_LABELS_ZH,
    format_value,
)
from shared.errors import NotFound
from shared.regions import jiangxi

SECTIONS: list[tuple[str, list[str]]] = [
    (
        "一、查找问题情况",
        [
            "plans.total",
            "self_analyses.total",
            "self_inspections.total",
            "tips.total",
            "tips.escalated",
            "problems.total",
            "evaluation.problems_raised",
        ],
    ),
    (
        "三、整改落实情况",
        [
            "items.total",
            "items.open",
            "items.completed",
            "items.verified",
            "items.overdue",
            "items.escalated",
            "items.completion_rate",
            "items.on_time_rate",
            "items.avg_days_to_verification",
        ],
    ),
    (
        "四、案件查处与责任追究",
        [
            "cases.total",
            "referrals.total",
            "referrals.acknowledged",
            "referrals.unacknowledged",
            "referrals.overdue",
            "exposures.total",
            "accountability.total",
            "rules.total",
        ],
    ),
    (
        "五、群众评议情况",
        [
            "evaluation.meetings",
            "evaluation.agencies_evaluated",
            "evaluation.ballots",
            "evaluation.satisfaction_rate",
            "evaluation.dissatisfaction_rate",
            "lookbacks.total",
            "lookbacks.completed",
        ],
    ),
]


@dataclass(frozen=True)
class Table:
    heading: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class SummaryReport:
    title: str
    subject_line: str
    as_of: datetime
    offsets: dict[str, int]
    intro: str
    tables: list[Table]
    chart_title: str
    chart_png: bytes
    notes: list[str] = field(default_factory=list)


def _metric_table(heading: str, keys: list[str], figures: dict[str, float]) -> Table:
    return Table(
        heading,
        ["指标", "数值"],
        [[METRIC_LABELS_ZH[k], format_value(k, figures.get(k, 0))] for k in keys],
    )


def _category_table(figures: dict[str, float]) -> Table:
    rows = [
        [label, format_value("", figures.get(f"problems.category.{code}", 0))]
        for code, label in CATEGORY_LABELS_ZH.items()
    ]
    return Table("二、问题类别分布（六类）", ["问题类别", "问题数（个）"], rows)


def _chart(figures: dict[str, float], title: str) -> bytes:
    labels = list(CATEGORY_LABELS_ZH.values())
    values = [figures.get(f"problems.category.{code}", 0) for code in CATEGORY_LABELS_ZH]
    return bar_chart_png(title, labels, values)


def _report(
    title: str,
    subject_line: str,
    figures: dict[str, float],
    as_of: datetime,
    where: dict[str, int],
    extra: list[Table],
    withheld: tuple[str, ...] = (),
) -> SummaryReport:
    # A withheld figure's line is left out, not shown as 0.
    sections = [(h, [k for k in keys if not k.startswith(withheld)]) for h, keys in SECTIONS]
    tables = [_metric_table(*sections[0], figures), _category_table(figures)]
    tables += [_metric_table(heading, keys, figures) for heading, keys in sections[1:]]
    tables += extra
    total = sum(where.values())
    intro = (
        f"根据专项治理工作方案，现将{subject_line}开展行政执法不公专项治理工作情况总结如下。"
        f"本报告数据截至 {as_of.isoformat(timespec='seconds')}，"
        f"反映事件日志中已处理的 {total} 条记录（各分区偏移量见附表）。"
    )
    offset_table = Table(
        "附：数据来源（事件主题分区与偏移量）",
        ["主题:分区", "已处理至偏移量"],
        [[key, str(value)] for key, value in sorted(where.items())],
    )
    chart_title = "问题类别分布"
    return SummaryReport(
        title=title,
        subject_line=subject_line,
        as_of=as_of,
        offsets=where,
        intro=intro,
        tables=[*tables, offset_table],
        chart_title=chart_title,
        chart_png=_chart(figures, chart_title),
    )


def region_report(engine: Engine, region_code: str, as_of: datetime) -> SummaryReport:
    region = jiangxi().get(region_code)
    with engine.connect() as conn:
        figures = region_figures(conn, region_code)
        children = children_figures(conn, region_code)
        where = offsets(conn)
    extra: list[Table] = []
    if children:
        keys = [
            "problems.total",
            "items.verified",
            "items.on_time_rate",
            "evaluation.satisfaction_rate",
        ]
        extra.append(
            Table(
                "六、下级地区情况",
                ["地区", *(METRIC_LABELS_ZH[k] for k in keys)],
                [
                    [jiangxi().get(code).name, *(format_value(k, f.get(k, 0)) for k in keys)]
                    for code, f in children.items()
                ],
            )
        )
    return _report(
        f"{region.name}行政执法不公专项治理工作总结报告",
        region.name,
        figures,
        as_of,
        where,
        extra,
    )


def agency_report(
    engine: Engine, agency_id: str, as_of: datetime, withheld: tuple[str, ...] = ()
) -> SummaryReport:
    """``withheld``: prefixes of figures the reader may not see
    (``shared.access_policy.WITHHELD_FIGURES``)."""
    with engine.connect() as conn:
        row = agency_row(conn, agency_id)
        if row is None:
            raise NotFound(
                f"未找到执法机关 {agency_id}", f"agency {agency_id} not found", field="agency_id"
            )
        figures = agency_figures(conn, agency_id)
        where = offsets(conn)
    name = str(row["name"])
    title = f"{name}行政执法不公专项治理工作总结报告"
    return _report(title, name, figures, as_of, where, [], withheld)
