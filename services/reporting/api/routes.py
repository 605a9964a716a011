"""Every router of the reporting API."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.api import audit, dashboard, public, reports


def register_routes(api: FastAPI) -> None:
    api.include_router(dashboard.router)
    api.include_router(public.router)
    api.include_router(audit.router)
    api.include_router(reports.router)
