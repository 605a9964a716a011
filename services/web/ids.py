"""Ids taken from a URL or a form, checked before they become part of a backend URL.

A NUL, CR or ``..`` in a path segment would otherwise reach httpx (``InvalidURL``, a
500) or another endpoint of the service; such an id is simply not found."""

from __future__ import annotations

import re

# An aggregate's id: its kind, a hyphen, then letters, digits, ``_`` and ``-``
# (``tip-…``, ``rect-…``, ``case-…``, ``meet-…``, ``ag-…``).
AGGREGATE_ID = re.compile(r"[a-z]+-[A-Za-z0-9_-]{1,64}")
# A segment of any path the web app asks a service for: no dot segments, no controls.
SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.~-]{0,127}")


def is_aggregate_id(value: str) -> bool:
    return AGGREGATE_ID.fullmatch(value) is not None


def safe_path(path: str) -> bool:
    """Whether every segment of ``path`` (``/a/b``, or ``a/b`` for the proxy) may go into
    a backend URL as it is."""
    segments = path.removeprefix("/").split("/")
    return all(SEGMENT.fullmatch(segment) is not None for segment in segments)
