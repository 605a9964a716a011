"""What the evaluation service needs of the directory beyond the shared view: the
regulated entities a meeting in a region draws its representatives from."""

from __future__ import annotations

from shared.directory import DirectoryView
from shared.events.evaluation import PoolEntry
from shared.regions import jiangxi


class Directory(DirectoryView):
    def candidates(self, region_code: str) -> tuple[PoolEntry, ...]:
        """Regulated entities located in ``region_code`` or below, with their agencies."""
        regions = jiangxi()
        return tuple(
            PoolEntry(entity_id=e.entity_id, agency_ids=e.agency_ids)
            for e in sorted(self.entities.values(), key=lambda e: e.entity_id)
            if e.region_code in regions and regions.is_within(e.region_code, region_code)
        )
