"""What every route needs: the application object its handlers work on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.rectification.application.app import RectificationApp
from shared.kernel import application_dependency

AppDep = Annotated[RectificationApp, Depends(application_dependency(RectificationApp))]
