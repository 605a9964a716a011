"""The access policy: which role reads which resource, at which scope, which fields.

One table for every service and for reporting. Endpoints ask :func:`may_read`,
:func:`require_role_for` and :func:`require_readable` instead of listing roles
themselves; reporting's drill-down and timeline rows are cut to :data:`EVENT_FIELDS` of
the role; the access-matrix test (``tests/integration/test_access_matrix.py``) derives
every expected answer from here.

Scopes: ``-`` nothing; ``A`` the actor's own agency (``organisation`` = the
resource's agency id); ``R`` the actor's region and every region below it (a
provincial actor, region 360000, therefore sees the whole province); ``*`` everyone's.
One rule for every internal role, auditors and administrators included.

Pure: no I/O, clock or framework import here (``Role`` and ``Actor`` are shared.actors').
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.actors import Actor, Role
from shared.errors import Forbidden, NotFound
from shared.regions import UnknownRegion, jiangxi


class Scope(StrEnum):
    none = "-"
    own_agency = "A"
    own_region = "R"
    all = "*"


class Resource(StrEnum):
    campaign = "campaign"  # campaigns and their phases (reference data)
    agency_directory = "agency_directory"  # the agencies one may name in a tip
    tip = "tip"  # a tip's metadata: status, region, agency, deadlines
    tip_sealed_text = "tip_sealed_text"  # a tip's description and its filer's contact
    problem = "problem"  # a problem found (exists only after verification)
    self_inspection = "self_inspection"  # an agency's own plan, analyses, report
    rectification_item = "rectification_item"
    case = "case"  # typical cases, referrals, exposure, accountability
    regulation = "regulation"  # rules adopted to close a problem
    meeting = "meeting"  # an evaluation meeting's schedule, status, tally check
    lookback = "lookback"  # the "look back" after a poor result
    representatives_sheet = "representatives_sheet"  # who was drawn, replaced, attended
    regulated_entity = "regulated_entity"  # firms and people an agency regulates
    ballot = "ballot"  # a ballot's content, its token, when it was cast
    draw = "draw"  # the frozen pool and the draw (pseudonymous ids, verifiable)
    results = "results"  # a meeting's results once published
    exposed_cases = "exposed_cases"  # typical cases as published: headline, redacted text
    feedback = "feedback"  # results, comments and problems fed back to one agency
    public_figures = "public_figures"  # published aggregates
    region_figures = "region_figures"  # dashboards, rankings, reports of a region
    agency_figures = "agency_figures"  # dashboard and report of one agency
    campaign_progress = "campaign_progress"  # counts per phase of the whole campaign
    drilldown_events = "drilldown_events"  # the events behind a figure
    timeline = "timeline"  # the events of one aggregate
    audit_replay = "audit_replay"  # replays, comparisons, projector state (province)


_ = Scope.none
A = Scope.own_agency
R = Scope.own_region
X = Scope.all

# The columns, in the order of every row below.
ROLES: tuple[Role, ...] = (
    Role.public,
    Role.intake_officer,
    Role.agency_staff,
    Role.legal_office,
    Role.discipline_liaison,
    Role.auditor,
    Role.admin,
)

# fmt: off
SCOPES: dict[Resource, tuple[Scope, ...]] = {
    #                                 public intake agency legal discip audit admin
    Resource.campaign:              (X,     X,     X,     X,    X,     X,    X),
    Resource.agency_directory:      (X,     X,     X,     X,    X,     X,    X),
    Resource.tip:                   (_,     R,     _,     R,    R,     R,    R),
    Resource.tip_sealed_text:       (_,     R,     _,     R,    R,     _,    _),
    Resource.problem:               (_,     R,     A,     R,    R,     R,    R),
    Resource.self_inspection:       (_,     R,     A,     R,    _,     R,    R),
    Resource.rectification_item:    (_,     _,     A,     R,    R,     R,    R),
    Resource.case:                  (_,     _,     _,     R,    R,     R,    R),
    Resource.regulation:            (_,     _,     A,     R,    R,     R,    R),
    Resource.meeting:               (_,     _,     _,     R,    _,     R,    R),
    Resource.lookback:              (_,     _,     _,     R,    _,     R,    R),
    Resource.representatives_sheet: (_,     _,     _,     R,    _,     _,    _),
    Resource.regulated_entity:      (_,     _,     _,     R,    _,     R,    R),
    Resource.ballot:                (_,     _,     _,     _,    _,     _,    _),
    Resource.draw:                  (X,     X,     X,     X,    X,     X,    X),
    Resource.results:               (X,     X,     X,     X,    X,     X,    X),
    Resource.exposed_cases:         (X,     X,     X,     X,    X,     X,    X),
    Resource.feedback:              (_,     _,     A,     R,    _,     R,    R),
    Resource.public_figures:        (X,     X,     X,     X,    X,     X,    X),
    Resource.region_figures:        (_,     R,     _,     R,    R,     R,    R),
    Resource.agency_figures:        (_,     R,     A,     R,    R,     R,    R),
    Resource.campaign_progress:     (_,     X,     X,     X,    X,     X,    X),
    Resource.drilldown_events:      (_,     R,     A,     R,    R,     R,    R),
    Resource.timeline:              (_,     R,     A,     R,    R,     R,    R),
    Resource.audit_replay:          (_,     _,     _,     _,    _,     R,    R),
}

# Fields of one resource's answers that belong to another, narrower one: shown only to a
# reader who may read that one too (``readable_fields``). A problem names the tips behind
# it; the reported agency, which reads its problems, reads no tip.
FIELD_RESOURCE: dict[tuple[Resource, str], Resource] = {
    (Resource.tip, "description"): Resource.tip_sealed_text,
    (Resource.problem, "source_tip_ids"): Resource.tip,
}

# Figures (by prefix) a role does not get from figures it reads: how many tips were filed
# against an agency, and when, points its staff at who filed them. (A region's published
# tip count, over every agency of it, does not.)
WITHHELD_FIGURES: dict[tuple[Resource, Role], tuple[str, ...]] = {
    (Resource.agency_figures, Role.agency_staff): ("tips.",),
}

# What one row of a drill-down or a timeline may carry, per role. ``day`` is the date
# only; the exact ``time`` and the ``actor`` (role:office:region) are for those who audit
# officers' actions: an exact time beside a small count can point at a person.
_SUMMARY = frozenset({"event_id", "subject", "type", "sequence", "day", "status", "category",
                      "region_code", "agency_id"})
_AUDIT = _SUMMARY | {"time", "actor"}
EVENT_FIELDS: dict[Role, frozenset[str]] = {
    Role.public:             frozenset(),
    Role.intake_officer:     _SUMMARY,
    Role.agency_staff:       _SUMMARY,
    Role.legal_office:       _SUMMARY,
    Role.discipline_liaison: _SUMMARY,
    Role.auditor:            _AUDIT,
    Role.admin:              _AUDIT,
}

# Which resource an event belongs to, by its type ("owner.Name"). A type missing here
# is shown to nobody; a test fails until it has a row.
EVENT_RESOURCE: dict[str, Resource] = {
    **{f"directory.{n}": Resource.campaign for n in ("CampaignRegistered", "CampaignChanged")},
    **{f"directory.{n}": Resource.agency_directory
       for n in ("AgencyRegistered", "AgencyChanged")},
    **{f"directory.{n}": Resource.regulated_entity
       for n in ("RegulatedEntityRegistered", "RegulatedEntityChanged")},
    **{f"intake.{n}": Resource.tip
       for n in ("TipReceived", "TipAccepted", "TipAssigned", "TipEscalated", "TipMerged",
                 "TipRejected", "TipSubstantiated", "TipTransferred", "TipUnsubstantiated",
                 "ContactDecrypted", "ContactErased", "TipTextDecrypted")},
    "intake.ProblemFound": Resource.problem,
    **{f"intake.{n}": Resource.self_inspection
       for n in ("ImplementationPlanFiled", "SelfAnalysisFiled", "SelfInspectionReportFiled")},
    **{f"rectification.{n}": Resource.rectification_item
       for n in ("RectificationOpened", "RectificationDue", "RectificationEscalated",
                 "RectificationExtended", "RectificationExtensionDeclined",
                 "RectificationExtensionRequested", "RectificationOverdue",
                 "RectificationProgressReported", "RectificationReturned",
                 "RectificationCompleted", "RectificationVerified", "ResponsiblePersonNamed")},
    **{f"rectification.{n}": Resource.case
       for n in ("CaseOpened", "CaseReferred", "CaseExposed", "AccountabilityImposed",
                 "ReferralAcknowledged", "ReferralOverdue")},
    "rectification.RegulationAdopted": Resource.regulation,
    **{f"evaluation.{n}": Resource.meeting
       for n in ("EvaluationMeetingScheduled", "PoolFrozen", "MeetingClosed",
                 "EvaluationTallied", "ProblemRaised",
                 # officers' recorded readings: who read, when, why; no citizen's data
                 "RepresentativesSheetRead", "BallotCommentsRead")},
    **{f"evaluation.{n}": Resource.representatives_sheet
       for n in ("RepresentativesDrawn", "RepresentativeReplaced", "AttendanceRecorded")},
    **{f"evaluation.{n}": Resource.ballot
       for n in ("BallotsIssued", "BallotCast", "BallotSpoiled", "BallotTokenSpent",
                 "BallotSealed", "BallotBoxOpened")},
    "evaluation.ResultsPublished": Resource.results,
    "evaluation.ResultsFedBack": Resource.feedback,
    **{f"evaluation.{n}": Resource.lookback for n in ("LookBackOpened", "LookBackCompleted")},
}
# fmt: on


@dataclass(frozen=True)
class Target:
    """Where a resource sits: its region (GB/T 2260) and its agency, when it has one."""

    region_code: str = ""
    agency_id: str = ""


def scope_of(role: Role, resource: Resource) -> Scope:
    return SCOPES[resource][ROLES.index(role)]


def readers_of(resource: Resource, scope: Scope | None = None) -> tuple[Role, ...]:
    """The roles that read ``resource`` somewhere (at ``scope`` only, if given): for
    checks of a role made before any aggregate is looked at."""
    return tuple(
        role
        for role in ROLES
        if (found := scope_of(role, resource)) is not Scope.none and scope in (None, found)
    )


def within_region(actor_region: str, region_code: str) -> bool:
    """``region_code`` is the actor's region or lies below it (unknown codes: no)."""
    regions = jiangxi()
    if actor_region not in regions or region_code not in regions:
        return False
    try:
        return regions.is_within(region_code, actor_region)
    except UnknownRegion:
        return False


def scope_admits(scope: Scope, actor: Actor, target: Target) -> bool:
    """Whether ``scope``, held by ``actor``, covers ``target``."""
    if scope is Scope.all:
        return True
    if scope is Scope.own_agency:
        return bool(target.agency_id) and target.agency_id == actor.organisation
    if scope is Scope.own_region:
        return within_region(actor.region_code, target.region_code)
    return False


def may_read(actor: Actor | None, resource: Resource, target: Target) -> bool:
    """Whether ``actor`` (``None``: an anonymous visitor, read as the public) may read
    ``resource`` at ``target``."""
    role = Role.public if actor is None else actor.role
    scope = scope_of(role, resource)
    if actor is None:
        return scope is Scope.all
    return scope_admits(scope, actor, target)


def may_read_some(actor: Actor | None, resource: Resource) -> bool:
    """Whether the actor's role reads ``resource`` anywhere at all."""
    role = Role.public if actor is None else actor.role
    return scope_of(role, resource) is not Scope.none


def withheld_fields(actor: Actor | None, resource: Resource, target: Target) -> frozenset[str]:
    """The fields of ``resource`` at ``target`` that ``actor`` may not read (to blank)."""
    return frozenset(
        name
        for (owner, name), narrower in FIELD_RESOURCE.items()
        if owner is resource and not may_read(actor, narrower, target)
    )


def without_fields(values: dict[str, object], names: frozenset[str]) -> dict[str, object]:
    """``values`` with the named fields emptied (same type: "", [], else None), so an
    answer keeps its documented shape."""
    empty: dict[type, object] = {str: "", list: [], tuple: ()}
    return {k: (empty.get(type(v)) if k in names else v) for k, v in values.items()}


def withheld_figures(actor: Actor | None, resource: Resource) -> tuple[str, ...]:
    """Prefixes of the figures of ``resource`` the actor's role does not get."""
    return WITHHELD_FIGURES.get((resource, Role.public if actor is None else actor.role), ())


def readable_figures(
    actor: Actor | None, resource: Resource, figures: dict[str, float]
) -> dict[str, float]:
    """``figures`` of ``resource`` without those the policy withholds from the actor."""
    withheld = withheld_figures(actor, resource)
    return {k: v for k, v in figures.items() if not k.startswith(withheld)} if withheld else figures


def event_resource(event_type: str) -> Resource | None:
    """The resource of a CloudEvents ``type`` such as
    ``cn.gov.jiangxi.fairenforcement.intake.TipReceived.v1`` (``None`` when unmapped)."""
    parts = event_type.split(".")
    if len(parts) < 3:
        return None
    return EVENT_RESOURCE.get(f"{parts[-3]}.{parts[-2]}")


def event_label(event_type: str) -> str:
    """``owner.Name`` of a CloudEvents type: what a summary row shows as its type."""
    parts = event_type.split(".")
    return f"{parts[-3]}.{parts[-2]}" if len(parts) >= 3 else event_type


def may_read_event(actor: Actor, event_type: str, target: Target) -> bool:
    """Whether one event may appear, as a summary row, in a drill-down or timeline."""
    resource = event_resource(event_type)
    return resource is not None and may_read(actor, resource, target)


def require_role_for(actor: Actor | None, resource: Resource) -> None:
    """403 when the actor's role reads ``resource`` nowhere. Asked before any look-up:
    it depends on the role alone, so it says nothing of whether an id exists."""
    if may_read_some(actor, resource):
        return
    role = Role.public if actor is None else actor.role
    raise Forbidden(
        f"您的角色（{role.value}）无权查看此类数据（{resource.value}）",
        f"your role ({role.value}) may not read {resource.value}",
        code="role_not_allowed",
    )


def hidden(aggregate_id: str, field: str = "id") -> NotFound:
    """The answer for an id the reader may not see: word for word the one
    ``EventStore.require`` gives for an id that does not exist."""
    return NotFound(f"未找到 {aggregate_id}", f"{aggregate_id} not found", field=field)


def require_readable(
    actor: Actor, resource: Resource, target: Target, aggregate_id: str, field: str = "id"
) -> None:
    """404, as for an unknown id, unless ``actor`` may read ``resource`` at ``target``."""
    if not may_read(actor, resource, target):
        raise hidden(aggregate_id, field)
