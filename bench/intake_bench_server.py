"""The intake service's own app plus ``POST /bench/noop`` (same middleware, error
handlers and server), so the bench can compare a tip with a request that does nothing."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn

from services.intake.bootstrap import build_app
from shared.settings import get_settings


def main() -> None:
    settings = get_settings()
    app = build_app(settings)

    @app.post("/bench/noop", include_in_schema=False)
    async def noop(body: dict[str, object]) -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=settings.intake_port, log_level="warning")


if __name__ == "__main__":
    main()
