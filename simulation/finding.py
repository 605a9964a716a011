"""Phases 1 and 2: agencies file implementation plans; tips arrive from every channel,
skewed towards the populous cities and the sectors people complain about most, and
are triaged and verified; problems of all six categories are found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from shared.events.directory import PhaseCode
from shared.events.intake import PUBLIC_CHANNELS
from shared.regions import jiangxi
from shared.vocabulary import KINDS, ProblemCategory, Sector, Severity

from .directory import Agency
from .run import Run, spread, wait_until, weighted

# Rough shares of the province's population (and so of complaints) per city.
CITY_WEIGHTS = {
    "360100": 12.0,
    "360200": 3.5,
    "360300": 4.2,
    "360400": 10.6,
    "360500": 2.5,
    "360600": 2.5,
    "360700": 18.5,
    "360800": 10.8,
    "360900": 12.3,
    "361000": 8.8,
    "361100": 14.3,
}
CHANNEL_WEIGHTS = {
    "hotline": 24.0,
    "website": 28.0,
    "letter": 10.0,
    "visit": 9.0,
    "media": 5.0,
    "forum": 6.0,
    "self_analysis": 6.0,
    "joint_inspection": 5.0,
    "unannounced_visit": 4.0,
    "case_file_review": 3.0,
}
SECTOR_WEIGHTS = {
    Sector.urban_management: 5.0,
    Sector.market_supervision: 4.0,
    Sector.land_expropriation: 3.0,
    Sector.housing_demolition: 3.0,
    Sector.traffic_public_order: 2.5,
    Sector.ecology_environment: 2.0,
    Sector.road_transport: 1.5,
    Sector.village_town_planning: 1.5,
    Sector.health_family_planning: 1.0,
    Sector.pig_slaughter: 0.8,
}
CATEGORY_BY_SECTOR: dict[Sector, dict[ProblemCategory, float]] = {
    Sector.urban_management: {ProblemCategory.civility: 4, ProblemCategory.procedural: 3},
    Sector.market_supervision: {ProblemCategory.procedural: 3, ProblemCategory.fair: 2},
    Sector.ecology_environment: {ProblemCategory.strict: 4, ProblemCategory.oversight: 2},
    Sector.land_expropriation: {ProblemCategory.fair: 3, ProblemCategory.integrity: 2},
    Sector.housing_demolition: {ProblemCategory.fair: 3, ProblemCategory.civility: 2},
    Sector.traffic_public_order: {ProblemCategory.oversight: 4, ProblemCategory.integrity: 1},
}
SEVERITY_WEIGHTS = {Severity.low: 5.0, Severity.medium: 3.5, Severity.high: 1.5}
FATE_WEIGHTS = {
    "substantiated": 55.0,
    "unsubstantiated": 20.0,
    "rejected": 8.0,
    "merged": 5.0,
    "late": 12.0,
}


@dataclass(frozen=True)
class ProblemPlan:
    category: ProblemCategory
    kind: str
    severity: Severity


@dataclass
class TipPlan:
    number: int
    agency: Agency
    channel: str
    fate: str  # substantiated | unsubstantiated | rejected | merged | late
    late_verdict: str = "substantiated"
    assign_first: bool = False
    with_contact: bool = False
    problems: list[ProblemPlan] = field(default_factory=list)
    tip_id: str = ""
    merge_into: TipPlan | None = None
    problem_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FoundProblem:
    problem_id: str
    agency: Agency
    plan: ProblemPlan


def mobilise(run: Run) -> None:
    """Phase 1: a share of the agencies file their implementation plans."""
    start, _ = run.calendar.phase(PhaseCode.mobilisation)
    run.set_time(run.at(start + timedelta(days=7)))
    agencies = [a for a in run.directory.agencies if run.rng.random() < 0.3]

    def file_plan(agency: Agency) -> None:
        body = {
            "campaign_id": run.campaign_id,
            "targeted_categories": [c.value for c in ProblemCategory],
            "methods": "对照六类问题逐项自查，建立问题清单 / self-check against the six categories",
            "goals": "按期完成整改 / fix every problem on time",
        }
        run.api.post("intake", "/self-inspection/plans", body, **run.as_agency(agency))

    run.parallel(file_plan, agencies)
    for agency in agencies:
        run.ledger.count(agency.region_code, agency.agency_id, "plans.total")
    run.log(f"mobilisation: {len(agencies)} implementation plans filed")


def _pick_agency(run: Run) -> Agency:
    regions = jiangxi()
    if run.rng.random() < 0.03:
        region = "360000"
    else:
        city = weighted(run.rng, CITY_WEIGHTS)
        counties = [c.code for c in regions.children(city)]
        region = city if run.rng.random() < 0.35 else run.rng.choice(counties)
    candidates = run.directory.in_region(region)
    return weighted(run.rng, {a: SECTOR_WEIGHTS[a.sector] for a in candidates})


def _pick_problem(run: Run, agency: Agency) -> ProblemPlan:
    weights = {c: 1.0 for c in ProblemCategory}
    for category, extra in CATEGORY_BY_SECTOR.get(agency.sector, {}).items():
        weights[category] += extra
    category = weighted(run.rng, weights)
    kind = run.rng.choice(sorted(KINDS[category]))
    return ProblemPlan(category, kind, weighted(run.rng, SEVERITY_WEIGHTS))


def plan_tips(run: Run, count: int, first: int) -> list[TipPlan]:
    plans: list[TipPlan] = []
    for n in range(count):
        agency = _pick_agency(run)
        fate = weighted(run.rng, FATE_WEIGHTS)
        targets = [p for p in plans if p.fate in ("substantiated", "unsubstantiated")]
        if fate == "merged" and not targets:
            fate = "substantiated"
        plan = TipPlan(
            number=first + n,
            agency=agency,
            channel=weighted(run.rng, CHANNEL_WEIGHTS),
            fate=fate,
            late_verdict="substantiated" if run.rng.random() < 0.7 else "unsubstantiated",
            assign_first=run.rng.random() < 0.4,
            with_contact=run.rng.random() < 0.35,
        )
        if fate == "merged":
            plan.merge_into = run.rng.choice(targets)
        if fate in ("substantiated", "late"):
            plan.problems = [
                _pick_problem(run, agency) for _ in range(1 + int(run.rng.random() < 0.25))
            ]
        plans.append(plan)
    return plans


def submit(run: Run, plan: TipPlan, day: date) -> None:
    body: dict[str, object] = {
        "channel": plan.channel,
        "campaign_id": run.campaign_id,
        "region_code": plan.agency.region_code,
        "agency_id": plan.agency.agency_id,
        "description": f"反映{plan.agency.name}执法不公问题（模拟线索 {run.seed}-{plan.number}）",
        "occurred_on": (day - timedelta(days=plan.number % 40)).isoformat(),
    }
    if plan.with_contact:
        body["contact"] = {"phone": f"139{plan.number % 100_000_000:08d}"}
    key = f"sim-{run.campaign_id}-{run.seed}-{plan.number}"
    # The campaign's own channels (inspections, forums, reviews) are filed by an officer.
    filer = {"role": None} if plan.channel in PUBLIC_CHANNELS else run.as_intake()
    receipt = run.api.post("intake", "/tips", body, headers={"Idempotency-Key": key}, **filer)
    plan.tip_id = receipt["tip_id"]


def triage_and_verify(run: Run, plan: TipPlan, verdict: str) -> None:
    tip = f"/tips/{plan.tip_id}"
    body: dict[str, object]
    if plan.fate == "rejected":
        body = {"reason": "不属于本次专项治理范围 / outside the campaign's scope"}
        run.api.post("intake", f"{tip}/reject", body, **run.as_intake())
        return
    run.api.post("intake", f"{tip}/accept", {"note": "受理"}, **run.as_intake())
    if plan.assign_first:
        body = {"assignee": f"lo-{plan.agency.region_code}", "note": "交办核查"}
        run.api.post("intake", f"{tip}/assign", body, **run.as_intake())
    if verdict == "unsubstantiated":
        body = {"reason": "经核查，反映问题不属实 / not borne out"}
        run.api.post("intake", f"{tip}/unsubstantiate", body, **run.as_office())
        return
    body = {
        "findings": "经核查，反映问题属实 / the tip is borne out",
        "problems": [
            {
                "category": p.category.value,
                "kind": p.kind,
                "severity": p.severity.value,
                "summary": f"{plan.agency.name}存在{KINDS[p.category][p.kind]}问题",
            }
            for p in plan.problems
        ],
    }
    verified = run.api.post("intake", f"{tip}/substantiate", body, **run.as_office())
    if verified is None or "problem_ids" not in verified:  # a retried call answered 409
        verified = run.api.get("intake", tip, **run.as_office())
    plan.problem_ids = list(verified["problem_ids"])


def _handle_now(job: tuple[Run, TipPlan]) -> None:
    run, plan = job
    triage_and_verify(run, plan, plan.fate)


def _handle_late(job: tuple[Run, TipPlan]) -> None:
    run, plan = job
    triage_and_verify(run, plan, plan.late_verdict)


def _count_tip(run: Run, plan: TipPlan, status: str, escalated: bool) -> None:
    metrics = ["tips.total", f"tips.channel.{plan.channel}", f"tips.status.{status}"]
    if escalated:
        metrics.append("tips.escalated")
    run.ledger.count(plan.agency.region_code, plan.agency.agency_id, *metrics)


def find_problems(run: Run) -> list[FoundProblem]:
    """Phase 2. Returns the problems found, in a stable order."""
    start, end = run.calendar.phase(PhaseCode.finding)
    days = spread(
        (start + timedelta(days=d) for d in range((end - start).days - 12)), run.size.tip_batches
    )
    per_batch = max(1, run.size.tips // len(days))
    all_plans: list[TipPlan] = []
    for index, day in enumerate(days):
        run.set_time(run.at(day))
        plans = plan_tips(run, per_batch, first=index * per_batch)

        def arrive(plan: TipPlan, on: date = day) -> None:
            submit(run, plan, on)

        run.parallel(arrive, plans)
        run.parallel(_handle_now, [(run, p) for p in plans if p.fate not in ("merged", "late")])
        for plan in (p for p in plans if p.fate == "merged"):
            assert plan.merge_into is not None
            body = {"into_tip_id": plan.merge_into.tip_id}
            run.api.post("intake", f"/tips/{plan.tip_id}/merge", body, **run.as_intake())
        all_plans += plans
        run.log(f"finding {day}: {len(plans)} tips")
    # Late tips: nobody triaged them in time; the watcher escalates them, then they are
    # handled on the last day of the phase.
    run.set_time(run.at(end, 10))
    late = [p for p in all_plans if p.fate == "late"]
    run.api.post("intake", "/admin/timers/run")

    def escalated(plan: TipPlan) -> bool:
        view = run.api.get("intake", f"/tips/{plan.tip_id}", **run.as_intake())
        return bool(view["escalated"])

    for plan in late:
        wait_until(partial(escalated, plan), f"escalation of tip {plan.tip_id}")
    run.parallel(_handle_late, [(run, p) for p in late])

    found: list[FoundProblem] = []
    for plan in all_plans:
        verdict = plan.late_verdict if plan.fate == "late" else plan.fate
        status = verdict if plan.fate == "late" else plan.fate
        _count_tip(run, plan, status, escalated=plan.fate == "late")
        if verdict != "substantiated":
            continue
        for problem_id, problem in zip(plan.problem_ids, plan.problems, strict=True):
            found.append(FoundProblem(problem_id, plan.agency, problem))
            run.ledger.count(
                plan.agency.region_code,
                plan.agency.agency_id,
                "problems.total",
                f"problems.category.{problem.category.value}",
                f"problems.kind.{problem.kind}",
                f"problems.severity.{problem.severity.value}",
            )
    run.log(f"finding: {len(all_plans)} tips, {len(found)} problems, {len(late)} escalated")
    return found
