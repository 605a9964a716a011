"""The rows of the access-matrix test: for every read route of every service, which
resource of ``shared.access_policy`` it serves and how to address a seeded place.

Expected answers are not written here: the test asks the policy. A row says only what
a route *is* (its resource, its URL for a place, where its listed items sit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.access_policy import Resource, Target

CAMPAIGN = "reporting-sample-campaign"
OWN, SIBLING, OTHER_REGION = "own agency", "other agency, own region", "other region"


@dataclass(frozen=True)
class Place:
    """One seeded agency's story (``tests.reporting.sample_events.full_story``)."""

    name: str
    key: str
    agency_id: str
    region_code: str

    @property
    def target(self) -> Target:
        return Target(region_code=self.region_code, agency_id=self.agency_id)

    def id(self, kind: str) -> str:
        return {
            "tip": f"tip-{self.key}",
            "unverified_tip": f"tip-{self.key}-rejected",
            "problem": f"prb-{self.key}",
            "item": f"rect-prb-{self.key}",
            "case": f"case-{self.key}",
            "regulation": f"reg-{self.key}",
            "meeting": f"meet-{self.key}",
            "lookback": f"lb-{self.key}",
        }[kind]


Items = Callable[[Any], list[dict[str, Any]]]
ItemTarget = Callable[[dict[str, Any], dict[str, str]], list[Target]]


def _key(name: str) -> Items:
    return lambda body: list(body[name])


def _whole(body: Any) -> list[dict[str, Any]]:
    return list(body)


def _at(item: dict[str, Any], regions: dict[str, str]) -> list[Target]:
    agency = str(item.get("agency_id", ""))
    return [Target(str(item.get("region_code") or regions.get(agency, "")), agency)]


def _tip_at(item: dict[str, Any], regions: dict[str, str]) -> list[Target]:
    # An officer reads a tip of their region, or one handled in their region.
    agency = str(item["agency_id"])
    return [Target(item["region_code"], agency), Target(item["handling_region_code"], agency)]


@dataclass(frozen=True)
class Row:
    """One way of reading a route. ``resources``: all must be readable for a grant (a
    timeline of a tip needs both the timeline and the tip). ``items``: the listed
    things, each checked against the policy at ``item_target``; ``own_item``: the id
    a granted reader must find among them. ``filters``: a list that answers a reader
    outside its scope with 200, leaving out what it may not see (its items are checked
    all the same, and the place's own item must not be among them). ``any_of``: at least
    one must be readable too (a meeting's timeline shows its published results to
    those who may not read the meeting). ``answered``: the statuses that count as a
    grant."""

    resources: tuple[Resource, ...]
    url: Callable[[Place], str]
    target: Callable[[Place], Target] = lambda p: p.target
    items: Items | None = None
    item_id: str = ""
    own_item: Callable[[Place], str] | None = None
    item_target: ItemTarget = _at
    filters: bool = False
    any_of: tuple[Resource, ...] = ()
    answered: tuple[int, ...] = (200,)
    # Places to walk (names; all when empty): a report renders in a child process for
    # seconds, so its rows skip the place whose answer another row already decides.
    places: tuple[str, ...] = ()
    unknown_url: str = ""  # an id that does not exist: must answer like a refused one
    events: bool = False  # items are policy-cut event summaries


def _region(p: Place) -> Target:
    return Target(region_code=p.region_code)


def _province(p: Place) -> Target:
    return Target(region_code="360000")


def _anywhere(p: Place) -> Target:
    return Target()


def _drill_down(metric: str) -> Callable[[Place], str]:
    return lambda p: f"/figures/events?metric={metric}&agency_id={p.agency_id}"


def _timeline(kind: str) -> Callable[[Place], str]:
    return lambda p: f"/timelines/{p.id(kind)}"


def _filtered(
    resource: Resource,
    url: Callable[[Place], str],
    kind: str,
    items: Items | None = None,
    **more: Any,
) -> Row:
    """A list that leaves out what the reader may not see: its items carry ``<kind>_id``
    (under ``<kind>s`` unless ``items`` says where) and a granted reader finds the
    place's own among them."""
    return Row(
        (resource,),
        url,
        items=items or _key(f"{kind}s"),
        item_id=f"{kind}_id",
        own_item=lambda p: p.id(kind),
        filters=True,
        **more,
    )


def _in_region(resource: Resource, url: str, key: str) -> Row:
    """Every ``key`` of the place's region, at ``url`` with the region's code in its ``{}``."""
    return Row((resource,), lambda p: url.format(p.region_code), target=_region, items=_key(key))


def _of_meeting(resource: Resource, tail: str, **more: Any) -> Row:
    """A read of the place's meeting at ``/meetings/{id}<tail>``."""
    return Row((resource,), lambda p: f"/meetings/{p.id('meeting')}{tail}", **more)


R = Resource

ROWS: dict[tuple[str, str], list[Row]] = {
    # -- intake -----------------------------------------------------------------------
    ("intake", "/tips"): [
        _filtered(
            R.tip,
            lambda p: f"/tips?region_code={p.region_code}&status=substantiated&limit=200",
            "tip",
            target=_region,
            item_target=_tip_at,
        )
    ],
    ("intake", "/tips/{tip_id}"): [
        Row(
            (R.tip,),
            lambda p: f"/tips/{p.id('unverified_tip')}",
            unknown_url="/tips/tip-unknown0000",
        )
    ],
    ("intake", "/problems"): [
        _filtered(
            R.problem,
            lambda p: f"/problems?agency_id={p.agency_id}&campaign_id={CAMPAIGN}&limit=200",
            "problem",
        )
    ],
    ("intake", "/self-inspection/{agency_id}"): [
        Row(
            (R.self_inspection,), lambda p: f"/self-inspection/{p.agency_id}?campaign_id={CAMPAIGN}"
        )
    ],
    ("intake", "/campaigns/{campaign_id}"): [
        Row((R.campaign,), lambda p: f"/campaigns/{CAMPAIGN}", target=_anywhere)
    ],
    ("intake", "/agencies"): [Row((R.agency_directory,), lambda p: "/agencies", target=_anywhere)],
    # -- rectification ----------------------------------------------------------------
    ("rectification", "/items"): [
        _filtered(
            R.rectification_item,
            lambda p: f"/items?agency_id={p.agency_id}&region_code={p.region_code}&limit=200",
            "item",
        )
    ],
    ("rectification", "/agencies/{agency_id}/items"): [
        _filtered(
            R.rectification_item, lambda p: f"/agencies/{p.agency_id}/items?limit=200", "item"
        )
    ],
    ("rectification", "/regions/{region_code}/items"): [
        _in_region(R.rectification_item, "/regions/{}/items?limit=200", "items")
    ],
    ("rectification", "/items/{item_id}"): [
        Row(
            (R.rectification_item,), lambda p: f"/items/{p.id('item')}", unknown_url="/items/rect-x"
        )
    ],
    ("rectification", "/cases"): [_in_region(R.case, "/cases?region_code={}&limit=200", "cases")],
    ("rectification", "/cases/{case_id}"): [
        Row((R.case,), lambda p: f"/cases/{p.id('case')}", unknown_url="/cases/case-x")
    ],
    ("rectification", "/regulations"): [
        _filtered(
            R.regulation,
            lambda p: f"/regulations?agency_id={p.agency_id}&region_code={p.region_code}",
            "regulation",
        )
    ],
    # -- evaluation -------------------------------------------------------------------
    ("evaluation", "/meetings"): [_filtered(R.meeting, lambda p: "/meetings", "meeting", _whole)],
    ("evaluation", "/meetings/{meeting_id}"): [
        _of_meeting(R.meeting, "", unknown_url="/meetings/meet-x")
    ],
    ("evaluation", "/meetings/{meeting_id}/tally/verify"): [
        _of_meeting(R.meeting, "/tally/verify", unknown_url="/meetings/meet-x/tally/verify")
    ],
    ("evaluation", "/meetings/{meeting_id}/representatives"): [
        _of_meeting(
            R.representatives_sheet,
            "/representatives",
            unknown_url="/meetings/meet-x/representatives",
        )
    ],
    ("evaluation", "/lookbacks"): [
        _filtered(R.lookback, lambda p: "/lookbacks", "lookback", _whole)
    ],
    ("evaluation", "/results"): [Row((R.results,), lambda p: "/results")],
    ("rectification", "/public/cases"): [
        Row((R.exposed_cases,), lambda p: f"/public/cases?region_code={p.region_code}")
    ],
    ("evaluation", "/meetings/{meeting_id}/results"): [_of_meeting(R.results, "/results")],
    ("evaluation", "/meetings/{meeting_id}/pool"): [_of_meeting(R.draw, "/pool")],
    ("evaluation", "/meetings/{meeting_id}/draw"): [_of_meeting(R.draw, "/draw")],
    ("evaluation", "/meetings/{meeting_id}/draw/verify"): [
        # The sample draw names an algorithm the verifier does not know (422): the
        # route answered, which is all this row asks.
        _of_meeting(R.draw, "/draw/verify", answered=(200, 422))
    ],
    # -- reporting --------------------------------------------------------------------
    ("reporting", "/dashboard/regions/{region_code}"): [
        Row((R.region_figures,), lambda p: f"/dashboard/regions/{p.region_code}", target=_region)
    ],
    ("reporting", "/dashboard/agencies/{agency_id}"): [
        Row(
            (R.agency_figures,),
            lambda p: f"/dashboard/agencies/{p.agency_id}",
            unknown_url="/dashboard/agencies/ag-unknown",
        )
    ],
    ("reporting", "/rankings/agencies"): [
        Row(
            (R.region_figures,),
            lambda p: f"/rankings/agencies?region_code={p.region_code}&min_volume=1",
            target=_region,
        )
    ],
    ("reporting", "/rankings/regions"): [
        Row(
            (R.region_figures,),
            lambda p: f"/rankings/regions?parent_code={p.region_code[:4]}00&level=county",
            target=lambda p: Target(region_code=f"{p.region_code[:4]}00"),
        )
    ],
    ("reporting", "/figures/events"): [
        Row(
            (R.drilldown_events,),
            _drill_down(metric),
            items=_key("events"),
            events=True,
            unknown_url=f"/figures/events?metric={metric}&agency_id=ag-unknown",
        )
        for metric in (
            "tips.total",
            "problems.total",
            "items.total",
            "cases.total",
            "evaluation.satisfaction_rate",
            "evaluation.ballots_cast",
        )
    ]
    + [
        Row(
            (R.drilldown_events,),
            lambda p: f"/figures/events?metric=tips.total&region_code={p.region_code}",
            target=_region,
            items=_key("events"),
            events=True,
        )
    ],
    ("reporting", "/timelines/{subject}"): [
        Row(
            (R.timeline,),
            _timeline(kind),
            any_of=resources,
            # A meeting belongs to its region, not to one agency.
            target=_region if kind == "meeting" else (lambda p: p.target),
            items=_key("events"),
            events=True,
            unknown_url="/timelines/tip-unknown0000",
        )
        for kind, resources in (
            ("unverified_tip", (R.tip,)),
            ("problem", (R.problem,)),
            ("item", (R.rectification_item,)),
            ("case", (R.case,)),
            ("meeting", (R.meeting, R.representatives_sheet, R.ballot, R.results)),
        )
    ],
    ("reporting", "/campaigns/{campaign_id}/progress"): [
        Row((R.campaign_progress,), lambda p: f"/campaigns/{CAMPAIGN}/progress", target=_anywhere)
    ],
    ("reporting", "/projector"): [Row((R.audit_replay,), lambda p: "/projector", target=_province)],
    ("reporting", "/audit/compare"): [
        Row((R.audit_replay,), lambda p: "/audit/compare?left=live&right=live", target=_province)
    ],
    ("reporting", "/public/regions/{region_code}"): [
        Row(
            (R.public_figures,),
            lambda p: f"/public/regions/{p.region_code}",
            target=_anywhere,
        )
    ],
    ("reporting", "/reports/summary"): [
        Row(
            (R.region_figures,),
            lambda p: f"/reports/summary?region_code={p.region_code}&format=docx",
            target=_region,
            places=(OWN, OTHER_REGION),
        ),
        Row(
            (R.agency_figures,),
            lambda p: f"/reports/summary?agency_id={p.agency_id}&format=docx",
            places=(OWN, OTHER_REGION),
        ),
    ],
}

# Routes that read no campaign data, or that no role opens: each with its reason.
NOT_ROLE_SCOPED: dict[tuple[str, str], str] = {
    **{
        (s, "/health"): "liveness and broker reachability"
        for s in ("intake", "rectification", "evaluation", "reporting")
    },
    **{
        (s, "/admin/clock"): "the service's clock reading"
        for s in ("intake", "rectification", "evaluation", "reporting")
    },
    # One static page for every ballot: its script reads the token from the fragment and
    # posts it (/ballots/lookup, /ballots/qr.svg: the same refusal from every role,
    # checked by the test).
    ("evaluation", "/ballots"): "the ballot page, the same for everyone",
}
