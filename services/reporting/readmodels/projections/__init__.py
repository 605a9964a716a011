"""Small projection functions, one per event type, found by the event's class.

Importing this package registers every projection module."""

from services.reporting.readmodels.projections import directory as directory
from services.reporting.readmodels.projections import evaluation as evaluation
from services.reporting.readmodels.projections import intake as intake
from services.reporting.readmodels.projections import rectification as rectification
from services.reporting.readmodels.projections.registry import PROJECTIONS as PROJECTIONS

__all__ = ["PROJECTIONS"]
