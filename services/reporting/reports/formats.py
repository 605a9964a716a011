"""The report formats and their media types (no rendering library imported here)."""

from __future__ import annotations

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
