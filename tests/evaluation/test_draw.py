"""The verifiable draw: determinism, verification, stratification."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from services.cli import main as campaign
from services.evaluation.domain.draw import (
    SHORTFALL_STRATUM,
    SeededStream,
    Verification,
    apportion,
    derive_seed,
    draw,
    pool_hash,
    verify,
)
from shared.errors import Invalid
from shared.events.evaluation import PoolEntry
from tests.evaluation.factories import pool_of


def test_same_inputs_give_the_same_draw_whatever_the_input_order() -> None:
    pool = pool_of({"ag-a": 40, "ag-b": 25}, shared=5)
    shuffled = pool.model_copy(
        update={"entities": tuple(reversed(pool.entities)), "agency_ids": ("ag-b", "ag-a")}
    )
    first, second = (
        draw(pool, "2017-02-05 福彩 035: 3 8 1"),
        draw(shuffled, "2017-02-05 福彩 035: 3 8 1"),
    )
    assert first == second
    assert pool_hash(pool) == pool_hash(shuffled)


def test_algorithm_v1_is_pinned() -> None:
    """Golden values: a change here means the algorithm changed and needs a new version."""
    pool = pool_of({"ag-a": 6, "ag-b": 4}, representatives=3, reserve_size=2)
    result = draw(pool, "42")
    assert result.seed == derive_seed(result.pool_hash, "42")
    assert SeededStream("00" * 32, "x").below(1000) == SeededStream("00" * 32, "x").below(1000)
    actual = (
        result.pool_hash,
        [r.entity_id for r in result.representatives],
        list(result.reserves),
    )
    assert actual == GOLDEN


GOLDEN = (
    "b3af281610c0eeae11659681f55bb6b686f1acd177e74151d7071e439260a62f",
    ["ent-ag-a-000", "ent-ag-a-005", "ent-ag-b-000"],
    ["ent-ag-a-003", "ent-ag-a-002"],
)


def test_seed_binds_pool_and_randomness() -> None:
    pool = pool_of({"ag-a": 40})
    h = pool_hash(pool)
    assert derive_seed(h, "1") != derive_seed(h, "2")
    assert draw(pool, "1").representatives != draw(pool, "2").representatives


def mismatch(verdict: Verification) -> str:
    """The first difference of a verification that does not match."""
    assert verdict.matches is False
    assert verdict.first_difference is not None
    return verdict.first_difference


def test_a_changed_seed_is_detected_and_named() -> None:
    pool = pool_of({"ag-a": 40, "ag-b": 20})
    published = draw(pool, "12345")
    assert mismatch(verify(pool, "12346", "v1", published)).startswith("seed:")


def test_a_changed_pool_is_detected_and_named() -> None:
    pool = pool_of({"ag-a": 40, "ag-b": 20})
    published = draw(pool, "12345")
    smaller = pool.model_copy(update={"entities": pool.entities[1:]})
    assert mismatch(verify(smaller, "12345", "v1", published)).startswith("pool_hash:")


def test_a_tampered_list_names_the_first_differing_position() -> None:
    pool = pool_of({"ag-a": 40, "ag-b": 20})
    published = draw(pool, "12345")
    forged = list(published.representatives)
    forged[4] = forged[4].model_copy(update={"entity_id": "ent-someone-else"})
    tampered = published.model_copy(update={"representatives": tuple(forged)})
    difference = mismatch(verify(pool, "12345", "v1", tampered))
    assert difference.startswith("representatives[4]:")
    assert "ent-someone-else" in difference
    assert verify(pool, "12345", "v1", published).matches is True


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(Invalid, match="v9"):
        draw(pool_of({"ag-a": 40}), "1", "v9")


def test_largest_remainder_apportionment() -> None:
    assert apportion(4, {"a": 5, "b": 3, "c": 2}) == {"a": 2, "b": 1, "c": 1}
    assert apportion(30, {"a": 60, "b": 30, "c": 10}) == {"a": 18, "b": 9, "c": 3}
    assert apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert sum(apportion(31, {"a": 7, "b": 11, "c": 13}).values()) == 31


def test_strata_are_proportional_to_the_entities_each_agency_regulates() -> None:
    pool = pool_of({"ag-a": 60, "ag-b": 30, "ag-c": 10}, representatives=30)
    result = draw(pool, "stratify")
    per_stratum = Counter(r.stratum for r in result.representatives)
    assert per_stratum == {"ag-a": 18, "ag-b": 9, "ag-c": 3}
    for rep in result.representatives:
        assert rep.entity_id.startswith(f"ent-{rep.stratum}-")
    assert [q.quota for q in result.quotas] == [18, 9, 3]


def test_no_entity_twice_even_when_regulated_by_several_agencies() -> None:
    pool = pool_of({"ag-a": 5, "ag-b": 5}, shared=30, representatives=30, reserve_size=10)
    result = draw(pool, "overlap")
    chosen = [r.entity_id for r in result.representatives] + list(result.reserves)
    assert len(chosen) == len(set(chosen)) == 40
    assert [r.position for r in result.representatives] == list(range(1, 31))


def test_a_stratum_that_runs_dry_is_filled_from_the_rest() -> None:
    # ag-b regulates only entities that ag-a may already have taken.
    entities = tuple(PoolEntry(entity_id=f"e{i:02d}", agency_ids=("ag-a",)) for i in range(4))
    entities += (PoolEntry(entity_id="e99", agency_ids=("ag-a", "ag-b")),)
    from services.evaluation.domain.draw import PoolDocument

    pool = PoolDocument(
        agency_ids=("ag-a", "ag-b"), representatives=5, reserve_size=0, entities=entities
    )
    for seed_text in map(str, range(20)):
        result = draw(pool, seed_text)
        assert sorted(r.entity_id for r in result.representatives) == sorted(
            e.entity_id for e in entities
        )
    assert any(
        r.stratum == SHORTFALL_STRATUM
        for s in map(str, range(20))
        for r in draw(pool, s).representatives
    )


def test_stream_is_uniform_enough_and_in_range() -> None:
    stream = SeededStream("ab" * 32, "test")
    values = [stream.below(6) for _ in range(6000)]
    counts = Counter(values)
    assert set(counts) == set(range(6))
    assert all(800 < c < 1200 for c in counts.values())


def test_cli_verify_draw(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pool = pool_of({"ag-a": 40, "ag-b": 20})
    published = draw(pool, "777")
    pool_file, draw_file = tmp_path / "pool.json", tmp_path / "draw.json"
    pool_file.write_text(pool.model_dump_json(), "utf-8")
    draw_file.write_text(json.dumps({"draw": published.model_dump(mode="json")}), "utf-8")
    args = ["evaluation", "verify-draw", "--pool", str(pool_file), "--algorithm", "v1"]

    assert campaign([*args, "--randomness", "777", "--expected", str(draw_file)]) == 0
    assert "MATCH" in capsys.readouterr().out

    assert campaign([*args, "--randomness", "778", "--expected", str(draw_file)]) == 1
    assert "first difference: seed:" in capsys.readouterr().out

    assert campaign([*args, "--randomness", "777"]) == 0
    assert json.loads(capsys.readouterr().out)["seed"] == published.seed


def test_quotas_stay_within_one_seat_of_the_exact_share_for_many_compositions() -> None:
    stream = SeededStream("cd" * 32, "compositions")
    for _ in range(40):
        counts = {f"ag-{k}": 1 + stream.below(60) for k in range(1 + stream.below(6))}
        total = sum(counts.values())
        seats = 1 + stream.below(total)
        result = draw(pool_of(counts, representatives=seats, reserve_size=3), "x")
        assert sum(q.quota for q in result.quotas) == seats
        for quota in result.quotas:
            exact = seats * quota.weight / total
            assert abs(quota.quota - exact) < 1
            assert quota.drawn == quota.quota  # disjoint strata never run dry
        ids = [r.entity_id for r in result.representatives] + list(result.reserves)
        assert len(ids) == len(set(ids))
