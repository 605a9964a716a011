"""``campaign``: one entry point to start any service, create topics, mint tokens,
export schemas, run the local stack, and the commands each service adds."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from shared.actors import Role
from shared.auth import mint_token
from shared.clock import Clock, SystemClock
from shared.settings import SERVICE_PORTS, InsecureSettings, Settings, get_settings
from shared.state import StateFileInUse
from simulation import commands as simulation_commands

if TYPE_CHECKING:
    from services.intake.directory.importer import ImportReport

# The four services, plus the web application in front of them.
SERVICES = (*SERVICE_PORTS, "web")
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
# Modules that add subcommands with ``register(subparsers)``.
COMMAND_MODULES = (
    *(f"services.{service}.commands" for service in SERVICE_PORTS),
    "services.subscribers",
)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    module = importlib.import_module(f"services.{args.service}.bootstrap")
    try:
        app = module.build_app(settings)
    except InsecureSettings as refused:
        print(refused, file=sys.stderr)
        return 2
    except StateFileInUse as held:  # a second writer of the service's state: never start it
        print(held, file=sys.stderr)
        return 3
    uvicorn.run(
        app,
        host=args.host or settings.http_host,
        port=args.port or settings.port_of(args.service),
        log_level=args.log_level,
        lifespan="on",
        # X-Forwarded-For is judged by the services themselves, against TRUSTED_PROXIES
        # (services/intake/client_address.py), from the real peer address.
        proxy_headers=False,
    )
    return 0


def _topics_create(args: argparse.Namespace) -> int:
    from shared.kafka.admin import ensure_topics

    created = ensure_topics(get_settings())
    print("created: " + (", ".join(created) if created else "nothing (all topics exist)"))
    return 0


def _token_mint(args: argparse.Namespace) -> int:
    token = mint_token(
        get_settings(),
        SystemClock(),
        subject=args.subject or f"{args.role}@{args.org}",
        role=Role(args.role),
        organisation=args.org,
        region_code=args.region,
        ttl=timedelta(minutes=args.ttl_minutes) if args.ttl_minutes else None,
    )
    print(token)
    return 0


def _schemas(args: argparse.Namespace) -> int:
    from shared import schema_export

    directory = Path(args.dir)
    if args.check:
        problems = schema_export.drift(directory)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    written = schema_export.export(directory)
    print(f"wrote {len(written)} files to {directory}")
    return 0


def _stack(args: argparse.Namespace) -> int:
    from services import stack

    actions: dict[str, Callable[[argparse.Namespace], int]] = {
        "up": stack.up,
        "down": stack.down,
        "status": stack.status,
    }
    return actions[args.action](args)


def _run_directory_import(
    settings: Settings, *, campaigns: Path, agencies: Path, entities: Path, clock: Clock
) -> ImportReport:
    """Intake's importer for the simulation, imported when a run needs it (it loads the
    Kafka clients)."""
    from services.intake.directory.importer import run_import

    return run_import(
        settings, campaigns=campaigns, agencies=agencies, entities=entities, clock=clock
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="campaign", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run one service (HTTP API + stream processing)")
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(func=_serve)

    topics = sub.add_parser("topics", help="create the event and dead-letter topics (idempotent)")
    topics.add_argument("action", choices=["create"])
    topics.set_defaults(func=_topics_create)

    token = sub.add_parser("token", help="mint a signed bearer token for local use")
    token.add_argument("action", choices=["mint"])
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--org", required=True, help="office or agency id")
    token.add_argument("--region", required=True, help="GB/T 2260 code, e.g. 360100")
    token.add_argument("--subject", help="who the token is for (default role@org)")
    token.add_argument("--ttl-minutes", type=int)
    token.set_defaults(func=_token_mint)

    schemas = sub.add_parser("schemas", help="write (or --check) the committed event schemas")
    schemas.add_argument("action", choices=["export"])
    schemas.add_argument("--dir", default=str(SCHEMA_DIR))
    schemas.add_argument("--check", action="store_true", help="exit 1 if they drifted")
    schemas.set_defaults(func=_schemas)

    stack_parser = sub.add_parser("stack", help="run broker + four services as local processes")
    stack_parser.add_argument("action", choices=["up", "down", "status"])
    stack_parser.add_argument("--demo", action="store_true", help="load demo data after start")
    stack_parser.set_defaults(func=_stack)

    for module_name in COMMAND_MODULES:
        try:
            commands = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        commands.register(sub)
    simulation_commands.register(sub, _run_directory_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
