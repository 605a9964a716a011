"""The simulation's only way into the system: the services' public HTTP APIs, with
bearer tokens it mints itself and retries that ride out a restarting service."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from shared.actors import Role
from shared.auth import mint_token
from shared.clock import SimulatedClock
from shared.settings import Settings

# The four services a campaign runs on (a web front end, if any, is not driven).
SERVICES = ("intake", "rectification", "evaluation", "reporting")
TOKEN_TTL = timedelta(days=3 * 366)
RETRYABLE_STATUS = (502, 503, 504)


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
        self.response = response


def default_urls(settings: Settings) -> dict[str, str]:
    return {s: f"http://{settings.http_host}:{settings.port_of(s)}" for s in SERVICES}


@dataclass
class Api:
    """Calls with retries. After a service was unreachable, its clock is set again
    before the retry (a restarted service starts at ``CLOCK_START``). A 409 answering
    a retried request means the first attempt was applied: it counts as success."""

    settings: Settings
    urls: dict[str, str]
    clock: SimulatedClock
    retry_for_s: float = 120.0
    _tokens: dict[tuple[Role, str, str], str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _http: httpx.Client = field(
        default_factory=lambda: httpx.Client(
            timeout=httpx.Timeout(30.0), limits=httpx.Limits(max_connections=64)
        )
    )
    calls: int = 0
    retries: int = 0

    def token(self, role: Role, organisation: str = "", region_code: str = "360000") -> str:
        key = (role, organisation or f"sim-{role.value}", region_code)
        with self._lock:
            if key not in self._tokens:
                self._tokens[key] = mint_token(
                    self.settings,
                    self.clock,
                    subject=f"simulation:{key[1]}",
                    role=role,
                    organisation=key[1],
                    region_code=region_code,
                    ttl=TOKEN_TTL,
                )
            return self._tokens[key]

    def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: Role | None = Role.admin,
        organisation: str = "",
        region_code: str = "360000",
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        accept: tuple[int, ...] = (),
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if role is not None:
            all_headers["Authorization"] = f"Bearer {self.token(role, organisation, region_code)}"
        deadline = time.monotonic() + self.retry_for_s
        retried = False
        while True:
            try:
                response = self._http.request(
                    method,
                    self.urls[service] + path,
                    json=json,
                    params=params,
                    headers=all_headers,
                )
            except httpx.TransportError:
                response = None
            with self._lock:
                self.calls += 1
            if response is not None and response.status_code not in RETRYABLE_STATUS:
                status = response.status_code
                if status < 400 or status in accept or (retried and status == 409):
                    return response
                raise ApiError(response)
            if time.monotonic() > deadline:
                if response is not None:
                    raise ApiError(response)
                raise RuntimeError(f"{service} unreachable for {self.retry_for_s:.0f} s")
            retried = True
            with self._lock:
                self.retries += 1
            time.sleep(0.5)
            if response is None:
                self._resync_clock(service)

    def get(self, service: str, path: str, **options: Any) -> Any:
        return self.request(service, "GET", path, **options).json()

    def post(self, service: str, path: str, body: Any = None, **options: Any) -> Any:
        response = self.request(service, "POST", path, json=body, **options)
        return response.json() if response.content else None

    # -- the shared simulated clock ------------------------------------------------

    def set_time(self, moment: datetime) -> None:
        """Move the simulation's clock and every service's clock to ``moment``."""
        self.clock.set(max(moment, self.clock.now()))
        for service in SERVICES:
            self._push_clock(service)

    def services_time(self) -> datetime:
        """The latest time any service's clock shows (a new run starts after it)."""
        latest = self.clock.now()
        for service in SERVICES:
            reading = self.get(service, "/admin/clock")
            if reading["mode"] != "controlled":
                raise RuntimeError(
                    f"{service} runs on the system clock; start it with CLOCK_MODE=controlled"
                )
            latest = max(latest, datetime.fromisoformat(reading["now"]))
        return latest

    def _push_clock(self, service: str) -> None:
        body = {"now": self.clock.now().isoformat()}
        # 409: the service is already later (e.g. restarted mid-run then set): harmless.
        self.request(service, "POST", "/admin/clock", json=body, accept=(409,))

    def _resync_clock(self, service: str) -> None:
        with contextlib.suppress(httpx.TransportError):
            self._http.post(
                self.urls[service] + "/admin/clock",
                json={"now": self.clock.now().isoformat()},
                headers={"Authorization": f"Bearer {self.token(Role.admin)}"},
            )

    def close(self) -> None:
        self._http.close()
