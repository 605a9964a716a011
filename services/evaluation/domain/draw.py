"""The verifiable random draw, algorithm ``v1`` (documented in ../README.md).

Pure and deterministic: the same pool document and the same public randomness give
the same representatives and reserve list on any machine and any Python version
(no ``random`` module: the stream is HMAC-SHA256 in counter mode)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Invalid
from shared.events.evaluation import DrawnRepresentative, PoolEntry, StratumQuota

ALGORITHM = "v1"
SUPPORTED_ALGORITHMS = (ALGORITHM,)
SHORTFALL_STRATUM = "*"

T = TypeVar("T")


class PoolDocument(BaseModel):
    """The exact pool a draw is made from, including the draw's parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: str = ALGORITHM
    agency_ids: tuple[str, ...]
    representatives: int = Field(ge=1)
    reserve_size: int = Field(ge=0)
    entities: tuple[PoolEntry, ...]


class DrawResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: str
    pool_hash: str
    seed: str
    quotas: tuple[StratumQuota, ...]
    representatives: tuple[DrawnRepresentative, ...]
    reserves: tuple[str, ...]


class Verification(BaseModel):
    model_config = ConfigDict(frozen=True)

    matches: bool | None = Field(description="None when there was nothing to compare with")
    first_difference: str | None = None
    recomputed: DrawResult


# -- the pool ---------------------------------------------------------------------


def normalise_pool(document: PoolDocument) -> PoolDocument:
    """Sorted agencies, entities sorted by id, each entity's agencies sorted and
    restricted to the agencies under evaluation; duplicates and empty entries refused."""
    agencies = tuple(sorted(set(document.agency_ids)))
    if not agencies:
        raise Invalid("评议对象机关不能为空", "no agencies under evaluation", field="agency_ids")
    wanted = set(agencies)
    seen: set[str] = set()
    entries = []
    for entry in sorted(document.entities, key=lambda e: e.entity_id):
        if entry.entity_id in seen:
            raise Invalid(
                f"监管对象 {entry.entity_id} 在样本库中重复",
                f"entity {entry.entity_id} appears twice in the pool",
                field="entities",
            )
        seen.add(entry.entity_id)
        regulating = tuple(sorted(set(entry.agency_ids) & wanted))
        if not regulating:
            raise Invalid(
                f"监管对象 {entry.entity_id} 不受任何被评议机关监管",
                f"entity {entry.entity_id} is regulated by none of the agencies under evaluation",
                field="entities",
            )
        entries.append(PoolEntry(entity_id=entry.entity_id, agency_ids=regulating))
    return document.model_copy(update={"agency_ids": agencies, "entities": tuple(entries)})


def canonical_pool_bytes(document: PoolDocument) -> bytes:
    pool = normalise_pool(document)
    body = {
        "algorithm": pool.algorithm,
        "agency_ids": list(pool.agency_ids),
        "representatives": pool.representatives,
        "reserve_size": pool.reserve_size,
        "entities": [
            {"entity_id": e.entity_id, "agency_ids": list(e.agency_ids)} for e in pool.entities
        ],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def pool_hash(document: PoolDocument) -> str:
    return hashlib.sha256(canonical_pool_bytes(document)).hexdigest()


def derive_seed(pool_hash_hex: str, randomness: str) -> str:
    """seed = SHA-256(pool hash bytes || UTF-8 bytes of the public randomness)."""
    return hashlib.sha256(bytes.fromhex(pool_hash_hex) + randomness.encode("utf-8")).hexdigest()


# -- the deterministic stream ------------------------------------------------------


class SeededStream:
    """Unsigned 64-bit integers from HMAC-SHA256(seed, label || 0x00 || counter_be64)."""

    def __init__(self, seed_hex: str, label: str) -> None:
        self._key = bytes.fromhex(seed_hex)
        self._label = label.encode("utf-8")
        self._words = self._generate()

    def _generate(self) -> Iterator[int]:
        counter = 0
        while True:
            message = self._label + b"\x00" + counter.to_bytes(8, "big")
            block = hmac.new(self._key, message, hashlib.sha256).digest()
            for offset in range(0, 32, 8):
                yield int.from_bytes(block[offset : offset + 8], "big")
            counter += 1

    def below(self, bound: int) -> int:
        """Uniform integer in [0, bound), by rejection (no modulo bias)."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        limit = (1 << 64) - ((1 << 64) % bound)
        while True:
            word = next(self._words)
            if word < limit:
                return word % bound

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """Fisher-Yates, from the last position down."""
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result


# -- apportionment and the draw ----------------------------------------------------


def apportion(seats: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Largest remainder (Hamilton): floor of each exact share, then one seat each to
    the largest remainders; ties go to the larger weight, then the smaller agency id."""
    total = sum(weights.values())
    if total == 0:
        return dict.fromkeys(weights, 0)
    quotas = {agency: seats * weight // total for agency, weight in weights.items()}
    left = seats - sum(quotas.values())
    by_remainder = sorted(weights, key=lambda a: (-((seats * weights[a]) % total), -weights[a], a))
    for agency in by_remainder[:left]:
        quotas[agency] += 1
    return quotas


def draw(document: PoolDocument, randomness: str, algorithm: str = ALGORITHM) -> DrawResult:
    if algorithm not in SUPPORTED_ALGORITHMS or document.algorithm != algorithm:
        raise Invalid(
            f"不支持的抽取算法版本 {algorithm}（支持：{', '.join(SUPPORTED_ALGORITHMS)}）",
            f"unsupported draw algorithm {algorithm} (supported: "
            f"{', '.join(SUPPORTED_ALGORITHMS)})",
            field="algorithm",
        )
    if not randomness.strip():
        raise Invalid("公开随机数不能为空", "public randomness is empty", field="randomness")
    pool = normalise_pool(document)
    if pool.representatives > len(pool.entities):
        raise Invalid(
            f"样本库只有 {len(pool.entities)} 个监管对象，"
            f"少于应抽取的 {pool.representatives} 名代表",
            f"the pool has {len(pool.entities)} entities, fewer than the "
            f"{pool.representatives} representatives to draw",
            field="representatives",
        )
    hash_hex = pool_hash(pool)
    seed = derive_seed(hash_hex, randomness)

    members: dict[str, list[str]] = {agency: [] for agency in pool.agency_ids}
    for entry in pool.entities:
        for agency in entry.agency_ids:
            members[agency].append(entry.entity_id)
    weights = {agency: len(ids) for agency, ids in members.items()}
    quotas = apportion(pool.representatives, weights)

    chosen: list[tuple[str, str]] = []
    taken: set[str] = set()
    filled: dict[str, int] = {}
    for agency in pool.agency_ids:
        order = SeededStream(seed, f"stratum:{agency}").shuffled(members[agency])
        count = 0
        for entity_id in order:
            if count >= quotas[agency]:
                break
            if entity_id in taken:
                continue
            chosen.append((entity_id, agency))
            taken.add(entity_id)
            count += 1
        filled[agency] = count

    rest = [e.entity_id for e in pool.entities if e.entity_id not in taken]
    rest = SeededStream(seed, "reserve").shuffled(rest)
    shortfall = pool.representatives - len(chosen)
    chosen.extend((entity_id, SHORTFALL_STRATUM) for entity_id in rest[:shortfall])
    reserves = tuple(rest[shortfall : shortfall + pool.reserve_size])

    return DrawResult(
        algorithm=algorithm,
        pool_hash=hash_hex,
        seed=seed,
        quotas=tuple(
            StratumQuota(
                agency_id=agency,
                weight=weights[agency],
                quota=quotas[agency],
                drawn=filled[agency],
            )
            for agency in pool.agency_ids
        ),
        representatives=tuple(
            DrawnRepresentative(position=i, entity_id=entity_id, stratum=stratum)
            for i, (entity_id, stratum) in enumerate(chosen, start=1)
        ),
        reserves=reserves,
    )


# -- verification ------------------------------------------------------------------


def first_difference(expected: DrawResult, actual: DrawResult) -> str | None:
    """The first field where ``expected`` and the recomputed ``actual`` disagree."""
    for name in ("algorithm", "pool_hash", "seed"):
        want, got = getattr(expected, name), getattr(actual, name)
        if want != got:
            return f"{name}: expected {want}, recomputed {got}"
    for list_name in ("representatives", "reserves"):
        want_items = [_label(x) for x in getattr(expected, list_name)]
        got_items = [_label(x) for x in getattr(actual, list_name)]
        for index, (want, got) in enumerate(zip(want_items, got_items, strict=False)):
            if want != got:
                return f"{list_name}[{index}]: expected {want}, recomputed {got}"
        if len(want_items) != len(got_items):
            return f"{list_name}: expected {len(want_items)} entries, recomputed {len(got_items)}"
    return None


def _label(item: DrawnRepresentative | str) -> str:
    if isinstance(item, DrawnRepresentative):
        return f"#{item.position} {item.entity_id} ({item.stratum})"
    return item


def verify(
    document: PoolDocument, randomness: str, algorithm: str, expected: DrawResult | None
) -> Verification:
    recomputed = draw(document, randomness, algorithm)
    if expected is None:
        return Verification(matches=None, recomputed=recomputed)
    difference = first_difference(expected, recomputed)
    return Verification(
        matches=difference is None, first_difference=difference, recomputed=recomputed
    )
