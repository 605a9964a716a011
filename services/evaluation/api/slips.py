"""Printable ballot slips: a QR code pointing at the ballot URL, the token printed
for a teller to type in, and boxes for a paper vote. Nothing names the voter."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

import segno

from services.evaluation.api.models import RATING_ZH, BallotView
from services.evaluation.domain.meeting import MeetingState
from shared.events.evaluation import Rating


def ballot_url(base_url: str, token: str) -> str:
    return f"{base_url}/ballots/{token}"


def qr_svg(url: str, scale: int = 4) -> str:
    """The QR code as a standalone SVG document."""
    return str(segno.make(url, error="m").svg_inline(scale=scale)).replace(
        "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1
    )


def _slip(state: MeetingState, token: str, base_url: str) -> str:
    meeting = state.scheduled
    assert meeting is not None
    url = ballot_url(base_url, token)
    choices = "".join(f"<th>{RATING_ZH[r]}<br><small>{r.value}</small></th>" for r in Rating)
    rows = "".join(
        f"<tr><td>{html.escape(a.name or a.agency_id)}</td>" + "<td>□</td>" * len(Rating) + "</tr>"
        for a in meeting.agencies
    )
    return (
        '<section class="slip">'
        "<h2>民主评议测评票 / Evaluation ballot</h2>"
        f"<p>{html.escape(meeting.place)} · {meeting.held_on.isoformat()}</p>"
        f'<div class="qr">{segno.make(url, error="m").svg_inline(scale=3)}</div>'
        f"<p>扫码投票 / scan to vote · 选票码 ballot code: <code>{html.escape(token)}</code></p>"
        f"<table><tr><th>被评议单位 / agency</th>{choices}</tr>{rows}</table>"
        "<p>意见建议 / comments: ______________________</p>"
        "<p>反映问题 / problems: ______________________</p>"
        "<p><small>每票只能使用一次；本票不记名 / "
        "one use only; this ballot is anonymous</small></p>"
        "</section>"
    )


def slips_page(state: MeetingState, tokens: Sequence[str], base_url: str) -> str:
    slips = "".join(_slip(state, token, base_url) for token in tokens)
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>民主评议测评票 / Evaluation ballots</title>"
        "<style>.slip{page-break-after:always;border:1px dashed #999;padding:1em;margin:1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #333;padding:.3em}</style>"
        f"</head><body>{slips}</body></html>"
    )


_STATE_ZH = {
    "cast": "该选票已投过 / this ballot has been cast",
    "spoiled": "该选票已作废 / this ballot has been spoiled",
    "closed": "投票已结束 / voting is closed",
}

_FORM_SCRIPT = """
document.getElementById('ballot').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const ratings = [], problems = [];
  for (const id of JSON.parse(e.target.dataset.agencies)) {
    ratings.push({agency_id: id, rating: form.get('r:' + id) || '',
                  comment: form.get('c:' + id) || ''});
    const p = (form.get('p:' + id) || '').trim();
    if (p) problems.push({agency_id: id, description: p});
  }
  const res = await fetch(location.pathname, {method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({ratings, problems, comments: form.get('comments') || ''})});
  const body = await res.json();
  document.getElementById('result').textContent =
    res.ok ? body.message : body.detail.message;
});
"""


def ballot_form(view: BallotView) -> str:
    """The page a phone opens from the slip's QR code."""
    head = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>民主评议测评票 / Evaluation ballot</title></head><body>"
        "<h1>民主评议测评票 / Evaluation ballot</h1>"
        f"<p>{html.escape(view.place)} · {view.held_on.isoformat()}</p>"
    )
    if view.state != "open":
        return f"{head}<p>{_STATE_ZH[view.state]}</p></body></html>"
    ids = html.escape(json.dumps([a.agency_id for a in view.agencies]))
    fields = "".join(
        f"<fieldset><legend>{html.escape(a.name or a.agency_id)}</legend>"
        + "".join(
            f'<label><input type="radio" name="r:{html.escape(a.agency_id)}" '
            f'value="{r.value}" required> {RATING_ZH[r]} {r.value}</label> '
            for r in Rating
        )
        + f'<p><input name="c:{html.escape(a.agency_id)}" placeholder="意见 / comment"></p>'
        + f'<p><textarea name="p:{html.escape(a.agency_id)}" '
        'placeholder="反映问题 / problem raised"></textarea></p></fieldset>'
        for a in view.agencies
    )
    return (
        f'{head}<form id="ballot" data-agencies="{ids}">{fields}'
        '<p><textarea name="comments" placeholder="其他意见建议 / other comments"></textarea></p>'
        '<button type="submit">提交（只能提交一次）/ Submit (once only)</button></form>'
        f'<p id="result"></p><script>{_FORM_SCRIPT}</script></body></html>'
    )
