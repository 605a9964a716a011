"""Text a person types, as every request model takes it: ``Text`` (several lines) and
``Line`` (one line). Plain pydantic: command handlers take these types too.

Stored text is read back by officers, printed in reports, written to logs and shown in
terminals. So characters that change how the rest of a text is shown, or that cannot be
seen, are refused with a 422 naming the field: NUL and the other C0/C1 controls (ANSI
escapes among them), CR, bidirectional overrides and isolates, zero-width characters
and lone surrogates. Tab and newline are allowed in ``Text`` only. What is accepted is
NFC-normalised, and a non-empty text must have a visible character: ``min_length=1``
on a description refuses one made of spaces alone."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel
from pydantic_core import PydanticCustomError

from shared.errors import Invalid

# Classes of refused characters, with what to call them in each language.
_CLASSES: tuple[tuple[str, str, str], ...] = (
    ("\x1b\x9b", "ANSI 转义序列", "an ANSI escape sequence"),
    ("\r", "回车符（CR）", "a carriage return (CR)"),
    ("\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9a\x9c-\x9f", "控制字符", "a control character"),
    ("\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069", "双向文字控制符", "a bidirectional override"),
    ("\u200b-\u200d\u2060-\u2064\ufeff", "零宽字符", "a zero-width character"),
    ("\ud800-\udfff", "不成对的代理字符", "a lone surrogate"),
)
_LINE_BREAKS = ("\t\n\u2028\u2029", "换行符或制表符（本字段只允许一行）", "a line break or tab")
_ALWAYS = re.compile("[" + "".join(chars for chars, _, _ in _CLASSES) + "]")
_IN_A_LINE = re.compile("[" + "".join(chars for chars, _, _ in _CLASSES) + _LINE_BREAKS[0] + "]")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})


def _named(char: str) -> tuple[str, str]:
    """What a refused character is, in Chinese and English."""
    for chars, zh, en in (*_CLASSES, _LINE_BREAKS):
        if re.fullmatch(f"[{chars}]", char):
            return zh, en
    return "不允许的字符", "a character not allowed"


def _refused(char: str, position: int) -> PydanticCustomError:
    zh, en = _named(char)
    code = f"U+{ord(char):04X}"
    return PydanticCustomError(
        "text_character",
        "contains {name} ({code}) at character {position}; remove it",
        {
            "zh": f"含有{zh}（{code}，第 {position} 个字符），请删除",
            "name": en,
            "code": code,
            "position": position,
        },
    )


def has_visible_character(value: str) -> bool:
    return any(
        not char.isspace() and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in value
    )


def _clean(value: str, refused: re.Pattern[str]) -> str:
    found = refused.search(value)
    if found is not None:
        raise _refused(found.group(), found.start() + 1)
    if value and not has_visible_character(value):
        raise PydanticCustomError(
            "text_invisible",
            "has no visible character",
            {"zh": "内容为空白，没有可见字符"},
        )
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def clean_text(value: str) -> str:
    """``value`` NFC-normalised, or a refusal naming the first character not allowed in
    a multi-line text."""
    return _clean(value, _ALWAYS)


def clean_line(value: str) -> str:
    """As ``clean_text``, and a line has no line break or tab."""
    return _clean(value, _IN_A_LINE)


Text = Annotated[str, AfterValidator(clean_text)]
Line = Annotated[str, AfterValidator(clean_line)]

Model = TypeVar("Model", bound=BaseModel)


def clean_lines_of(model: Model, *fields: str) -> Model:
    """``model`` with the named one-line text fields cleaned as ``Line`` is: for a
    request that carries a shared (event) model, whose own fields must keep reading
    old events as they are. A refusal names the field."""
    cleaned: dict[str, str] = {}
    for name in fields:
        try:
            cleaned[name] = clean_line(getattr(model, name))
        except PydanticCustomError as refused:
            context = dict(refused.context or {})
            context["zh"] = f"{name}：{context.get('zh', '取值无效')}"
            raise PydanticCustomError(
                refused.type, f"{name}: {refused.message()}", context
            ) from None
    return model.model_copy(update=cleaned)


def not_blank(value: str, field: str, zh: str, en: str | None = None) -> str:
    """``value`` without its surrounding white space, or a refusal naming ``field``
    (called ``zh`` and ``en``, by default the field's name) when nothing is left: for
    a command's required text, which reaches a decider from more than the API."""
    text = value.strip()
    if not text:
        raise Invalid(f"{zh}不能为空", f"{en or field} must not be empty", field=field)
    return text
