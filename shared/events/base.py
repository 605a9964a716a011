"""Base class of every domain event payload."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from shared.envelope import CloudEvent
from shared.ids import new_event_id

TYPE_PREFIX = "cn.gov.jiangxi.fairenforcement"


class DomainEvent(BaseModel):
    """A fact that happened. Subclasses set ``name`` (``<service>.<EventName>``)
    and ``version``; the CloudEvents ``type`` is ``<prefix>.<name>.v<version>``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ClassVar[str] = ""
    version: ClassVar[int] = 1

    @classmethod
    def type_string(cls) -> str:
        return f"{TYPE_PREFIX}.{cls.name}.v{cls.version}"

    @classmethod
    def schema_id(cls) -> str:
        return f"urn:jiangxi-fair-enforcement:schema:{cls.name}.v{cls.version}"

    @classmethod
    def service(cls) -> str:
        return cls.name.split(".", 1)[0]

    def enveloped(
        self,
        subject: str,
        sequence: int,
        time: datetime,
        *,
        source: str = "",
        event_id: str = "",
        campaignid: str = "",
        regioncode: str = "",
        actor: str = "",
        correlationid: str = "",
        causationid: str = "",
    ) -> CloudEvent:
        """This event in its envelope: the ``sequence``-th of ``subject`` (which keys
        it), from ``source`` (its own service's, unless given), with a fresh id unless
        one is given."""
        return CloudEvent(
            id=event_id or new_event_id(),
            source=source or f"/{self.service()}",
            type=self.type_string(),
            subject=subject,
            time=time,
            dataschema=self.schema_id(),
            data=self.model_dump(mode="json"),
            sequence=sequence,
            partitionkey=subject,
            campaignid=campaignid,
            regioncode=regioncode,
            actor=actor,
            correlationid=correlationid,
            causationid=causationid,
        )
