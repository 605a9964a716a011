"""The figures the public sees for a region, and a cache of them.

What counts: evaluation figures only from meetings whose results were published, and a
look-back only once the result it follows is published for that agency. A look-back
opens when a meeting closes; counted before publication, it would tell the public
which agency fared badly before the results say so.

The cache: the read models change only when the projector commits, and it commits the
offsets it has read with the rows they produced. The stored offsets therefore say
whether anything changed; while they stay the same, a region's figures are served
from memory and the subjects are not read again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from sqlalchemy import Connection, and_, case, func, literal, select

from services.reporting.readmodels import schema
from services.reporting.readmodels.figures import load_groups, raw_by_region, region_scope
from services.reporting.readmodels.metrics import PUBLIC_PREFIXES, Figures, Group, derive
from services.reporting.readmodels.unit_of_work import read_offsets
from shared.regions import jiangxi

RegionFigures = tuple[Figures, dict[str, Figures]]
Offsets = tuple[tuple[str, int, int], ...]

_EVALUATION_KINDS = ("meeting", "evaluation_result")


def _public(figures: Figures) -> Figures:
    return {k: v for k, v in figures.items() if k.startswith(PUBLIC_PREFIXES)}


def published_lookbacks(conn: Connection, region_codes: Iterable[str]) -> list[Group]:
    """Look-backs grouped like :func:`load_groups`, each counted only if the result it
    follows (its meeting's row for its agency) is published."""
    lookback = schema.subjects.alias("lookback")
    result = schema.subjects.alias("result")
    agency = schema.agencies
    region = case(
        (lookback.c.region_code != "", lookback.c.region_code), else_=agency.c.region_code
    )
    result_key = (
        literal("evaluation_result:") + lookback.c.ref + literal(":") + lookback.c.agency_id
    )
    query = (
        select(
            region.label("region_code"),
            lookback.c.agency_id,
            lookback.c.status,
            func.count().label("count"),
        )
        .select_from(
            lookback.join(
                result, and_(result.c.subject == result_key, result.c.published == 1)
            ).outerjoin(agency, agency.c.agency_id == lookback.c.agency_id)
        )
        .where(lookback.c.kind == "lookback", region.in_(sorted(set(region_codes))))
        .group_by(region, lookback.c.agency_id, lookback.c.status)
    )
    return [
        Group(
            region_code=str(row["region_code"]),
            agency_id=str(row["agency_id"]),
            kind="lookback",
            status=str(row["status"]),
            published=1,
            count=int(row["count"]),
        )
        for row in conn.execute(query).mappings()
    ]


def public_figures(conn: Connection, region_code: str) -> RegionFigures:
    """The region's and its children's published figures (one scan of the region)."""
    scope = region_scope(region_code)
    groups = [
        g
        for g in load_groups(conn, region_codes=scope)
        if g.kind != "lookback" and (g.kind not in _EVALUATION_KINDS or g.published)
    ]
    groups += published_lookbacks(conn, scope)
    rolled = raw_by_region(groups)
    children = {
        child.code: _public(derive(rolled.get(child.code, {})))
        for child in jiangxi().children(region_code)
    }
    return _public(derive(rolled.get(region_code, {}))), children


def committed_offsets(conn: Connection) -> Offsets:
    return tuple(sorted((t, p, o) for (t, p), o in read_offsets(conn).items()))


class PublicFiguresCache:
    """Public figures per (database, region), valid while the stored offsets are those
    they were computed at. Bounded: the least recently used region goes first."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str], tuple[Offsets, RegionFigures]] = OrderedDict()
        self._lock = threading.Lock()

    def figures(self, conn: Connection, region_code: str) -> RegionFigures:
        # The offsets are read first, in the same transaction as the figures: the
        # figures are at least as new as the offsets they are filed under, so a later
        # commit always shows as a change of offsets.
        offsets = committed_offsets(conn)
        key = (conn.engine.url.render_as_string(hide_password=True), region_code)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and cached[0] == offsets:
                self._entries.move_to_end(key)
                return cached[1]
        computed = public_figures(conn, region_code)
        with self._lock:
            self._entries[key] = (offsets, computed)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return computed
