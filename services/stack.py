"""The whole stack as local processes: the Kafka broker (``deploy/kafka``), with the
demo Keycloak (``deploy/keycloak``), and the four services, each logging to ``var/log``
with its pid in ``var/run``. The broker takes SASL/SCRAM logins only and allows what
the ACLs allow: the stack provisions it as its admin, then starts each service as its
own principal (``shared/kafka/access.py``)."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from shared.kafka.local import LocalBroker, Login
from shared.settings import SERVICE_PORTS, Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
KEYCLOAKCTL = ROOT / "deploy" / "keycloak" / "keycloakctl.py"
SERVICES = (*SERVICE_PORTS, "web")


def _var(settings: Settings, *parts: str) -> Path:
    path = (ROOT / settings.data_dir).joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _broker_port(settings: Settings) -> str:
    return settings.kafka_bootstrap_servers.split(",")[0].rsplit(":", 1)[1]


def _broker(settings: Settings) -> LocalBroker:
    configured = os.environ.get("KAFKA_LOCAL_DATA_DIR")
    data_dir = Path(configured) if configured else _var(settings, "kafka", "x").parent
    return LocalBroker(int(_broker_port(settings)), data_dir)


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=3) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _url(settings: Settings, service: str) -> str:
    return f"http://{settings.http_host}:{settings.port_of(service)}"


def _pid(settings: Settings, service: str) -> int | None:
    path = _var(settings, "run", f"{service}.pid")
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def service_environment(logins: Mapping[str, Login], service: str) -> dict[str, str]:
    """The process environment of ``service``: its own Kafka login, or none at all for a
    process without a principal (the web app talks to the services over HTTP only)."""
    env = dict(os.environ)
    login = logins.get(service)
    if login is None:
        env.pop("KAFKA_USERNAME", None)
        env.pop("KAFKA_PASSWORD", None)
    else:
        env.update(login.environment())
    return env


def start_service(settings: Settings, service: str, env: Mapping[str, str] | None = None) -> None:
    if _pid(settings, service) is not None:
        return
    log = _var(settings, "log", f"{service}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", service],
        cwd=ROOT,
        env=None if env is None else dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _var(settings, "run", f"{service}.pid").write_text(str(process.pid))


def wait_healthy(settings: Settings, timeout: float = 120.0) -> list[str]:
    deadline = time.monotonic() + timeout
    pending = list(SERVICES)
    while pending and time.monotonic() < deadline:
        pending = [s for s in pending if not _health(_url(settings, s))]
        if pending:
            time.sleep(1)
    return pending


def development_mode_unless_secret(environ: MutableMapping[str, str]) -> None:
    """The local stack is for development: without a secret of its own it signs tokens
    with the committed one, which the services accept only in development mode."""
    if "JWT_SECRET" not in environ:
        environ.setdefault("CAMPAIGN_DEV_MODE", "true")


def up(args: argparse.Namespace) -> int:
    development_mode_unless_secret(os.environ)
    settings = get_settings()
    broker = _broker(settings)
    from shared.kafka.local import LocalBrokerError, provision_local

    try:
        broker.start()
        admin, logins = provision_local(broker, settings)
    except LocalBrokerError as failed:
        print(f"Kafka broker did not start / Kafka 未能启动:\n{failed}", file=sys.stderr)
        return 1
    # The directory importer (the demo's sample directory, the simulation) writes
    # directory.events as the one principal allowed to.
    importer = admin.model_copy(update=logins["directory"].settings_update())
    if getattr(args, "demo", False) and not identity_provider(settings, "start"):
        print("Keycloak did not start; see the message above.", file=sys.stderr)
        return 1
    if getattr(args, "demo", False):
        # The demo plays a whole campaign, so the services share a simulated clock.
        os.environ["CLOCK_MODE"] = "controlled"
        # The demo's simulated citizens (about 1,500 public tips in a few minutes) all
        # file from the loopback. Trusting the loopback's X-Forwarded-For instead would
        # let any local client pick its own address; the lookup limit stays as it is.
        os.environ.setdefault("INTAKE_TIP_LIMIT", "5000/hour")
    for service in SERVICES:
        start_service(settings, service, service_environment(logins, service))
    unhealthy = wait_healthy(settings)
    if unhealthy:
        for service in unhealthy:
            print(f"{service} is not healthy; log: {_var(settings, 'log', service + '.log')}")
        return 1
    if getattr(args, "demo", False):
        load_demo(importer)
        play_demo_campaign(importer)
    print(f"web            {_url(settings, 'web')}  (open in a browser)")
    print(
        f"Kafka broker   {broker.bootstrap}  (SASL_PLAINTEXT, SCRAM-SHA-512; admin login: "
        f"{broker.data_dir / 'credentials.json'}, services': {broker.data_dir / 'principals.json'})"
    )
    for service in SERVICE_PORTS:
        print(
            f"{service:<14} {_url(settings, service)}  (API docs: {_url(settings, service)}/docs)"
        )
    if getattr(args, "demo", False):
        identity_provider(settings, "users")
    print("Stop everything with: ./dev stop")
    return 0


def identity_provider(settings: Settings, action: str) -> bool:
    """Keycloak with the demo realm, beside the broker (``keycloakctl ACTION``). Once it
    is started the services accept its officers' tokens (``OIDC_ISSUER``), besides the
    development tokens the demo loader mints; ``users`` prints the sign-in URL and the
    demo users."""
    env = dict(os.environ)
    env.setdefault("KEYCLOAK_LOCAL_DATA_DIR", str(_var(settings, "keycloak", "x").parent))
    env.setdefault("CAMPAIGN_WEB_URL", _url(settings, "web"))
    command = [sys.executable, str(KEYCLOAKCTL), action]
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if action == "start" and result.returncode == 0:
        os.environ.setdefault("OIDC_ISSUER", result.stdout.strip().splitlines()[-1])
        # The web app signs officers in as the realm's ``campaign-web`` client, whose
        # secret the launcher imported (its local default unless the variable is set).
        os.environ.setdefault(
            "OIDC_WEB_CLIENT_SECRET",
            env.get("CAMPAIGN_WEB_CLIENT_SECRET", "campaign-web-local-development-secret"),
        )
        os.environ.setdefault("CAMPAIGN_WEB_URL", env["CAMPAIGN_WEB_URL"])
    elif result.stdout:
        print(result.stdout, end="")
    return result.returncode == 0


def load_demo(settings: Settings) -> None:
    """Each service may ship ``services/<name>/demo.py`` with ``load(settings)``."""
    from shared.regions import jiangxi

    regions = jiangxi()
    print(
        f"regions: {len(regions)} (1 province, {len(regions.cities())} cities, "
        f"{len(regions.counties())} counties)"
    )
    for service in SERVICES:
        try:
            demo = importlib.import_module(f"services.{service}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{service}.demo":
                raise
            continue
        demo.load(settings)


def play_demo_campaign(settings: Settings) -> None:
    """The medium campaign simulation (a few minutes), its ledger kept in ``var``."""
    from services.intake.directory.importer import run_import
    from simulation.campaign import simulate
    from simulation.client import default_urls
    from simulation.plan import SIZES

    print("playing the medium campaign simulation (a few minutes) …")
    ledger = simulate(
        settings, SIZES["medium"], 2016, default_urls(settings), run_import=run_import
    )
    ledger.write(_var(settings, "simulation", "ledger.json"))


def down(args: argparse.Namespace) -> int:
    settings = get_settings()
    for service in SERVICES:
        pid = _pid(settings, service)
        if pid is not None:
            os.killpg(pid, signal.SIGTERM)
            for _ in range(50):
                if _pid(settings, service) is None:
                    break
                time.sleep(0.2)
        _var(settings, "run", f"{service}.pid").unlink(missing_ok=True)
        print(f"{service}: stopped")
    identity_provider(settings, "stop")
    stopped = _broker(settings).stop()
    print("kafka: stopped" if stopped == 0 else "kafka: could not stop, see kafkactl.py status")
    return stopped


def status(args: argparse.Namespace) -> int:
    settings = get_settings()
    broker = _broker(settings).status()
    healthy = True
    for service in SERVICES:
        ok = _health(_url(settings, service))
        healthy &= ok
        print(f"{service:<14} {'healthy' if ok else 'down'}  {_url(settings, service)}")
    return 0 if broker == 0 and healthy else 3
