"""Free text and path ids as the request models take them: characters that hide or
rewrite what is shown are refused naming the field, the rest is NFC-normalised."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError

from shared.clock import SystemClock
from shared.http import create_api
from shared.params import IdPath, RegionPath
from shared.settings import Settings
from shared.text import Line, Text


class Report(BaseModel):
    description: Text = Field(min_length=1, max_length=100)
    title: Line = Field(default="", max_length=50)
    tags: list[Line] = Field(default_factory=list)


REFUSED_ANYWHERE = {
    "NUL": "a\x00b",
    "bell": "a\x07b",
    "carriage return": "line one\r\nline two",
    "ANSI colour": "\x1b[31mred\x1b[0m",
    "8-bit CSI": "a\x9b31mb",
    "C1 control": "a\x85b",
    "DEL": "a\x7fb",
    "right-to-left override": "invoice_\u202egnp.exe",
    "left-to-right embedding": "a\u202ab",
    "first strong isolate": "a\u2068b\u2069",
    "zero-width space": "a\u200bb",
    "zero-width joiner": "a\u200db",
    "word joiner": "a\u2060b",
    "byte-order mark": "\ufeffabc",
}


@pytest.mark.parametrize("value", REFUSED_ANYWHERE.values(), ids=REFUSED_ANYWHERE.keys())
def test_controls_bidi_and_zero_width_characters_are_refused_naming_the_field(
    value: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        Report(description=value)
    error = refused.value.errors()[0]
    assert error["loc"] == ("description",) and error["type"] == "text_character"
    assert "U+" in error["msg"] and "U+" in error["ctx"]["zh"]
    with pytest.raises(ValidationError) as in_a_line:
        Report(description="fine", title=value)
    assert in_a_line.value.errors()[0]["loc"] == ("title",)


def test_a_description_of_only_invisible_characters_fails_its_minimum_length() -> None:
    for invisible in ("\u200b", "\u200b\u200b\u200b", "   ", "\u3000\n\t"):
        with pytest.raises(ValidationError):
            Report(description=invisible)
    assert Report(description="罚").description == "罚"


def test_tab_and_newline_are_allowed_in_text_but_not_in_a_line() -> None:
    assert Report(description="第一行\n\t第二行").description == "第一行\n\t第二行"
    for breaking in ("a\nb", "a\tb", "a\u2028b"):
        with pytest.raises(ValidationError) as refused:
            Report(description="ok", title=breaking)
        assert refused.value.errors()[0]["loc"] == ("title",)
    with pytest.raises(ValidationError) as in_a_list:
        Report(description="ok", tags=["fine", "bad\x00"])
    assert in_a_list.value.errors()[0]["loc"] == ("tags", 1)


def test_text_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301 执法"
    assert Report(description=decomposed).description == "Café 执法"
    assert Report(description="ok", title="e\u0301").title == "é"


def test_ordinary_chinese_text_with_punctuation_and_emoji_passes_unchanged() -> None:
    text = "城管执法人员没收摊位货物，且未出具任何凭证！（2016年7月）😠 ¥200"
    assert Report(description=text).description == text


def hygiene_app(settings: Settings) -> FastAPI:
    api = create_api("test", settings, SystemClock())

    @api.post("/reports")
    async def file(body: Report) -> dict[str, str]:
        return {"description": body.description}

    @api.get("/tips/{tip_id}")
    async def tip(tip_id: IdPath) -> dict[str, str]:
        return {"tip_id": tip_id}

    @api.get("/regions/{region_code}")
    async def region(region_code: RegionPath) -> dict[str, str]:
        return {"region_code": region_code}

    return api


def test_the_422_names_the_field_in_chinese_and_english(settings: Settings) -> None:
    client = TestClient(hygiene_app(settings))
    refused = client.post("/reports", json={"description": "\u200b"})
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail["field"] == "description"
    assert detail["message_zh"].startswith("字段 description：含有零宽字符")
    assert detail["message_en"].startswith("field description: contains a zero-width character")
    accepted = client.post("/reports", json={"description": "e\u0301"})
    assert accepted.status_code == 200 and accepted.json() == {"description": "é"}


@pytest.mark.parametrize(
    "raw_path",
    [
        "/tips/tip-1%00",
        "/tips/tip-1%0d%0aX:%20y",
        "/tips/%2e%2e",
        "/tips/%E2%80%AEtip",
        "/tips/a%20b",
    ],
)
def test_a_path_id_with_control_or_odd_characters_is_a_422_naming_it(
    settings: Settings, raw_path: str
) -> None:
    response = TestClient(hygiene_app(settings)).get(raw_path)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["field"] == "tip_id"


def test_plain_ids_and_ballot_tokens_pass_the_path_check(settings: Settings) -> None:
    client = TestClient(hygiene_app(settings))
    for plain in ("tip-0a1b2c", "ag-sim-360102-urban_management", "-Xy_9AbCdEfGhIjKlMnOpQ"):
        assert client.get(f"/tips/{plain}").json() == {"tip_id": plain}
    assert client.get("/tips/" + "x" * 129).status_code == 422
    assert client.get("/regions/360102").status_code == 200
    assert client.get("/regions/36010").status_code == 422


def test_ids_annotation_is_documented_with_its_pattern(settings: Settings) -> None:
    schema = TestClient(hygiene_app(settings)).get("/openapi.json").json()
    parameter = schema["paths"]["/tips/{tip_id}"]["get"]["parameters"][0]
    assert parameter["schema"]["pattern"].startswith("^[A-Za-z0-9_-]")


def test_annotated_text_keeps_other_constraints() -> None:
    class Short(BaseModel):
        name: Annotated[Line, Field(max_length=3)]

    with pytest.raises(ValidationError):
        Short(name="abcd")
    assert Short(name="abc").name == "abc"


def test_a_shared_model_inside_a_request_is_cleaned_naming_its_field() -> None:
    from services.rectification.api.models import ProgressRequest

    accepted = ProgressRequest(note="ok", percent=5, evidence=[{"title": "现场照片 e\u0301"}])
    assert accepted.evidence[0].title == "现场照片 é"
    with pytest.raises(ValidationError) as refused:
        ProgressRequest(
            note="ok", percent=5, evidence=[{"title": "ok"}, {"title": "ok", "location": "a\rb"}]
        )
    error = refused.value.errors()[0]
    assert error["loc"] == ("evidence", 1)
    assert error["msg"].startswith("location: contains a carriage return")
    assert error["ctx"]["zh"].startswith("location：含有回车符")
