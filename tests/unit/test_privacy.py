from pathlib import Path

import pytest

from shared.privacy import ERASED, KeyStore, PersonalDataVault, UnreadableCiphertext, is_sealed


def vault(tmp_path: Path) -> PersonalDataVault:
    return PersonalDataVault(KeyStore(f"sqlite:///{tmp_path / 'keys.db'}"))


def test_encrypt_hides_the_text_and_decrypt_returns_it(tmp_path: Path) -> None:
    v = vault(tmp_path)
    sealed = v.encrypt("tip-1", "张三 13800138000")
    assert is_sealed(sealed)
    assert "13800138000" not in sealed and "张三" not in sealed
    assert v.decrypt("tip-1", sealed) == "张三 13800138000"


def test_shred_makes_data_unreadable_for_good(tmp_path: Path) -> None:
    v = vault(tmp_path)
    sealed = v.encrypt("tip-2", "lisi@example.cn")
    other = v.encrypt("tip-3", "wangwu@example.cn")
    assert v.shred("tip-2") is True
    assert v.decrypt("tip-2", sealed) == ERASED
    assert v.decrypt("tip-3", other) == "wangwu@example.cn"
    # A fresh vault on the same key store (a restart) cannot read it either.
    assert vault(tmp_path).decrypt("tip-2", sealed) == ERASED
    with pytest.raises(ValueError, match="erased"):
        v.encrypt("tip-2", "new data")
    assert v.shred("tip-2") is False


def test_ciphertext_is_bound_to_its_subject(tmp_path: Path) -> None:
    v = vault(tmp_path)
    sealed = v.encrypt("tip-4", "secret")
    v.encrypt("tip-5", "other")
    with pytest.raises(UnreadableCiphertext):
        v.decrypt("tip-5", sealed)
    with pytest.raises(UnreadableCiphertext):
        v.decrypt("tip-4", "plain text")


def test_concurrent_new_subjects_share_key_store_commits(tmp_path: Path) -> None:
    import asyncio

    from sqlalchemy import event

    keys = KeyStore(f"sqlite:///{tmp_path / 'keys.db'}")
    commits: list[object] = []
    event.listen(keys.engine, "commit", commits.append)
    v = PersonalDataVault(keys)

    async def seal_all() -> list[dict[str, str]]:
        return await asyncio.gather(
            *(
                v.encrypt_many({f"tip-{n}": f"contact {n}", f"tip-{n}:r": f"code {n}"})
                for n in range(40)
            )
        )

    sealed = asyncio.run(seal_all())
    assert len(commits) < 40  # callers that arrive during a commit share the next one
    fresh = vault(tmp_path)  # every key was committed before its caller got its ciphertext
    for n, pair in enumerate(sealed):
        assert is_sealed(pair[f"tip-{n}"])
        assert fresh.decrypt(f"tip-{n}", pair[f"tip-{n}"]) == f"contact {n}"
        assert fresh.decrypt(f"tip-{n}:r", pair[f"tip-{n}:r"]) == f"code {n}"


def test_encrypt_many_keeps_existing_keys_and_refuses_erased_subjects(tmp_path: Path) -> None:
    import asyncio

    v = vault(tmp_path)
    earlier = v.encrypt("tip-6", "first")
    later = asyncio.run(v.encrypt_many({"tip-6": "second"}))["tip-6"]
    assert v.decrypt("tip-6", earlier) == "first" and v.decrypt("tip-6", later) == "second"
    v.shred("tip-6")
    with pytest.raises(ValueError, match="erased"):
        asyncio.run(v.encrypt_many({"tip-6": "third", "tip-7": "other"}))
