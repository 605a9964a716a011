"""Rate limits on the public routes: the client address seen through trusted proxies
only, limits shared by every process of intake through one store, on the wall clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.intake.bootstrap import build_app
from services.intake.client_address import TrustedProxies
from services.intake.rate_limit_store import SqlStorage, counters
from services.intake.throttle import RateLimits, budget_key
from shared.actors import Role
from shared.clock import SimulatedClock
from shared.errors import Throttled
from shared.settings import Settings

from .conftest import Headers
from .helpers import START, World, tip_body
from .test_api_tips import other_valid_code

PROXY = "10.20.0.2"
ATTACKER = "203.0.113.66"

# -- the client address ------------------------------------------------------------------


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    proxies = TrustedProxies.parse(PROXY)
    assert proxies.client_of(ATTACKER, ["198.51.100.1"]) == ATTACKER
    assert proxies.client_of(ATTACKER, []) == ATTACKER
    assert TrustedProxies.parse("").client_of("127.0.0.1", ["198.51.100.1"]) == "127.0.0.1"


def test_a_trusted_proxy_forwards_the_right_most_untrusted_hop() -> None:
    proxies = TrustedProxies.parse(f"{PROXY}, 10.30.0.0/16")
    # The client wrote the first hop itself; the proxies appended the rest.
    assert proxies.client_of(PROXY, ["6.6.6.6, 198.51.100.7"]) == "198.51.100.7"
    assert proxies.client_of(PROXY, ["6.6.6.6", "198.51.100.7, 10.30.4.5"]) == "198.51.100.7"
    assert proxies.client_of(PROXY, ["[2001:db8::5]:443"]) == "2001:db8::5"
    assert proxies.client_of(PROXY, ["10.30.0.9"]) == "10.30.0.9"  # only proxies: the first
    assert proxies.client_of(PROXY, []) == PROXY
    assert proxies.client_of(PROXY, ["198.51.100.7, not-an-address"]) == PROXY


def test_an_ipv6_host_spends_one_budget_for_its_whole_64() -> None:
    assert budget_key("2001:db8:1:2::5") == budget_key("2001:db8:1:2:ffff::9")
    assert budget_key("2001:db8:1:2::5") != budget_key("2001:db8:1:3::5")
    assert budget_key("198.51.100.7") != budget_key("198.51.100.8")
    assert budget_key("testclient") == "testclient"


def test_a_malformed_trusted_proxies_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        TrustedProxies.parse("10.0.0.1, web-app")


# -- the store ---------------------------------------------------------------------------


def test_two_limiters_on_one_store_share_the_budget(tmp_path: Path) -> None:
    import asyncio

    url = f"sqlite:///{tmp_path / 'ratelimits.db'}"
    # Windows of a day: the sliding window weighs the previous window in, so a run that
    # straddled a window's end could let one more through; a day makes that negligible.
    first, second = (RateLimits(url, tips="3/day", lookup_failures="2/day") for _ in "ab")

    async def play() -> None:
        await first.tip_submitted("198.51.100.1")
        await second.tip_submitted("198.51.100.1")
        await first.tip_submitted("198.51.100.1")
        with pytest.raises(Throttled) as refused:
            await second.tip_submitted("198.51.100.1")
        assert 0 < refused.value.retry_after <= 86400
        assert refused.value.zh and refused.value.en
        await second.tip_submitted("198.51.100.2")  # another client has its own budget

    asyncio.run(play())


def test_expired_counters_are_pruned(tmp_path: Path) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'ratelimits.db'}")
    with storage.engine.begin() as connection:
        connection.execute(
            counters.insert(),
            [{"key": f"old-{n}", "count": 1, "expires_at": 0.0} for n in range(50)],
        )
    for n in range(200):
        storage.incr(f"new-{n % 3}", 60)
    with storage.engine.connect() as connection:
        keys = {row[0] for row in connection.execute(counters.select())}
    assert keys == {"new-0", "new-1", "new-2"}
    assert storage.get("new-0") == 67 and storage.get("old-1") == 0


# -- on the running service --------------------------------------------------------------


@pytest.fixture
def app_settings(broker_settings: Settings, tmp_path: Path) -> Settings:
    return broker_settings.model_copy(
        update={
            "data_dir": tmp_path / "one",
            "rate_limit_url": f"sqlite:///{tmp_path / 'shared-ratelimits.db'}",
            "trusted_proxies": PROXY,
            "intake_tip_limit": "3/day",
            "intake_lookup_failure_limit": "5/day",
        }
    )


def _client(settings: Settings, peer: str) -> TestClient:
    return TestClient(build_app(settings, SimulatedClock(START)), client=(peer, 40000))


@pytest.fixture
def from_attacker(app_settings: Settings, world: World) -> Iterator[TestClient]:
    with _client(app_settings, ATTACKER) as client:
        yield client


def _lookup(client: TestClient, code: str, forwarded: str = "") -> Any:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/tips/status", json={"receipt_code": code}, headers=headers)


def test_rotating_x_forwarded_for_from_an_untrusted_peer_is_stopped(
    from_attacker: TestClient, world: World
) -> None:
    code = from_attacker.post("/tips", json=tip_body(world)).json()["receipt_code"]
    answers = [
        _lookup(from_attacker, other_valid_code(code), f"198.51.100.{n}").status_code
        for n in range(1, 31)
    ]
    assert answers[:5] == [404] * 5 and set(answers[5:]) == {429}
    refused = _lookup(from_attacker, code, "198.51.100.99")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    detail = refused.json()["detail"]
    assert detail["message_zh"] and detail["message_en"] and detail["code"] == "throttled"


def test_a_trusted_proxys_clients_are_limited_separately(
    app_settings: Settings, world: World
) -> None:
    with _client(app_settings, PROXY) as proxy:
        code = proxy.post(
            "/tips", json=tip_body(world), headers={"X-Forwarded-For": "198.51.100.50"}
        ).json()["receipt_code"]
        guesser = "6.6.6.6, 198.51.100.40"  # the first hop is the guesser's own forgery
        for _ in range(5):
            assert _lookup(proxy, other_valid_code(code), guesser).status_code == 404
        assert _lookup(proxy, other_valid_code(code), guesser).status_code == 429
        assert _lookup(proxy, code, "7.7.7.7, 198.51.100.40").status_code == 429
        # The owner of the code, behind the same proxy, is not locked out.
        owner = _lookup(proxy, code, "198.51.100.50")
        assert owner.status_code == 200 and owner.json()["status"] == "received"


def test_tips_are_limited_per_client_across_two_instances(
    app_settings: Settings, world: World, tmp_path: Path, as_role: Headers
) -> None:
    other = app_settings.model_copy(update={"data_dir": tmp_path / "two"})
    with _client(app_settings, PROXY) as first, _client(other, PROXY) as second:
        citizen = {"X-Forwarded-For": "198.51.100.77"}
        statuses = [
            client.post("/tips", json=tip_body(world), headers=citizen).status_code
            for client in (first, second, first, second)
        ]
        assert statuses == [201, 201, 201, 429]
        refused = second.post("/tips", json=tip_body(world), headers=citizen)
        assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 86400
        assert "tips" in refused.json()["detail"]["message_en"]
        neighbour = {"X-Forwarded-For": "198.51.100.78"}
        assert first.post("/tips", json=tip_body(world), headers=neighbour).status_code == 201
        # Officers filing what came in by phone or letter are not the public's budget.
        officer = {**citizen, **as_role(Role.intake_officer, "360102")}
        assert second.post("/tips", json=tip_body(world), headers=officer).status_code == 201
