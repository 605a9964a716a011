"""Render a summary report as a Word document (python-docx)."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from services.reporting.reports.content import SummaryReport

EAST_ASIAN_FONT = "宋体"


def _chinese_styles(document: object) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        try:
            style = document.styles[name]  # type: ignore[attr-defined]
        except KeyError:
            continue
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def render_docx(report: SummaryReport) -> bytes:
    document = Document()
    _chinese_styles(document)
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(report.title, level=0)
    document.add_paragraph(f"数据截至：{report.as_of.isoformat(timespec='seconds')}")
    document.add_paragraph(report.intro)
    for table in report.tables:
        document.add_heading(table.heading, level=1)
        word_table = document.add_table(rows=1, cols=len(table.columns))
        word_table.style = "Table Grid"
        for cell, text in zip(word_table.rows[0].cells, table.columns, strict=True):
            cell.text = text
        for row in table.rows:
            cells = word_table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
        if table.heading.startswith("二、"):
            document.add_paragraph(f"图：{report.chart_title}")
            document.add_picture(io.BytesIO(report.chart_png), width=Cm(16))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
