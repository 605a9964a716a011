"""Reporting's figures against a ledger: every compared figure of the province, every
city and county, and every agency the ledger names, with exact equality."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from shared.actors import Role
from shared.regions import jiangxi

from .client import Api
from .ledger import differences

Expected = Mapping[str, Mapping[str, Mapping[str, float]]]


def reporting_differences(api: Api, expected: Expected) -> list[str]:
    found: list[str] = []
    auditor: dict[str, Any] = {"role": Role.auditor, "organisation": "au-360000"}
    regions = jiangxi()
    shown: dict[str, Mapping[str, float]] = {}
    for code in ["360000", *(c.code for c in regions.cities())]:
        view = api.get("reporting", f"/dashboard/regions/{code}", **auditor)
        shown[code] = view["figures"]
        for child in view["children"]:
            shown[child["region"]["code"]] = child["figures"]
    for code in sorted(set(shown) | set(expected["regions"])):
        for line in differences(expected["regions"].get(code, {}), shown.get(code, {})):
            found.append(f"region {code} {line}")
    for agency_id, figures in expected["agencies"].items():
        view = api.get("reporting", f"/dashboard/agencies/{agency_id}", **auditor)
        for line in differences(figures, view["figures"]):
            found.append(f"agency {agency_id} {line}")
    return found


def wait_for_reporting(api: Api, expected: Expected, timeout_s: float = 120.0) -> list[str]:
    """Poll until reporting shows exactly the expected figures; the differences left
    at the deadline (empty when it caught up)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = reporting_differences(api, expected)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(1.0)
