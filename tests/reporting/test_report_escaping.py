"""Directory text reaches a report as text: an agency name with markup in it prints
literally in PDF and Word, and cannot break the rendering."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import pypdf
import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate
from sqlalchemy import Engine

from services.reporting.readmodels.projector import apply_batch
from services.reporting.reports.pdf import FONT
from services.reporting.reports.render import render_summary
from tests.reporting.sample_events import (
    EventLog,
    full_story,
    register_agency,
    register_campaign,
)

AS_OF = datetime(2017, 3, 31, 16, 0, tzinfo=UTC)
NAMES = (
    "<b>粗体</b>执法局",
    "市场 & 质量监督局",
    "<font color='red' size='40'>红字局",  # an unclosed tag
    "局 &amp; <br/> <para> 科",
)


def _with_agency(engine: Engine, agency_id: str, name: str) -> Engine:
    log = EventLog()
    register_campaign(log)
    register_agency(log, agency_id, "360102", name=name)
    full_story(log, "esc", agency_id, "360102")
    apply_batch(engine, log.records())
    return engine


def _pdf_text(body: bytes) -> str:
    """The PDF's text without white space (a line may break at any space)."""
    reader = pypdf.PdfReader(io.BytesIO(body))
    return _solid("".join(page.extract_text() for page in reader.pages))


def _solid(text: str) -> str:
    return "".join(text.split())


def test_the_unescaped_name_would_be_read_as_markup() -> None:
    """Why escaping matters: ReportLab parses a paragraph's text as markup."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    style = ParagraphStyle("body", fontName=FONT)
    with pytest.raises(ValueError):
        SimpleDocTemplate(io.BytesIO()).build([Paragraph(NAMES[2], style)])


@pytest.mark.parametrize("name", NAMES)
def test_an_agency_name_with_markup_prints_literally_in_the_pdf(engine: Engine, name: str) -> None:
    body, file_name = render_summary(
        _with_agency(engine, "ag-esc", name), AS_OF, "pdf", agency_id="ag-esc"
    )
    assert body.startswith(b"%PDF")
    assert file_name == f"{name}行政执法不公专项治理工作总结报告.pdf"
    assert _solid(f"{name}行政执法不公专项治理工作总结报告") in _pdf_text(body)


@pytest.mark.parametrize("name", NAMES)
def test_an_agency_name_with_markup_prints_literally_in_word(engine: Engine, name: str) -> None:
    body, _ = render_summary(
        _with_agency(engine, "ag-esc", name), AS_OF, "docx", agency_id="ag-esc"
    )
    paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    assert f"{name}行政执法不公专项治理工作总结报告" in paragraphs


def test_a_plain_name_is_unchanged_by_escaping(engine: Engine) -> None:
    body, _ = render_summary(
        _with_agency(engine, "ag-esc", "南昌市城市管理局"), AS_OF, "pdf", agency_id="ag-esc"
    )
    text = _pdf_text(body)
    assert "南昌市城市管理局行政执法不公专项治理工作总结报告" in text
    assert "&amp;" not in text and "&lt;" not in text
