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
