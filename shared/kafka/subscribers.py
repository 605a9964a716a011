"""Subscribing departments on the broker: a SCRAM login and read-only ACLs each
(``access.department_grants``), listed from the broker itself and revoked whole."""

from __future__ import annotations

from dataclasses import dataclass

from kafka.errors import KafkaError

from shared.ids import token_urlsafe
from shared.kafka.access import (
    RESERVED_PRINCIPALS,
    check_department,
    check_topics,
    department_grants,
)
from shared.kafka.admin import admin_client
from shared.kafka.provision import (
    ProvisionFailed,
    acls_of,
    delete_login,
    is_topic_acl,
    scram_users,
    sync_acls,
    upsert_login,
)
from shared.settings import Settings

PASSWORD_BYTES = 32


@dataclass(frozen=True)
class Subscriber:
    department: str
    topics: tuple[str, ...]
    has_login: bool


@dataclass(frozen=True)
class Added:
    department: str
    topics: tuple[str, ...]
    password: str


def add(admin_settings: Settings, department: str, topics: list[str]) -> Added:
    """Create (or reset) the department's login with a new random password and make its
    ACLs exactly read access to ``topics`` and to its ``<department>-…`` groups."""
    check_department(department)
    granted = check_topics(topics)
    password = token_urlsafe(PASSWORD_BYTES)
    admin = admin_client(admin_settings)
    try:
        upsert_login(admin, admin_settings, department, password)
        sync_acls(admin, department, department_grants(department, granted))
    except KafkaError as exc:
        raise ProvisionFailed(f"add {department}", exc) from exc
    finally:
        admin.close()
    return Added(department, granted, password)


def subscribers(admin_settings: Settings) -> list[Subscriber]:
    """Every department: the SCRAM users and ACL principals that are not the platform's."""
    admin = admin_client(admin_settings)
    try:
        users = set(scram_users(admin))
        acls = acls_of(admin, None)
    except KafkaError as exc:
        raise ProvisionFailed("list subscribers", exc) from exc
    finally:
        admin.close()
    topics: dict[str, set[str]] = {}
    for acl in acls:
        entry = topics.setdefault(str(acl.principal).removeprefix("User:"), set())
        if is_topic_acl(acl):
            entry.add(acl.resource_pattern.resource_name)
    names = (users | set(topics)) - RESERVED_PRINCIPALS
    return [
        Subscriber(name, tuple(sorted(topics.get(name, ()))), name in users)
        for name in sorted(names)
    ]


def revoke(admin_settings: Settings, department: str) -> tuple[bool, int]:
    """Delete the department's login and every ACL it has; (had a login, ACLs deleted).
    A connection it already holds is refused at its next request: the authorizer
    judges each request."""
    check_department(department)
    admin = admin_client(admin_settings)
    try:
        had_login = delete_login(admin, admin_settings, department)
        _, deleted = sync_acls(admin, department, frozenset())
    except KafkaError as exc:
        raise ProvisionFailed(f"revoke {department}", exc) from exc
    finally:
        admin.close()
    return had_login, deleted
