"""Evaluation's application layer: the command handlers that the API calls (and any
policy or timer would), on ``EvaluationApp``. Handlers take plain values and the
actor, check who may act, and run commands through the event store."""
