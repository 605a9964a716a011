"""The adapter that reads an ``Actor`` (``shared.actors``) from a signed bearer JWT
(HS256), and the FastAPI dependencies that give it to a route."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from shared.actors import Actor, Role
from shared.clock import Clock
from shared.errors import Unauthenticated
from shared.settings import Settings


def wall_clock_now() -> datetime:
    """The real time. Tokens live on it: a controlled clock moves the campaign's time
    (years back, months forward in minutes), and a token minted or checked on that time
    would never expire, or expire at once."""
    return datetime.now(UTC)


def mint_token(
    settings: Settings,
    clock: Clock | None = None,
    *,
    subject: str,
    role: Role,
    organisation: str,
    region_code: str,
    ttl: timedelta | None = None,
    issued_at: datetime | None = None,
) -> str:
    """A signed token for the actor, valid for ``ttl`` (``JWT_TTL_MINUTES``) of wall time
    from ``issued_at`` (now, unless a test needs another moment). ``clock`` is accepted
    from callers that hold the service's clock and is not read, since that clock may be
    a simulated one."""
    del clock
    now = issued_at or wall_clock_now()
    claims = {
        "sub": subject,
        "role": role.value,
        "org": organisation,
        "region": region_code,
        "iss": settings.jwt_issuer,
        "iat": int(now.timestamp()),
        "exp": int((now + (ttl or timedelta(minutes=settings.jwt_ttl_minutes))).timestamp()),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def bearer_header(
    settings: Settings, role: Role, organisation: str, region_code: str, *, subject: str = ""
) -> dict[str, str]:
    """The Authorization header of a token minted now for the actor (subject
    ``role@organisation`` unless given): what a script, a benchmark or a test sends."""
    token = mint_token(
        settings,
        subject=subject or f"{role.value}@{organisation}",
        role=role,
        organisation=organisation,
        region_code=region_code,
    )
    return {"Authorization": f"Bearer {token}"}


def actor_from_token(token: str, settings: Settings, now: datetime | None = None) -> Actor:
    """Verify signature, issuer, claims and expiry, and read the actor. ``now`` is the
    wall-clock time of the check (the real time unless a test gives one)."""
    actor, claims = _verified(token, settings.jwt_secret, settings.jwt_issuer)
    at = int((now or wall_clock_now()).timestamp())
    if claims.exp <= at:
        raise Unauthenticated("令牌已过期", "token has expired", code="token_expired")
    # A token from the future was minted on a wrong clock or forged with a stolen key.
    if claims.iat > at + CLOCK_SKEW_S or (
        claims.nbf is not None and claims.nbf > at + CLOCK_SKEW_S
    ):
        raise Unauthenticated(
            "令牌尚未生效", "token is not valid yet", field="iat", code="token_not_yet_valid"
        )
    return actor


# Clocks of the machines that mint and check tokens may differ by this much.
CLOCK_SKEW_S = 60


REQUIRED_CLAIMS = ("sub", "role", "org", "region", "iss", "iat", "exp")


class _Claims(BaseModel):
    """The claims a token must carry, each of its JSON type: strict, so an ``exp`` of
    ``"9999999999"`` or ``true`` is refused rather than read as a number."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sub: StrictStr = Field(min_length=1, max_length=200)
    role: StrictStr
    org: StrictStr = Field(max_length=200)
    region: StrictStr = Field(max_length=12)
    iss: StrictStr
    iat: StrictInt
    exp: StrictInt
    nbf: StrictInt | None = None


# A signed-in user sends the same token with every request: its signature is checked
# once, not each time (a sixth of a busy service's CPU otherwise). Expiry is checked on
# every use, above; a refused token is not kept (lru_cache does not keep exceptions).
@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str, issuer: str) -> tuple[Actor, _Claims]:
    """The actor a token names and its claims, once its signature, issuer and claim
    types are verified (the times are checked on every use, by the caller)."""
    try:
        raw = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=issuer,
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise Unauthenticated(
            "令牌签名无效", "token signature is invalid", code="token_forged"
        ) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise Unauthenticated(
            f"令牌缺少声明 {exc.claim}",
            f"token lacks the claim {exc.claim}",
            field=exc.claim,
            code="token_claims",
        ) from exc
    except jwt.InvalidIssuerError as exc:
        raise Unauthenticated(
            "令牌签发方不符", "token was issued by someone else", field="iss", code="token_issuer"
        ) from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("令牌格式无效", "token is malformed", code="token_malformed") from exc
    try:
        claims = _Claims.model_validate(raw)
    except ValidationError as exc:
        claim = ".".join(str(part) for part in exc.errors()[0]["loc"]) or "token"
        raise Unauthenticated(
            f"令牌声明 {claim} 的类型或取值无效",
            f"token claim {claim} has the wrong type or value",
            field=claim,
            code="token_claims",
        ) from None
    try:
        role = Role(claims.role)
    except ValueError:
        raise Unauthenticated(
            "令牌中的角色未知", "token names an unknown role", field="role", code="token_role"
        ) from None
    actor = Actor(subject=claims.sub, role=role, organisation=claims.org, region_code=claims.region)
    return actor, claims


_bearer = HTTPBearer(auto_error=False)


# The dependencies are ``async def``: FastAPI runs a plain ``def`` dependency in a worker
# thread, a hop that costs more than verifying an HS256 token (CPU only, never blocks).
async def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """FastAPI dependency: the signed-in actor, or 401."""
    if credentials is None:
        raise Unauthenticated(
            "缺少身份令牌（Authorization: Bearer …）",
            "missing bearer token (Authorization: Bearer …)",
            code="token_missing",
        )
    return _signed_in(request, credentials.credentials)


async def optional_actor(request: Request) -> Actor | None:
    """FastAPI dependency for public endpoints that also accept a signed-in actor: the
    actor when the request carries a bearer token, else ``None``. It reads the header
    itself rather than through ``HTTPBearer``: a nested dependency costs FastAPI about
    as much as verifying a cached token, and public routes carry the heaviest load."""
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.lower() != "bearer" or not token:
        return None
    return _signed_in(request, token)


def _signed_in(request: Request, token: str) -> Actor:
    settings: Settings = request.app.state.settings
    return actor_from_token(token, settings)


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
