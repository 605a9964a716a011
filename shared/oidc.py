"""The identity provider's signing keys and the check of its RS256 access tokens.

Where the keys are comes from the issuer's OIDC discovery document, unless
``OIDC_JWKS_URL`` says (compose: the provider's address on the internal network). The
key set is read with PyJWT's ``PyJWKClient`` and kept for ``JWKS_LIFESPAN_S``, so a key
the provider withdrew stops counting within five minutes. A token signed with a key
that is not in the set (the provider rotated its keys) makes the client read the set
again, at most once every ``REFRESH_COOLDOWN_S``: tokens naming made-up key ids cannot
make every request call the provider.
"""

from __future__ import annotations

import functools
import json
import threading
import urllib.error
import urllib.request
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient

from shared.errors import Unauthenticated, Unavailable

JWKS_LIFESPAN_S = 300.0
REFRESH_COOLDOWN_S = 10.0
FETCH_TIMEOUT_S = 5.0

# What every access token of the provider carries (the audience first: a token of
# another client is refused for that); times are checked by the caller on
# every use (the verified claims are cached).
REQUIRED_PROVIDER_CLAIMS = ("aud", "iss", "sub", "iat", "exp")


def _unavailable(detail: str) -> Unavailable:
    return Unavailable(
        f"无法取得身份提供方的签名密钥（{detail}）",
        f"the identity provider's signing keys cannot be read ({detail})",
        code="identity_provider_unavailable",
    )


class ProviderKeys:
    """One issuer's key set, read on first use and kept as the module doc says."""

    def __init__(self, issuer: str, jwks_url: str = "") -> None:
        self.issuer = issuer
        self._jwks_url = jwks_url
        self._client: PyJWKClient | None = None
        self._lock = threading.Lock()

    def _discovered_jwks_url(self) -> str:
        url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
        if not url.startswith(("https://", "http://")):
            raise _unavailable("OIDC_ISSUER is not an http(s) URL")
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:
                document = json.loads(response.read())
        except (OSError, ValueError, urllib.error.URLError) as exc:
            raise _unavailable(f"discovery: {type(exc).__name__}") from exc
        if not isinstance(document, dict) or document.get("issuer") != self.issuer:
            raise _unavailable("the discovery document names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise _unavailable("the discovery document has no jwks_uri")
        return jwks_uri

    def client(self) -> PyJWKClient:
        with self._lock:
            if self._client is None:
                url = self._jwks_url or self._discovered_jwks_url()
                self._client = PyJWKClient(
                    url,
                    cache_keys=False,
                    cache_jwk_set=True,
                    lifespan=JWKS_LIFESPAN_S,
                    timeout=FETCH_TIMEOUT_S,
                    cooldown_duration=REFRESH_COOLDOWN_S,
                )
            return self._client

    def at_hand(self, kid: str) -> bool:
        """True when the key ``kid`` can be had without calling the provider."""
        client = self._client
        if client is None or client.jwk_set_cache is None:
            return False
        cached = client.jwk_set_cache.get()
        return cached is not None and any(key.key_id == kid for key in cached.keys)

    def key(self, kid: str) -> PyJWK:
        """The provider's signing key ``kid``; reads the set when it is stale or lacks it."""
        try:
            return self.client().get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise _unavailable("JWKS endpoint") from exc
        except jwt.PyJWKClientError as exc:
            raise Unauthenticated(
                "令牌的签名密钥不属于身份提供方",
                "token is signed with a key the identity provider does not have",
                field="kid",
                code="token_forged",
            ) from exc


@functools.cache
def provider_keys(issuer: str, jwks_url: str = "") -> ProviderKeys:
    """The one key set of each issuer in this process."""
    return ProviderKeys(issuer, jwks_url)


def key_id(token: str) -> str | None:
    """The ``kid`` of an RS256 token's header, or None for any other token."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    kid = header.get("kid")
    return kid if header.get("alg") == "RS256" and isinstance(kid, str) else None


def verified_provider_claims(token: str, keys: ProviderKeys, audience: str) -> dict[str, Any]:
    """The claims of an access token whose signature, issuer, audience and type hold."""
    kid = key_id(token)
    if kid is None:
        raise Unauthenticated(
            "令牌缺少签名密钥编号（kid）", "token names no signing key (kid)", field="kid"
        )
    signing_key = keys.key(kid)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            issuer=keys.issuer,
            audience=audience,
            options={
                "require": list(REQUIRED_PROVIDER_CLAIMS),
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise Unauthenticated(
            "令牌签名无效", "token signature is invalid", code="token_forged"
        ) from exc
    except jwt.InvalidAudienceError as exc:
        raise Unauthenticated(
            f"令牌不是签发给本平台（{audience}）的",
            f"token is not meant for this platform (audience {audience})",
            field="aud",
            code="token_audience",
        ) from exc
    except jwt.InvalidIssuerError as exc:
        raise Unauthenticated(
            "令牌签发方不符", "token was issued by someone else", field="iss", code="token_issuer"
        ) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise Unauthenticated(
            f"令牌缺少声明 {exc.claim}",
            f"token lacks the claim {exc.claim}",
            field=exc.claim,
            code="token_claims",
        ) from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("令牌格式无效", "token is malformed", code="token_malformed") from exc
    # Keycloak marks its access tokens; an ID token (typ "ID") is not a credential.
    if claims.get("typ", "Bearer") != "Bearer":
        raise Unauthenticated(
            "这不是访问令牌", "token is not an access token", field="typ", code="token_type"
        )
    return claims
