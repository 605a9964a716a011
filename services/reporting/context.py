"""What the reporting API reads from: the live read-model engine and its projector."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from services.reporting.readmodels.consumer import Projector
from shared.clock import Clock
from shared.errors import NotFound
from shared.settings import Settings

LIVE = "live"
_REPLAY_ID = re.compile(r"^replay-[0-9a-f]{12}$")


@dataclass
class ReportingContext:
    settings: Settings
    clock: Clock
    engine: Engine
    projector: Projector
    thread: threading.Thread | None = None
    replays: dict[str, str] = field(default_factory=dict)  # replay id -> database url

    def build_url(self, build: str) -> str:
        """The database of ``build``: ``live`` or an audit replay's id."""
        if build == LIVE:
            return self.settings.resolved_readmodel_url
        url = self.replays.get(build)
        if url is None and _REPLAY_ID.match(build):
            # a replay made before this process started is still on disk
            path = self.replay_dir / f"{build}.db"
            url = f"sqlite:///{path}" if path.exists() else None
        if url is None:
            raise NotFound(f"未找到重放 {build}", f"replay {build} not found", field="build")
        return url

    @property
    def replay_dir(self) -> Path:
        path = (self.settings.data_dir / "replays").resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path
