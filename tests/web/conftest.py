"""The four services and the web application on real ports (uvicorn in threads) on
the session's broker, and a headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from services.web.bootstrap import build_app as build_web_app
from services.web.config import BACKENDS
from shared.settings import Settings
from tests.conftest import SessionBroker

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """One ASGI app served by uvicorn on a free port in a background thread."""

    def __init__(self, app: Any, name: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, lifespan="on", log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"web-test-{name}", daemon=True)

    def start(self, timeout: float = 90.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.url} did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@dataclass
class Stack:
    settings: Settings
    urls: dict[str, str]
    web: str


@pytest.fixture(scope="session")
def web_stack(
    broker_settings: Settings, kafka_broker: SessionBroker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    settings = broker_settings.model_copy(
        update={"data_dir": tmp_path_factory.mktemp("web-stack"), "rectification_tick_seconds": 1}
    )
    servers: list[LiveServer] = []
    urls: dict[str, str] = {}
    try:
        for service in BACKENDS:
            own = kafka_broker.settings_of(service, settings)  # its own Kafka principal
            app = importlib.import_module(f"services.{service}.bootstrap").build_app(own)
            server = LiveServer(app, service)
            server.start()
            servers.append(server)
            urls[service] = server.url
        web = LiveServer(
            build_web_app(settings.model_copy(update={"web_dev_sign_in": True}), backend_urls=urls),
            "web",
        )
        web.start()
        servers.append(web)
        yield Stack(settings=settings, urls=urls, web=web.url)
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium package is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser: Any, web_stack: Stack, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=web_stack.web, locale="zh-CN")
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    if request.node.stash.get(_FAILED, False):
        screenshot(opened, f"FAILED-{request.node.name}")
    context.close()


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, role: str, region: str, organisation: str = "") -> None:
    """The dev sign-in form, as an officer would use it."""
    page.goto("/signin")
    page.select_option("#role", role)
    page.select_option("#region", region)
    page.fill("#organisation", organisation or f"lo-{region}")
    page.click("form[action='/signin/dev'] button[type=submit]")
    page.wait_for_url("**/workbench")
