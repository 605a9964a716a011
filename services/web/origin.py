"""Which origin a state-changing request comes from, and whether the web app accepts it.

Browsers send ``Origin`` on every POST; ``Referer`` is the fallback for the few that
do not. A request that names neither is refused: every browser names one, so only a
forged or stripped request lacks both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise(url: str) -> str | None:
    """``scheme://host[:port]`` in lower case without the scheme's default port, or
    None for anything that is not an http(s) origin (``null`` included)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def serving_origin(scheme: str, host_header: str | None) -> str | None:
    """The origin this request was served on (after trusted proxy headers)."""
    if not host_header:
        return None
    return normalise(f"{scheme}://{host_header}")


def accepted_origins(configured: Iterable[str], serving: str | None) -> frozenset[str]:
    """The configured public origins; when none is configured, the serving origin."""
    named = frozenset(o for o in (normalise(c) for c in configured if c.strip()) if o)
    if named:
        return named
    return frozenset({serving}) if serving else frozenset()


def claimed_origin(headers: Mapping[str, str]) -> str | None:
    """The origin the browser says the request comes from (``Origin``, else the origin
    of ``Referer``); None when it says nothing usable."""
    origin = headers.get("origin")
    if origin is not None:
        return normalise(origin)
    referer = headers.get("referer")
    return normalise(referer) if referer else None


def origin_accepted(headers: Mapping[str, str], accepted: frozenset[str]) -> bool:
    claimed = claimed_origin(headers)
    return claimed is not None and claimed in accepted
