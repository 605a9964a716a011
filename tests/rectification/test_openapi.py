"""The OpenAPI document describes every action, in Chinese and English."""

from __future__ import annotations

from services.rectification.bootstrap import build_app
from shared.settings import Settings

ACTIONS = {
    ("get", "/items"),
    ("get", "/agencies/{agency_id}/items"),
    ("get", "/regions/{region_code}/items"),
    ("get", "/items/{item_id}"),
    ("post", "/items/{item_id}/responsible-person"),
    ("post", "/items/{item_id}/progress"),
    ("post", "/items/{item_id}/completion"),
    ("post", "/items/{item_id}/verification"),
    ("post", "/items/{item_id}/return"),
    ("post", "/items/{item_id}/extension-request"),
    ("post", "/items/{item_id}/extension-request/approval"),
    ("post", "/items/{item_id}/extension-request/decline"),
    ("post", "/cases"),
    ("get", "/cases"),
    ("get", "/cases/{case_id}"),
    ("post", "/cases/{case_id}/referrals"),
    ("post", "/cases/{case_id}/referrals/{referral_id}/acknowledgement"),
    ("post", "/cases/{case_id}/exposure"),
    ("post", "/cases/{case_id}/accountability"),
    ("post", "/regulations"),
    ("get", "/regulations"),
}


def test_every_action_is_documented_bilingually(settings: Settings) -> None:
    document = build_app(settings).openapi()
    operations = {
        (method, path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) >= ACTIONS
    for key in ACTIONS:
        summary = operations[key]["summary"]
        assert " / " in summary and any("\u4e00" <= ch <= "\u9fff" for ch in summary), key
        assert "200" in operations[key]["responses"] or "201" in operations[key]["responses"]
    item_schema = document["components"]["schemas"]["ItemView"]["properties"]
    assert {"responsible_unit", "responsible_person", "due_on", "overdue"} <= set(item_schema)
