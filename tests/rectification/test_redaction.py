"""Published text masks phone and ID numbers however they are written, and leaves
dates, amounts and document numbers alone. Property-style: every way of writing each
number (separators, prefixes, full-width digits) inside every kind of surrounding text."""

from __future__ import annotations

import itertools

import pytest

from services.rectification.domain.redaction import REDACTED, redact

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
SEPARATORS = ("", " ", "-", " - ", "\u3000", "\u2014", "\uff0d", "\u00a0")
CONTEXTS = (
    "{}",
    "电话{}",
    "联系电话：{}。",
    "请拨 {} 咨询",
    "(tel {})",
    "{}，3 次未接",
    "号码 {} 5 次",
)


def _grouped(groups: tuple[str, ...], separator: str) -> str:
    return separator.join(groups)


def _mobiles() -> list[str]:
    written = [_grouped(("138", "0013", "8000"), sep) for sep in SEPARATORS]
    written += [_grouped(g, " ") for g in (("1380", "0138", "000"), ("138", "00138000"))]
    written += [
        f"{prefix}{number}"
        for prefix in ("+86 ", "+86-", "0086 ", "(+86)", "（+86）", "＋86 ")
        for number in ("13800138000", "138 0013 8000")
    ]
    written += ["13800138000".translate(FULL_WIDTH), "138 0013 8000".translate(FULL_WIDTH)]
    return written


def _landlines() -> list[str]:
    written = [_grouped(("0791", "8888", "6666"), sep) for sep in SEPARATORS]
    written += [f"0791{sep}88886666" for sep in SEPARATORS]
    written += ["(0791) 8888 6666", "（0791）88886666", "010-62345678", "0791-886 6666"]
    written += ["+86 791 8888 6666", "+86-10-62345678", "079188886666".translate(FULL_WIDTH)]
    return written


def _identity_numbers() -> list[str]:
    groupings = (
        ("36010219800101123X",),
        ("360102", "19800101", "123X"),
        ("3601", "0219", "8001", "0112", "3X"),
        ("360102", "1980", "0101", "1234"),
    )
    written = [_grouped(g, sep) for g in groupings for sep in (" ", "-", "\u3000")]
    written += ["36010219800101123x", "36010219800101123X".translate(FULL_WIDTH)]
    return written


NUMBERS = [*_mobiles(), *_landlines(), *_identity_numbers()]


@pytest.mark.parametrize(("number", "context"), list(itertools.product(NUMBERS, CONTEXTS)))
def test_every_way_of_writing_a_phone_or_id_number_is_masked(number: str, context: str) -> None:
    published = redact(context.format(number))
    assert published == context.format(REDACTED), number


ORDINARY = (
    "罚款 500 元，文号 2016-12",
    "罚款 5,000.00 元，没收违法所得 13,800,138,000 元",
    "2016年12月1日 09:30-11:30 现场检查",
    "检查日期 2016-12-01 至 2017-01-31",
    "2016-12-01 2017-01-01 2018-03-05 三次复查",
    "12 01 2017 01 01 2018 03",  # grouped like an ID number, but no birth date inside
    "案号（2016）赣0102行初123号，赣府字〔2016〕12 号",
    "处罚 3 人，涉及 138 户、0013 家企业",
    "金额 1380 万元，比上年增长 13.8%",
    "拨打 12345 热线或 110",
    "第 1 3 5 7 9 条",
    "编号 138001380001",  # twelve digits: not a phone number
    "1998-09-01 123 号",  # eleven digits from a 1, but grouped as a date
)


@pytest.mark.parametrize("text", ORDINARY)
def test_dates_amounts_and_document_numbers_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_several_numbers_in_one_text_are_each_masked_and_the_rest_kept() -> None:
    text = (
        "当事人张某（身份证 360102 19800101 123X，手机 138-0013-8000，"
        "座机 0791-8888 6666）于 2016-12-01 被罚款 500 元"
    )
    assert redact(text) == (
        f"当事人张某（身份证 {REDACTED}，手机 {REDACTED}，"
        f"座机 {REDACTED}）于 2016-12-01 被罚款 500 元"
    )


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("1998-09-01 138 0013 8000", f"1998-09-01 {REDACTED}"),
        ("5 13800138000 123456", f"5 {REDACTED} 123456"),
        ("2016-12-01 2017-01-01 360102 19800101 123X", f"2016-12-01 2017-01-01 {REDACTED}"),
    ],
)
def test_a_number_beside_a_near_miss_is_still_masked(text: str, published: str) -> None:
    assert redact(text) == published


def test_long_runs_of_digits_and_spaces_are_redacted_in_one_pass() -> None:
    """No pattern backtracks without bound: a 200,000-character run is one pass."""
    text = "1 3 8 0 0 1 3 8 0 0 0 " * 10_000 + "13800138000"
    assert redact(text).endswith(REDACTED)


def test_e_mail_addresses_are_masked() -> None:
    assert redact("邮箱 a.b@example.cn 联系") == f"邮箱 {REDACTED} 联系"
    assert redact("邮箱见附件") == "邮箱见附件"
