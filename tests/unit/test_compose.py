"""docker-compose.yml cannot run here (no Docker engine), so check that everything it
names exists in the code and agrees with the settings."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.cli import build_parser
from services.subscribers import password_variable
from shared.kafka.access import SERVICES as SERVICE_PRINCIPALS
from shared.settings import SERVICE_PORTS, Settings

SERVED = (*SERVICE_PORTS, "web")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in compose["services"].items() if "build" in spec}


def test_the_four_services_broker_and_database_are_declared(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(SERVED) <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert "process.roles=broker,controller" in KAFKA_START.read_text()
    assert services["postgres"]["image"].startswith("postgres:")
    for name in [*SERVED, "kafka", "postgres"]:
        assert "healthcheck" in services[name], f"{name} has no health check"


def test_every_command_is_a_cli_command(compose: dict[str, Any]) -> None:
    parser = build_parser()
    for name, spec in app_services(compose).items():
        args = parser.parse_args(spec["command"])
        assert callable(args.func), name
    assert compose["services"]["provision"]["command"] == ["kafka", "provision"]


def test_health_checks_match_the_settings(compose: dict[str, Any]) -> None:
    settings = Settings()
    for service in SERVED:
        spec = compose["services"][service]
        assert spec["command"] == ["serve", service]
        port = settings.port_of(service)
        assert f"127.0.0.1:{port}/health" in " ".join(spec["healthcheck"]["test"])


def test_every_environment_variable_is_a_setting(compose: dict[str, Any]) -> None:
    fields = {name.upper() for name in Settings.model_fields}
    # The provision job also reads the service principals' passwords.
    passwords = {password_variable(name) for name in SERVICE_PRINCIPALS}
    for name, spec in app_services(compose).items():
        unknown = set(spec["environment"]) - fields - (passwords if name == "provision" else set())
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"
        if name != "web":
            assert spec["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_the_web_app_reaches_each_service_by_its_compose_name(compose: dict[str, Any]) -> None:
    environment = compose["services"]["web"]["environment"]
    settings = Settings()
    for service in SERVICE_PORTS:
        url = environment[f"WEB_{service.upper()}_URL"]
        assert url == f"http://{service}:{settings.port_of(service)}"
    assert environment["WEB_DEV_SIGN_IN"] == "false"


def test_images_build_from_the_one_dockerfile(compose: dict[str, Any]) -> None:
    for spec in app_services(compose).values():
        assert spec["build"]["dockerfile"] == "deploy/Dockerfile"
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for copied in re.findall(r"^COPY (\S+)", dockerfile, flags=re.MULTILINE):
        assert (ROOT / copied).exists(), f"Dockerfile copies missing {copied}"
    assert 'ENTRYPOINT ["campaign"]' in dockerfile


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    for name, spec in compose["services"].items():
        for volume in spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/", "${")):  # ${…}: the operator's directory
                assert source in declared, f"{name} uses undeclared volume {source}"


# -- exposure, networks, databases and secrets ---------------------------------------
# Each check returns what is wrong with a compose document, so that the tests can show
# both that the committed file passes and that a broken one is caught.

SECRET_VARIABLES = ("JWT_SECRET", "KEYSTORE_URL", "READMODEL_URL", "POSTGRES_PASSWORD")
REQUIRED = re.compile(r"\$\{(?P<name>[A-Z_]+):\?[^}]+\}")
INIT_SCRIPT = ROOT / "deploy" / "compose" / "postgres-init.sh"
KAFKA_START = ROOT / "deploy" / "compose" / "kafka-start.sh"


def _networks(spec: dict[str, Any]) -> set[str]:
    networks = spec.get("networks", [])
    return set(networks) if isinstance(networks, list) else set(networks or {})


def exposure_problems(compose: dict[str, Any]) -> list[str]:
    """Only the web app publishes a port, and Keycloak one on the host's loopback (for
    the TLS proxy in front of it); nothing runs in the host's network."""
    problems = []
    for name, spec in compose["services"].items():
        if spec.get("network_mode") == "host":
            problems.append(f"{name} runs in the host's network")
        ports = spec.get("ports", [])
        if name == "web":
            if ports != ["8000:8000"]:
                problems.append(f"web publishes {ports}, not just 8000")
        elif name == "keycloak":
            if ports != ["127.0.0.1:8080:8080"]:
                problems.append(f"keycloak publishes {ports}, not just 127.0.0.1:8080")
        elif ports:
            problems.append(f"{name} publishes {ports}")
    return problems


def network_problems(compose: dict[str, Any]) -> list[str]:
    """Kafka and PostgreSQL sit on internal networks; only the web app is on a network
    that reaches outside, and it is on neither the broker's nor the database's."""
    declared = compose.get("networks", {})
    problems = []
    outside = {name for name, spec in declared.items() if not (spec or {}).get("internal")}
    for name, spec in compose["services"].items():
        networks = _networks(spec)
        if not networks:
            problems.append(f"{name} is on the default network")
        if networks - set(declared):
            problems.append(f"{name} uses undeclared networks {networks - set(declared)}")
        if name not in ("web", "keycloak") and networks & outside:
            problems.append(
                f"{name} is on a network that reaches outside: {sorted(networks & outside)}"
            )
    if "events" in _networks(compose["services"].get("keycloak", {})):
        problems.append("keycloak is on the broker's network")
    for backend in ("kafka", "postgres"):
        shared_with_web = _networks(compose["services"][backend]) & _networks(
            compose["services"]["web"]
        )
        if shared_with_web:
            problems.append(f"the web app shares {sorted(shared_with_web)} with {backend}")
    return problems


# The code a compose service runs, where it is not a service of its own.
CODE_OF = {"directory": ROOT / "services" / "intake" / "directory"}


def _service_code(service: str) -> str:
    root = CODE_OF.get(service, ROOT / "services" / service)
    return "\n".join(p.read_text() for p in root.rglob("*.py"))


def needed_secrets(service: str) -> set[str]:
    """What a service's code reads: tokens (shared.auth), the key store, the read models."""
    if service == "provision":
        return set()
    code = _service_code(service)
    needed = set()
    if re.search(r"from shared\.auth import|shared\.auth\b", code):
        needed.add("JWT_SECRET")
    if "resolved_keystore_url" in code:
        needed.add("KEYSTORE_URL")
    if "resolved_readmodel_url" in code:
        needed.add("READMODEL_URL")
    return needed


def secret_problems(compose: dict[str, Any]) -> list[str]:
    """Each app service gets exactly the secrets its code reads, each one required from
    the operator's environment (``${NAME:?…}``) and never given a value here."""
    problems = []
    for name, spec in app_services(compose).items():
        environment = spec.get("environment", {})
        given = {v for v in SECRET_VARIABLES if v in environment}
        wanted = needed_secrets(name)
        if given != wanted:
            problems.append(f"{name} gets {sorted(given)}, its code reads {sorted(wanted)}")
        if "CAMPAIGN_DEV_MODE" in environment:
            problems.append(f"{name} runs in development mode (accepts the default secret)")
        for variable in given:
            value = str(environment[variable])
            if variable == "JWT_SECRET" and not REQUIRED.fullmatch(value):
                problems.append(f"{name}: JWT_SECRET is not required from the environment")
            if variable.endswith("_URL") and not REQUIRED.search(value):
                problems.append(f"{name}: {variable} carries a password that is not required")
            if ":-" in value:
                problems.append(f"{name}: {variable} has a default")
    return problems


def _login(url: str) -> tuple[str, str, str]:
    """(user, password variable, database) of a postgresql URL with ``${…}`` in it."""
    match = re.fullmatch(
        r"postgresql\+psycopg://(?P<user>\w+):\$\{(?P<password>[A-Z_]+):\?[^}]+\}"
        r"@postgres:5432/(?P<database>\w+)",
        url,
    )
    assert match, f"not a postgresql URL with a required password: {url}"
    return match["user"], match["password"], match["database"]


def database_problems(compose: dict[str, Any], init_script: str) -> list[str]:
    """The key store and the read models each have a role of their own, created by the
    init script and owning only its database; no service logs in as the superuser, and
    only the services with a database URL are on the database's network."""
    problems = []
    postgres = compose["services"]["postgres"]
    mounted = [v for v in postgres.get("volumes", []) if "docker-entrypoint-initdb.d" in v]
    if mounted != ["./deploy/compose/postgres-init.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro"]:
        problems.append(f"the init script is not mounted: {mounted}")
    if postgres["environment"].get("POSTGRES_USER", "postgres") != "postgres":
        problems.append("the superuser is not postgres")
    logins: dict[str, tuple[str, str, str]] = {}
    for name, spec in app_services(compose).items():
        environment = spec.get("environment", {})
        urls = {v: environment[v] for v in ("KEYSTORE_URL", "READMODEL_URL") if v in environment}
        for variable, url in urls.items():
            logins[f"{name}.{variable}"] = user, password, database = _login(url)
            if user == "postgres" or password == "POSTGRES_PASSWORD":
                problems.append(f"{name} logs in to {database} as the superuser")
            if f"CREATE ROLE {user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" not in init_script:
                problems.append(f"{name}: the init script does not create role {user}")
            if f"CREATE DATABASE {database} OWNER {user};" not in init_script:
                problems.append(f"{name}: {database} is not owned by {user}")
            if f"REVOKE ALL ON DATABASE {database} FROM PUBLIC;" not in init_script:
                problems.append(f"{name}: any role may connect to {database}")
            if postgres["environment"].get(password) != f"${{{password}:?set {password}}}":
                problems.append(f"postgres does not receive {password} for role {user}")
        on_data = "data" in _networks(spec)
        if on_data != bool(urls):
            problems.append(f"{name} is {'' if on_data else 'not '}on the database network")
    by_variable: dict[str, set[tuple[str, str, str]]] = {}
    for where, login in logins.items():
        by_variable.setdefault(where.split(".")[1], set()).add(login)
    keystore, readmodels = (
        by_variable.get("KEYSTORE_URL", set()),
        by_variable.get("READMODEL_URL", set()),
    )
    if len(keystore) != 1 or len(readmodels) != 1:
        problems.append(f"one login each expected: {keystore} {readmodels}")
    elif {u for u, _, _ in keystore} & {u for u, _, _ in readmodels}:
        problems.append("the key store and the read models share a role")
    return problems


def test_only_the_web_app_is_published(compose: dict[str, Any]) -> None:
    assert exposure_problems(compose) == []
    assert "8000" in (ROOT / "README.md").read_text().split("## Deployment with docker-compose")[1]


def test_a_published_service_port_is_caught(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["intake"]["ports"] = ["8001:8001"]
    broken["services"]["kafka"]["ports"] = ["9092:9092"]
    broken["services"]["web"]["ports"] = ["8000:8000", "8004:8004"]
    assert sorted(exposure_problems(broken)) == [
        "intake publishes ['8001:8001']",
        "kafka publishes ['9092:9092']",
        "web publishes ['8000:8000', '8004:8004'], not just 8000",
    ]


def test_kafka_and_postgres_are_on_internal_networks_only(compose: dict[str, Any]) -> None:
    assert network_problems(compose) == []
    assert _networks(compose["services"]["kafka"]) == {"events"}
    assert _networks(compose["services"]["postgres"]) == {"data", "identity"}
    assert compose["networks"]["events"]["internal"] is True
    text = (ROOT / "docker-compose.yml").read_text()
    assert "must never be reachable" in text and "from outside" in text
    deployment = (ROOT / "README.md").read_text().split("## Deployment with docker-compose")[1]
    assert "must never be reachable from outside" in deployment.split("\n## ")[0]


def test_a_broker_on_a_reachable_network_is_caught(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["kafka"]["networks"] = ["events", "edge"]
    broken["services"]["postgres"]["networks"] = ["data", "apps"]
    problems = network_problems(broken)
    assert "kafka is on a network that reaches outside: ['edge']" in problems
    assert "the web app shares ['apps'] with postgres" in problems
    assert "the web app shares ['edge'] with kafka" in problems
    opened = copy.deepcopy(compose)
    opened["networks"]["events"] = {}
    assert sorted(network_problems(opened)) == [
        f"{name} is on a network that reaches outside: ['events']"
        for name in sorted(
            (
                "directory",
                "evaluation",
                "intake",
                "kafka",
                "provision",
                "rectification",
                "reporting",
            )
        )
    ]


def test_each_service_gets_only_the_secrets_its_code_reads(compose: dict[str, Any]) -> None:
    assert secret_problems(compose) == []
    given = {
        name: {v for v in SECRET_VARIABLES if v in spec.get("environment", {})}
        for name, spec in app_services(compose).items()
    }
    assert given == {
        "provision": set(),
        "directory": {"KEYSTORE_URL"},
        "intake": {"JWT_SECRET", "KEYSTORE_URL"},
        "rectification": {"JWT_SECRET"},
        "evaluation": {"JWT_SECRET", "KEYSTORE_URL"},
        "reporting": {"JWT_SECRET", "READMODEL_URL"},
        "web": {"JWT_SECRET"},
    }
    for name in ("kafka", "postgres"):
        assert "JWT_SECRET" not in compose["services"][name]["environment"]


def test_a_secret_given_too_widely_or_with_a_default_is_caught(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["provision"]["environment"] = {
        **broken["services"]["provision"]["environment"],
        "JWT_SECRET": "${JWT_SECRET:?set it}",
    }
    rectification = broken["services"]["rectification"]["environment"]
    rectification["KEYSTORE_URL"] = broken["services"]["intake"]["environment"]["KEYSTORE_URL"]
    broken["services"]["web"]["environment"]["JWT_SECRET"] = "${JWT_SECRET:-change-me}"
    broken["services"]["reporting"]["environment"]["JWT_SECRET"] = "a-committed-secret"
    broken["services"]["evaluation"]["environment"]["CAMPAIGN_DEV_MODE"] = "true"
    problems = secret_problems(broken)
    assert "evaluation runs in development mode (accepts the default secret)" in problems
    assert "provision gets ['JWT_SECRET'], its code reads []" in problems
    assert any(p.startswith("rectification gets ['JWT_SECRET', 'KEYSTORE_URL']") for p in problems)
    assert "web: JWT_SECRET is not required from the environment" in problems
    assert "web: JWT_SECRET has a default" in problems
    assert "reporting: JWT_SECRET is not required from the environment" in problems


def test_the_key_store_and_the_read_models_have_roles_of_their_own(
    compose: dict[str, Any],
) -> None:
    init_script = INIT_SCRIPT.read_text()
    assert database_problems(compose, init_script) == []
    assert init_script.startswith("#!/bin/sh") and INIT_SCRIPT.stat().st_mode & 0o111
    for name in ("intake", "evaluation"):
        url = compose["services"][name]["environment"]["KEYSTORE_URL"]
        assert _login(url) == ("keystore", "KEYSTORE_DB_PASSWORD", "keystore")
    url = compose["services"]["reporting"]["environment"]["READMODEL_URL"]
    assert _login(url) == ("readmodels", "READMODEL_DB_PASSWORD", "readmodels")
    for spec in app_services(compose).values():
        assert "POSTGRES_PASSWORD" not in str(spec.get("environment", {}))


def test_a_service_on_the_superuser_or_a_shared_role_is_caught(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    superuser = "postgresql+psycopg://postgres:${POSTGRES_PASSWORD:?set it}@postgres:5432/keystore"
    broken["services"]["intake"]["environment"]["KEYSTORE_URL"] = superuser
    broken["services"]["rectification"]["networks"] = ["apps", "events", "data"]
    problems = database_problems(broken, INIT_SCRIPT.read_text())
    assert "intake logs in to keystore as the superuser" in problems
    assert "rectification is on the database network" in problems
    shared = copy.deepcopy(compose)
    reporting = shared["services"]["reporting"]["environment"]
    reporting["READMODEL_URL"] = reporting["READMODEL_URL"].replace("//readmodels:", "//keystore:")
    assert "the key store and the read models share a role" in database_problems(
        shared, INIT_SCRIPT.read_text().replace("OWNER readmodels", "OWNER keystore")
    )
    without_roles = database_problems(compose, "")
    assert "reporting: the init script does not create role readmodels" in without_roles
    assert "intake: any role may connect to keystore" in without_roles


def test_the_operators_env_file_stays_out_of_git_and_the_image() -> None:
    ignored = {line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()}
    assert ".env" in ignored
    build_ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", ".env.*", ".git", ".venv", "var"} <= build_ignored
    example = (ROOT / "deploy" / "compose" / "env.example").read_text()
    for variable in ("JWT_SECRET", "POSTGRES_PASSWORD", "KEYSTORE_DB_PASSWORD"):
        assert re.search(rf"^{variable}=$", example, flags=re.MULTILINE), variable
    assert "READMODEL_DB_PASSWORD=\n" in example  # named, never given a value
    assert re.search(r"^USER campaign$", (ROOT / "deploy" / "Dockerfile").read_text(), re.M)


# -- Kafka: SASL_SSL, the authorizer, one principal per process ----------------------

BROKER_MUST_SAY = (
    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "allow.everyone.if.no.acl.found=false",
    "super.users=User:broker;User:admin",
    "listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,EXTERNAL:SASL_SSL",
    "sasl.enabled.mechanisms=SCRAM-SHA-512",
    "auto.create.topics.enable=false",
    '--add-scram "SCRAM-SHA-512=[name=admin,',
)


def principal_of(service: str) -> str | None:
    """Who a compose service logs in to Kafka as (``None``: it does not talk to Kafka)."""
    if service == "provision":
        return "admin"
    return service if service in SERVICE_PRINCIPALS else None


def kafka_problems(compose: dict[str, Any], start_script: str) -> list[str]:
    """The broker runs kafka-start.sh (SASL_SSL listeners, the StandardAuthorizer, nothing
    allowed without an ACL); each process on the broker's network logs in over SASL_SSL
    as its own principal with a password required from the environment; the web app,
    off that network, has no Kafka login."""
    problems = []
    kafka = compose["services"]["kafka"]
    if kafka.get("entrypoint") != ["/bin/bash", "/etc/campaign/kafka-start.sh"]:
        problems.append("the broker does not run deploy/compose/kafka-start.sh")
    for line in BROKER_MUST_SAY:
        if line not in start_script:
            problems.append(f"the broker's configuration lacks {line}")
    if re.search(r"(?<![A-Z_])PLAINTEXT:PLAINTEXT|SASL_PLAINTEXT://:", start_script):
        problems.append("the broker has a listener without TLS for clients")
    for name, spec in app_services(compose).items():
        environment = spec.get("environment", {})
        principal = principal_of(name)
        if principal is None:
            if "KAFKA_USERNAME" in environment or "events" in _networks(spec):
                problems.append(f"{name} has a Kafka login or the broker's network")
            continue
        if environment.get("KAFKA_SECURITY_PROTOCOL") != "SASL_SSL":
            problems.append(f"{name} does not use SASL_SSL")
        if environment.get("KAFKA_USERNAME") != principal:
            problems.append(
                f"{name} logs in as {environment.get('KAFKA_USERNAME')}, not {principal}"
            )
        variable = f"KAFKA_{principal.upper()}_PASSWORD"
        if not str(environment.get("KAFKA_PASSWORD", "")).startswith(f"${{{variable}:?"):
            problems.append(f"{name}: KAFKA_PASSWORD is not ${{{variable}:?…}}")
        if not any("/etc/campaign/kafka-ca.crt:ro" in str(v) for v in spec.get("volumes", [])):
            problems.append(f"{name} does not get the broker's CA certificate")
    return problems


def test_kafka_takes_only_sasl_ssl_logins_each_process_its_own(compose: dict[str, Any]) -> None:
    script = KAFKA_START.read_text()
    assert kafka_problems(compose, script) == []
    assert script.startswith("#!/bin/bash") and KAFKA_START.stat().st_mode & 0o111
    users = {
        name: compose["services"][name]["environment"].get("KAFKA_USERNAME")
        for name in app_services(compose)
    }
    assert len({u for u in users.values() if u}) == len([u for u in users.values() if u])
    assert users["web"] is None and users["provision"] == "admin"
    example = (ROOT / "deploy" / "compose" / "env.example").read_text()
    for variable in (
        "KAFKA_BROKER_PASSWORD",
        "KAFKA_ADMIN_PASSWORD",
        "KAFKA_TLS_DIR",
        *(f"KAFKA_{name.upper()}_PASSWORD" for name in SERVICE_PRINCIPALS),
    ):
        assert re.search(rf"^{variable}=$", example, flags=re.MULTILINE), variable


def test_a_shared_login_or_a_plaintext_broker_is_caught(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    rectification = broken["services"]["rectification"]["environment"]
    rectification["KAFKA_USERNAME"] = "intake"
    rectification["KAFKA_PASSWORD"] = "${KAFKA_INTAKE_PASSWORD:?set it}"
    broken["services"]["reporting"]["environment"]["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT"
    broken["services"]["web"]["environment"]["KAFKA_USERNAME"] = "admin"
    script = (
        KAFKA_START.read_text()
        .replace("allow.everyone.if.no.acl.found=false", "allow.everyone.if.no.acl.found=true")
        .replace("SASL_SSL://:9092", "SASL_PLAINTEXT://:9092")
    )
    problems = kafka_problems(broken, script)
    assert "rectification logs in as intake, not rectification" in problems
    assert "rectification: KAFKA_PASSWORD is not ${KAFKA_RECTIFICATION_PASSWORD:?…}" in problems
    assert "reporting does not use SASL_SSL" in problems
    assert "web has a Kafka login or the broker's network" in problems
    assert "the broker's configuration lacks allow.everyone.if.no.acl.found=false" in problems
    assert "the broker has a listener without TLS for clients" in problems
