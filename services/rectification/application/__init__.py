"""Rectification's application layer: the command handlers and reads that the API,
the policy and the deadline timer all call, on ``RectificationApp``."""

from services.rectification.application.app import RectificationApp

__all__ = ["RectificationApp"]
