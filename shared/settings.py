"""All configuration in one place, read from environment variables."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.clock import BEIJING

SERVICE_PORTS: dict[str, int] = {
    "intake": 8001,
    "rectification": 8002,
    "evaluation": 8003,
    "reporting": 8004,
}
WEB_PORT = 8000
# The secret committed here signs tokens only in development mode: anyone can read it.
DEVELOPMENT_JWT_SECRET = "change-me-local-development-only-secret"
MIN_JWT_SECRET_BYTES = 32


class InsecureSettings(RuntimeError):
    """A setting that would make the service unsafe to run (refused at start)."""


class Settings(BaseSettings):
    """Every setting the services read. Environment variables use the upper-case
    field name (e.g. ``KAFKA_BOOTSTRAP_SERVERS``)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # How every Kafka client of the process logs in (shared/kafka/security.py). The
    # local broker (deploy/kafka) takes SASL_PLAINTEXT with SCRAM-SHA-512 and refuses
    # what no ACL allows; docker-compose uses SASL_SSL. PLAINTEXT only for a broker
    # without authentication. Each service process has a principal of its own.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = "SASL_PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    kafka_username: str = ""
    kafka_password: SecretStr = SecretStr("")
    # SASL_SSL: the CA bundle that signed the broker's certificate (empty: the system's).
    kafka_ssl_cafile: str = ""
    topic_partitions: int = Field(default=3, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)
    topic_min_insync_replicas: int = Field(default=1, ge=1)
    kafka_request_timeout_ms: int = Field(default=10_000, ge=100)
    kafka_send_timeout_s: float = Field(default=15.0, gt=0)

    data_dir: Path = Path("var")
    keystore_url: str = ""
    readmodel_url: str = ""

    # Development mode (``CAMPAIGN_DEV_MODE=true``) lets a service start with the
    # committed JWT secret; ``./dev start`` and ``campaign stack up`` turn it on.
    campaign_dev_mode: bool = False
    jwt_secret: str = DEVELOPMENT_JWT_SECRET
    jwt_issuer: str = "jiangxi-fair-enforcement"
    jwt_ttl_minutes: int = Field(default=8 * 60, ge=1)
    # The identity provider (Keycloak) whose RS256 access tokens the services accept:
    # the issuer as its tokens name it (the realm's URL), the audience they must carry,
    # and where its keys are (empty: from the issuer's OIDC discovery document).
    # Required outside development mode.
    oidc_issuer: str = ""
    oidc_audience: str = "campaign-services"
    oidc_jwks_url: str = ""

    http_host: str = "127.0.0.1"
    # FastAPI's OpenTelemetry (traces, metrics, logs to the globally configured
    # providers, e.g. under ``opentelemetry-instrument``). Off unless asked for: even
    # unconfigured, looking for the providers costs every request (about 3 % of intake's
    # CPU per tip).
    http_telemetry: bool = False
    intake_port: int = SERVICE_PORTS["intake"]
    rectification_port: int = SERVICE_PORTS["rectification"]
    evaluation_port: int = SERVICE_PORTS["evaluation"]
    reporting_port: int = SERVICE_PORTS["reporting"]

    default_campaign_id: str = "jx-2016-fair-enforcement"
    # ``controlled``: the services share a simulated time set through POST /admin/clock
    # (admin only), e.g. by ``campaign simulate``; ``system``: the wall clock.
    clock_mode: Literal["system", "controlled"] = "system"
    clock_start: datetime = Field(default=datetime(2016, 6, 1, 9, 0, tzinfo=BEIJING))
    # How often deadline watchers look at the clock (seconds of wall time).
    rectification_tick_seconds: float = Field(default=5.0, gt=0)
    intake_tick_seconds: float = Field(default=5.0, gt=0)

    # The web application in front of the four services.
    web_port: int = WEB_PORT
    # Dev-only sign-in that mints a token for a chosen role/org/region. Never in production.
    web_dev_sign_in: bool = False
    # Base URLs of the services behind the web app; empty means http://<HTTP_HOST>:<port>.
    web_intake_url: str = ""
    web_rectification_url: str = ""
    web_evaluation_url: str = ""
    web_reporting_url: str = ""
    # The origin printed in ballot QR codes (empty: the origin of the request).
    web_public_origin: str = ""
    # Origins whose forms and /api calls the web app accepts (comma-separated); empty:
    # WEB_PUBLIC_ORIGIN if set, else the origin each request was served on.
    web_allowed_origins: str = ""
    web_backend_timeout_s: float = Field(default=30.0, gt=0)
    # The web app as an OIDC client of OIDC_ISSUER (authorization code + PKCE): its
    # client id and secret, and the origin people reach it under (the redirect URIs'
    # base; empty: the origin each request was served on). The access token is refreshed
    # when it expires within OIDC_WEB_REFRESH_MARGIN_S.
    oidc_web_client_id: str = "campaign-web"
    oidc_web_client_secret: str = ""
    campaign_web_url: str = ""
    oidc_web_refresh_margin_s: float = Field(default=60.0, ge=0)
    # Proxies whose X-Forwarded-For a service trusts (the web app in front of intake):
    # comma-separated addresses or networks. Empty: none, the direct peer is the client.
    trusted_proxies: str = ""
    # Rate limits (``limits`` notation, e.g. "20/hour"), counted on the wall clock in a
    # database every process of the service reaches (empty: a SQLite file in data_dir).
    rate_limit_url: str = ""
    intake_tip_limit: str = "20/hour"
    intake_lookup_failure_limit: str = "5/15 minutes"

    def require_safe_secrets(self) -> None:
        """Outside development mode, refuse a missing, committed or short ``JWT_SECRET``
        (whoever knows it can forge the web app's anti-forgery tokens, and development
        tokens) and a missing identity provider (no one could sign in)."""
        if self.campaign_dev_mode:
            return
        self._require_strong_jwt_secret()
        self._require_identity_provider()

    def _require_identity_provider(self) -> None:
        for variable, value in (
            ("OIDC_ISSUER", self.oidc_issuer),
            ("OIDC_AUDIENCE", self.oidc_audience),
        ):
            if not value.strip():
                raise InsecureSettings(
                    f"{variable} 未设置，服务拒绝启动：请设置身份提供方（Keycloak 领域）的"
                    "签发方地址与受众，本地开发可设 CAMPAIGN_DEV_MODE=true / "
                    f"{variable} is not set; refusing to start: set the identity provider's "
                    "issuer (the Keycloak realm's URL) and audience, or CAMPAIGN_DEV_MODE=true "
                    "for local development"
                )

    def _require_strong_jwt_secret(self) -> None:
        secret = self.jwt_secret
        if not secret:
            problem_zh, problem_en = "未设置", "is not set"
        elif secret == DEVELOPMENT_JWT_SECRET:
            problem_zh, problem_en = "仍是代码中公开的开发用默认值", "is the development default"
        elif len(secret.encode("utf-8")) < MIN_JWT_SECRET_BYTES:
            problem_zh = f"短于 {MIN_JWT_SECRET_BYTES} 字节"
            problem_en = f"is shorter than {MIN_JWT_SECRET_BYTES} bytes"
        else:
            return
        raise InsecureSettings(
            f"JWT_SECRET {problem_zh}，服务拒绝启动：请设置至少 {MIN_JWT_SECRET_BYTES} 字节的随机"
            "密钥（如 openssl rand -hex 32），本地开发可设 CAMPAIGN_DEV_MODE=true / "
            f"JWT_SECRET {problem_en}; refusing to start: set a random secret of at least "
            f"{MIN_JWT_SECRET_BYTES} bytes (e.g. openssl rand -hex 32), or "
            "CAMPAIGN_DEV_MODE=true for local development"
        )

    def port_of(self, service: str) -> int:
        ports = {
            "intake": self.intake_port,
            "rectification": self.rectification_port,
            "evaluation": self.evaluation_port,
            "reporting": self.reporting_port,
            "web": self.web_port,
        }
        return ports[service]

    def backend_urls(self) -> dict[str, str]:
        """Where the web app finds each service."""
        configured = {
            "intake": self.web_intake_url,
            "rectification": self.web_rectification_url,
            "evaluation": self.web_evaluation_url,
            "reporting": self.web_reporting_url,
        }
        return {
            name: (url or f"http://{self.http_host}:{self.port_of(name)}").rstrip("/")
            for name, url in configured.items()
        }

    def sqlite_url(self, name: str) -> str:
        return f"sqlite:///{(self.data_dir / f'{name}.db').resolve()}"

    @property
    def resolved_keystore_url(self) -> str:
        return self.keystore_url or self.sqlite_url("keystore")

    @property
    def resolved_rate_limit_url(self) -> str:
        return self.rate_limit_url or self.sqlite_url("ratelimits")

    @property
    def resolved_readmodel_url(self) -> str:
        return self.readmodel_url or self.sqlite_url("readmodels")


@cache
def get_settings() -> Settings:
    return Settings()
