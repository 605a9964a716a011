"""Settings of the web application (environment variables with the ``WEB_`` prefix).

Kept here rather than in ``shared.settings`` until the lead folds them in."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import Settings

BACKENDS = ("intake", "rectification", "evaluation", "reporting")


class WebConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", env_file=None, extra="ignore")

    port: int = Field(default=8000, ge=1, le=65535)
    # Dev-only sign-in that mints a token for a chosen role/org/region. Never in production.
    dev_sign_in: bool = False
    # Base URLs of the services; empty means http://<HTTP_HOST>:<service port>.
    intake_url: str = ""
    rectification_url: str = ""
    evaluation_url: str = ""
    reporting_url: str = ""
    # The origin printed in ballot QR codes (empty: the origin of the request).
    public_origin: str = ""
    backend_timeout_s: float = Field(default=30.0, gt=0)

    def backend_urls(self, settings: Settings) -> dict[str, str]:
        configured = {
            "intake": self.intake_url,
            "rectification": self.rectification_url,
            "evaluation": self.evaluation_url,
            "reporting": self.reporting_url,
        }
        return {
            name: (url or f"http://{settings.http_host}:{settings.port_of(name)}").rstrip("/")
            for name, url in configured.items()
        }
