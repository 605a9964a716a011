"""What may be asked of a rectification item: each command carries the actor and the
time it is decided at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.actors import Actor
from shared.events.directory import CampaignRules
from shared.events.intake import ProblemFound
from shared.events.rectification import EvidenceRef


@dataclass(frozen=True)
class OpenItem:
    problem: ProblemFound
    rules: CampaignRules
    rectification_starts_on: date
    rectification_ends_on: date
    rules_known: bool
    at: datetime


@dataclass(frozen=True)
class NameResponsiblePerson:
    actor: Actor
    responsible_person: str
    at: datetime


@dataclass(frozen=True)
class ReportProgress:
    actor: Actor
    note: str
    percent: int
    evidence: tuple[EvidenceRef, ...]
    at: datetime


@dataclass(frozen=True)
class CompleteItem:
    actor: Actor
    measures: str
    evidence: tuple[EvidenceRef, ...]
    at: datetime


@dataclass(frozen=True)
class VerifyItem:
    actor: Actor
    note: str
    at: datetime


@dataclass(frozen=True)
class ReturnItem:
    actor: Actor
    reasons: str
    at: datetime


@dataclass(frozen=True)
class RequestExtension:
    actor: Actor
    due_on: date
    reason: str
    at: datetime


@dataclass(frozen=True)
class ApproveExtension:
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class DeclineExtension:
    actor: Actor
    reasons: str
    at: datetime


@dataclass(frozen=True)
class CheckDeadline:
    """Issued by the deadline watcher with the injected clock's time."""

    at: datetime


ItemCommand = (
    OpenItem
    | NameResponsiblePerson
    | ReportProgress
    | CompleteItem
    | VerifyItem
    | ReturnItem
    | RequestExtension
    | ApproveExtension
    | DeclineExtension
    | CheckDeadline
)
