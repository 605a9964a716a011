"""The access plan (shared/kafka/access.py) without a broker: one writer per event topic,
nothing created by a service but its own faust topics, read-only departments that get
no dead-letter or internal topic, and every topic a service's definition consumes
granted to it (test_kafka_acls.py checks the broker enforces the plan)."""

from __future__ import annotations

import importlib

import pytest

from shared.kafka.access import (
    SERVICES,
    Grant,
    NotSubscribable,
    Operation,
    Pattern,
    Resource,
    department_grants,
    faust_group,
)
from shared.topics import EVENT_TOPICS, INTAKE, TOPIC_OF_SERVICE, dlq


def writers(topic: str) -> set[str]:
    return {
        name
        for name, access in SERVICES.items()
        for grant in access.grants()
        if grant == Grant(Resource.topic, topic, Pattern.literal, Operation.write)
    }


def test_each_event_topic_has_one_writer_its_owner() -> None:
    for owner, topic in TOPIC_OF_SERVICE.items():
        assert writers(topic) == {owner}, topic


def test_a_dead_letter_topic_is_written_by_the_readers_of_its_topic_and_read_by_none() -> None:
    for topic in EVENT_TOPICS:
        readers = {name for name, access in SERVICES.items() if topic in access.reads}
        assert writers(dlq(topic)) == readers
        for access in SERVICES.values():
            assert dlq(topic) not in access.reads


def test_no_service_creates_an_event_topic_only_its_own_faust_topics() -> None:
    for name, access in SERVICES.items():
        creates = {g for g in access.grants() if g.operation is Operation.create}
        expected = (
            {Grant(Resource.topic, f"{faust_group(name)}-", Pattern.prefixed, Operation.create)}
            if access.faust
            else set()
        )
        assert creates == expected, name


@pytest.mark.parametrize("service", ["rectification", "evaluation"])
def test_every_topic_a_service_consumes_is_granted_to_it(service: str) -> None:
    definition = importlib.import_module(f"services.{service}.bootstrap").DEFINITION
    consumed = {view.topic for view in definition.views}
    consumed |= {policy.topic for policy in definition.policies}
    consumed.add(definition.topic)
    assert consumed <= set(SERVICES[service].reads)
    assert SERVICES[service].writes == definition.topic


def test_a_department_reads_only_what_it_was_granted() -> None:
    grants = department_grants("audit_office", (INTAKE,))
    assert {g.operation for g in grants} == {Operation.read, Operation.describe}
    assert {(g.resource, g.name, g.pattern) for g in grants} == {
        (Resource.topic, INTAKE, Pattern.literal),
        (Resource.group, "audit_office-", Pattern.prefixed),
    }


@pytest.mark.parametrize(
    "topics",
    [(dlq(INTAKE),), ("__consumer_offsets",), ("campaign-intake-__assignor-__leader",), ()],
)
def test_a_department_gets_no_dead_letter_internal_or_service_topic(
    topics: tuple[str, ...],
) -> None:
    with pytest.raises(NotSubscribable) as refused:
        department_grants("audit_office", topics)
    assert refused.value.field == "--topics" and refused.value.zh and refused.value.en


@pytest.mark.parametrize("department", ["intake", "admin", "broker", "Audit", "audit-office", "a"])
def test_a_department_id_is_never_a_platform_principal_or_a_group_prefix_of_another(
    department: str,
) -> None:
    with pytest.raises(NotSubscribable) as refused:
        department_grants(department, (INTAKE,))
    assert refused.value.field == "DEPT"
