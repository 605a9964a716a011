"""Every event type of the platform. Importing this package registers them all."""

from shared.events import directory as directory
from shared.events import evaluation as evaluation
from shared.events import intake as intake
from shared.events import rectification as rectification
