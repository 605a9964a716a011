from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.actors import Actor, Role
from shared.auth import CurrentActor, actor_from_token, mint_token
from shared.clock import Clock, ControlledClock, SimulatedClock
from shared.errors import Forbidden, Unauthenticated
from shared.http import create_api
from shared.settings import Settings

# Tokens live on the wall clock: NOW is a real moment, the simulated clocks below are
# set years before it (a controlled campaign replaying 2016).
NOW = datetime.now(UTC).replace(microsecond=0)
CAMPAIGN_TIME = datetime(2016, 9, 1, 8, 0, tzinfo=UTC)


def token(settings: Settings, **overrides: object) -> str:
    fields: dict[str, object] = {
        "subject": "officer-7",
        "role": Role.intake_officer,
        "organisation": "office-360100",
        "region_code": "360100",
        "issued_at": NOW,
    }
    fields.update(overrides)
    return mint_token(settings, SimulatedClock(CAMPAIGN_TIME), **fields)  # type: ignore[arg-type]


def signed(settings: Settings, claims: dict[str, object]) -> str:
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def full_claims(settings: Settings, **overrides: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "sub": "officer-7",
        "role": "intake_officer",
        "org": "office-360100",
        "region": "360100",
        "iss": settings.jwt_issuer,
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
    }
    claims.update(overrides)
    return claims


def test_a_valid_token_gives_the_actor(settings: Settings) -> None:
    actor = actor_from_token(token(settings), settings, NOW + timedelta(minutes=5))
    assert actor == Actor(
        subject="officer-7",
        role=Role.intake_officer,
        organisation="office-360100",
        region_code="360100",
    )
    assert actor.as_extension() == "intake_officer:office-360100:360100"


def test_a_token_minted_on_a_simulated_clock_lives_on_the_wall_clock(settings: Settings) -> None:
    minted = mint_token(
        settings,
        SimulatedClock(CAMPAIGN_TIME),
        subject="officer-7",
        role=Role.admin,
        organisation="office-360000",
        region_code="360000",
        ttl=timedelta(minutes=10),
    )
    claims = jwt.decode(minted, options={"verify_signature": False})
    assert abs(claims["iat"] - datetime.now(UTC).timestamp()) < 3600
    assert claims["exp"] - claims["iat"] == 600
    assert actor_from_token(minted, settings).role is Role.admin


def test_expired_token_is_refused(settings: Settings) -> None:
    minted = token(settings, ttl=timedelta(minutes=10))
    with pytest.raises(Unauthenticated, match="expired"):
        actor_from_token(minted, settings, NOW + timedelta(minutes=11))


def test_a_token_verified_before_is_still_refused_once_expired(settings: Settings) -> None:
    minted = token(settings, ttl=timedelta(minutes=10))
    assert actor_from_token(minted, settings, NOW + timedelta(minutes=9)).subject == "officer-7"
    with pytest.raises(Unauthenticated, match="expired"):
        actor_from_token(minted, settings, NOW + timedelta(minutes=10))


def test_a_token_expired_in_real_time_is_refused_by_default(settings: Settings) -> None:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=2)
    expired = token(settings, issued_at=an_hour_ago, ttl=timedelta(hours=1))
    with pytest.raises(Unauthenticated) as refused:
        actor_from_token(expired, settings)
    assert refused.value.code == "token_expired"
    fresh = token(settings, issued_at=datetime.now(UTC), ttl=timedelta(hours=1))
    assert actor_from_token(fresh, settings).subject == "officer-7"


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
    with pytest.raises(Unauthenticated) as refused:
        actor_from_token(other_issuer, settings, NOW)
    assert refused.value.code == "token_issuer"
    unknown_role = signed(settings, full_claims(settings, role="mayor"))
    with pytest.raises(Unauthenticated, match="unknown role") as refused:
        actor_from_token(unknown_role, settings, NOW)
    assert refused.value.zh == "令牌中的角色未知"
    assert actor_from_token(signed(settings, full_claims(settings)), settings, NOW).role is (
        Role.intake_officer
    )


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", "99999999999"),
        ("exp", True),
        ("exp", 1.5e10),
        ("iat", "0"),
        ("sub", 7),
        ("sub", ""),
        ("role", ["admin"]),
        ("org", None),
        ("region", 360100),
    ],
)
def test_claims_of_the_wrong_type_are_refused_naming_the_claim(
    settings: Settings, claim: str, value: object
) -> None:
    forged = signed(settings, full_claims(settings, **{claim: value}))
    with pytest.raises(Unauthenticated) as refused:
        actor_from_token(forged, settings, NOW)
    assert refused.value.code in {"token_claims", "token_malformed"}
    assert refused.value.zh.startswith("令牌") and "token" in refused.value.en


@pytest.mark.parametrize(
    ("claim", "ahead"),
    [("iat", timedelta(minutes=10)), ("nbf", timedelta(minutes=10)), ("nbf", timedelta(days=1))],
)
def test_a_token_from_the_future_is_refused(
    settings: Settings, claim: str, ahead: timedelta
) -> None:
    early = full_claims(settings, **{claim: int((NOW + ahead).timestamp())})
    early["exp"] = int((NOW + ahead + timedelta(hours=1)).timestamp())
    with pytest.raises(Unauthenticated) as refused:
        actor_from_token(signed(settings, early), settings, NOW)
    assert refused.value.code == "token_not_yet_valid"
    assert "尚未生效" in refused.value.zh and "not valid yet" in refused.value.en


def test_clocks_a_little_apart_still_agree(settings: Settings) -> None:
    skewed = full_claims(settings, iat=int((NOW + timedelta(seconds=30)).timestamp()))
    skewed["nbf"] = skewed["iat"]
    assert actor_from_token(signed(settings, skewed), settings, NOW).subject == "officer-7"
    typed = signed(settings, full_claims(settings, nbf="0"))
    with pytest.raises(Unauthenticated) as refused:
        actor_from_token(typed, settings, NOW)
    assert refused.value.code == "token_claims" and refused.value.field == "nbf"


@pytest.mark.parametrize("claim", ["sub", "role", "org", "region", "iat", "exp"])
def test_a_token_missing_a_required_claim_is_refused(settings: Settings, claim: str) -> None:
    claims = full_claims(settings)
    del claims[claim]
    with pytest.raises(Unauthenticated) as refused:
        actor_from_token(signed(settings, claims), settings, NOW)
    assert refused.value.code == "token_claims" and refused.value.field == claim
    assert claim in refused.value.zh and claim in refused.value.en


def test_require_refuses_other_roles_in_both_languages() -> None:
    actor = Actor(subject="s", role=Role.public, organisation="", region_code="360000")
    with pytest.raises(Forbidden) as refused:
        actor.require(Role.legal_office, Role.admin)
    assert "政府法制办" in refused.value.zh
    assert "legal_office" in refused.value.en


def protected_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    api = create_api("test", settings, clock or SimulatedClock(CAMPAIGN_TIME))

    @api.get("/whoami")
    def whoami(actor: CurrentActor) -> dict[str, str]:
        return {"role": actor.role.value, "region": actor.region_code}

    return api


def test_http_refuses_missing_expired_and_forged_tokens_with_401(settings: Settings) -> None:
    client = TestClient(protected_app(settings))
    missing = client.get("/whoami")
    assert missing.status_code == 401
    assert missing.json()["detail"]["code"] == "token_missing"

    expired = token(settings, issued_at=datetime.now(UTC), ttl=timedelta(seconds=-1))
    response = client.get("/whoami", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "token_expired"

    forged = token(settings) + "x"
    response = client.get("/whoami", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401

    fresh = token(settings, issued_at=datetime.now(UTC))
    good = client.get("/whoami", headers={"Authorization": f"Bearer {fresh}"})
    assert good.status_code == 200
    assert good.json() == {"role": "intake_officer", "region": "360100"}


def test_a_controlled_clock_does_not_revive_a_token_expired_in_real_time(
    settings: Settings,
) -> None:
    """The service's clock is a campaign replay two hours before the token expired; the
    token expired an hour ago in real time and is refused all the same."""
    expired_at = datetime.now(UTC) - timedelta(hours=1)
    issued = expired_at - timedelta(hours=1)
    clock = ControlledClock(expired_at - timedelta(hours=2))
    client = TestClient(protected_app(settings, clock))
    expired = token(settings, issued_at=issued, ttl=timedelta(hours=1))
    refused = client.get("/whoami", headers={"Authorization": f"Bearer {expired}"})
    assert refused.status_code == 401
    detail = refused.json()["detail"]
    assert detail["code"] == "token_expired"
    assert detail["message_zh"] == "令牌已过期" and detail["message_en"] == "token has expired"
    fresh = token(settings, issued_at=datetime.now(UTC), ttl=timedelta(hours=1))
    assert client.get("/whoami", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
