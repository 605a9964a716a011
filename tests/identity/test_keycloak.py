"""Sign-in through the real Keycloak (the launcher's start-dev with the committed realm)
and a real service on the real broker, outside development mode: a demo county intake
officer's access token is accepted by intake and the event names them; forged, foreign,
expired and development tokens get a bilingual 401; disabling an officer or ending
their session stops new tokens at once, and the access token lives at most 300 s."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from services.intake.bootstrap import build_app
from shared.actors import Actor, Role
from shared.auth import actor_from_token, mint_token
from shared.clock import SimulatedClock
from shared.settings import Settings
from shared.topics import INTAKE
from tests.intake.helpers import START, World, events_of, publish_world, wait_for

from .keycloak import Keycloak
from .provider import new_key

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

REALM_FILE = Path(__file__).resolve().parents[2] / "deploy/keycloak/realm/jiangxi-campaign.json"
MAX_ACCESS_TOKEN_S = 300


@pytest.fixture(scope="module")
def production(broker_settings: Settings, keycloak: Keycloak) -> Settings:
    """A service as deployed: no development mode, Keycloak as its identity provider."""
    return broker_settings.model_copy(
        update={
            "campaign_dev_mode": False,
            "oidc_issuer": keycloak.issuer,
            "intake_tip_limit": "100000/day",
        }
    )


@pytest.fixture(scope="module")
def world(broker_settings: Settings) -> World:
    return publish_world(broker_settings)


@pytest.fixture(scope="module")
def intake(production: Settings, world: World) -> Iterator[TestClient]:
    with TestClient(build_app(production, SimulatedClock(START))) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def file_tip(intake: TestClient, world: World) -> str:
    response = intake.post(
        "/tips",
        json={
            "channel": "hotline",
            "region_code": "360102",
            "agency_id": world.agency_id,
            "power": "penalty",
            "description": "城管执法人员罚款后不开具票据",
            "occurred_on": "2016-07-10",
            "campaign_id": world.campaign_id,
        },
    )
    assert response.status_code == 201, response.text
    tip_id: str = response.json()["tip_id"]
    return tip_id


def claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def assert_bilingual_401(response: Any, *codes: str) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["code"] in codes, detail
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail["message_zh"])
    assert detail["message_en"].isascii() and detail["message_en"]
    return detail


def test_a_county_intake_officer_signs_in_and_the_event_names_them(
    keycloak: Keycloak, production: Settings, intake: TestClient, world: World
) -> None:
    access = keycloak.tokens("intake.360102")["access_token"]
    person = keycloak.user_id("intake.360102")
    assert actor_from_token(access, production) == Actor(
        subject=person, role=Role.intake_officer, organisation="lo-360102", region_code="360102"
    )
    tip_id = file_tip(intake, world)
    listed = intake.get("/tips", params={"region_code": "360102"}, headers=bearer(access))
    assert listed.status_code == 200, listed.text
    assert tip_id in {tip["tip_id"] for tip in listed.json()["tips"]}
    accepted = intake.post(f"/tips/{tip_id}/accept", json={}, headers=bearer(access))
    assert accepted.status_code == 200, accepted.text
    events = wait_for(lambda: events_of(production, INTAKE, tip_id)[1:])
    assert events[-1].actor == "intake_officer:lo-360102:360102"
    # An officer of another county reads nothing of it (their region, from Keycloak).
    other = keycloak.tokens("intake.360702")["access_token"]
    assert intake.get(f"/tips/{tip_id}", headers=bearer(other)).status_code == 404


def test_forged_foreign_expired_and_development_tokens_get_401(
    keycloak: Keycloak, production: Settings, intake: TestClient
) -> None:
    real = keycloak.tokens("intake.360102")["access_token"]
    header = jwt.get_unverified_header(real)
    forged = jwt.encode(
        claims_of(real), new_key(), algorithm="RS256", headers={"kid": header["kid"]}
    )
    assert_bilingual_401(intake.get("/tips", headers=bearer(forged)), "token_forged")

    # Keycloak's own admin-cli client: a genuine token of this realm, not meant for us.
    foreign = keycloak.tokens("intake.360102", client_id="admin-cli")["access_token"]
    assert "campaign-services" not in claims_of(foreign).get("aud", [])
    detail = assert_bilingual_401(
        intake.get("/tips", headers=bearer(foreign)), "token_audience", "token_claims"
    )
    assert detail["field"] == "aud"

    expired = short_lived_token(keycloak)
    assert claims_of(expired)["exp"] - claims_of(expired)["iat"] <= 2
    time.sleep(3)
    assert_bilingual_401(intake.get("/tips", headers=bearer(expired)), "token_expired")

    minted = mint_token(
        production,
        subject="intake_officer@lo-360102",
        role=Role.intake_officer,
        organisation="lo-360102",
        region_code="360102",
    )
    assert_bilingual_401(intake.get("/tips", headers=bearer(minted)), "token_dev_only")


def short_lived_token(keycloak: Keycloak) -> str:
    """A token of a client whose access tokens live one second, with the realm's claims."""
    web = next(c for c in json.loads(REALM_FILE.read_text())["clients"])
    client = {
        "clientId": "campaign-cli-one-second",
        "publicClient": True,
        "standardFlowEnabled": False,
        "directAccessGrantsEnabled": True,
        "attributes": {"access.token.lifespan": "1"},
        "protocolMappers": web["protocolMappers"],
    }
    created = keycloak.admin("POST", "/clients", client)
    assert created.status_code in (201, 409), created.text
    token: str = keycloak.tokens("intake.360102", client_id=client["clientId"])["access_token"]
    return token


def test_the_access_token_lives_at_most_five_minutes(keycloak: Keycloak) -> None:
    realm = keycloak.admin("GET", "").json()
    assert realm["accessTokenLifespan"] <= MAX_ACCESS_TOKEN_S
    for client_id in ("campaign-web", "campaign-cli"):
        (client,) = keycloak.admin("GET", f"/clients?clientId={client_id}").json()
        lifespan = client.get("attributes", {}).get("access.token.lifespan")
        assert lifespan in (None, "", "-1") or int(lifespan) <= MAX_ACCESS_TOKEN_S
    claims = claims_of(keycloak.tokens("auditor.360000")["access_token"])
    assert claims["exp"] - claims["iat"] <= MAX_ACCESS_TOKEN_S


def test_disabling_an_officer_refuses_their_refresh_and_sign_in_at_once(
    keycloak: Keycloak, production: Settings
) -> None:
    person = keycloak.create_officer("leaver.360102", "intake_officer", "lo-360102", "360102")
    tokens = keycloak.tokens("leaver.360102")
    assert actor_from_token(tokens["access_token"], production).subject == person
    refreshed = keycloak.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text

    disabled = keycloak.admin("PUT", f"/users/{person}", {"enabled": False})
    assert disabled.status_code == 204, disabled.text
    again = keycloak.refresh(refreshed.json()["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant", again.text
    signed_in = keycloak.token_response("leaver.360102")
    assert signed_in.status_code in (400, 401), signed_in.text
    assert signed_in.json()["error"] == "invalid_grant"


def test_ending_an_officers_sessions_refuses_their_refresh_at_once(keycloak: Keycloak) -> None:
    person = keycloak.create_officer("moved.360702", "agency_staff", "ag-360702-urban", "360702")
    tokens = keycloak.tokens("moved.360702")
    ended = keycloak.admin("POST", f"/users/{person}/logout")
    assert ended.status_code == 204, ended.text
    refused = keycloak.refresh(tokens["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant", refused.text
