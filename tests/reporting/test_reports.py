"""Summary reports render as PDF and Word with Chinese text, figures, a chart, the
as-of time and the offsets."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from datetime import UTC, datetime

import docx
import pypdf
import pytest
from sqlalchemy import Engine

from services.reporting.readmodels.projector import apply_batch
from services.reporting.reports.isolated import render_in_child
from services.reporting.reports.render import build_report, render_summary
from shared.errors import NotFound
from tests.reporting.sample_events import complete_history

AS_OF = datetime(2017, 3, 31, 16, 0, tzinfo=UTC)


@pytest.fixture
def projected(engine: Engine) -> Engine:
    apply_batch(engine, complete_history("rep", agency="ag-rep").records())
    return engine


def _pdf_text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_region_report_as_pdf_names_the_region_the_time_and_the_offsets(projected: Engine) -> None:
    body, name = render_summary(projected, AS_OF, "pdf", region_code="360100")
    assert body.startswith(b"%PDF") and name.endswith(".pdf")
    text = _pdf_text(body)
    assert "南昌市行政执法不公专项治理工作总结报告" in text
    assert "2017-03-31T16:00:00+00:00" in text
    assert "问题类别分布" in text and "公正执法" in text
    assert "intake.events:0" in text  # the offsets it reflects
    assert "下级地区情况" in text and "东湖区" in text
    reader = pypdf.PdfReader(io.BytesIO(body))
    assert any(page.images for page in reader.pages)  # the chart


def test_agency_report_as_word_has_tables_and_a_chart(projected: Engine) -> None:
    body, name = render_summary(projected, AS_OF, "docx", agency_id="ag-rep")
    assert name.endswith(".docx")
    document = docx.Document(io.BytesIO(body))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "360102市场监督管理局行政执法不公专项治理工作总结报告" in paragraphs
    assert "数据截至" in paragraphs and "2017-03-31T16:00:00" in paragraphs
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "满意率" in cells and "66.7%" in cells and "查找问题（个）" in cells
    assert len(document.inline_shapes) == 1


def test_report_figures_come_from_the_read_models(projected: Engine) -> None:
    report = build_report(projected, AS_OF, agency_id="ag-rep")
    rows = {row[0]: row[1] for table in report.tables for row in table.rows}
    assert rows["查找问题（个）"] == "2"
    assert rows["已核验销号（项）"] == "1"
    assert rows["公正执法"] == "1"
    assert sum(report.offsets.values()) == len(complete_history("x").envelopes)
    assert report.chart_png.startswith(b"\x89PNG")


def test_a_report_renders_in_a_child_process_and_its_refusals_come_back(
    projected: Engine,
) -> None:
    url = projected.url.render_as_string(hide_password=False)
    body, name = asyncio.run(render_in_child(url, AS_OF, "pdf", region_code="360100"))
    assert body.startswith(b"%PDF") and "南昌市" in name
    assert "南昌市行政执法不公专项治理工作总结报告" in _pdf_text(body)
    with pytest.raises(NotFound) as refused:
        asyncio.run(render_in_child(url, AS_OF, "docx", agency_id="no-such-agency"))
    assert refused.value.zh and refused.value.en


def test_the_service_process_does_not_load_the_renderers() -> None:
    check = (
        "import sys, services.reporting.bootstrap; "
        "loaded = [m for m in ('matplotlib', 'reportlab', 'docx') if m in sys.modules]; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
