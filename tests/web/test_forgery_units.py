"""Pure parts of the web app's safe defaults: anti-forgery tokens, origins, ids, numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.web.backend import BackendError
from services.web.csrf import Tokens, is_binding, new_binding
from services.web.forms import Form
from services.web.ids import is_aggregate_id, safe_path
from services.web.origin import (
    accepted_origins,
    claimed_origin,
    normalise,
    origin_accepted,
    serving_origin,
)
from services.web.pages.signin import safe_next

TEMPLATES = Path(__file__).resolve().parents[2] / "services" / "web" / "templates"


def test_a_token_is_valid_for_its_own_cookie_and_session_only() -> None:
    tokens = Tokens("a-test-secret-of-reasonable-length")
    mine, theirs = new_binding(), new_binding()
    before = tokens.mint(mine, None)
    assert tokens.check(before, mine, None)
    assert not tokens.check(before, theirs, None)
    # Once signed in, the token of the anonymous page no longer serves, nor another session's.
    assert not tokens.check(before, mine, "session-a")
    signed_in = tokens.mint(mine, "session-a")
    assert tokens.check(signed_in, mine, "session-a")
    assert not tokens.check(signed_in, mine, "session-b")


def test_a_token_needs_the_secret_and_is_not_malleable() -> None:
    binding = new_binding()
    token = Tokens("secret-one-secret-one").mint(binding, None)
    assert not Tokens("secret-two-secret-two").check(token, binding, None)
    tokens = Tokens("secret-one-secret-one")
    assert tokens.check(token, binding, None)
    for forged in ("", token[:-1], token + "A", token.swapcase(), "令牌" + token):
        assert not tokens.check(forged, binding, None)
    assert not tokens.check(None, binding, None)
    assert not tokens.check(token, None, None)
    with pytest.raises(ValueError):
        Tokens("")


def test_pre_session_values_are_random_and_checked_for_shape() -> None:
    values = {new_binding() for _ in range(50)}
    assert len(values) == 50 and all(is_binding(v) for v in values)
    for bad in (None, "", "short", "x" * 42 + "\x00", "é" * 43):
        assert not is_binding(bad)
    with pytest.raises(ValueError):
        Tokens("some-secret-value").mint("not a binding", None)


def test_origins_are_normalised() -> None:
    assert normalise("HTTP://Example.GOV.cn:80") == "http://example.gov.cn"
    assert normalise("https://example.gov.cn:443/path?q=1") == "https://example.gov.cn"
    assert normalise("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert normalise("https://[::1]:8443") == "https://[::1]:8443"
    for bad in (
        "null",
        "",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "http://x:99999",
    ):
        assert normalise(bad) is None
    assert serving_origin("http", "127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert serving_origin("https", "jx.gov.cn:443") == "https://jx.gov.cn"
    assert serving_origin("http", None) is None


def test_origin_is_named_by_origin_else_referer() -> None:
    own = frozenset({"http://127.0.0.1:8000"})
    assert origin_accepted({"origin": "http://127.0.0.1:8000"}, own)
    assert origin_accepted({"referer": "http://127.0.0.1:8000/workbench/tips?x=1"}, own)
    # A sibling origin of the same site (another port here, another subdomain in production).
    assert not origin_accepted({"origin": "http://127.0.0.1:9911"}, own)
    assert not origin_accepted({"referer": "http://127.0.0.1:9911/attack"}, own)
    # ``Origin`` wins over ``Referer``; ``null`` (sandboxed frames, no-referrer pages) is foreign.
    assert not origin_accepted(
        {"origin": "http://127.0.0.1:9911", "referer": "http://127.0.0.1:8000/"}, own
    )
    assert not origin_accepted({"origin": "null", "referer": "http://127.0.0.1:8000/"}, own)
    assert claimed_origin({}) is None
    assert not origin_accepted({}, own)


def test_configured_origins_replace_the_serving_one() -> None:
    serving = "http://10.0.0.5:8000"
    assert accepted_origins(["", ""], serving) == {serving}
    configured = accepted_origins(["https://jx.gov.cn", " https://www.jx.gov.cn ", ""], serving)
    assert configured == {"https://jx.gov.cn", "https://www.jx.gov.cn"}
    assert accepted_origins([], None) == frozenset()


def test_path_ids_with_controls_or_dot_segments_never_reach_a_backend_url() -> None:
    for good in ("/tips/tip-0123abcd", "/meetings/meet-web-1a2b/pool/freeze", "reports/summary"):
        assert safe_path(good)
    for bad in (
        "/tips/tip-1\x00",
        "/tips/tip-1\r\nX-Injected: 1",
        "/tips/..",
        "/tips/./accept",
        "/tips//accept",
        "/tips/tip 1",
        "/tips/tip-1?status=x",
        "/tips/tip-1#x",
        "/tips/" + "a" * 129,
        "/tips/\u202etip",
    ):
        assert not safe_path(bad), repr(bad)
    assert is_aggregate_id("tip-0123abcdef") and is_aggregate_id("ag-sim-360102-urban")
    for bad in ("tip-", "TIP-1", "360102", "tip-1/x", "tip-1\x00", "tip-" + "a" * 65):
        assert not is_aggregate_id(bad)


def test_form_numbers_are_checked_and_name_the_field() -> None:
    form = Form({"percent": ["40"], "blank": [""], "signed": ["-3"]})
    assert form.integer("percent", default=0) == 40
    assert form.integer("blank", default=7) == 7
    assert form.integer("missing", default=0) == 0
    assert form.integer("signed", default=0) == -3
    for typed in ("四十", "40%", "4e3", "1.5", "٤٠", "9" * 19):
        with pytest.raises(BackendError) as refused:
            Form({"percent": [typed]}).integer("percent", default=0)
        assert refused.value.status == 422 and refused.value.field == "percent"
        assert "percent" in refused.value.zh and "percent" in refused.value.en


def test_every_post_form_carries_the_token() -> None:
    forms = 0
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, flags=re.S):
            if 'method="post"' in form.split(">", 1)[0]:
                forms += 1
                assert 'name="csrf_token" value="{{ csrf_token }}"' in form, template.name
    assert forms >= 30


def test_sign_in_goes_on_to_a_path_of_this_site_only() -> None:
    for local in ("/workbench", "/workbench/tips?status=received", "/"):
        assert safe_next(local) == local
    for elsewhere in ("//evil.example", "/\\evil.example", "https://evil.example", "", "x"):
        assert safe_next(elsewhere) == "/workbench"
    assert safe_next("/a\r\nSet-Cookie: x=1") == "/workbench"
