"""A meeting through real service processes with access logging on: the evaluation
service, reporting and the web app on a private broker. Representatives vote
through the web ballot page (the QR link's fragment, then form posts), a teller
casts one through the API, an unknown and a spoiled token are tried, the meeting
closes and publishes. Then every log file is scanned for every issued token and its
SHA-256 hash: none may appear (issue 14, item 2)."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.evaluation.domain.tokens import hash_token
from shared.actors import Role
from shared.auth import mint_token
from shared.clock import SystemClock
from shared.settings import Settings
from simulation.system import ROOT, System, free_port, private_broker
from tests.evaluation.directory_data import publish_directory

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

SERVICES = ("evaluation", "reporting", "web")
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class LoggedSystem(System):
    """The services at log level ``info``: uvicorn writes an access-log line per request."""

    def start(self, service: str) -> None:
        self.log_path(service).parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path(service).open("ab")
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", service, "--log-level", "info"],
            cwd=ROOT,
            env=self.service_env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoggedSystem]:
    secret = secrets.token_urlsafe(48)
    with private_broker() as bootstrap:
        ports = {s: free_port() for s in SERVICES}
        env = {
            "CLOCK_MODE": "system",
            "JWT_SECRET": secret,
            "WEB_PORT": str(ports["web"]),
            "WEB_DEV_SIGN_IN": "false",
        }
        started = LoggedSystem(bootstrap, tmp_path_factory.mktemp("ballot-logs"), env, ports)
        from shared.kafka.admin import ensure_topics

        ensure_topics(started.settings)
        try:
            for service in SERVICES:
                started.start(service)
            started.wait_healthy(SERVICES)
            yield started
        finally:
            started.stop_all()


def _settings(system: LoggedSystem) -> Settings:
    return system.settings.model_copy(
        update={"jwt_secret": system.env["JWT_SECRET"], "clock_mode": "system"}
    )


def _office(settings: Settings) -> dict[str, str]:
    token = mint_token(
        settings,
        SystemClock(),
        subject="legal_office@office-360100",
        role=Role.legal_office,
        organisation="office-360100",
        region_code="360100",
    )
    return {"Authorization": f"Bearer {token}"}


def _form_fields(html: str) -> dict[str, str]:
    """Hidden fields the page carries (the token, and whatever else a form needs)."""
    return dict(HIDDEN.findall(html))


def _vote_on_the_web(web: httpx.Client, token: str, agencies: list[str]) -> httpx.Response:
    # What a phone does with the QR link: GET the page (the fragment stays in the
    # browser), then the page's script posts the token from the fragment.
    entry = web.get("/ballot")
    assert entry.status_code == 200 and 'name="token"' in entry.text
    opened = web.post("/ballot", data={**_form_fields(entry.text), "token": token})
    assert opened.status_code == 200, opened.text[-500:]
    fields = _form_fields(opened.text)
    assert fields["token"] == token
    body: dict[str, str | list[str]] = {**fields, "agency": agencies, "comments": "总体不错"}
    for agency in agencies:
        body[f"rating-{agency}"] = "satisfied"
        body[f"comment-{agency}"] = "态度好"
    return web.post("/ballot/cast", data=body)


def test_no_log_line_carries_a_ballot_token_or_its_hash(system: LoggedSystem) -> None:
    settings = _settings(system)
    directory = publish_directory(settings, strata={"a": 12})
    (agency,) = list(directory.agencies)
    office = _office(settings)
    api = httpx.Client(base_url=system.urls["evaluation"], headers=office, timeout=30)
    web_url = f"http://127.0.0.1:{system.ports['web']}"
    web = httpx.Client(base_url=web_url, headers={"Origin": web_url}, timeout=30)
    meeting_id = f"meet-logs-{secrets.token_hex(4)}"
    schedule = {
        "meeting_id": meeting_id,
        "campaign_id": directory.campaign_id,
        "region_code": "360100",
        "agency_ids": [agency],
        "held_on": "2017-02-10",
        "place": "南昌市政府第一会议室",
        "representatives": 8,
        "reserve_size": 2,
        "reason_for_fewer": "日志扫描测试",
    }
    for _ in range(100):  # the directory reaches the service asynchronously
        created = api.post("/meetings", json=schedule)
        if created.status_code == 201:
            break
        assert created.status_code == 422, created.text
        time.sleep(0.3)
    assert created.status_code == 201, created.text
    assert api.post(f"/meetings/{meeting_id}/pool/freeze").status_code == 200
    drawn = api.post(f"/meetings/{meeting_id}/draw", json={"randomness": "07 11 23"}).json()
    attendees = {"attendee_entity_ids": drawn["representatives"]}
    assert api.post(f"/meetings/{meeting_id}/attendance", json=attendees).status_code == 200
    issued = api.post(f"/meetings/{meeting_id}/ballots")
    assert issued.status_code == 201, issued.text
    ballots = issued.json()["ballots"]
    tokens = [b["token"] for b in ballots]
    assert all(b["ballot_url"].endswith("#" + b["token"]) for b in ballots)
    slips = api.post(f"/meetings/{meeting_id}/ballots/slips", json={"tokens": tokens[:2]})
    assert slips.status_code == 200
    assert api.post("/ballots/qr.svg", json={"token": tokens[0]}).status_code == 200

    for token in tokens[:6]:
        cast = _vote_on_the_web(web, token, [agency])
        assert cast.status_code == 200 and 'data-ballot-outcome="accepted"' in cast.text
    entry = _form_fields(web.get("/ballot").text)  # whatever the form carries besides
    again = web.post("/ballot", data={**entry, "token": tokens[0]})  # a second use is refused
    assert again.status_code == 409 and 'data-ballot-outcome="refused"' in again.text
    unknown = "Zz" + secrets.token_urlsafe(16)
    tokens.append(unknown)
    refused = web.post("/ballot", data={**entry, "token": unknown})
    assert refused.status_code in (403, 404) and unknown not in refused.text
    teller = api.post(
        "/ballots/cast",
        json={"token": tokens[6], "ratings": [{"agency_id": agency, "rating": "dissatisfied"}]},
    )
    assert teller.status_code == 200, teller.text
    spoiled = api.post(f"/meetings/{meeting_id}/ballots/spoil", json={"token": tokens[7]})
    assert spoiled.status_code == 200, spoiled.text
    lookup = httpx.post(
        f"{system.urls['evaluation']}/ballots/lookup", json={"token": tokens[7]}, timeout=30
    )
    assert lookup.json()["state"] == "spoiled"
    tally = api.post(f"/meetings/{meeting_id}/close")
    assert tally.status_code == 200 and tally.json()["valid_ballots"] == 7
    assert api.post(f"/meetings/{meeting_id}/publish").status_code == 200
    public = httpx.get(f"{system.urls['evaluation']}/meetings/{meeting_id}/results", timeout=30)
    assert public.json()["results"][0]["valid"] == 7
    api.close()
    web.close()
    system.stop_all()  # every line flushed

    logs = sorted(Path(system.data_dir, "log").glob("*.log"))
    assert {p.stem for p in logs} == set(SERVICES)
    secrets_to_find = {t: t for t in tokens} | {hash_token(t): f"hash of {t}" for t in tokens}
    access_lines = 0
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace")
        access_lines += text.count('HTTP/1.1"')
        found = [what for needle, what in secrets_to_find.items() if needle in text]
        assert not found, f"{log.name} carries {found[:3]}"
    # The scan means something only if the requests were logged at all.
    assert access_lines > 20
    evaluation_log = Path(system.data_dir, "log", "evaluation.log").read_text(encoding="utf-8")
    assert "POST /ballots/cast" in evaluation_log and "POST /ballots/lookup" in evaluation_log
