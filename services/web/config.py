"""What the web application fronts: the four services (their URLs come from
``Settings.backend_urls``)."""

from __future__ import annotations

from shared.settings import SERVICE_PORTS

BACKENDS = tuple(SERVICE_PORTS)
