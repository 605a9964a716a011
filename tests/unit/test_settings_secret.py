"""A service refuses to start with a JWT secret anyone could know, outside development
mode; the refusal says what is wrong and what to set, in Chinese and English."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.web.bootstrap import build_app as build_web_app
from shared.clock import SystemClock
from shared.http import create_api
from shared.settings import DEVELOPMENT_JWT_SECRET, InsecureSettings, Settings

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 32
ISSUER = "https://sso.example.gov.cn/realms/jiangxi-campaign"


@pytest.mark.parametrize(
    ("field", "variable"), [("oidc_issuer", "OIDC_ISSUER"), ("oidc_audience", "OIDC_AUDIENCE")]
)
def test_outside_development_mode_a_service_needs_the_identity_provider(
    settings: Settings, field: str, variable: str
) -> None:
    configured = {"jwt_secret": STRONG, "campaign_dev_mode": False, "oidc_issuer": ISSUER}
    unsafe = settings.model_copy(update={**configured, field: ""})
    with pytest.raises(InsecureSettings) as refused:
        create_api("test", unsafe, SystemClock())
    assert f"{variable} is not set; refusing to start" in str(refused.value)
    assert f"{variable} 未设置，服务拒绝启动" in str(refused.value)
    with pytest.raises(InsecureSettings):
        build_web_app(unsafe)


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("", "is not set"),
        (DEVELOPMENT_JWT_SECRET, "is the development default"),
        ("k" * 31, "is shorter than 32 bytes"),
    ],
)
def test_a_service_refuses_a_missing_default_or_short_secret(
    settings: Settings, secret: str, problem: str
) -> None:
    unsafe = settings.model_copy(update={"jwt_secret": secret, "campaign_dev_mode": False})
    with pytest.raises(InsecureSettings) as refused:
        create_api("test", unsafe, SystemClock())
    assert problem in str(refused.value) and "JWT_SECRET" in str(refused.value)
    assert "服务拒绝启动" in str(refused.value)
    with pytest.raises(InsecureSettings):
        build_web_app(unsafe)


def test_a_long_random_secret_or_development_mode_starts(settings: Settings) -> None:
    strong = settings.model_copy(
        update={"jwt_secret": STRONG, "campaign_dev_mode": False, "oidc_issuer": ISSUER}
    )
    assert TestClient(create_api("test", strong, SystemClock())).get("/health").status_code == 503
    development = settings.model_copy(
        update={"jwt_secret": DEVELOPMENT_JWT_SECRET, "campaign_dev_mode": True}
    )
    create_api("test", development, SystemClock())
    build_web_app(development)


def test_a_multibyte_secret_is_measured_in_bytes(settings: Settings) -> None:
    eleven_characters = "密" * 11  # 33 bytes in UTF-8
    production = settings.model_copy(update={"campaign_dev_mode": False, "oidc_issuer": ISSUER})
    production.model_copy(update={"jwt_secret": eleven_characters}).require_safe_secrets()
    with pytest.raises(InsecureSettings):
        production.model_copy(update={"jwt_secret": "密" * 10}).require_safe_secrets()


def serve(env_update: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for name, value in env_update.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:1"
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "serve", "evaluation", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_campaign_serve_with_the_default_secret_exits_with_a_clear_message() -> None:
    refused = serve({"JWT_SECRET": None, "CAMPAIGN_DEV_MODE": None})
    assert refused.returncode == 2
    assert "JWT_SECRET is the development default; refusing to start" in refused.stderr
    assert "CAMPAIGN_DEV_MODE=true" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_local_stack_runs_in_development_mode_only_without_a_secret() -> None:
    from services.stack import development_mode_unless_secret

    bare: dict[str, str] = {}
    development_mode_unless_secret(bare)
    assert bare == {"CAMPAIGN_DEV_MODE": "true"}
    given = {"JWT_SECRET": STRONG}
    development_mode_unless_secret(given)
    assert given == {"JWT_SECRET": STRONG}
    chosen = {"CAMPAIGN_DEV_MODE": "false"}
    development_mode_unless_secret(chosen)
    assert chosen == {"CAMPAIGN_DEV_MODE": "false"}
