"""The ballot box of a meeting: spending a token, sealing its content, opening the
box once at close. Pure; the sealing and unsealing happen outside (API layer).

Spending and content are separate events. The content is sealed under the
meeting's box key before it reaches the decider, and the close receives the opened
box from outside with a secret shuffle seed; what it publishes is the valid
contents in an order that depends on neither the casting order nor the tokens."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence

from services.evaluation.domain.draw import SeededStream
from services.evaluation.domain.tokens import hash_token
from shared.errors import Conflict, Forbidden, Invalid
from shared.events.evaluation import (
    BallotCast,
    BallotContent,
    BallotSealed,
    BallotTokenSpent,
    BoxedBallot,
    ballot_text_subject,
)

SHUFFLE_LABEL = "ballot-box"


def box_subject(meeting_id: str) -> str:
    """The key-store subject whose key seals a meeting's ballot box (shredded at close)."""
    return f"ballot-box:{meeting_id}"


def comments_subject(meeting_id: str) -> str:
    """The key-store subject whose key seals a meeting's ballot comments and problems
    raised (kept: officers read them through a recorded reading, intake files tips)."""
    return ballot_text_subject(meeting_id)


def unknown_token() -> Forbidden:
    return Forbidden(
        "选票无效：未知的选票令牌",
        "invalid ballot: unknown token",
        field="token",
        code="unknown_token",
    )


def check_token(
    token: str,
    issued: frozenset[str],
    spoiled: frozenset[str],
    is_open: bool,
    verb_zh: str,
    verb_en: str,
) -> str:
    """The token's hash if the ballot may still be used now."""
    token_hash = hash_token(token)
    if token_hash not in issued:
        raise unknown_token()
    if not is_open:
        raise Conflict(
            f"评议会已结束投票，不能{verb_zh}",
            f"voting at this meeting is closed; cannot {verb_en}",
            field="token",
            code="meeting_closed",
        )
    if token_hash in spoiled:
        raise Conflict(
            "该选票已作废", "this ballot has been spoiled", field="token", code="ballot_spoiled"
        )
    return token_hash


def check_issued(tokens: Sequence[str], issued: frozenset[str]) -> None:
    """Every one of ``tokens`` was issued for this meeting (slips are printed for its
    own ballots only)."""
    if any(hash_token(token) not in issued for token in tokens):
        raise Invalid(
            "有选票令牌不属于本评议会",
            "a token does not belong to this meeting",
            field="tokens",
        )


def standing(token_hash: str, spent: frozenset[str], spoiled: frozenset[str], is_open: bool) -> str:
    """What an issued ballot is now: ``spoiled``, ``cast``, ``closed`` (voting is
    over) or ``open``."""
    if token_hash in spoiled:
        return "spoiled"
    if token_hash in spent:
        return "cast"
    return "open" if is_open else "closed"


def check_content(content: BallotContent, agencies: Sequence[str]) -> None:
    """Every agency under evaluation rated once; problems only about those agencies."""
    rated = [r.agency_id for r in content.ratings]
    if len(set(rated)) != len(rated):
        raise Invalid("同一机关评价了两次", "an agency is rated twice", field="ratings")
    for agency_id in rated:
        if agency_id not in agencies:
            raise Invalid(
                f"{agency_id} 不是被评议机关",
                f"{agency_id} is not under evaluation",
                field="ratings",
            )
    missing = [a for a in agencies if a not in rated]
    if missing:
        raise Invalid(f"请对 {missing[0]} 作出评价", f"rate agency {missing[0]}", field="ratings")
    for problem in content.problems:
        if problem.agency_id not in agencies:
            raise Invalid(
                f"{problem.agency_id} 不是被评议机关",
                f"{problem.agency_id} is not under evaluation",
                field="problems",
            )


def cast_events(
    meeting_id: str, content_sealed: str, spent: BallotTokenSpent
) -> list[BallotTokenSpent | BallotSealed]:
    """Two events: nothing in the first says what the ballot says, nothing readable in
    the second says whose token it was or when."""
    if not content_sealed:
        raise Invalid("选票内容未密封", "the ballot's content is not sealed", field="sealed")
    return [spent, BallotSealed(meeting_id=meeting_id, sealed=content_sealed)]


def normalised(content: BallotContent) -> BallotContent:
    """Ratings in agency order, so that the content's shape says nothing either."""
    return content.model_copy(
        update={"ratings": tuple(sorted(content.ratings, key=lambda r: r.agency_id))}
    )


def open_box(sealed: Sequence[str], unseal: Callable[[str], str]) -> tuple[BoxedBallot, ...]:
    """The box's records read with ``unseal`` (the box key, outside the decider)."""
    return tuple(BoxedBallot.model_validate_json(unseal(record)) for record in sealed)


def check_box(
    opened: Sequence[BoxedBallot], sealed_records: int, spent_in_box: frozenset[str]
) -> None:
    """One content per spent token, no more, no fewer: a box that does not match the
    spending events is refused rather than counted."""
    hashes = Counter(b.token_hash for b in opened)
    if (
        len(opened) != sealed_records
        or any(n > 1 for n in hashes.values())
        or set(hashes) != spent_in_box
    ):
        raise Conflict(
            "票箱与已使用的选票不符，不能计票",
            "the ballot box does not match the spent tokens; it cannot be counted",
            field="ballot_box",
            code="ballot_box_mismatch",
        )


def batch(
    opened: Sequence[BoxedBallot],
    legacy: Sequence[BallotCast],
    spoiled: frozenset[str],
    shuffle_seed: str,
) -> tuple[tuple[BallotContent, ...], int]:
    """The valid contents, canonically sorted then shuffled with the secret seed, and
    how many were dropped as spoiled. Sorting first makes the order independent of
    the casting order even if the seed were known."""
    if len(shuffle_seed) < 32:
        raise Invalid("洗牌种子过短", "the shuffle seed is too short", field="shuffle_seed")
    try:
        bytes.fromhex(shuffle_seed)
    except ValueError as exc:
        raise Invalid(
            "洗牌种子应为十六进制", "the shuffle seed must be hex", field="shuffle_seed"
        ) from exc
    contents = [normalised(b.content) for b in opened if b.token_hash not in spoiled]
    contents += [
        BallotContent(ratings=c.ratings, comments=c.comments, problems=c.problems)
        for c in legacy
        if c.token_hash not in spoiled
    ]
    dropped = len(opened) + len(legacy) - len(contents)
    canonical = sorted(
        contents, key=lambda c: json.dumps(c.model_dump(mode="json"), sort_keys=True)
    )
    return tuple(SeededStream(shuffle_seed, SHUFFLE_LABEL).shuffled(canonical)), dropped
