from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.auth import Actor, CurrentActor, Role, actor_from_token, mint_token
from shared.clock import SimulatedClock
from shared.errors import Forbidden, Unauthenticated
from shared.http import create_api
from shared.settings import Settings

NOW = datetime(2016, 9, 1, 8, 0, tzinfo=UTC)


def token(settings: Settings, **overrides: object) -> str:
    fields: dict[str, object] = {
        "subject": "officer-7",
        "role": Role.intake_officer,
        "organisation": "office-360100",
        "region_code": "360100",
    }
    fields.update(overrides)
    return mint_token(settings, SimulatedClock(NOW), **fields)  # type: ignore[arg-type]


def test_a_valid_token_gives_the_actor(settings: Settings) -> None:
    actor = actor_from_token(token(settings), settings, NOW + timedelta(minutes=5))
    assert actor == Actor(
        subject="officer-7",
        role=Role.intake_officer,
        organisation="office-360100",
        region_code="360100",
    )
    assert actor.as_extension() == "intake_officer:office-360100:360100"


def test_expired_token_is_refused(settings: Settings) -> None:
    minted = token(settings, ttl=timedelta(minutes=10))
    with pytest.raises(Unauthenticated, match="expired"):
        actor_from_token(minted, settings, NOW + timedelta(minutes=11))


def test_a_token_verified_before_is_still_refused_once_expired(settings: Settings) -> None:
    minted = token(settings, ttl=timedelta(minutes=10))
    assert actor_from_token(minted, settings, NOW + timedelta(minutes=9)).subject == "officer-7"
    with pytest.raises(Unauthenticated, match="expired"):
        actor_from_token(minted, settings, NOW + timedelta(minutes=10))


def test_a_token_is_checked_against_the_secret_it_is_used_with(settings: Settings) -> None:
    minted = token(settings)
    actor_from_token(minted, settings, NOW)  # verified once under the right secret
    rotated = settings.model_copy(
        update={"jwt_secret": "a-rotated-secret-of-enough-length-for-hs256"}
    )
    with pytest.raises(Unauthenticated, match="signature"):
        actor_from_token(minted, rotated, NOW)


def test_forged_token_is_refused(settings: Settings) -> None:
    forged = token(
        settings.model_copy(update={"jwt_secret": "another-secret-of-enough-length-for-hs256"})
    )
    with pytest.raises(Unauthenticated, match="signature"):
        actor_from_token(forged, settings, NOW)


def test_wrong_issuer_and_unknown_role_are_refused(settings: Settings) -> None:
    other_issuer = token(settings.model_copy(update={"jwt_issuer": "elsewhere"}))
    with pytest.raises(Unauthenticated):
        actor_from_token(other_issuer, settings, NOW)
    claims = {"sub": "x", "role": "mayor", "iss": settings.jwt_issuer, "iat": 0, "exp": 2**31}
    unknown_role = jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="unknown role"):
        actor_from_token(unknown_role, settings, NOW)


def test_require_refuses_other_roles_in_both_languages() -> None:
    actor = Actor(subject="s", role=Role.public, organisation="", region_code="360000")
    with pytest.raises(Forbidden) as refused:
        actor.require(Role.legal_office, Role.admin)
    assert "政府法制办" in refused.value.zh
    assert "legal_office" in refused.value.en


def protected_app(settings: Settings) -> FastAPI:
    api = create_api("test", settings, SimulatedClock(NOW))

    @api.get("/whoami")
    def whoami(actor: CurrentActor) -> dict[str, str]:
        return {"role": actor.role.value, "region": actor.region_code}

    return api


def test_http_refuses_missing_expired_and_forged_tokens_with_401(settings: Settings) -> None:
    client = TestClient(protected_app(settings))
    missing = client.get("/whoami")
    assert missing.status_code == 401
    assert missing.json()["detail"]["code"] == "token_missing"

    expired = token(settings, ttl=timedelta(seconds=-1))
    response = client.get("/whoami", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "token_expired"

    forged = token(settings) + "x"
    response = client.get("/whoami", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401

    good = client.get("/whoami", headers={"Authorization": f"Bearer {token(settings)}"})
    assert good.status_code == 200
    assert good.json() == {"role": "intake_officer", "region": "360100"}
