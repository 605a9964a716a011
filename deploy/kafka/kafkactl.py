#!/usr/bin/env python3
"""Run a local single-node Apache Kafka broker (KRaft combined mode) from Maven jars.

Subcommands: fetch, start, stop, status, foreground, credentials. See
deploy/kafka/README.md. Clients log in with SASL/SCRAM-SHA-512 and the StandardAuthorizer
refuses what no ACL allows (kafkasecurity.py). Standard library only; needs java (17+)
and, for the first fetch, mvn.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import kafkasecurity
import kafkawire
from kafkajvm import (
    EXIT_FAILED,
    EXIT_NOT_RUNNING,
    EXIT_OK,
    EXIT_PORT_IN_USE,
    HOST,
    KAFKA_VERSION,
    LIB_DIR,
    NODE_ID,
    POLL_INTERVAL_S,
    REPO_ROOT,
    STOP_TIMEOUT_S,
    KafkaCtlError,
    Settings,
    broker_command,
    fetch_jars,
    file_lock,
    heap_megabytes,
    info,
    log_tail,
    port_free,
    process_alive,
    run_storage_tool,
    running_pid,
    terminate,
)

# --------------------------------------------------------------------------- config


def server_properties_text(settings: Settings, broker_password: str) -> str:
    props = {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        **kafkasecurity.security_properties(
            HOST, settings.port, settings.controller_port, broker_password
        ),
        "controller.quorum.bootstrap.servers": f"{HOST}:{settings.controller_port}",
        "log.dirs": str(settings.log_dir),
        "num.partitions": "3",
        "default.replication.factor": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "4",
        "num.recovery.threads.per.data.dir": "1",
    }
    lines = [f"# written by deploy/kafka/kafkactl.py (Kafka {KAFKA_VERSION}); edits are lost"]
    lines += [f"{key}={value}" for key, value in props.items()]
    return "\n".join(lines) + "\n"


def read_properties(path: Path) -> dict[str, str]:
    props: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line and not line.startswith(("#", "!")) and "=" in line:
                key, value = line.split("=", 1)
                props[key.strip()] = value.strip()
    return props


def recorded_port(settings: Settings, key: str) -> int | None:
    """The port a data dir's existing server.properties uses for `key`, if any."""
    value = read_properties(settings.server_properties).get(key, "")
    match = re.search(r":(\d+)$", value.split(",")[0])
    return int(match.group(1)) if match else None


def check_controller_port_unchanged(settings: Settings) -> None:
    """The quorum's voter endpoint is fixed at format time; refuse to silently change it."""
    if not settings.meta_properties.exists():
        return
    old = recorded_port(settings, "controller.quorum.bootstrap.servers")
    if old is not None and old != settings.controller_port:
        raise KafkaCtlError(
            f"{settings.data_dir} was formatted with controller port {old}; "
            f"pass --controller-port {old} or use a fresh --data-dir"
        )


def format_storage_if_needed(settings: Settings, passwords: dict[str, str]) -> None:
    if settings.meta_properties.exists():
        return
    cluster_id = run_storage_tool("random-uuid").strip().splitlines()[-1]
    info(f"formatting {settings.log_dir} (cluster id {cluster_id})")
    run_storage_tool(
        "format", "--standalone", "-t", cluster_id, "-c", str(settings.server_properties),
        *kafkasecurity.scram_format_args(passwords),
    )  # fmt: skip


def credentials(settings: Settings) -> dict[str, str]:
    try:
        return kafkasecurity.ensure_credentials(
            settings.data_dir, formatted=settings.meta_properties.exists()
        )
    except kafkasecurity.CredentialsError as exc:
        raise KafkaCtlError(str(exc)) from exc


def prepare(settings: Settings) -> None:
    """Everything before launching java: jars, credentials, config, storage format."""
    fetch_jars()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    check_controller_port_unchanged(settings)
    passwords = credentials(settings)
    text = server_properties_text(settings, passwords[kafkasecurity.BROKER_USER])
    kafkasecurity.write_private(settings.server_properties, text)  # it holds a password
    format_storage_if_needed(settings, passwords)


def admin_login(settings: Settings) -> kafkawire.Login | None:
    """How the readiness probe logs in: as the admin of this data dir."""
    try:
        passwords = kafkasecurity.load_credentials(settings.data_dir)
    except kafkasecurity.CredentialsError:
        return None
    return kafkawire.Login(
        kafkasecurity.ADMIN_USER, passwords[kafkasecurity.ADMIN_USER], kafkasecurity.MECHANISM
    )


def broker_answers(port: int, login: kafkawire.Login | None = None) -> bool:
    return kafkawire.broker_answers(HOST, port, NODE_ID, login)


# --------------------------------------------------------------------------- processes


def check_ports_free(settings: Settings) -> None:
    for name, port in (("broker", settings.port), ("controller", settings.controller_port)):
        if port_free(port):
            continue
        what = "a Kafka broker" if broker_answers(port) else "another process"
        raise KafkaCtlError(
            f"{name} port {port} on {HOST} is already in use by {what} "
            f"(not the broker of {settings.data_dir}); choose another --port/--controller-port",
            EXIT_PORT_IN_USE,
        )


# --------------------------------------------------------------------------- commands


def rotate_output(settings: Settings) -> None:
    if settings.out_file.exists():
        settings.out_file.replace(settings.out_file.with_name("kafka.out.1"))


def launch_detached(settings: Settings) -> subprocess.Popen[bytes]:
    rotate_output(settings)
    with settings.out_file.open("wb") as out:
        proc = subprocess.Popen(
            broker_command(settings),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=settings.data_dir,
            start_new_session=True,
        )
    settings.pid_file.write_text(f"{proc.pid}\n", encoding="utf-8")
    return proc


def wait_until_ready(settings: Settings, pid: int, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + settings.timeout
    while time.monotonic() < deadline:
        exited = proc.poll() is not None if proc is not None else not process_alive(pid)
        if exited:
            settings.pid_file.unlink(missing_ok=True)
            raise KafkaCtlError(
                f"broker exited during startup; last lines of {settings.out_file}:\n"
                + log_tail(settings.out_file)
            )
        if broker_answers(settings.port, admin_login(settings)):
            return
        time.sleep(POLL_INTERVAL_S)
    tail = log_tail(settings.out_file)
    info(f"broker not answering after {settings.timeout:.0f}s; stopping pid {pid}")
    terminate(pid, 15.0)
    settings.pid_file.unlink(missing_ok=True)
    raise KafkaCtlError(f"broker did not become ready; last lines of {settings.out_file}:\n{tail}")


def handle_existing(settings: Settings) -> bool:
    """True if a broker for this data dir is already up (after waiting if it is starting)."""
    pid = running_pid(settings)
    if pid is None:
        settings.pid_file.unlink(missing_ok=True)
        return False
    port = recorded_port(settings, "advertised.listeners")
    if port is not None and port != settings.port:
        raise KafkaCtlError(
            f"broker for {settings.data_dir} already runs (pid {pid}) on port {port}; "
            "stop it first to change ports"
        )
    if not broker_answers(settings.port, admin_login(settings)):
        info(f"broker pid {pid} is running but not answering yet; waiting")
        wait_until_ready(settings, pid, None)
    info(f"already running (pid {pid})")
    return True


def cmd_fetch(settings: Settings, force: bool = False) -> int:
    fetch_jars(force=force)
    info(f"Kafka {KAFKA_VERSION} jars ready in {LIB_DIR}")
    return EXIT_OK


def cmd_start(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(settings.data_dir / ".kafkactl.lock"):
        if not handle_existing(settings):
            check_ports_free(settings)
            prepare(settings)
            started = time.monotonic()
            proc = launch_detached(settings)
            info(f"started broker pid {proc.pid}; log: {settings.out_file}")
            try:
                wait_until_ready(settings, proc.pid, proc)
            except KeyboardInterrupt:
                info(f"interrupted; stopping broker pid {proc.pid}")
                terminate(proc.pid, STOP_TIMEOUT_S)
                settings.pid_file.unlink(missing_ok=True)
                raise
            info(f"broker ready in {time.monotonic() - started:.1f}s")
    print(settings.address, flush=True)
    return EXIT_OK


def cmd_stop(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(settings.data_dir / ".kafkactl.lock"):
        pid = running_pid(settings)
        if pid is None:
            info("not running")
        else:
            info(f"stopping broker pid {pid}")
            terminate(pid, max(settings.timeout, STOP_TIMEOUT_S))
            info("stopped")
        settings.pid_file.unlink(missing_ok=True)
    return EXIT_OK


def cmd_status(settings: Settings) -> int:
    pid = running_pid(settings)
    port = recorded_port(settings, "advertised.listeners") or settings.port
    if pid is None:
        print(f"stopped (data dir {settings.data_dir})")
        return EXIT_NOT_RUNNING
    if not broker_answers(port, admin_login(settings)):
        print(f"not answering: pid {pid} alive but {HOST}:{port} does not respond")
        return EXIT_NOT_RUNNING
    print(f"running pid {pid} at {HOST}:{port}")
    return EXIT_OK


def cmd_credentials(settings: Settings) -> int:
    """Print how the admin principal logs in (JSON), for the stack and the tests."""
    if not kafkasecurity.credentials_path(settings.data_dir).exists():
        raise KafkaCtlError(
            f"no credentials in {settings.data_dir}: start the broker once (a broker that "
            "already runs there was started before logins were required: stop it and delete "
            "the data dir)"
        )
    port = recorded_port(settings, "advertised.listeners") or settings.port
    try:
        document = kafkasecurity.credentials_document(settings.data_dir, f"{HOST}:{port}")
    except kafkasecurity.CredentialsError as exc:
        raise KafkaCtlError(str(exc)) from exc
    print(json.dumps(document), flush=True)
    return EXIT_OK


def cmd_foreground(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(settings.data_dir / ".kafkactl.lock"):
        if running_pid(settings) is not None:
            raise KafkaCtlError(f"a broker for {settings.data_dir} is already running; stop it")
        check_ports_free(settings)
        prepare(settings)
        settings.pid_file.write_text(f"{os.getpid()}\n", encoding="utf-8")
    command = broker_command(settings)
    info(f"exec {' '.join(command[:1])} ... kafka.Kafka (Ctrl-C stops it)")
    os.chdir(settings.data_dir)
    os.execv(command[0], command)
    return EXIT_FAILED  # unreachable


# --------------------------------------------------------------------------- cli


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--port", type=int, default=None,
                        help="broker port (env KAFKA_LOCAL_PORT, default 9092)")  # fmt: skip
    common.add_argument("--controller-port", type=int, default=None,
                        help="KRaft controller port (env KAFKA_LOCAL_CONTROLLER_PORT, "
                             "default port+1)")  # fmt: skip
    common.add_argument("--data-dir", type=Path, default=None,
                        help="broker state, kept across restarts "
                             "(env KAFKA_LOCAL_DATA_DIR, default <repo>/var/kafka)")  # fmt: skip
    common.add_argument("--heap", default=None,
                        help="max JVM heap, e.g. 768m (env KAFKA_LOCAL_HEAP)")  # fmt: skip
    common.add_argument("--timeout", type=float, default=90.0,
                        help="seconds to wait for the broker to answer (default 90)")  # fmt: skip
    parser = argparse.ArgumentParser(prog="kafkactl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", parents=[common], help="download the broker jars once")
    fetch.add_argument("--force", action="store_true", help="re-fetch even if present")
    sub.add_parser("start", parents=[common], help="start detached; prints host:port last")
    sub.add_parser("stop", parents=[common], help="stop cleanly (SIGTERM, then SIGKILL)")
    sub.add_parser("status", parents=[common], help="exit 0 if running, 3 if not")
    sub.add_parser("foreground", parents=[common], help="run in the foreground")
    sub.add_parser(
        "credentials", parents=[common], help="print the admin principal's login as JSON"
    )
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    port = args.port if args.port is not None else env_int("KAFKA_LOCAL_PORT", 9092)
    controller_port = (
        args.controller_port
        if args.controller_port is not None
        else env_int("KAFKA_LOCAL_CONTROLLER_PORT", port + 1)
    )
    if port == controller_port:
        raise KafkaCtlError("--port and --controller-port must differ")
    data_dir = args.data_dir or Path(
        os.environ.get("KAFKA_LOCAL_DATA_DIR") or REPO_ROOT / "var" / "kafka"
    )
    heap = args.heap or os.environ.get("KAFKA_LOCAL_HEAP") or "768m"
    heap_megabytes(heap)  # validate early
    return Settings(port, controller_port, data_dir.expanduser().resolve(), heap, args.timeout)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
        if args.command == "fetch":
            return cmd_fetch(settings, force=args.force)
        commands = {
            "start": cmd_start,
            "stop": cmd_stop,
            "status": cmd_status,
            "foreground": cmd_foreground,
            "credentials": cmd_credentials,
        }
        return commands[args.command](settings)
    except KafkaCtlError as exc:
        print(f"kafkactl: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
