"""The four services: intake, rectification, evaluation, reporting."""
