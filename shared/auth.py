"""The adapter that reads an ``Actor`` (``shared.actors``) from a signed bearer JWT,
and the FastAPI dependencies that give it to a route.

Two kinds of token: RS256 access tokens of the identity provider (Keycloak,
``OIDC_ISSUER``), checked against its published keys (``shared.oidc``), and the HS256
tokens of ``campaign token mint``, signed with ``JWT_SECRET``, which count only in
development mode (``CAMPAIGN_DEV_MODE=true``)."""

from __future__ import annotations

import contextlib
import functools
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from starlette.concurrency import run_in_threadpool

from shared.actors import Actor, Role
from shared.clock import Clock
from shared.errors import Refusal, Unauthenticated
from shared.oidc import ProviderKeys, key_id, provider_keys, verified_provider_claims
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
    """Verify signature, issuer, audience, claims and expiry, and read the actor. ``now``
    is the wall-clock time of the check (the real time unless a test gives one)."""
    actor, claims = _checked(token, settings)
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


def _algorithm(token: str) -> object:
    try:
        return jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError as exc:
        raise Unauthenticated("令牌格式无效", "token is malformed", code="token_malformed") from exc


def _checked(token: str, settings: Settings) -> tuple[Actor, _Times]:
    algorithm = _algorithm(token)
    if algorithm == "HS256":
        # Whoever holds JWT_SECRET could sign in as anyone, for every service.
        if not settings.campaign_dev_mode:
            raise Unauthenticated(
                "开发用令牌（HS256）只在开发模式下有效，请通过统一身份认证登录",
                "development tokens (HS256) are accepted in development mode only; "
                "sign in through the identity provider",
                field="alg",
                code="token_dev_only",
            )
        return _verified(token, settings.jwt_secret, settings.jwt_issuer)
    if algorithm == "RS256" and settings.oidc_issuer:
        return _verified_by_provider(
            token, settings.oidc_issuer, settings.oidc_jwks_url, settings.oidc_audience
        )
    raise Unauthenticated(
        "令牌的签名算法不被接受", "token's signing algorithm is not accepted", field="alg",
        code="token_algorithm",
    )  # fmt: skip


# Clocks of the machines that mint and check tokens may differ by this much.
CLOCK_SKEW_S = 60


REQUIRED_CLAIMS = ("sub", "role", "org", "region", "iss", "iat", "exp")


class _Times(BaseModel):
    """When a token was issued and how long it lives, checked on every use. Strict, so
    an ``exp`` of ``"9999999999"`` or ``true`` is refused rather than read as a number."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    iat: StrictInt
    exp: StrictInt
    nbf: StrictInt | None = None


class _Person(_Times):
    """Who a token names: the person (``sub``), the organisation and the region."""

    sub: StrictStr = Field(min_length=1, max_length=200)
    org: StrictStr = Field(max_length=200)
    region: StrictStr = Field(max_length=12)
    iss: StrictStr


class _Claims(_Person):
    """A development token's claims: the role is a claim of its own."""

    role: StrictStr


_Model = TypeVar("_Model", bound=BaseModel)


class _RealmAccess(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    roles: list[StrictStr] = Field(default_factory=list, max_length=200)


class _ProviderClaims(_Person):
    """An access token's claims: the role is one of the realm roles Keycloak lists."""

    realm_access: _RealmAccess = Field(default_factory=_RealmAccess)


def _validated(model: type[_Model], raw: dict[str, Any]) -> _Model:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        claim = ".".join(str(part) for part in error["loc"]) or "token"
        if error["type"] == "missing":
            raise Unauthenticated(
                f"令牌缺少声明 {claim}",
                f"token lacks the claim {claim}",
                field=claim,
                code="token_claims",
            ) from None
        raise Unauthenticated(
            f"令牌声明 {claim} 的类型或取值无效",
            f"token claim {claim} has the wrong type or value",
            field=claim,
            code="token_claims",
        ) from None


def _actor(claims: _Person, role_name: str) -> Actor:
    try:
        role = Role(role_name)
    except ValueError:
        raise Unauthenticated(
            "令牌中的角色未知", "token names an unknown role", field="role", code="token_role"
        ) from None
    return Actor(subject=claims.sub, role=role, organisation=claims.org, region_code=claims.region)


CAMPAIGN_ROLES = frozenset(role.value for role in Role)


@functools.lru_cache(maxsize=4096)
def _verified_by_provider(
    token: str, issuer: str, jwks_url: str, audience: str
) -> tuple[Actor, _ProviderClaims]:
    """The actor an access token of the identity provider names, once its signature,
    issuer, audience, type and claims are verified (times: by the caller, every use).
    An officer holds exactly one of the campaign's realm roles."""
    raw = verified_provider_claims(token, provider_keys(issuer, jwks_url), audience)
    claims = _validated(_ProviderClaims, raw)
    held = sorted(CAMPAIGN_ROLES.intersection(claims.realm_access.roles))
    if len(held) != 1:
        raise Unauthenticated(
            "令牌须恰好含一个平台角色" + ("（现无）" if not held else f"（现有 {len(held)} 个）"),
            f"token must name exactly one campaign role (it names {len(held)})",
            field="realm_access.roles",
            code="token_role",
        )
    return _actor(claims, held[0]), claims


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
    claims = _validated(_Claims, raw)
    return _actor(claims, claims.role), claims


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
    return await _signed_in(request, credentials.credentials)


async def optional_actor(request: Request) -> Actor | None:
    """FastAPI dependency for public endpoints that also accept a signed-in actor: the
    actor when the request carries a bearer token, else ``None``. It reads the header
    itself rather than through ``HTTPBearer``: a nested dependency costs FastAPI about
    as much as verifying a cached token, and public routes carry the heaviest load."""
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.lower() != "bearer" or not token:
        return None
    return await _signed_in(request, token)


async def _signed_in(request: Request, token: str) -> Actor:
    settings: Settings = request.app.state.settings
    # Reading the provider's key set is network I/O: done off the event loop, and only
    # when the token's key is not already at hand (the set is cached for minutes).
    kid = key_id(token) if settings.oidc_issuer else None
    if kid is not None:
        keys = provider_keys(settings.oidc_issuer, settings.oidc_jwks_url)
        if not keys.at_hand(kid):
            await run_in_threadpool(_read_keys, keys, kid)
    return actor_from_token(token, settings)


def _read_keys(keys: ProviderKeys, kid: str) -> None:
    """Read the key set (the token's check then refuses an unknown key)."""
    with contextlib.suppress(Refusal):
        keys.key(kid)


CurrentActor = Annotated[Actor, Depends(current_actor)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]
