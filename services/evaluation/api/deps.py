"""What every evaluation route is given: the application its handlers work on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.evaluation.application.app import EvaluationApp
from shared.kernel import application_dependency

AppDep = Annotated[EvaluationApp, Depends(application_dependency(EvaluationApp))]
