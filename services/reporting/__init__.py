"""The reporting service: read models, dashboards, audit replay, summary reports."""
