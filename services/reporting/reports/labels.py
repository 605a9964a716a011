"""Chinese labels of the figures shown in reports."""

from __future__ import annotations

from shared.vocabulary import LABELS_ZH, ProblemCategory

METRIC_LABELS_ZH: dict[str, str] = {
    "tips.total": "受理举报线索（件）",
    "problems.total": "查找问题（个）",
    "evaluation.problems_raised": "群众评议提出问题（个）",
    "plans.total": "实施方案（份）",
    "self_analyses.total": "剖析材料（份）",
    "self_inspections.total": "自查报告（份）",
    "tips.escalated": "逾期升级办理的线索（件）",
    "items.escalated": "逾期升级督办（项）",
    "referrals.overdue": "移送逾期未回复（件）",
    "lookbacks.completed": "回头看已完成（次）",
    "evaluation.agencies_evaluated": "参评执法机关（个次）",
    "items.total": "整改事项（项）",
    "items.open": "整改中（项）",
    "items.completed": "已整改待核验（项）",
    "items.verified": "已核验销号（项）",
    "items.overdue": "逾期未整改（项）",
    "items.completion_rate": "整改完成率",
    "items.on_time_rate": "按期整改率",
    "items.avg_days_to_verification": "问题发现至核验平均天数",
    "cases.total": "查处典型案件（件）",
    "referrals.total": "移送纪检监察或检察机关（件）",
    "referrals.acknowledged": "移送已回复（件）",
    "referrals.unacknowledged": "移送未回复（件）",
    "exposures.total": "公开曝光（次）",
    "accountability.total": "责任追究决定（件）",
    "rules.total": "完善规章制度（项）",
    "evaluation.meetings": "群众评议会（场）",
    "evaluation.ballots": "评议票数（张）",
    "evaluation.satisfaction_rate": "满意率",
    "evaluation.dissatisfaction_rate": "不满意率",
    "lookbacks.total": "回头看（次）",
}

RATE_METRICS = {
    "items.completion_rate",
    "items.on_time_rate",
    "evaluation.satisfaction_rate",
    "evaluation.dissatisfaction_rate",
}

CATEGORY_LABELS_ZH: dict[str, str] = {c.value: LABELS_ZH[c] for c in ProblemCategory}


def format_value(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    if metric in RATE_METRICS:
        return f"{value * 100:.1f}%"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"
