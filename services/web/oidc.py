"""The web app as an OIDC client of the identity provider (Keycloak): authorization code
with PKCE (S256) through authlib, the refresh of an access token near its expiry, and
RP-initiated logout.

The OIDC ``state``, the PKCE verifier and the nonce of a sign-in that has started are
kept on the server under the browser's pre-session value (``csrf.py``), never in a
cookie: a callback carrying another browser's code and state finds nothing to finish
here (login CSRF), and the verifier never reaches the browser."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from starlette.requests import Request
from starlette.responses import RedirectResponse

from shared.settings import Settings

from .sessions import SessionStore, SignedIn

NAME = "campaign"
CALLBACK_PATH = "/signin/callback"


class SignInFailed(Exception):
    """The provider or the callback refused the sign-in (bilingual message)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def configured(settings: Settings) -> bool:
    return bool(settings.oidc_issuer.strip() and settings.oidc_web_client_id.strip())


def provider_origin(settings: Settings) -> str:
    """``scheme://host[:port]`` of the issuer: the browser is sent there by a form's
    redirect (sign-in, sign-out), which the page's CSP must allow."""
    scheme, _, rest = settings.oidc_issuer.partition("://")
    return f"{scheme}://{rest.split('/')[0]}" if rest else ""


class Provider:
    """One client registration (``OIDC_WEB_CLIENT_ID``) at ``OIDC_ISSUER``."""

    def __init__(self, settings: Settings, store: SessionStore) -> None:
        self.settings = settings
        self.store = store
        registry = OAuth()
        registry.register(
            NAME,
            client_id=settings.oidc_web_client_id,
            client_secret=settings.oidc_web_client_secret or None,
            server_metadata_url=(
                f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration"
            ),
            client_kwargs={
                "scope": "openid",
                "code_challenge_method": "S256",
                "timeout": settings.web_backend_timeout_s,
            },
        )
        client = registry.create_client(NAME)
        assert isinstance(client, StarletteOAuth2App)
        self.client = client

    def base_url(self, request: Request) -> str:
        configured_url = self.settings.campaign_web_url.strip().rstrip("/")
        return configured_url or f"{request.url.scheme}://{request.url.netloc}"

    async def start(self, request: Request, binding: str) -> RedirectResponse:
        """The redirect to the provider's login page; state, verifier and nonce kept
        under ``binding``."""
        pending = self.store.pending(binding)
        request.scope["session"] = pending
        try:
            response = await self.client.authorize_redirect(
                request, f"{self.base_url(request)}{CALLBACK_PATH}"
            )
        except (OAuthError, OSError, ValueError) as exc:
            raise _unreachable() from exc
        finally:
            request.scope.pop("session", None)
        self.store.keep_pending(binding, pending)
        assert isinstance(response, RedirectResponse)
        # 303: the browser follows a form's POST with a GET.
        response.status_code = 303
        return response

    async def finish(self, request: Request, binding: str | None) -> SignedIn:
        """The tokens for the callback's code, once its state matches a sign-in this
        browser started (the verifier is sent with the code, the ID token's nonce checked)."""
        if binding is None:
            raise _foreign_callback()
        pending = self.store.pending(binding)
        if f"_state_{NAME}_{request.query_params.get('state', '')}" not in pending:
            raise _foreign_callback()
        request.scope["session"] = pending
        try:
            token: dict[str, Any] = await self.client.authorize_access_token(request)
        except OAuthError as exc:
            raise SignInFailed(
                f"身份认证未完成（{exc.error}）", f"the provider did not sign you in ({exc.error})"
            ) from exc
        except (OSError, ValueError) as exc:
            raise _unreachable() from exc
        finally:
            request.scope.pop("session", None)
            self.store.keep_pending(binding, pending)
        return SignedIn(
            access_token=str(token["access_token"]),
            expires_at=_expiry(token),
            refresh_token=str(token.get("refresh_token") or ""),
            id_token=str(token.get("id_token") or ""),
        )

    async def refresh(self, signed_in: SignedIn) -> SignedIn | None:
        """New tokens for the refresh token, or None when the provider refuses (the
        officer was disabled, or signed out elsewhere, or the SSO session ended)."""
        if not signed_in.refresh_token:
            return None
        try:
            token: dict[str, Any] = await self.client.fetch_access_token(
                grant_type="refresh_token", refresh_token=signed_in.refresh_token
            )
        except (OAuthError, OSError, ValueError):
            return None
        if "access_token" not in token:
            return None
        return signed_in.refreshed(
            str(token["access_token"]),
            _expiry(token),
            str(token.get("refresh_token") or ""),
            str(token.get("id_token") or ""),
        )

    async def logout_url(self, request: Request, signed_in: SignedIn | None) -> str | None:
        """The provider's end-session URL that returns to this site's home page."""
        try:
            metadata = await self.client.load_server_metadata()
        except (OAuthError, OSError, ValueError):
            return None
        endpoint = metadata.get("end_session_endpoint")
        if not endpoint:
            return None
        params = {
            "client_id": self.settings.oidc_web_client_id,
            "post_logout_redirect_uri": f"{self.base_url(request)}/",
        }
        if signed_in is not None and signed_in.id_token:
            params["id_token_hint"] = signed_in.id_token
        return f"{endpoint}?{urlencode(params)}"


def _expiry(token: dict[str, Any]) -> float:
    if token.get("expires_at"):
        return float(token["expires_at"])
    return time.time() + float(token.get("expires_in") or 0)


def _foreign_callback() -> SignInFailed:
    return SignInFailed(
        "登录请求不是从本浏览器发起的或已过期（state），请重新登录",
        "this sign-in was not started in this browser or has expired (state); sign in again",
    )


def _unreachable() -> SignInFailed:
    return SignInFailed(
        "身份认证服务暂时无法访问，请稍后再试",
        "the identity provider is unreachable; try again later",
    )
