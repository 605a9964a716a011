"""What every route needs: the application object its handlers work on, and the
signed-in actor who asks (``ACTING``: both, for ``shared.routes.post_action``); the
region a list may be narrowed to."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from services.rectification.application.app import RectificationApp
from shared.auth import CurrentActor
from shared.kernel import application_dependency

AppDep = Annotated[RectificationApp, Depends(application_dependency(RectificationApp))]
ACTING = {"actor": CurrentActor, "app": AppDep}
RegionQuery = Annotated[str | None, Query(pattern=r"^\d{6}$")]
