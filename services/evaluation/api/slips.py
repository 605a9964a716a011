"""Printable ballot slips: a QR code pointing at the ballot URL, the token printed
for a teller to type in, and boxes for a paper vote. Nothing names the voter."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

import segno

from services.evaluation.api.models import RATING_ZH
from services.evaluation.domain.meeting import MeetingState
from shared.events.evaluation import Rating


def ballot_url(base_url: str, token: str) -> str:
    """The token after ``#``: a browser never sends the fragment to a server."""
    return f"{base_url}/ballots#{token}"


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

RATING_LABELS = {r.value: f"{RATING_ZH[r]} {r.value}" for r in Rating}

# The token is read from the fragment and then only sent in POST bodies; the
# fragment is cleared from the address bar so it is not left in the history.
_PAGE_SCRIPT = """
const token = decodeURIComponent(location.hash.slice(1));
history.replaceState(null, '', location.pathname);
const states = JSON.parse(document.getElementById('states').textContent);
const labels = JSON.parse(document.getElementById('labels').textContent);
const out = document.getElementById('result');
const post = (path, body) => fetch(path, {method: 'POST',
  headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
const el = (tag, attrs, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
};
async function start() {
  if (!token) { out.textContent = states.unknown; return; }
  const res = await post('ballots/lookup', {token});
  const view = await res.json();
  if (!res.ok) { out.textContent = view.detail.message; return; }
  document.getElementById('where').textContent = view.place + ' · ' + view.held_on;
  if (view.state !== 'open') { out.textContent = states[view.state]; return; }
  const form = document.getElementById('ballot');
  const tail = form.firstChild;  // the agencies come before the general comments
  for (const a of view.agencies) {
    const set = el('fieldset'); set.append(el('legend', {}, a.name || a.agency_id));
    for (const [value, label] of Object.entries(labels)) {
      const l = el('label');
      l.append(el('input', {type: 'radio', name: 'r:' + a.agency_id, value, required: ''}));
      l.append(' ' + label + ' '); set.append(l);
    }
    const comment = el('p'), problem = el('p');
    comment.append(el('input', {name: 'c:' + a.agency_id,
      placeholder: '意见 / comment', maxlength: '2000'}));
    problem.append(el('textarea', {name: 'p:' + a.agency_id,
      placeholder: '反映问题 / problem raised', maxlength: '4000'}));
    set.append(comment, problem);
    form.insertBefore(set, tail);
  }
  form.hidden = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const ratings = [], problems = [];
    for (const a of view.agencies) {
      ratings.push({agency_id: a.agency_id, rating: data.get('r:' + a.agency_id) || '',
                    comment: data.get('c:' + a.agency_id) || ''});
      const p = (data.get('p:' + a.agency_id) || '').trim();
      if (p) problems.push({agency_id: a.agency_id, description: p});
    }
    const sent = await post('ballots/cast',
      {token, ratings, problems, comments: data.get('comments') || ''});
    const body = await sent.json();
    out.textContent = sent.ok ? body.message : body.detail.message;
    if (sent.ok) form.hidden = true;
  });
}
start();
"""


def _json_script(element_id: str, value: object) -> str:
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def ballot_page() -> str:
    """The page a phone opens from the slip's QR code; the same for every ballot."""
    states = {**_STATE_ZH, "unknown": "选票无效 / invalid ballot"}
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        "<title>民主评议测评票 / Evaluation ballot</title></head><body>"
        '<h1>民主评议测评票 / Evaluation ballot</h1><p id="where"></p>'
        '<form id="ballot" hidden>'
        '<p><textarea name="comments" maxlength="4000" '
        'placeholder="其他意见建议 / other comments"></textarea></p>'
        '<button type="submit">提交（只能提交一次）/ Submit (once only)</button></form>'
        '<p id="result" role="status"></p>'
        f"{_json_script('states', states)}{_json_script('labels', RATING_LABELS)}"
        f"<script>{_PAGE_SCRIPT}</script></body></html>"
    )
