"""docker-compose.yml cannot run here (no Docker engine), so check that everything it
names exists in the code and agrees with the settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.cli import build_parser
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
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["postgres"]["image"].startswith("postgres:")
    for name in [*SERVED, "kafka", "postgres"]:
        assert "healthcheck" in services[name], f"{name} has no health check"


def test_every_command_is_a_cli_command(compose: dict[str, Any]) -> None:
    parser = build_parser()
    for name, spec in app_services(compose).items():
        args = parser.parse_args(spec["command"])
        assert callable(args.func), name
    assert compose["services"]["topics"]["command"] == ["topics", "create"]


def test_ports_and_health_checks_match_the_settings(compose: dict[str, Any]) -> None:
    settings = Settings()
    for service in SERVED:
        spec = compose["services"][service]
        assert spec["command"] == ["serve", service]
        port = settings.port_of(service)
        assert spec["ports"] == [f"{port}:{port}"]
        assert f"127.0.0.1:{port}/health" in " ".join(spec["healthcheck"]["test"])


def test_every_environment_variable_is_a_setting(compose: dict[str, Any]) -> None:
    fields = {name.upper() for name in Settings.model_fields}
    for name, spec in app_services(compose).items():
        unknown = set(spec["environment"]) - fields
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"
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
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"
