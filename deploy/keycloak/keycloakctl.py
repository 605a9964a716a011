#!/usr/bin/env python3
"""Run a local Keycloak (``start-dev``) with the campaign's realm imported, from the
``keycloak-quarkus-dist`` zip that Maven fetches from Maven Central once.

Subcommands: fetch, start, stop, status, users. See deploy/keycloak/README.md.
Standard library only; needs java 17 or 21+ and, for the first fetch, mvn.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kcdist import (
    CACHE_DIR,
    DEV_BUILD_STAMP,
    DIST,
    KEYCLOAK_VERSION,
    REALM,
    KeycloakCtlError,
    fetch_dist,
    file_lock,
    info,
    java_home,
    realm_import,
)

HOST = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parent.parent.parent

# Development only: the bootstrap administrator, the web client's secret and the demo
# users' password are written here on purpose (README, "Identity").
DEV_ADMIN_USER = "admin"
DEV_ADMIN_PASSWORD = "admin"
DEV_WEB_CLIENT_SECRET = "campaign-web-local-development-secret"
DEMO_PASSWORD = "jiangxi-demo-2016"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3
EXIT_PORT_IN_USE = 4
STOP_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.5
LOG_TAIL_LINES = 40


@dataclass(frozen=True)
class Settings:
    port: int
    data_dir: Path
    heap: str
    timeout: float
    web_url: str

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{REALM}"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "keycloak.pid"

    @property
    def out_file(self) -> Path:
        return self.data_dir / "keycloak.out"

    @property
    def import_dir(self) -> Path:
        return self.data_dir / "data" / "import"


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------- instance


def prepare_home(settings: Settings) -> None:
    """The instance's Keycloak home: its own data/ (database, import) and conf/, the
    unpacked distribution's lib/ (jars and the shared build) linked in."""
    home = settings.data_dir
    (home / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2(DIST / "bin" / "kc.sh", home / "bin" / "kc.sh")
    if not (home / "conf").is_dir():
        shutil.copytree(DIST / "conf", home / "conf")
    for empty in ("providers", "themes"):
        (home / empty).mkdir(exist_ok=True)
    lib = home / "lib"
    if lib.is_symlink() or lib.exists():
        lib.unlink()
    lib.symlink_to(DIST / "lib", target_is_directory=True)
    settings.import_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(realm_import(), ensure_ascii=False, indent=1)
    (settings.import_dir / f"{REALM}.json").write_text(text, encoding="utf-8")


def server_command(settings: Settings) -> list[str]:
    return [
        "/bin/sh", str(settings.data_dir / "bin" / "kc.sh"), "start-dev",
        "--http-host", HOST, "--http-port", str(settings.port),
        # One issuer whatever name a client uses to reach the server.
        "--hostname", settings.base_url,
        "--import-realm",
    ]  # fmt: skip


def server_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        JAVA_HOME=str(java_home()),
        JAVA_OPTS_KC_HEAP=f"-Xms64m -Xmx{settings.heap}",
        KC_BOOTSTRAP_ADMIN_USERNAME=DEV_ADMIN_USER,
        KC_BOOTSTRAP_ADMIN_PASSWORD=os.environ.get("KEYCLOAK_LOCAL_ADMIN_PASSWORD")
        or DEV_ADMIN_PASSWORD,
        CAMPAIGN_WEB_URL=settings.web_url,
        CAMPAIGN_WEB_CLIENT_SECRET=os.environ.get("CAMPAIGN_WEB_CLIENT_SECRET")
        or DEV_WEB_CLIENT_SECRET,
    )
    return env


def read_pid(settings: Settings) -> int | None:
    try:
        return int(settings.pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def process_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def is_our_server(pid: int, settings: Settings) -> bool:
    """Guard against a recycled pid: kc.sh, or the java it became, of this home."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return str(settings.data_dir / "bin") in args


def running_pid(settings: Settings) -> int | None:
    pid = read_pid(settings)
    if pid is not None and process_alive(pid) and is_our_server(pid, settings):
        return pid
    return None


def realm_answers(settings: Settings, timeout: float = 3.0) -> bool:
    """Ready means the realm's OIDC discovery document names the expected issuer."""
    url = f"{settings.issuer}/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            document = json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return False
    return isinstance(document, dict) and document.get("issuer") == settings.issuer


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM to kc.sh's process group (Keycloak stops cleanly), then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process_alive(pid):
        time.sleep(POLL_INTERVAL_S)
    if process_alive(pid):
        info(f"pid {pid} ignored SIGTERM for {timeout:.0f}s; sending SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def wait_until_ready(settings: Settings, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + settings.timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            settings.pid_file.unlink(missing_ok=True)
            raise KeycloakCtlError(
                f"Keycloak exited during startup; last lines of {settings.out_file}:\n"
                + log_tail(settings.out_file)
            )
        if realm_answers(settings):
            return
        time.sleep(POLL_INTERVAL_S)
    tail = log_tail(settings.out_file)
    info(f"realm not answering after {settings.timeout:.0f}s; stopping pid {proc.pid}")
    terminate(proc.pid, 15.0)
    settings.pid_file.unlink(missing_ok=True)
    raise KeycloakCtlError(f"Keycloak did not become ready; last lines of log:\n{tail}")


def launch(settings: Settings) -> None:
    if settings.out_file.exists():
        settings.out_file.replace(settings.out_file.with_name("keycloak.out.1"))
    started = time.monotonic()
    with settings.out_file.open("wb") as out:
        proc = subprocess.Popen(
            server_command(settings),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=settings.data_dir,
            env=server_env(settings),
            start_new_session=True,
        )
    settings.pid_file.write_text(f"{proc.pid}\n", encoding="utf-8")
    info(f"started Keycloak pid {proc.pid}; log: {settings.out_file}")
    try:
        wait_until_ready(settings, proc)
    except KeyboardInterrupt:
        terminate(proc.pid, STOP_TIMEOUT_S)
        settings.pid_file.unlink(missing_ok=True)
        raise
    info(f"realm {REALM} ready in {time.monotonic() - started:.1f}s")


# --------------------------------------------------------------------------- commands


def cmd_start(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(settings.data_dir / ".keycloakctl.lock"):
        pid = running_pid(settings)
        if pid is not None and realm_answers(settings):
            info(f"already running (pid {pid})")
        elif pid is not None:
            raise KeycloakCtlError(f"pid {pid} runs but {settings.issuer} does not answer")
        else:
            if not port_free(settings.port):
                raise KeycloakCtlError(
                    f"port {settings.port} on {HOST} is in use; choose another --port",
                    EXIT_PORT_IN_USE,
                )
            fetch_dist()
            prepare_home(settings)
            if DEV_BUILD_STAMP.exists():
                launch(settings)
            else:
                with file_lock(CACHE_DIR / "dev-build.lock"):
                    launch(settings)
                    DEV_BUILD_STAMP.write_text(KEYCLOAK_VERSION + "\n", encoding="utf-8")
    print(settings.issuer, flush=True)
    return EXIT_OK


def cmd_stop(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(settings.data_dir / ".keycloakctl.lock"):
        pid = running_pid(settings)
        if pid is None:
            info("not running")
        else:
            info(f"stopping Keycloak pid {pid}")
            terminate(pid, STOP_TIMEOUT_S)
            info("stopped")
        settings.pid_file.unlink(missing_ok=True)
    return EXIT_OK


def cmd_status(settings: Settings) -> int:
    pid = running_pid(settings)
    if pid is None:
        print(f"stopped (data dir {settings.data_dir})")
        return EXIT_NOT_RUNNING
    if not realm_answers(settings):
        print(f"not answering: pid {pid} alive but {settings.issuer} does not respond")
        return EXIT_NOT_RUNNING
    print(f"running pid {pid}, issuer {settings.issuer}")
    return EXIT_OK


def cmd_users(settings: Settings) -> int:
    """The sign-in page and the demo users (development passwords)."""
    print(f"sign-in (Keycloak)  {settings.issuer}/account")
    print(
        f"admin console       {settings.base_url}/admin  ({DEV_ADMIN_USER} / {DEV_ADMIN_PASSWORD})"
    )
    print(f"token (CLI, tests)  curl -d grant_type=password -d client_id=campaign-cli "
          f"-d username=intake.360102 -d password={DEMO_PASSWORD} "
          f"{settings.issuer}/protocol/openid-connect/token")  # fmt: skip
    print(f"demo users, password {DEMO_PASSWORD}:")
    campaign_roles = {role["name"] for role in realm_import()["roles"]["realm"]}
    for user in realm_import()["users"]:
        role = next(r for r in user["realmRoles"] if r in campaign_roles and "default" not in r)
        attributes = user["attributes"]
        print(f"  {user['username']:<22} {role:<19} {attributes['org'][0]:<18} "
              f"{attributes['region'][0]}")  # fmt: skip
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--port", type=int, default=None,
                        help="HTTP port (env KEYCLOAK_LOCAL_PORT, default 8080)")  # fmt: skip
    common.add_argument("--data-dir", type=Path, default=None,
                        help="the instance's home: database, import, log (env "
                             "KEYCLOAK_LOCAL_DATA_DIR, default <repo>/var/keycloak)")  # fmt: skip
    common.add_argument("--heap", default=None,
                        help="max JVM heap (env KEYCLOAK_LOCAL_HEAP, default 512m)")  # fmt: skip
    common.add_argument("--timeout", type=float, default=300.0,
                        help="seconds to wait for the realm to answer (default 300)")  # fmt: skip
    common.add_argument("--web-url", default=None,
                        help="the web app's origin, for redirect URIs (env CAMPAIGN_WEB_URL, "
                             "default http://127.0.0.1:8000)")  # fmt: skip
    parser = argparse.ArgumentParser(prog="keycloakctl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", parents=[common], help="download and unpack Keycloak once")
    fetch.add_argument("--force", action="store_true", help="re-fetch even if present")
    sub.add_parser("start", parents=[common], help="start detached; prints the issuer last")
    sub.add_parser("stop", parents=[common], help="stop cleanly (SIGTERM, then SIGKILL)")
    sub.add_parser("status", parents=[common], help="exit 0 if running, 3 if not")
    sub.add_parser("users", parents=[common], help="print the sign-in URL and the demo users")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    port = (
        args.port if args.port is not None else int(os.environ.get("KEYCLOAK_LOCAL_PORT") or 8080)
    )
    data_dir = args.data_dir or Path(
        os.environ.get("KEYCLOAK_LOCAL_DATA_DIR") or REPO_ROOT / "var" / "keycloak"
    )
    heap = args.heap or os.environ.get("KEYCLOAK_LOCAL_HEAP") or "512m"
    if not re.fullmatch(r"\d+[mMgG]", heap):
        raise KeycloakCtlError(f"bad --heap {heap!r}: use e.g. 512m or 1g")
    web_url = args.web_url or os.environ.get("CAMPAIGN_WEB_URL") or "http://127.0.0.1:8000"
    return Settings(port, data_dir.expanduser().resolve(), heap, args.timeout, web_url.rstrip("/"))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
        if args.command == "fetch":
            fetch_dist(force=args.force)
            info(f"Keycloak {KEYCLOAK_VERSION} ready in {DIST}")
            return EXIT_OK
        commands = {"start": cmd_start, "stop": cmd_stop, "status": cmd_status, "users": cmd_users}
        return commands[args.command](settings)
    except KeycloakCtlError as exc:
        print(f"keycloakctl: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
