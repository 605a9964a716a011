"""Sealing with a real key store: a sealed ballot shows neither its token hash nor
its comments, the box opens with its key and never again once that is shredded,
comments stay readable under the meeting's comments key."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.evaluation.domain.ballots import comments_subject
from services.evaluation.domain.tokens import hash_token
from services.evaluation.sealing import BallotSealer, BoxAlreadyShredded
from shared.events.evaluation import AgencyRating, BallotContent, Rating
from shared.privacy import KeyStore, PersonalDataVault, is_sealed

MEETING = "meet-seal"
TOKEN_HASH = hash_token("token-for-sealing-test-0001")
CONTENT = BallotContent(
    ratings=(AgencyRating(agency_id="ag-a", rating=Rating.satisfied, comment="窗口服务热情"),),
    comments="建议公开收费标准",
)


@pytest.fixture
def sealer(tmp_path: Path) -> BallotSealer:
    keys = KeyStore(f"sqlite:///{tmp_path / 'keys.sqlite'}")
    return BallotSealer(PersonalDataVault(keys), keys)


def test_casts_arriving_together_all_get_sealed(sealer: BallotSealer) -> None:
    """The first casts of a meeting whose keys were not prepared race to create them."""

    async def together() -> list[tuple[BallotContent, str]]:
        return await asyncio.gather(
            *(sealer.seal("meet-race", hash_token(f"t-{i:020d}"), CONTENT) for i in range(12))
        )

    sealed = asyncio.run(together())
    opened = asyncio.run(sealer.open("meet-race", tuple(s for _, s in sealed)))
    assert len({b.token_hash for b in opened}) == 12


def test_a_sealed_ballot_shows_no_hash_and_no_comment(sealer: BallotSealer) -> None:
    content, sealed = asyncio.run(sealer.seal(MEETING, TOKEN_HASH, CONTENT))
    assert is_sealed(sealed) and TOKEN_HASH not in sealed and "热情" not in sealed
    assert is_sealed(content.ratings[0].comment) and is_sealed(content.comments)
    assert content.ratings[0].rating is Rating.satisfied  # what the tally needs stays clear
    (opened,) = asyncio.run(sealer.open(MEETING, (sealed,)))
    assert opened.token_hash == TOKEN_HASH and opened.content == content


def test_after_shredding_the_box_cannot_be_opened_nor_filled(sealer: BallotSealer) -> None:
    content, sealed = asyncio.run(sealer.seal(MEETING, TOKEN_HASH, CONTENT))
    asyncio.run(sealer.shred_box(MEETING))
    with pytest.raises(ValidationError):  # the vault answers ERASED, not a ballot
        asyncio.run(sealer.open(MEETING, (sealed,)))
    with pytest.raises(BoxAlreadyShredded):
        asyncio.run(sealer.seal(MEETING, TOKEN_HASH, CONTENT))
    # The comments key is another subject: the comments outlive the box.
    per_agency, general = asyncio.run(sealer.comments(MEETING, (content,)))
    assert per_agency == {"ag-a": ["窗口服务热情"]} and general == ["建议公开收费标准"]


def test_comments_of_another_meeting_do_not_unseal(sealer: BallotSealer) -> None:
    content, _ = asyncio.run(sealer.seal(MEETING, TOKEN_HASH, CONTENT))
    asyncio.run(sealer.seal("meet-other", TOKEN_HASH, CONTENT))  # it has keys of its own
    per_agency, _ = asyncio.run(sealer.comments("meet-other", (content,)))
    assert per_agency == {"ag-a": ["[无法解密 unreadable]"]}
    assert comments_subject("meet-other") != comments_subject(MEETING)
