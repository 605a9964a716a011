"""Phase 4: democratic evaluation meetings in the cities. Representatives are drawn
from the regulated entities, attend, and rate the city's agencies on one-time
ballots; one agency per meeting fares badly enough to get a look-back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from shared.events.directory import PhaseCode
from shared.regions import jiangxi

from .directory import Agency
from .run import Run

RESERVES = 5
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")


@dataclass
class MeetingPlan:
    meeting_id: str
    region_code: str
    agencies: list[Agency]
    poor: str  # the agency the representatives are least happy with
    uncast: int
    tallies: dict[str, dict[str, int]] = field(default_factory=dict)
    lookbacks: list[str] = field(default_factory=list)
    completed_lookbacks: list[str] = field(default_factory=list)


def meeting_cities(run: Run) -> list[str]:
    """Cities whose pool can seat the representatives plus reserves, largest first."""
    regions = jiangxi()
    counts = {c.code: 0 for c in regions.cities()}
    for entity in run.directory.entities:
        city = regions.parent(entity.region_code)
        if city is not None and city.code in counts:
            counts[city.code] += 1
    need = run.size.representatives + RESERVES
    return sorted((c for c, n in counts.items() if n >= need), key=lambda c: (-counts[c], c))


def _rate(run: Run, poor: bool) -> str:
    draw = run.rng.random()
    dissatisfied = 0.38 if poor else 0.06
    if draw < dissatisfied:
        return "dissatisfied"
    return "satisfied" if run.rng.random() < 0.6 else "basically_satisfied"


def hold_meeting(run: Run, meeting: MeetingPlan) -> None:
    office = run.as_office()
    path = f"/meetings/{meeting.meeting_id}"
    start, _ = run.calendar.phase(PhaseCode.evaluation)
    body = {
        "meeting_id": meeting.meeting_id,
        "campaign_id": run.campaign_id,
        "region_code": meeting.region_code,
        "agency_ids": [a.agency_id for a in meeting.agencies],
        "held_on": (start + timedelta(days=14)).isoformat(),
        "place": f"{jiangxi().get(meeting.region_code).name}人民政府第一会议室",
        "representatives": run.size.representatives,
        "reserve_size": RESERVES,
    }
    run.api.post("evaluation", "/meetings", body, **office)
    run.api.post("evaluation", f"{path}/pool/freeze", **office)
    body = {"randomness": f"{run.seed} {meeting.meeting_id}", "randomness_source": "模拟开奖号码"}
    view = run.api.post("evaluation", f"{path}/draw", body, **office)
    representatives = run.api.get("evaluation", path, **office)["representatives"]
    if not representatives:
        representatives = view["representatives"]
    run.api.post(
        "evaluation", f"{path}/attendance", {"attendee_entity_ids": representatives}, **office
    )
    issued = run.api.post("evaluation", f"{path}/ballots", **office)
    tokens = [b["token"] for b in issued["ballots"]]
    to_cast = tokens[: len(tokens) - meeting.uncast]
    ballots = []
    for _ in to_cast:  # choices drawn here, in order, so a seed replays exactly
        ballots.append(
            {a.agency_id: _rate(run, a.agency_id == meeting.poor) for a in meeting.agencies}
        )
    for agency in meeting.agencies:
        meeting.tallies[agency.agency_id] = dict.fromkeys(RATINGS, 0)
    for ratings in ballots:
        for agency_id, rating in ratings.items():
            meeting.tallies[agency_id][rating] += 1

    def cast(pair: tuple[str, dict[str, str]]) -> None:
        token, ratings = pair
        body = {
            "token": token,
            "ratings": [{"agency_id": a, "rating": r} for a, r in ratings.items()],
        }
        run.api.post("evaluation", "/ballots/cast", body, role=None)

    run.parallel(cast, list(zip(to_cast, ballots, strict=True)))
    run.api.post("evaluation", f"{path}/close", **office)
    run.api.post("evaluation", f"{path}/publish", **office)


def evaluate(run: Run) -> list[MeetingPlan]:
    start, _ = run.calendar.phase(PhaseCode.evaluation)
    run.set_time(run.at(start + timedelta(days=14)))
    cities = meeting_cities(run)
    meetings = []
    for n in range(run.size.meetings):
        city = cities[n % len(cities)]
        agencies = run.directory.in_region(city)
        meetings.append(
            MeetingPlan(
                meeting_id=f"meet-sim-{run.calendar.campaign_year}-{run.seed}-{n + 1:04d}",
                region_code=city,
                agencies=agencies,
                poor=run.rng.choice(agencies).agency_id,
                uncast=run.rng.randint(0, 2),
            )
        )
    for meeting in meetings:
        hold_meeting(run, meeting)
        _count(run, meeting)
    run.log(f"evaluation: {len(meetings)} meetings")
    return meetings


def _count(run: Run, meeting: MeetingPlan) -> None:
    cast = run.size.representatives - meeting.uncast
    run.ledger.count(
        meeting.region_code, "", "evaluation.meetings", "evaluation.meetings_published"
    )
    run.ledger.count(meeting.region_code, "", "evaluation.ballots_cast", by=cast)
    satisfaction: dict[str, float] = {}
    for agency in meeting.agencies:
        tally = meeting.tallies[agency.agency_id]
        valid = sum(tally.values())
        satisfied = tally["satisfied"] + tally["basically_satisfied"]
        where = (agency.region_code, agency.agency_id)
        run.ledger.count(*where, "evaluation.agencies_evaluated")
        run.ledger.count(*where, "evaluation.ballots", by=valid)
        run.ledger.count(*where, "evaluation.satisfied", by=satisfied)
        run.ledger.count(*where, "evaluation.dissatisfied", by=tally["dissatisfied"])
        satisfaction[agency.agency_id] = round(satisfied / valid, 4) if valid else 0.0
        if valid and tally["dissatisfied"] / valid >= 0.2:
            meeting.lookbacks.append(agency.agency_id)
    run.ledger.notes.setdefault("satisfaction_rates", {})[meeting.meeting_id] = satisfaction


def look_back(run: Run, meetings: list[MeetingPlan]) -> None:
    """Phase 5: half the look-backs are completed; the rest stay open."""
    for meeting in meetings:
        for agency_id in meeting.lookbacks:
            agency = run.directory.agency(agency_id)
            where = (agency.region_code, agency_id)
            run.ledger.count(*where, "lookbacks.total")
            if run.rng.random() < 0.5:
                body = {"findings": "回头看：问题已整改到位 / look-back: problems put right"}
                run.api.post(
                    "evaluation",
                    f"/meetings/{meeting.meeting_id}/lookbacks/{agency_id}/complete",
                    body,
                    **run.as_office(),
                )
                meeting.completed_lookbacks.append(agency_id)
                run.ledger.count(*where, "lookbacks.completed")
            else:
                run.ledger.count(*where, "lookbacks.open")
    run.ledger.note(
        "lookbacks",
        {
            m.meeting_id: {"opened": m.lookbacks, "completed": m.completed_lookbacks}
            for m in meetings
        },
    )
