"""Phase 3: every problem becomes a rectification item. Most are fixed and verified
on time, some are completed but not yet verified, some are left to run past their
deadline and are escalated. Serious problems become typical cases: referred to the
discipline inspection body or the procuratorate, exposed, ending in accountability.
Some problems lead to new rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shared.events.directory import PhaseCode
from shared.events.rectification import (
    AccountabilityGround,
    AccountabilityMeasure,
    AccountabilityTarget,
    CaseKind,
    CaseOrigin,
    ReferralBody,
    RegulationKind,
)
from shared.vocabulary import Severity

from .finding import FoundProblem
from .run import Run, wait_until, weighted

ITEM_FATES = {"verified": 68.0, "completed": 12.0, "overdue": 20.0}


@dataclass
class ItemPlan:
    problem: FoundProblem
    fate: str

    @property
    def item_id(self) -> str:
        return f"rect-{self.problem.problem_id}"


@dataclass
class CasePlan:
    problem: FoundProblem
    kind: CaseKind
    origin: CaseOrigin
    referral: ReferralBody | None
    acknowledged: bool
    exposed: bool
    accountability: tuple[AccountabilityTarget, AccountabilityMeasure] | None
    case_id: str = ""


def rectify(run: Run, problems: list[FoundProblem]) -> tuple[list[ItemPlan], list[CasePlan]]:
    start, _ = run.calendar.phase(PhaseCode.rectification)
    run.set_time(run.at(start))
    items = [ItemPlan(p, weighted(run.rng, ITEM_FATES)) for p in problems]

    def opened(item: ItemPlan) -> None:
        def exists() -> bool:
            response = run.api.request(
                "rectification", "GET", f"/items/{item.item_id}", accept=(404,), **run.as_office()
            )
            return response.status_code == 200

        wait_until(exists, f"rectification item {item.item_id}", timeout_s=90)

    run.parallel(opened, items)
    # Three weeks in: before the earliest deadline (30 days for serious problems).
    run.set_time(run.at(start + timedelta(days=20), 10))

    def work(item: ItemPlan) -> None:
        agency = item.problem.agency
        path = f"/items/{item.item_id}"
        body: dict[str, object] = {"responsible_person": "分管副局长 / deputy director in charge"}
        run.api.post("rectification", f"{path}/responsible-person", body, **run.as_agency(agency))
        if item.fate == "overdue":
            body = {"note": "正在整改 / in progress", "percent": 30}
            run.api.post("rectification", f"{path}/progress", body, **run.as_agency(agency))
            return
        body = {"measures": "已逐项整改，建立长效机制 / fixed item by item"}
        run.api.post("rectification", f"{path}/completion", body, **run.as_agency(agency))
        if item.fate == "verified":
            body = {"note": "经核查，整改到位，予以销号 / verified"}
            run.api.post("rectification", f"{path}/verification", body, **run.as_office())

    run.parallel(work, items)
    for item in items:
        agency = item.problem.agency
        problem_status = "rectified" if item.fate == "verified" else "rectifying"
        metrics = [f"problems.status.{problem_status}", "items.total"]
        if item.fate == "overdue":
            metrics += ["items.open", "items.overdue", "items.escalated"]
        else:
            metrics += [f"items.{item.fate}", "items.on_time", "items.deadline_known"]
        run.ledger.count(agency.region_code, agency.agency_id, *metrics)
    cases = open_cases(run, problems)
    adopt_rules(run, problems)
    overdue = [i.item_id for i in items if i.fate == "overdue"]
    run.ledger.note("overdue_items", sorted(overdue))
    run.log(f"rectification: {len(items)} items ({len(overdue)} left overdue), {len(cases)} cases")
    return items, cases


def wait_for_deadlines(run: Run, items: list[ItemPlan], cases: list[CasePlan]) -> None:
    """After the clock passed every deadline: the watcher has flagged and escalated
    every item left open, and flagged every referral nobody acknowledged. The clock
    jumped months, so one watcher pass publishes thresholds for every item at once:
    the patience grows with the number of items (a large run: tens of minutes)."""
    patience = 90 + len(items) / 100

    def referral_overdue(case: CasePlan) -> None:
        def check() -> bool:
            view = run.api.get("rectification", f"/cases/{case.case_id}", **run.as_office())
            return all(r["overdue"] for r in view["referrals"] if not r["acknowledged_at"])

        wait_until(check, f"overdue referral of {case.case_id}", timeout_s=patience, every_s=0.5)

    run.parallel(referral_overdue, [c for c in cases if c.referral and not c.acknowledged])

    def escalated(item: ItemPlan) -> None:
        def check() -> bool:
            view = run.api.get("rectification", f"/items/{item.item_id}", **run.as_office())
            return bool(view["overdue"] and view["escalated"])

        wait_until(check, f"escalation of {item.item_id}", timeout_s=patience, every_s=0.5)

    run.parallel(escalated, [i for i in items if i.fate == "overdue"])


def _plan_case(run: Run, problem: FoundProblem) -> CasePlan:
    referral = run.rng.choice(list(ReferralBody)) if run.rng.random() < 0.7 else None
    return CasePlan(
        problem=problem,
        kind=run.rng.choice(list(CaseKind)),
        origin=run.rng.choice(list(CaseOrigin)),
        referral=referral,
        acknowledged=referral is not None and run.rng.random() < 0.8,
        exposed=run.rng.random() < 0.4,
        accountability=(
            (
                run.rng.choice(list(AccountabilityTarget)),
                run.rng.choice(list(AccountabilityMeasure)),
            )
            if run.rng.random() < 0.6
            else None
        ),
    )


def open_cases(run: Run, problems: list[FoundProblem]) -> list[CasePlan]:
    serious = [p for p in problems if p.plan.severity is Severity.high]
    cases = [_plan_case(run, p) for p in serious if run.rng.random() < 0.4]

    def play(case: CasePlan) -> None:
        problem = case.problem
        body = {
            "region_code": problem.agency.region_code,
            "kind": case.kind.value,
            "origin": case.origin.value,
            "title": f"{problem.agency.name}典型案例",
            "summary": "经查，该机关执法人员存在违规行为 / misconduct found",
            "problem_ids": [problem.problem_id],
        }
        view = run.api.post("rectification", "/cases", body, **run.as_office())
        case.case_id = view["case_id"]
        path = f"/cases/{case.case_id}"
        if case.referral is not None:
            body = {
                "body": case.referral.value,
                "receiving_body": "省纪委 / provincial discipline commission",
                "reason": "涉嫌违纪 / suspected breach of discipline",
            }
            view = run.api.post("rectification", f"{path}/referrals", body, **run.as_office())
            if case.acknowledged:
                referral_id = view["referrals"][-1]["referral_id"]
                body = {"reference_no": f"赣纪〔{run.calendar.campaign_year}〕{run.seed}号"}
                run.api.post(
                    "rectification",
                    f"{path}/referrals/{referral_id}/acknowledgement",
                    body,
                    **run.as_discipline(),
                )
        if case.exposed:
            body = {
                "headline": f"{problem.agency.name}执法不公典型案例通报",
                "summary": "该机关已被责令整改 / the agency was ordered to put it right",
                "channel": "江西省人民政府法制办公室网站",
            }
            run.api.post("rectification", f"{path}/exposure", body, **run.as_office())
        if case.accountability is not None:
            target, measure = case.accountability
            body = {
                "target": target.value,
                "target_ref": problem.agency.agency_id
                if target is AccountabilityTarget.unit
                else f"staff-{case.case_id[-8:]}",
                "grounds": [AccountabilityGround.case_conduct.value],
                "measure": measure.value,
            }
            run.api.post("rectification", f"{path}/accountability", body, **run.as_office())

    run.parallel(play, cases)
    for case in cases:
        where = (case.problem.agency.region_code, case.problem.agency.agency_id)
        run.ledger.count(
            *where,
            "cases.total",
            f"cases.kind.{case.kind.value}",
            f"cases.origin.{case.origin.value}",
        )
        if case.referral is not None:
            run.ledger.count(*where, "referrals.total", f"referrals.body.{case.referral.value}")
            if case.acknowledged:
                run.ledger.count(*where, "referrals.acknowledged")
            else:
                run.ledger.count(*where, "referrals.unacknowledged", "referrals.overdue")
        if case.exposed:
            run.ledger.count(*where, "exposures.total")
        if case.accountability is not None:
            target, measure = case.accountability
            run.ledger.count(
                *where,
                "accountability.total",
                f"accountability.measure.{measure.value}",
                f"accountability.target.{target.value}",
            )
    return cases


def adopt_rules(run: Run, problems: list[FoundProblem]) -> None:
    chosen = [p for p in problems if run.rng.random() < 0.06]
    kinds = [run.rng.choice(list(RegulationKind)) for _ in chosen]

    def adopt(pair: tuple[FoundProblem, RegulationKind]) -> None:
        problem, kind = pair
        body = {
            "agency_id": problem.agency.agency_id,
            "region_code": problem.agency.region_code,
            "kind": kind.value,
            "title": f"{problem.agency.name}行政执法裁量基准（修订）",
            "problem_ids": [problem.problem_id],
            "adopted_on": (run.api.clock.now().date()).isoformat(),
        }
        run.api.post("rectification", "/regulations", body, **run.as_office())

    run.parallel(adopt, list(zip(chosen, kinds, strict=True)))
    for problem, kind in zip(chosen, kinds, strict=True):
        run.ledger.count(
            problem.agency.region_code,
            problem.agency.agency_id,
            "rules.total",
            f"rules.kind.{kind.value}",
        )
