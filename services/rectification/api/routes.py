"""Every router of the service, mounted in one place."""

from __future__ import annotations

from fastapi import FastAPI

from services.rectification.api import cases, items, public, regulations


def include(api: FastAPI) -> None:
    api.include_router(items.router)
    api.include_router(cases.router)
    api.include_router(regulations.router)
    api.include_router(public.router)
