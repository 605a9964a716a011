"""A client of the test session's Keycloak (deploy/keycloak/keycloakctl.py): the token
endpoint as the CLI client uses it, and the admin REST API as an administrator would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

REALM = "jiangxi-campaign"
CLI_CLIENT = "campaign-cli"
DEMO_PASSWORD = "jiangxi-demo-2016"
ADMIN = ("admin", "admin")


@dataclass(frozen=True)
class Keycloak:
    base_url: str

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{REALM}"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    def token_response(
        self, username: str, password: str = DEMO_PASSWORD, client_id: str = CLI_CLIENT
    ) -> httpx.Response:
        form = {
            "grant_type": "password",
            "client_id": client_id,
            "username": username,
            "password": password,
        }
        return httpx.post(self.token_url, data=form, timeout=30)

    def tokens(self, username: str, client_id: str = CLI_CLIENT) -> dict[str, Any]:
        response = self.token_response(username, client_id=client_id)
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens

    def refresh(self, refresh_token: str) -> httpx.Response:
        form = {"grant_type": "refresh_token", "client_id": CLI_CLIENT}
        return httpx.post(self.token_url, data={**form, "refresh_token": refresh_token}, timeout=30)

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """The admin REST API of the campaign realm, as the bootstrap administrator."""
        login = httpx.post(
            f"{self.base_url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": ADMIN[0],
                "password": ADMIN[1],
            },
            timeout=30,
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        url = f"{self.base_url}/admin/realms/{REALM}{path}"
        return httpx.request(method, url, json=json, headers=headers, timeout=30)

    def user_id(self, username: str) -> str:
        found = self.admin("GET", f"/users?username={username}&exact=true")
        assert found.status_code == 200 and len(found.json()) == 1, found.text
        user_id: str = found.json()[0]["id"]
        return user_id

    def create_officer(self, username: str, role: str, org: str, region: str) -> str:
        """A new officer with a password, one campaign role and their office and region."""
        created = self.admin(
            "POST",
            "/users",
            {
                "username": username,
                "enabled": True,
                "attributes": {"org": [org], "region": [region]},
                "credentials": [{"type": "password", "value": DEMO_PASSWORD, "temporary": False}],
            },
        )
        assert created.status_code == 201, created.text
        user_id = self.user_id(username)
        role_rep = self.admin("GET", f"/roles/{role}").json()
        granted = self.admin("POST", f"/users/{user_id}/role-mappings/realm", [role_rep])
        assert granted.status_code == 204, granted.text
        return user_id
