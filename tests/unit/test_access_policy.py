"""The access policy table: complete, and holding THREATS.md's promises."""

from __future__ import annotations

import pytest

import shared.events  # noqa: F401  (registers every event type)
from shared.access_policy import (
    EVENT_FIELDS,
    EVENT_RESOURCE,
    ROLES,
    SCOPES,
    Resource,
    Scope,
    Target,
    event_label,
    event_resource,
    hidden,
    may_read,
    may_read_event,
    readable_figures,
    readers_of,
    require_readable,
    require_role_for,
    scope_of,
    withheld_fields,
    without_fields,
)
from shared.actors import Actor, Role
from shared.errors import Forbidden, NotFound
from shared.events.registry import registry


def _actor(role: Role, region: str = "360102", organisation: str = "ag-own") -> Actor:
    return Actor(
        subject=f"{role.value}@x", role=role, organisation=organisation, region_code=region
    )


def test_every_resource_has_one_scope_per_role() -> None:
    assert set(SCOPES) == set(Resource)
    assert set(ROLES) == set(Role)
    assert all(len(row) == len(ROLES) for row in SCOPES.values())
    assert set(EVENT_FIELDS) == set(Role)


def test_every_registered_event_type_has_a_resource() -> None:
    names = {model.name for model in registry}
    assert names - set(EVENT_RESOURCE) == set(), "give each new event type a row"
    assert set(EVENT_RESOURCE) - names == set(), "rows for event types that do not exist"


@pytest.mark.parametrize(
    "resource",
    [
        Resource.tip,
        Resource.tip_sealed_text,
        Resource.ballot,
        Resource.representatives_sheet,
        Resource.meeting,
        Resource.regulated_entity,
        Resource.case,
    ],
)
def test_the_reported_agency_never_reads(resource: Resource) -> None:
    assert scope_of(Role.agency_staff, resource) is Scope.none
    assert not may_read(_actor(Role.agency_staff), resource, Target("360102", "ag-own"))


@pytest.mark.parametrize(
    "resource",
    [
        Resource.problem,
        Resource.rectification_item,
        Resource.regulation,
        Resource.results,
        Resource.feedback,
    ],
)
def test_the_reported_agency_reads_its_own_only(resource: Resource) -> None:
    staff = _actor(Role.agency_staff)
    assert may_read(staff, resource, Target("360102", "ag-own"))
    if scope_of(Role.agency_staff, resource) is not Scope.all:
        assert not may_read(staff, resource, Target("360102", "ag-other"))


def test_nobody_reads_a_ballot() -> None:
    assert set(SCOPES[Resource.ballot]) == {Scope.none}
    for role in Role:
        actor = _actor(role, "360000")
        assert not may_read_event(
            actor, "cn.gov.jiangxi.fairenforcement.evaluation.BallotCast.v1", Target("360102")
        )


def test_readers_of_a_resource_in_column_order_and_at_one_scope() -> None:
    assert readers_of(Resource.regulation) == (
        Role.agency_staff,
        Role.legal_office,
        Role.discipline_liaison,
        Role.auditor,
        Role.admin,
    )
    assert readers_of(Resource.regulation, Scope.own_region) == (
        Role.legal_office,
        Role.discipline_liaison,
        Role.auditor,
        Role.admin,
    )
    assert readers_of(Resource.regulation, Scope.own_agency) == (Role.agency_staff,)
    assert readers_of(Resource.ballot) == ()


def test_auditors_see_their_region_and_below() -> None:
    county, province = _actor(Role.auditor, "360102"), _actor(Role.auditor, "360000")
    assert may_read(county, Resource.tip, Target("360102"))
    assert not may_read(county, Resource.tip, Target("360202"))
    assert not may_read(county, Resource.tip, Target("360100"))  # its city is above it
    assert may_read(province, Resource.tip, Target("360202"))
    assert not may_read(county, Resource.audit_replay, Target("360000"))
    assert may_read(province, Resource.audit_replay, Target("360000"))


def test_unknown_regions_and_anonymous_visitors_are_refused() -> None:
    assert not may_read(_actor(Role.legal_office, "999999"), Resource.case, Target("360102"))
    assert not may_read(_actor(Role.legal_office, "360000"), Resource.case, Target(""))
    assert may_read(None, Resource.results, Target())
    assert not may_read(None, Resource.region_figures, Target("360102"))


def test_only_auditors_get_exact_times_and_actors() -> None:
    for role, fields in EVENT_FIELDS.items():
        exact = {"time", "actor"} <= fields
        assert exact == (role in (Role.auditor, Role.admin))
        assert "data" not in fields


def test_event_types_are_labelled_and_unmapped_ones_are_hidden() -> None:
    kind = "cn.gov.jiangxi.fairenforcement.intake.ProblemFound.v1"
    assert event_label(kind) == "intake.ProblemFound"
    assert event_resource(kind) is Resource.problem
    unknown = "cn.gov.jiangxi.fairenforcement.evaluation.SomethingNew.v1"
    assert event_resource(unknown) is None
    assert not may_read_event(_actor(Role.admin, "360000"), unknown, Target("360102"))


def test_fields_of_a_narrower_resource_are_withheld() -> None:
    at = Target("360102", "ag-own")
    assert withheld_fields(_actor(Role.agency_staff), Resource.problem, at) == {"source_tip_ids"}
    assert withheld_fields(_actor(Role.intake_officer), Resource.problem, at) == set()
    assert withheld_fields(_actor(Role.auditor), Resource.tip, at) == {"description"}
    assert withheld_fields(_actor(Role.legal_office), Resource.tip, at) == set()
    blanked = without_fields(
        {"source_tip_ids": ["tip-1"], "summary": "s", "description": "d", "n": 3},
        frozenset({"source_tip_ids", "description", "n"}),
    )
    assert blanked == {"source_tip_ids": [], "summary": "s", "description": "", "n": None}


def test_role_before_lookup_and_hidden_like_unknown() -> None:
    with pytest.raises(Forbidden) as refused:
        require_role_for(_actor(Role.agency_staff), Resource.meeting)
    assert refused.value.code == "role_not_allowed"
    require_role_for(_actor(Role.agency_staff), Resource.problem)
    with pytest.raises(NotFound) as not_yours:
        require_readable(_actor(Role.legal_office), Resource.case, Target("360202"), "case-1")
    assert not_yours.value.as_detail() == hidden("case-1").as_detail()
    require_readable(_actor(Role.legal_office), Resource.case, Target("360102"), "case-1")


def test_tip_counts_are_withheld_from_an_agency_dashboard_only() -> None:
    figures = {"tips.total": 6.0, "problems.total": 2.0}
    staff = _actor(Role.agency_staff)
    assert readable_figures(staff, Resource.agency_figures, figures) == {"problems.total": 2.0}
    assert readable_figures(staff, Resource.public_figures, figures) == figures
    office = _actor(Role.legal_office)
    assert readable_figures(office, Resource.agency_figures, figures) == figures
