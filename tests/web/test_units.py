"""Pure parts of the web application: deadline marks, form bodies, charts, the dictionary."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from services.web.charts import bar_chart
from services.web.forms import Form
from services.web.i18n import MESSAGES, translator
from services.web.pages.ballot import cast_body
from services.web.pages.items import deadline_mark
from services.web.pages.public import submission_of

TEMPLATES = Path(__file__).resolve().parents[2] / "services" / "web" / "templates"


def item(status: str, due_on: str, overdue: bool = False) -> dict[str, object]:
    return {"status": status, "due_on": due_on, "overdue": overdue}


def test_deadline_marks() -> None:
    today = date(2017, 1, 10)
    assert deadline_mark(item("open", "2017-01-09"), today) == "overdue"
    assert deadline_mark(item("in_progress", "2017-02-01", overdue=True), today) == "overdue"
    assert deadline_mark(item("returned", "2017-01-17"), today) == "due_soon"
    assert deadline_mark(item("open", "2017-01-18"), today) == ""
    assert deadline_mark(item("completed", "2017-01-01"), today) == ""
    assert deadline_mark(item("verified", "2017-01-01"), today) == ""


def test_anonymous_tip_sends_no_contact_even_when_fields_were_typed() -> None:
    typed = {"region_code": ["360102"], "phone": ["13900000000"], "description": ["x"]}
    anonymous = submission_of(Form({**typed, "anonymous": ["yes"]}))
    assert "contact" not in anonymous
    assert anonymous["channel"] == "website"
    named = submission_of(Form(typed))
    assert named["contact"] == {"name": None, "phone": "13900000000", "email": None}


def test_ballot_body_rates_every_agency_and_parses_problems() -> None:
    form = Form(
        {
            "rating-ag-a": ["satisfied"],
            "rating-ag-b": ["dissatisfied"],
            "problems": ["ag-b: 检查时态度粗暴\n无冒号的行\n"],
        }
    )
    body = cast_body(form, ["ag-a", "ag-b"])
    assert [r["rating"] for r in body["ratings"]] == ["satisfied", "dissatisfied"]
    assert body["problems"] == [{"agency_id": "ag-b", "description": "检查时态度粗暴"}]


def test_chart_escapes_labels() -> None:
    svg = str(bar_chart("t", [("<script>", 2.0), ("b", 1.0)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<rect") == 2


def test_every_template_key_is_in_both_languages() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_.]+)'\)", template.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in MESSAGES)
    assert missing == []
    assert all(zh.strip() and en.strip() for zh, en in MESSAGES.values())
    assert translator("en")("nav.tip") == "Report a problem"
    assert translator("zh")("nav.tip") == "我要举报"


def test_every_template_compiles() -> None:
    from services.web.render import environment

    for template in TEMPLATES.glob("*.html"):
        environment.get_template(template.name)
