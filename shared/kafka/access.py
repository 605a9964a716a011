"""Who may do what on the broker: one principal per service process, read-only
principals for subscribing departments. Pure data; ``provision.py`` and
``subscribers.py`` put it on the broker.

- A service writes its own topic only (the broker then enforces one writer per topic),
  reads the topics it consumes, and may write ``<topic>.dlq`` for each topic it reads:
  a consumer dead-letters the records it cannot read of the topics it consumes
  (``shared.kafka.consumer.DeadLetters``), so a dead-letter topic has as many writers
  as its topic has readers, and no reader but the admin.
- A service on faust (``shared.runtime``) also owns faust's consumer group
  ``campaign-<service>`` and faust's own topics, named ``campaign-<service>-…`` (the
  assignor's leader topic; table changelogs), which faust creates itself.
- Event topics are created by the admin step (``campaign kafka provision``), never by a
  service: no service has CREATE on an event topic.
- Idempotent producers need WRITE on some topic (Kafka 3.0+), not IDEMPOTENT_WRITE on
  the cluster; no producer here is transactional.
- A department reads the event topics it was granted and consumer groups named
  ``<department>-…``; it writes nothing, creates and deletes nothing, and reads no
  dead-letter or internal topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shared.topics import DIRECTORY, EVALUATION, EVENT_TOPICS, INTAKE, RECTIFICATION, dlq

ADMIN = "admin"
BROKER = "broker"


class Resource(StrEnum):
    topic = "topic"
    group = "group"


class Pattern(StrEnum):
    literal = "literal"
    prefixed = "prefixed"


class Operation(StrEnum):
    read = "read"
    write = "write"
    describe = "describe"
    create = "create"


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW ACL for a principal, from any host."""

    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation


@dataclass(frozen=True)
class ServiceAccess:
    """What one service principal may do."""

    name: str
    writes: str | None
    reads: tuple[str, ...]
    faust: bool

    def grants(self) -> frozenset[Grant]:
        grants: set[Grant] = set()
        if self.writes is not None:
            grants |= _topic(self.writes, Operation.write, Operation.describe)
        for topic in self.reads:
            grants |= _topic(topic, Operation.read, Operation.describe)
            grants |= _topic(dlq(topic), Operation.write, Operation.describe)
        if self.faust:
            group = faust_group(self.name)
            grants.add(Grant(Resource.group, group, Pattern.literal, Operation.read))
            grants |= {
                Grant(Resource.topic, f"{group}-", Pattern.prefixed, operation)
                for operation in Operation
            }
        return frozenset(grants)

    @property
    def topics(self) -> tuple[str, ...]:
        """The event topics the service needs to exist before it starts."""
        own = () if self.writes is None else (self.writes,)
        return tuple(dict.fromkeys((*own, *self.reads)))


def faust_group(service: str) -> str:
    """faust's consumer group id (= the app id, ``shared.runtime.build_faust_app``)."""
    return f"campaign-{service}"


def _topic(name: str, *operations: Operation) -> set[Grant]:
    return {Grant(Resource.topic, name, Pattern.literal, op) for op in operations}


# The processes that reach the broker. ``directory`` is the reference-data importer
# (``campaign directory import``, the demo and the simulation): the one writer of
# directory.events. The web app talks to the services over HTTP only: no principal.
SERVICES: dict[str, ServiceAccess] = {
    access.name: access
    for access in (
        ServiceAccess("intake", INTAKE, (INTAKE, DIRECTORY, EVALUATION), faust=True),
        ServiceAccess(
            "rectification", RECTIFICATION, (RECTIFICATION, DIRECTORY, INTAKE), faust=True
        ),
        ServiceAccess("evaluation", EVALUATION, (EVALUATION, DIRECTORY), faust=True),
        # No consumer group: the projector is assigned every partition and keeps its
        # offsets with the rows.
        ServiceAccess("reporting", None, EVENT_TOPICS, faust=False),
        ServiceAccess("directory", DIRECTORY, (DIRECTORY,), faust=False),
    )
}
RESERVED_PRINCIPALS = frozenset({ADMIN, BROKER, *SERVICES})

# No hyphen: a department's groups are ``<id>-…``, and with hyphens allowed the groups
# of "audit-office" would fall under the prefix "audit-" of "audit".
DEPARTMENT_ID = re.compile(r"[a-z][a-z0-9_]{1,39}")


class NotSubscribable(ValueError):
    """A department asked for what it may not have (named by ``field``)."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(f"{field}: {zh} / {en}")
        self.field, self.zh, self.en = field, zh, en


def check_department(department: str) -> str:
    if not DEPARTMENT_ID.fullmatch(department):
        raise NotSubscribable(
            "DEPT",
            f"部门标识 {department!r} 无效：须为 2–40 个小写字母、数字或下划线，以字母开头",
            f"department id {department!r} is invalid: 2-40 lower-case letters, digits "
            "or underscores, starting with a letter",
        )
    if department in RESERVED_PRINCIPALS:
        raise NotSubscribable(
            "DEPT",
            f"部门标识 {department!r} 是平台自身主体的名称，不可使用",
            f"department id {department!r} is the name of one of the platform's own principals",
        )
    return department


def check_topics(topics: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """A department subscribes to event topics only: never a dead-letter topic (records
    nobody could read, citizens' words perhaps among them), an internal topic or a
    service's own faust topics."""
    if not topics:
        raise NotSubscribable("--topics", "至少指定一个主题", "name at least one topic")
    for topic in topics:
        if topic not in EVENT_TOPICS:
            raise NotSubscribable(
                "--topics",
                f"{topic!r} 不是可订阅的事件主题（可选：{'、'.join(EVENT_TOPICS)}；"
                "死信主题 *.dlq 与内部主题 __* 不开放订阅）",
                f"{topic!r} is not an event topic one may subscribe to (choose from "
                f"{', '.join(EVENT_TOPICS)}; dead-letter *.dlq and internal __* topics "
                "are never granted)",
            )
    return tuple(dict.fromkeys(topics))


def department_grants(department: str, topics: tuple[str, ...]) -> frozenset[Grant]:
    """Read-only: READ and DESCRIBE on each granted topic, READ and DESCRIBE on the
    department's own consumer groups (``<department>-…``)."""
    grants: set[Grant] = set()
    for topic in check_topics(topics):
        grants |= _topic(topic, Operation.read, Operation.describe)
    prefix = f"{check_department(department)}-"
    grants |= {
        Grant(Resource.group, prefix, Pattern.prefixed, op)
        for op in (Operation.read, Operation.describe)
    }
    return frozenset(grants)


def principal(name: str) -> str:
    """The ACL principal of a SCRAM user."""
    return f"User:{name}"
