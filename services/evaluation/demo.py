"""Demo data for ``./dev start --demo``: one evaluation meeting in 东湖区 (360102)
run through the API from scheduling to published results, with a look-back.

Runs after the directory demo (intake) has published the sample agencies and
entities; it waits until the evaluation service has received them."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import httpx

from shared.actors import Role
from shared.auth import bearer_header
from shared.settings import Settings

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
MEETING_ID = "meet-demo-360102"
REGION = "360102"
RANDOMNESS = "2017-02-06 体彩排列3 第17032期 5 2 8"


def demo_agencies(region: str = REGION) -> list[str]:
    with (SAMPLES / "agencies.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row["agency_id"] for row in csv.DictReader(handle) if row["region_code"] == region]


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return response.json()


def _rating(voter: int, position: int) -> str:
    # The first agency draws many dissatisfied votes, so the demo opens a look-back.
    if position == 0:
        return "dissatisfied" if voter % 3 else "basically_satisfied"
    return ("satisfied", "satisfied", "basically_satisfied", "dissatisfied")[(voter + position) % 4]


def load(settings: Settings, client: httpx.Client | None = None, wait_s: float = 60.0) -> None:
    own_client = client is None
    http = client or httpx.Client(
        base_url=f"http://{settings.http_host}:{settings.port_of('evaluation')}", timeout=30
    )
    office = bearer_header(
        settings, Role.legal_office, "lo-360102", REGION, subject="demo@lo-360102"
    )
    try:
        if http.get(f"/meetings/{MEETING_ID}", headers=office).status_code == 200:
            print(f"evaluation: {MEETING_ID} already loaded")
            return
        agencies = demo_agencies()
        body = {
            "meeting_id": MEETING_ID,
            "campaign_id": settings.default_campaign_id,
            "region_code": REGION,
            "agency_ids": agencies,
            "held_on": "2017-02-10",
            "place": "东湖区人民政府三楼会议室",
            "representatives": 30,
            "reserve_size": 10,
        }
        deadline = time.monotonic() + wait_s
        while True:  # the directory reaches the service asynchronously
            response = http.post("/meetings", json=body, headers=office)
            if response.status_code != 422 or time.monotonic() > deadline:
                _ok(response)
                break
            time.sleep(1)
        _ok(http.post(f"/meetings/{MEETING_ID}/pool/freeze", headers=office))
        drawn = _ok(
            http.post(
                f"/meetings/{MEETING_ID}/draw",
                headers=office,
                json={"randomness": RANDOMNESS, "randomness_source": "体彩排列3"},
            )
        )
        declined = drawn["representatives"][0]
        replaced = _ok(
            http.post(
                f"/meetings/{MEETING_ID}/replacements",
                headers=office,
                json={"entity_id": declined, "reason": "外出 / away"},
            )
        )
        attendees = replaced["representatives"][:-2]
        _ok(
            http.post(
                f"/meetings/{MEETING_ID}/attendance",
                headers=office,
                json={"attendee_entity_ids": attendees},
            )
        )
        tokens = [
            b["token"]
            for b in _ok(http.post(f"/meetings/{MEETING_ID}/ballots", headers=office))["ballots"]
        ]
        for voter, ballot_token in enumerate(tokens[:-2]):
            ratings = [
                {"agency_id": a, "rating": _rating(voter, i)} for i, a in enumerate(agencies)
            ]
            problems = (
                [
                    {
                        "agency_id": agencies[0],
                        "description": "征收补偿标准不公开 / undisclosed rates",
                    }
                ]
                if voter % 5 == 0
                else []
            )
            body = {"token": ballot_token, "ratings": ratings, "problems": problems}
            _ok(http.post("/ballots/cast", json=body))
        _ok(
            http.post(
                f"/meetings/{MEETING_ID}/ballots/spoil",
                headers=office,
                json={"token": tokens[-1], "reason": "空白票 / blank"},
            )
        )
        tally = _ok(http.post(f"/meetings/{MEETING_ID}/close", headers=office))
        _ok(http.post(f"/meetings/{MEETING_ID}/publish", headers=office))
        print(
            f"evaluation: {MEETING_ID} published ({tally['valid_ballots']} valid ballots, "
            f"{len(tally['lookbacks'])} look-back(s) opened)"
        )
    finally:
        if own_client:
            http.close()
