"""A small OIDC provider for the fast identity tests: real RSA keys, a discovery
document and a JWKS served over HTTP on the loopback, so that the services' key
handling (discovery, caching, rotation, the refresh cooldown) runs as against Keycloak.
The tests against Keycloak itself are in test_keycloak.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from shared.ids import token_urlsafe

AUDIENCE = "campaign-services"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Provider:
    """Serves ``keys`` (kid -> private key) as its JWKS; counts the JWKS requests."""

    base_url: str = ""
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    jwks_requests: int = 0
    up: bool = True

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/test"

    def jwks(self) -> dict[str, Any]:
        entries = []
        for kid, key in self.keys.items():
            entry = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            entries.append({**entry, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": entries}

    def rotate(self) -> str:
        """A new signing key replaces the old ones; returns its kid."""
        kid = token_urlsafe(12)
        self.keys = {kid: new_key()}
        return kid

    def token(
        self,
        *,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        lifetime: timedelta = timedelta(minutes=5),
        **overrides: Any,
    ) -> str:
        """An access token as Keycloak's look, for a county intake officer."""
        kid = kid or next(iter(self.keys))
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": [AUDIENCE, "account"],
            "sub": "5b0e7c2a-officer",
            "typ": "Bearer",
            "azp": "campaign-cli",
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "realm_access": {"roles": ["default-roles-test", "intake_officer"]},
            "org": "lo-360102",
            "region": "360102",
            "preferred_username": "intake.360102",
        }
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        signing_key = key or self.keys[kid]
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": kid})


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if not provider.up:
                self.send_error(503)
                return
            if self.path == "/realms/test/.well-known/openid-configuration":
                body: dict[str, Any] = {
                    "issuer": provider.issuer,
                    "jwks_uri": f"{provider.issuer}/protocol/openid-connect/certs",
                }
            elif self.path == "/realms/test/protocol/openid-connect/certs":
                provider.jwks_requests += 1
                body = provider.jwks()
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    return Handler


@contextmanager
def serving() -> Iterator[Provider]:
    provider = Provider()
    provider.rotate()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
