"""The local broker's security: who may log in, how, and what the authorizer allows.

- Clients use the SASL_PLAINTEXT listener with SCRAM-SHA-512 (the broker talks to
  itself there too, as the super user ``broker``).
- The controller listener uses SASL_PLAINTEXT with PLAIN and a static user list that
  holds only ``broker``: KRaft cannot check SCRAM on the controller listener (its
  credentials live in the metadata the controller serves), and a PLAINTEXT controller
  listener would need ``User:ANONYMOUS`` as a super user, which would let any local
  process that reaches the controller port bypass every ACL.
- ``broker`` and ``admin`` get their SCRAM credentials when the storage is formatted
  (``StorageTool format --add-scram``): before any SCRAM user exists nobody can log in
  to create one. Every other principal (services, departments) is created afterwards
  through the admin API by ``campaign kafka provision`` / ``campaign subscribers``.
- StandardAuthorizer with ``allow.everyone.if.no.acl.found=false``: what no ACL allows
  is refused; ``broker`` and ``admin`` are the only super users.

The passwords are made on first format and kept in ``<data-dir>/credentials.json``
(mode 0600), which ``kafkactl.py credentials`` prints.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

MECHANISM = "SCRAM-SHA-512"
BROKER_USER = "broker"
ADMIN_USER = "admin"
CLIENT_LISTENER = "SASL_PLAINTEXT"
CONTROLLER_LISTENER = "CONTROLLER"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
ADMIN_PASSWORD_ENV = "KAFKA_LOCAL_ADMIN_PASSWORD"


class CredentialsError(Exception):
    """The data dir's credentials are missing, unreadable or disagree with what was asked."""


def new_password() -> str:
    """32 random bytes, URL-safe (no quote, comma or equals sign to escape in JAAS)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def credentials_path(data_dir: Path) -> Path:
    return data_dir / "credentials.json"


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read (it holds passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def load_credentials(data_dir: Path) -> dict[str, str]:
    """{"broker": password, "admin": password} of a data dir."""
    path = credentials_path(data_dir)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {
            BROKER_USER: document["broker"]["password"],
            ADMIN_USER: document["admin"]["password"],
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CredentialsError(f"cannot read {path}: {exc}") from exc


def ensure_credentials(data_dir: Path, formatted: bool) -> dict[str, str]:
    """The data dir's passwords, made (the admin's from $KAFKA_LOCAL_ADMIN_PASSWORD if set)
    before the first format. A dir formatted without them (a broker from before SASL)
    cannot be given any: nobody could log in to create them."""
    wanted_admin = os.environ.get(ADMIN_PASSWORD_ENV) or None
    if credentials_path(data_dir).exists():
        passwords = load_credentials(data_dir)
        if wanted_admin is not None and wanted_admin != passwords[ADMIN_USER]:
            raise CredentialsError(
                f"{data_dir} was formatted with another admin password than "
                f"${ADMIN_PASSWORD_ENV}; unset it or use a fresh --data-dir"
            )
        return passwords
    if formatted:
        raise CredentialsError(
            f"{data_dir} was formatted without SASL credentials (a broker from before "
            "authentication was required); stop it and delete the data dir, or use a "
            "fresh --data-dir"
        )
    passwords = {BROKER_USER: new_password(), ADMIN_USER: wanted_admin or new_password()}
    save_credentials(data_dir, passwords)
    return passwords


def save_credentials(data_dir: Path, passwords: dict[str, str]) -> None:
    document = {
        "mechanism": MECHANISM,
        "broker": {"username": BROKER_USER, "password": passwords[BROKER_USER]},
        "admin": {"username": ADMIN_USER, "password": passwords[ADMIN_USER]},
    }
    write_private(credentials_path(data_dir), json.dumps(document, indent=2) + "\n")


def scram_format_args(passwords: dict[str, str]) -> list[str]:
    """``StorageTool format`` arguments that store the two bootstrap SCRAM users."""
    args = []
    for user in (BROKER_USER, ADMIN_USER):
        args += ["--add-scram", f"{MECHANISM}=[name={user},password={passwords[user]}]"]
    return args


def security_properties(
    host: str, port: int, controller_port: int, broker_password: str
) -> dict[str, str]:
    """Listeners, SASL and the authorizer for server.properties."""
    client = CLIENT_LISTENER.lower()
    scram_login = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{BROKER_USER}" password="{broker_password}";'
    )
    plain_login = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{BROKER_USER}" password="{broker_password}" '
        f'user_{BROKER_USER}="{broker_password}";'
    )
    return {
        "listeners": f"{CLIENT_LISTENER}://{host}:{port},{CONTROLLER_LISTENER}://{host}:{controller_port}",
        "advertised.listeners": f"{CLIENT_LISTENER}://{host}:{port}",
        "inter.broker.listener.name": CLIENT_LISTENER,
        "controller.listener.names": CONTROLLER_LISTENER,
        "listener.security.protocol.map": (
            f"{CONTROLLER_LISTENER}:SASL_PLAINTEXT,{CLIENT_LISTENER}:SASL_PLAINTEXT"
        ),
        "sasl.enabled.mechanisms": MECHANISM,
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        f"listener.name.{client}.sasl.enabled.mechanisms": MECHANISM,
        f"listener.name.{client}.{MECHANISM.lower()}.sasl.jaas.config": scram_login,
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": plain_login,
        "authorizer.class.name": AUTHORIZER,
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{BROKER_USER};User:{ADMIN_USER}",
        # Topics are made by the admin step (campaign kafka provision), never by a
        # client that happens to name one.
        "auto.create.topics.enable": "false",
    }


def credentials_document(data_dir: Path, address: str) -> dict[str, object]:
    """What ``kafkactl.py credentials`` prints: how the admin principal logs in."""
    passwords = load_credentials(data_dir)
    return {
        "bootstrap_servers": address,
        "security_protocol": CLIENT_LISTENER,
        "sasl_mechanism": MECHANISM,
        "username": ADMIN_USER,
        "password": passwords[ADMIN_USER],
    }
