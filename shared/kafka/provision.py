"""Put the access plan (``access.py``) on the broker through kafka-python's admin client,
logged in as the admin: SCRAM credentials (AlterUserScramCredentials), ACLs
(Create/Describe/DeleteAcls), and the event topics. Run again, it changes only what
differs: an ACL the plan no longer has is deleted, a missing one created."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)
from kafka.errors import KafkaError

from shared.errors import Unavailable
from shared.kafka.access import SERVICES, Grant, Operation, Pattern, Resource, principal
from shared.kafka.admin import admin_client, ensure_topics
from shared.settings import Settings

log = logging.getLogger(__name__)

MECHANISMS = {
    "SCRAM-SHA-512": ScramMechanism.SCRAM_SHA_512,
    "SCRAM-SHA-256": ScramMechanism.SCRAM_SHA_256,
}
_RESOURCES = {Resource.topic: ResourceType.TOPIC, Resource.group: ResourceType.GROUP}
_PATTERNS = {
    Pattern.literal: ACLResourcePatternType.LITERAL,
    Pattern.prefixed: ACLResourcePatternType.PREFIXED,
}
_OPERATIONS = {
    Operation.read: ACLOperation.READ,
    Operation.write: ACLOperation.WRITE,
    Operation.describe: ACLOperation.DESCRIBE,
    Operation.create: ACLOperation.CREATE,
}


class ProvisionFailed(Unavailable):
    """The broker refused or did not answer an admin request."""

    def __init__(self, what: str, cause: object) -> None:
        super().__init__(
            f"Kafka 管理操作失败（{what}）：{cause}",
            f"a Kafka admin request failed ({what}): {cause}",
            code="kafka_admin_failed",
        )


def _failed(error: object) -> bool:
    """kafka-python answers errors as a class or instance; NoError's errno is 0."""
    return error is not None and getattr(error, "errno", 0) != 0


def to_acl(name: str, grant: Grant) -> ACL:
    return ACL(
        principal(name),
        "*",
        _OPERATIONS[grant.operation],
        ACLPermissionType.ALLOW,
        ResourcePattern(_RESOURCES[grant.resource], grant.name, _PATTERNS[grant.pattern]),
    )


def _key(acl: ACL) -> tuple[object, ...]:
    pattern = acl.resource_pattern
    return (
        acl.principal,
        acl.host,
        acl.operation,
        acl.permission_type,
        pattern.resource_type,
        pattern.resource_name,
        pattern.pattern_type,
    )


def _principal_filter(name: str | None) -> ACLFilter:
    return ACLFilter(
        None if name is None else principal(name),
        None,
        ACLOperation.ANY,
        ACLPermissionType.ANY,
        ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )


def acls_of(admin: KafkaAdminClient, name: str | None) -> list[ACL]:
    """The ACLs of principal ``name`` (of every principal: ``None``)."""
    acls, error = admin.describe_acls(_principal_filter(name))
    if _failed(error):
        raise ProvisionFailed(f"describe ACLs of {name or 'everyone'}", error)
    return list(acls)


def is_topic_acl(acl: ACL) -> bool:
    return bool(acl.resource_pattern.resource_type == ResourceType.TOPIC)


def sync_acls(admin: KafkaAdminClient, name: str, grants: frozenset[Grant]) -> tuple[int, int]:
    """Make ``name``'s ACLs exactly ``grants``; return (created, deleted)."""
    wanted = {_key(acl): acl for acl in (to_acl(name, grant) for grant in sorted(grants))}
    existing = {_key(acl): acl for acl in acls_of(admin, name)}
    stale = [acl for key, acl in existing.items() if key not in wanted]
    missing = [acl for key, acl in wanted.items() if key not in existing]
    if stale:
        filters = [
            ACLFilter(
                acl.principal,
                acl.host,
                acl.operation,
                acl.permission_type,
                ResourcePatternFilter(
                    acl.resource_pattern.resource_type,
                    acl.resource_pattern.resource_name,
                    acl.resource_pattern.pattern_type,
                ),
            )
            for acl in stale
        ]
        for _, _, error in admin.delete_acls(filters):
            if _failed(error):
                raise ProvisionFailed(f"delete ACLs of {name}", error)
    if missing:
        result = admin.create_acls(missing)
        if result["failed"]:
            raise ProvisionFailed(f"create ACLs of {name}", result["failed"])
    return len(missing), len(stale)


def upsert_login(admin: KafkaAdminClient, settings: Settings, name: str, password: str) -> None:
    """Set ``name``'s SCRAM credential (the mechanism the clients use)."""
    mechanism = MECHANISMS[settings.kafka_sasl_mechanism]
    errors = admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(name, mechanism, password)]
    )
    if errors.get(name):
        raise ProvisionFailed(f"set the credential of {name}", errors[name])


def delete_login(admin: KafkaAdminClient, settings: Settings, name: str) -> bool:
    """Delete ``name``'s SCRAM credential; False if it had none."""
    mechanism = MECHANISMS[settings.kafka_sasl_mechanism]
    errors = admin.alter_user_scram_credentials([UserScramCredentialDeletion(name, mechanism)])
    error = errors.get(name)
    if error and "does not exist" not in str(error):  # ResourceNotFound: nothing to delete
        raise ProvisionFailed(f"delete the credential of {name}", error)
    return not error


def scram_users(admin: KafkaAdminClient) -> list[str]:
    return sorted(admin.describe_user_scram_credentials())


@dataclass
class Provisioned:
    topics_created: list[str] = field(default_factory=list)
    acls_created: int = 0
    acls_deleted: int = 0
    principals: list[str] = field(default_factory=list)


def provision(admin_settings: Settings, passwords: Mapping[str, str]) -> Provisioned:
    """The admin's step before the services start: the event and dead-letter topics, a
    SCRAM login for every service principal in ``passwords`` and exactly the ACLs of
    ``access.SERVICES`` for each. ``admin_settings`` log in as a super user."""
    unknown = set(passwords) - set(SERVICES)
    if unknown:
        raise ValueError(f"not service principals: {sorted(unknown)}")
    done = Provisioned(topics_created=ensure_topics(admin_settings))
    admin = admin_client(admin_settings)
    try:
        for name, access in SERVICES.items():
            if name in passwords:
                upsert_login(admin, admin_settings, name, passwords[name])
                done.principals.append(name)
            created, deleted = sync_acls(admin, name, access.grants())
            done.acls_created += created
            done.acls_deleted += deleted
    except KafkaError as exc:
        raise ProvisionFailed("provision", exc) from exc
    finally:
        admin.close()
    log.info(
        "provisioned: topics created %s, principals %s, ACLs +%d -%d",
        done.topics_created,
        done.principals,
        done.acls_created,
        done.acls_deleted,
    )
    return done
