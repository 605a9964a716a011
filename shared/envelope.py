"""The CloudEvents 1.0 envelope every event travels in (structured JSON mode)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

CONTENT_TYPE = "application/cloudevents+json"


class CloudEvent(BaseModel):
    """One event as it appears on a topic. ``subject`` is the aggregate id and
    equals ``partitionkey`` and the Kafka message key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    time: AwareDatetime  # RFC 3339 with an offset
    dataschema: str
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    # Extensions (CloudEvents extension attributes must be lower-case alphanumerics).
    sequence: int = Field(ge=1)
    partitionkey: str = Field(min_length=1)
    campaignid: str = ""
    regioncode: str = ""
    actor: str = ""
    correlationid: str = ""
    causationid: str = ""

    @model_validator(mode="after")
    def _key_is_subject(self) -> CloudEvent:
        if self.partitionkey != self.subject:
            raise ValueError("partitionkey must equal subject (the aggregate id)")
        return self
