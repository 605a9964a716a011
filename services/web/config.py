"""What the web application fronts: the four services (their URLs come from
``Settings.backend_urls``), and how large a request it reads."""

from __future__ import annotations

from shared.settings import SERVICE_PORTS

BACKENDS = tuple(SERVICE_PORTS)

# A page's form: the largest field is a finding of 8000 characters, up to 72 KB once
# percent-encoded; anything far beyond that is not a form of this application.
MAX_FORM_BYTES = 128 * 1024
# The /api proxy passes JSON to the services, which cap each of their routes themselves.
MAX_PROXY_BYTES = 1024 * 1024
