"""Shared building blocks of the API's answers."""

from __future__ import annotations

from sqlalchemy import Connection, select

from services.reporting.api.models import AgencyRef, RegionRef
from services.reporting.readmodels import schema
from services.reporting.readmodels.consumer import stored_offsets
from shared.regions import jiangxi


def region_ref(code: str) -> RegionRef:
    region = jiangxi().get(code)
    return RegionRef(code=region.code, name=region.name, level=region.level.value)


def offsets(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(schema.offsets)).all()
    return {f"{r.topic}:{r.partition}": r.next_offset for r in sorted(rows)}


def agency_ref(row: dict[str, object]) -> AgencyRef:
    return AgencyRef(
        agency_id=str(row["agency_id"]),
        name=str(row["name"]),
        region_code=str(row["region_code"]),
        level=str(row["level"]),
        sector=str(row["sector"]),
    )


def agency_row(conn: Connection, agency_id: str) -> dict[str, object] | None:
    row = (
        conn.execute(select(schema.agencies).where(schema.agencies.c.agency_id == agency_id))
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


__all__ = ["agency_ref", "agency_row", "offsets", "region_ref", "stored_offsets"]
