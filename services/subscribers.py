"""CLI: the broker's principals. ``campaign kafka provision`` (the admin's step before the
services start: topics, a login per service, their ACLs) and ``campaign subscribers
add | list | revoke`` (departments that read the event topics). Both log in with
``KAFKA_USERNAME`` / ``KAFKA_PASSWORD`` of a super user (the admin)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from shared.settings import Settings, get_settings
from shared.topics import EVENT_TOPICS


def _admin_settings() -> Settings:
    return get_settings()


def password_variable(principal: str) -> str:
    return f"KAFKA_{principal.upper()}_PASSWORD"


def _provision(args: argparse.Namespace) -> int:
    from shared.kafka.access import SERVICES
    from shared.kafka.provision import provision

    missing = [
        password_variable(name) for name in SERVICES if not os.environ.get(password_variable(name))
    ]
    if missing:
        print(
            f"{', '.join(missing)}: 未设置各服务主体的密码 / the service principals' "
            "passwords are not set",
            file=sys.stderr,
        )
        return 2
    passwords = {name: os.environ[password_variable(name)] for name in SERVICES}
    done = provision(_admin_settings(), passwords)
    created = ", ".join(done.topics_created) or "无 / none"
    print(f"新建主题 / topics created: {created}")
    print(f"服务主体 / service principals: {', '.join(done.principals)}")
    print(f"ACL: +{done.acls_created} -{done.acls_deleted}")
    return 0


def _add(args: argparse.Namespace) -> int:
    from shared.kafka import subscribers
    from shared.kafka.access import NotSubscribable

    try:
        added = subscribers.add(_admin_settings(), args.department, args.topics)
    except NotSubscribable as refused:
        print(f"{refused.field}: {refused.zh} / {refused.en}", file=sys.stderr)
        return 2
    print(f"部门 {added.department} 可读取 / may read: {', '.join(added.topics)}")
    print(f"用户名 / username: {added.department}")
    print(f"密码（只显示这一次）/ password (shown once): {added.password}")
    print(f"机制 / mechanism: {_admin_settings().kafka_sasl_mechanism}")
    print(f"消费组须以此开头 / consumer group ids must start with: {added.department}-")
    return 0


def _list(args: argparse.Namespace) -> int:
    from shared.kafka import subscribers

    found = subscribers.subscribers(_admin_settings())
    if not found:
        print("没有订阅部门 / no subscribing departments")
    for subscriber in found:
        login = "" if subscriber.has_login else "  (无登录凭据 / no login)"
        topics = ", ".join(subscriber.topics) or "-"
        print(f"{subscriber.department:<24} {topics}{login}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from shared.kafka import subscribers
    from shared.kafka.access import NotSubscribable

    try:
        had_login, deleted = subscribers.revoke(_admin_settings(), args.department)
    except NotSubscribable as refused:
        print(f"{refused.field}: {refused.zh} / {refused.en}", file=sys.stderr)
        return 2
    if not had_login and not deleted:
        print(f"{args.department}: 没有可撤销的凭据或授权 / nothing to revoke")
        return 0
    print(
        f"{args.department}: 已删除登录凭据与 {deleted} 条授权 / login deleted and "
        f"{deleted} ACLs removed"
    )
    return 0


def register(subparsers: Any) -> None:
    kafka = subparsers.add_parser("kafka", help="the broker's service principals (admin)")
    kafka_actions = kafka.add_subparsers(dest="kafka_action", required=True)
    provision = kafka_actions.add_parser(
        "provision",
        help="create the topics, a SCRAM login per service (KAFKA_<SERVICE>_PASSWORD) and "
        "their ACLs; idempotent",
    )
    provision.set_defaults(func=_provision)

    parser = subparsers.add_parser("subscribers", help="departments that read the topics")
    actions = parser.add_subparsers(dest="subscribers_action", required=True)
    add = actions.add_parser("add", help="a login (password printed once) and read-only ACLs")
    add.add_argument("department", metavar="DEPT", help="lower-case id, e.g. audit_office")
    add.add_argument(
        "--topics", nargs="+", required=True, metavar="T", help=f"of {', '.join(EVENT_TOPICS)}"
    )
    add.set_defaults(func=_add)
    actions.add_parser("list", help="every department and its topics").set_defaults(func=_list)
    revoke = actions.add_parser("revoke", help="delete a department's login and ACLs")
    revoke.add_argument("department", metavar="DEPT")
    revoke.set_defaults(func=_revoke)
