"""RS256 access tokens checked against an OIDC provider's published keys: discovery,
claims, the key set's cache, rotation and the refresh cooldown; development tokens
only in development mode. The provider is a real HTTP server on the loopback with real
RSA keys (tests/identity/provider.py); test_keycloak.py does the same against Keycloak."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared import oidc
from shared.actors import Actor, Role
from shared.auth import CurrentActor, actor_from_token, mint_token
from shared.clock import SystemClock
from shared.errors import Refusal, Unauthenticated, Unavailable
from shared.http import create_api
from shared.settings import Settings

from .provider import Provider, new_key, serving

STRONG = "s" * 48


@pytest.fixture
def provider() -> Iterator[Provider]:
    # A key set per issuer is kept for the process; the loopback may hand a later test
    # the port, and so the issuer, of an earlier one.
    oidc.provider_keys.cache_clear()
    with serving() as running:
        yield running
    oidc.provider_keys.cache_clear()


@pytest.fixture
def production(settings: Settings, provider: Provider) -> Settings:
    """A service outside development mode that trusts ``provider``."""
    return settings.model_copy(
        update={"campaign_dev_mode": False, "jwt_secret": STRONG, "oidc_issuer": provider.issuer}
    )


def refusal(token: str, settings: Settings) -> Refusal:
    with pytest.raises(Refusal) as refused:
        actor_from_token(token, settings)
    return refused.value


def protected(settings: Settings) -> TestClient:
    api: FastAPI = create_api("test", settings, SystemClock())

    @api.get("/whoami")
    async def whoami(actor: CurrentActor) -> dict[str, Any]:
        return actor.model_dump(mode="json")

    return TestClient(api)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_bilingual_401(response: Any, code: str) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    detail: dict[str, Any] = response.json()["detail"]
    assert detail["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail["message_zh"])
    assert detail["message_en"] and detail["message_en"] != detail["message_zh"]
    return detail


def test_an_access_token_gives_the_person_their_office_and_region(
    production: Settings, provider: Provider
) -> None:
    actor = actor_from_token(provider.token(), production)
    assert actor == Actor(
        subject="5b0e7c2a-officer",
        role=Role.intake_officer,
        organisation="lo-360102",
        region_code="360102",
    )
    # Discovery named the JWKS: read once, then cached.
    actor_from_token(provider.token(sub="another-officer"), production)
    assert provider.jwks_requests == 1


def test_the_route_accepts_it_and_refuses_development_tokens_outside_development_mode(
    production: Settings, provider: Provider
) -> None:
    client = protected(production)
    signed_in = client.get("/whoami", headers=bearer(provider.token()))
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["subject"] == "5b0e7c2a-officer"
    minted = mint_token(
        production, subject="x", role=Role.admin, organisation="lo-360000", region_code="360000"
    )
    detail = assert_bilingual_401(client.get("/whoami", headers=bearer(minted)), "token_dev_only")
    assert detail["field"] == "alg"
    development = protected(production.model_copy(update={"campaign_dev_mode": True}))
    assert development.get("/whoami", headers=bearer(minted)).json()["role"] == "admin"
    assert development.get("/whoami", headers=bearer(provider.token())).status_code == 200


def test_forged_other_audience_expired_and_id_tokens_get_401(
    production: Settings, provider: Provider
) -> None:
    client = protected(production)
    kid = next(iter(provider.keys))
    forged = provider.token(kid=kid, key=new_key())
    assert_bilingual_401(client.get("/whoami", headers=bearer(forged)), "token_forged")
    elsewhere = provider.token(aud="another-platform")
    detail = assert_bilingual_401(
        client.get("/whoami", headers=bearer(elsewhere)), "token_audience"
    )
    assert detail["field"] == "aud"
    expired = provider.token(lifetime=timedelta(seconds=-1))
    assert_bilingual_401(client.get("/whoami", headers=bearer(expired)), "token_expired")
    id_token = provider.token(typ="ID")
    assert_bilingual_401(client.get("/whoami", headers=bearer(id_token)), "token_type")
    other_issuer = provider.token(iss="http://127.0.0.1:1/realms/test")
    assert_bilingual_401(client.get("/whoami", headers=bearer(other_issuer)), "token_issuer")


@pytest.mark.parametrize(
    ("claims", "field"),
    [
        ({"org": None}, "org"),
        ({"region": None}, "region"),
        ({"region": 360102}, "region"),
        ({"sub": None}, "sub"),
        ({"realm_access": None}, "realm_access.roles"),
        ({"realm_access": {"roles": ["offline_access"]}}, "realm_access.roles"),
        ({"realm_access": {"roles": ["intake_officer", "auditor"]}}, "realm_access.roles"),
    ],
)
def test_a_token_without_exactly_one_role_or_with_a_claim_missing_is_refused(
    production: Settings, provider: Provider, claims: dict[str, Any], field: str
) -> None:
    refused = refusal(provider.token(**claims), production)
    assert isinstance(refused, Unauthenticated) and refused.field == field


def test_a_rotated_key_is_fetched_once_and_made_up_key_ids_do_not_hammer_the_provider(
    production: Settings, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oidc, "REFRESH_COOLDOWN_S", 2.0)
    made_up = [provider.token(kid=f"made-up-{n}", key=new_key()) for n in range(5)]
    actor_from_token(provider.token(), production)
    assert provider.jwks_requests == 1
    for token in made_up:
        assert refusal(token, production).code == "token_forged"
    # Within the cooldown after a read, unknown key ids do not read the set again.
    assert provider.jwks_requests == 1
    time.sleep(2.1)
    provider.rotate()
    rotated = provider.token()
    assert actor_from_token(rotated, production).role is Role.intake_officer
    assert provider.jwks_requests == 2
    assert actor_from_token(provider.token(sub="someone-else"), production).subject == (
        "someone-else"
    )
    assert provider.jwks_requests == 2


def test_an_unreachable_provider_is_a_503_not_a_sign_in_failure(
    production: Settings, provider: Provider
) -> None:
    provider.up = False
    response = protected(production).get("/whoami", headers=bearer(provider.token()))
    assert response.status_code == 503, response.text
    assert response.json()["detail"]["code"] == "identity_provider_unavailable"
    assert isinstance(refusal(provider.token(), production), Unavailable)


def test_a_given_jwks_url_skips_discovery(production: Settings, provider: Provider) -> None:
    direct = production.model_copy(
        update={"oidc_jwks_url": f"{provider.issuer}/protocol/openid-connect/certs"}
    )
    provider_issuer_only = actor_from_token(provider.token(), direct)
    assert provider_issuer_only.organisation == "lo-360102"
