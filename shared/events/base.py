"""Base class of every domain event payload."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

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
