"""Render a summary report as PDF. Chinese text uses reportlab's built-in CID font
``STSong-Light`` (Adobe-GB1), which needs no font file.

A ReportLab paragraph reads its text as markup (``<b>``, ``<font>``, ``&amp;``). Every
text here comes from the directory, the read models or a label, never from markup we
wrote, so each is escaped: an agency named ``<b>…</b>`` prints as written, and an
unclosed tag in a name cannot break the report."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from services.reporting.reports.content import SummaryReport

FONT = "STSong-Light"


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph showing ``text`` literally."""
    return Paragraph(escape(text), style)


def render_pdf(report: SummaryReport) -> bytes:
    _register_font()
    title = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=1)
    heading = ParagraphStyle("heading", fontName=FONT, fontSize=13, leading=20, spaceBefore=8)
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK")
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=report.title,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    story: list[object] = [_text(report.title, title), Spacer(1, 8)]
    story.append(_text(f"数据截至：{report.as_of.isoformat(timespec='seconds')}", body))
    story.append(_text(report.intro, body))
    for table in report.tables:
        story.append(_text(table.heading, heading))
        cells = [[_text(c, body) for c in table.columns]]
        cells += [[_text(c, body) for c in row] for row in table.rows]
        pdf_table = PdfTable(cells, repeatRows=1, hAlign="LEFT")
        pdf_table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2dede")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(pdf_table)
        if table.heading.startswith("二、"):
            story.append(Spacer(1, 6))
            story.append(_text(f"图：{report.chart_title}", body))
            story.append(Image(io.BytesIO(report.chart_png), width=16 * cm, height=8.2 * cm))
    document.build(story)
    return buffer.getvalue()
