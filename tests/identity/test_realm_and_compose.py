"""The committed realm and the compose deployment of Keycloak, read as files: the realm
holds what the services check (roles, claims, audience, lifespans) and nothing that
only development may have; compose runs the official image in production mode on its
own database role and gives every service the issuer it imports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.actors import Role
from shared.regions import jiangxi
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
REALM_DIR = ROOT / "deploy" / "keycloak" / "realm"
REQUIRED = re.compile(r"^\$\{[A-Z_]+:\?[^}]+\}")
VERIFIERS = ("intake", "rectification", "evaluation", "reporting", "web")


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((REALM_DIR / "jiangxi-campaign.json").read_text())
    return loaded


@pytest.fixture(scope="module")
def dev() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((REALM_DIR / "jiangxi-campaign.dev.json").read_text())
    return loaded


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def mapper_config(client: dict[str, Any], kind: str) -> list[dict[str, str]]:
    return [m["config"] for m in client["protocolMappers"] if m["protocolMapper"] == kind]


def test_the_realm_has_the_seven_roles_and_maps_office_region_and_audience(
    realm: dict[str, Any],
) -> None:
    assert {role["name"] for role in realm["roles"]["realm"]} == {role.value for role in Role}
    assert realm["accessTokenLifespan"] <= 300
    (web,) = realm["clients"]
    attributes = mapper_config(web, "oidc-usermodel-attribute-mapper")
    assert {(c["user.attribute"], c["claim.name"]) for c in attributes} == {
        ("org", "org"),
        ("region", "region"),
    }
    assert all(c["access.token.claim"] == "true" for c in attributes)
    (audience,) = mapper_config(web, "oidc-audience-mapper")
    assert audience["included.custom.audience"] == Settings().oidc_audience
    # The user edits neither office nor region: only an administrator does.
    profile = json.loads(
        realm["components"]["org.keycloak.userprofile.UserProfileProvider"][0]["config"][
            "kc.user.profile.config"
        ][0]
    )
    for attribute in profile["attributes"]:
        if attribute["name"] in ("org", "region"):
            assert attribute["permissions"]["edit"] == ["admin"]


def test_the_web_client_uses_the_code_flow_with_pkce_and_a_secret_from_outside(
    realm: dict[str, Any],
) -> None:
    (web,) = realm["clients"]
    assert web["clientId"] == "campaign-web"
    assert web["standardFlowEnabled"] and not web["publicClient"]
    assert not web["directAccessGrantsEnabled"] and not web["implicitFlowEnabled"]
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert web["secret"] == "${CAMPAIGN_WEB_CLIENT_SECRET}"
    assert all(uri.startswith("${CAMPAIGN_WEB_URL:") for uri in web["redirectUris"])
    assert "offline_access" not in web["optionalClientScopes"]


def test_development_only_parts_stay_out_of_the_committed_realm(
    realm: dict[str, Any], dev: dict[str, Any]
) -> None:
    assert "users" not in realm
    assert all(not client.get("directAccessGrantsEnabled") for client in realm["clients"])
    (cli,) = dev["clients"]
    assert cli["clientId"] == "campaign-cli" and cli["directAccessGrantsEnabled"]
    assert cli["protocolMappers"] == realm["clients"][0]["protocolMappers"]


def test_every_role_has_demo_users_with_one_role_an_office_and_a_jiangxi_region(
    dev: dict[str, Any],
) -> None:
    campaign_roles = {role.value for role in Role}
    seen = set()
    for user in dev["users"]:
        (role,) = campaign_roles.intersection(user["realmRoles"])
        seen.add(role)
        assert user["attributes"]["org"][0]
        assert user["attributes"]["region"][0] in jiangxi(), user["username"]
    assert seen == campaign_roles
    regions = {user["attributes"]["region"][0] for user in dev["users"]}
    assert len(regions) >= 4


def test_compose_runs_the_official_image_in_production_mode_on_its_own_role(
    compose: dict[str, Any],
) -> None:
    launcher = (ROOT / "deploy" / "keycloak" / "kcdist.py").read_text()
    version = re.search(r'KEYCLOAK_VERSION = "([^"]+)"', launcher)
    assert version is not None
    keycloak = compose["services"]["keycloak"]
    assert keycloak["image"] == f"quay.io/keycloak/keycloak:{version.group(1)}"
    assert keycloak["command"] == ["start", "--import-realm"]
    environment = keycloak["environment"]
    assert environment["KC_DB"] == "postgres" and environment["KC_DB_USERNAME"] == "keycloak"
    for variable in (
        "KC_DB_PASSWORD",
        "KC_HOSTNAME",
        "KC_BOOTSTRAP_ADMIN_PASSWORD",
        "CAMPAIGN_WEB_CLIENT_SECRET",
    ):
        assert REQUIRED.match(environment[variable]), variable
    assert keycloak["volumes"] == [
        "./deploy/keycloak/realm/jiangxi-campaign.json:"
        "/opt/keycloak/data/import/jiangxi-campaign.json:ro"
    ]
    init_script = (ROOT / "deploy" / "compose" / "postgres-init.sh").read_text()
    assert "CREATE ROLE keycloak LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" in init_script
    assert "REVOKE ALL ON DATABASE keycloak FROM PUBLIC;" in init_script
    example = (ROOT / "deploy" / "compose" / "env.example").read_text()
    for variable in ("KEYCLOAK_DB_PASSWORD", "KEYCLOAK_PUBLIC_URL", "CAMPAIGN_WEB_CLIENT_SECRET"):
        assert re.search(rf"^{variable}=$", example, flags=re.MULTILINE), variable


def test_every_service_that_checks_tokens_trusts_the_realm(compose: dict[str, Any]) -> None:
    for name in VERIFIERS:
        environment = compose["services"][name]["environment"]
        assert REQUIRED.match(environment["OIDC_ISSUER"]), name
        assert environment["OIDC_ISSUER"].endswith("/realms/jiangxi-campaign"), name
        assert environment["OIDC_AUDIENCE"] == "campaign-services", name
        assert environment["OIDC_JWKS_URL"].startswith("http://keycloak:8080/realms/"), name
        assert "CAMPAIGN_DEV_MODE" not in environment, name
