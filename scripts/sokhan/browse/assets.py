"""The stylesheet and script inlined into every page (no framework, no network)."""

from __future__ import annotations

from sokhan.records import ENTITY_TYPES

#: Background colour per entity type: light enough for dark text, distinct side by side.
TYPE_COLOURS = dict(zip(ENTITY_TYPES, (
    "#ffd6a5", "#fdffb6", "#e4c1f9", "#a0c4ff", "#caffbf", "#9bf6ff",
    "#ffc6ff", "#ffadad", "#d0f4de", "#f1c0e8", "#cfbaf0", "#e9edc9",
    "#fde4cf", "#b9fbc0", "#98f5e1", "#fbf8cc", "#ddd5c9", "#eae4e9",
), strict=True))

#: Persian-capable faces first, then what every system has.
FONT_FA = ('"Vazirmatn", "Noto Naskh Arabic", "Noto Sans Arabic", "Tahoma", '
           '"DejaVu Sans", "Arial", sans-serif')

STYLE = """
:root { --ink: #1d232b; --muted: #5b6571; --line: #d8dde3; --cue: #b3261e; --content: #1f5fbf;
  --speaker: #0a7a45; --bg: #fbfbfa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, "DejaVu Sans", sans-serif; color: var(--ink);
  background: var(--bg); }
header.top { padding: 12px 24px; background: #24303d; color: #fff; display: flex; gap: 18px;
  align-items: baseline; flex-wrap: wrap; }
header.top a { color: #cfe3ff; }
header.top h1 { font-size: 18px; margin: 0; }
main { padding: 16px 24px 40px; max-width: 1180px; }
a { color: #1a56a8; }
.draft-banner { background: repeating-linear-gradient(45deg, #ffe08a, #ffe08a 14px, #ffd24d 14px,
  #ffd24d 28px); color: #3d2c00; font-weight: 700; padding: 8px 24px; letter-spacing: .04em; }
.fa { font-family: FONT_FA; }
table { border-collapse: collapse; margin: 8px 0 20px; background: #fff; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: start; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.num { text-align: end; font-variant-numeric: tabular-nums; }
td:first-child { white-space: nowrap; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 10px; margin: 8px 0 12px; font-size: 13px;
  align-items: center; }
.legend .key { padding: 1px 6px; border-radius: 3px; border: 1px solid #0002; }
.controls { display: flex; gap: 8px; align-items: center; margin: 6px 0; }
.controls button { font: inherit; padding: 3px 12px; border: 1px solid #8a96a3; background: #fff;
  border-radius: 14px; cursor: pointer; }
.controls button[aria-pressed="true"] { background: #24303d; color: #fff; border-color: #24303d; }
.text { font-family: FONT_FA; font-size: 19px; line-height: 2.35; background: #fff;
  border: 1px solid var(--line); border-radius: 6px; padding: 14px 22px; }
.text .line { margin: 0 0 10px; }
.s { border-radius: 3px; }
.s::before { content: attr(data-label); font: 10px/1 system-ui, "DejaVu Sans", sans-serif;
  color: var(--muted); background: #eef1f4; border-radius: 3px; padding: 1px 4px; margin: 0 2px;
  vertical-align: super; direction: ltr; unicode-bidi: isolate; white-space: nowrap; }
.s.role-headline { font-size: 24px; font-weight: 700; }
.s.role-subheadline { font-weight: 700; }
.s.role-boilerplate, .s.role-source_credit { color: var(--muted); font-size: 15px; }
.s.repeat { text-decoration: line-through dotted #8a96a3; background: #f3f3f3; }
.s.role-headline::before, .s.role-subheadline::before, .s.role-boilerplate::before,
.s.role-source_credit::before, .s.repeat::before { background: #fff1c2; color: #5c4400; }
.m { border-radius: 3px; padding: 1px 1px; cursor: pointer; }
.qc { border-bottom: 2px solid var(--content); background: #1f5fbf0d; }
.qc.nested { border-bottom-style: double; border-bottom-width: 4px; }
.qcue { outline: 2px solid var(--cue); outline-offset: -1px; border-radius: 3px; color: var(--cue);
  font-weight: 600; }
.qs { border-bottom: 3px solid var(--speaker); }
.qs.pronoun::after, .qcue.dropped::before { content: attr(data-resolved);
  font: 11px/1 system-ui, "Noto Sans Arabic", "DejaVu Sans", sans-serif; color: #fff;
  background: var(--speaker); border-radius: 3px; padding: 2px 4px; margin: 0 3px;
  vertical-align: super; white-space: nowrap; display: inline-block; line-height: 1.2; }
.qcue.dropped::before { background: #6c4bb4; }
[data-q], [data-m] { cursor: pointer; }
.hl { background: #fff3a8 !important; box-shadow: 0 0 0 2px #f2c200; }
.m:focus, [data-q]:focus { outline: 2px solid #f2c200; }
#tip { position: absolute; z-index: 10; max-width: 380px; background: #1d232b; color: #fff;
  font: 13px/1.45 system-ui, "Noto Sans Arabic", "DejaVu Sans", sans-serif; padding: 7px 10px;
  border-radius: 6px; box-shadow: 0 4px 16px #0004; pointer-events: none; }
#tip[hidden] { display: none; }
#tip b { color: #ffd66b; }
ol.quotes { padding: 0; list-style: none; }
li.quote { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px;
  margin: 0 0 8px; }
li.quote.nested { margin-inline-start: 28px; border-inline-start: 4px solid #9fb3c8; }
.badge { display: inline-block; font-size: 12px; padding: 0 6px; border-radius: 9px;
  background: #e7ecf1; margin-inline-end: 4px; }
.badge.direct { background: #d8ecff; } .badge.indirect { background: #e9e0ff; }
.badge.mixed { background: #ffe3cc; } .badge.proposed { background: #ffe08a; }
.quote .fa, td.fa { direction: rtl; unicode-bidi: isolate; }
.quote dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0 0; }
.quote dt { color: var(--muted); } .quote dd { margin: 0; }
.sentence mark { background: #fff3a8; }
.muted { color: var(--muted); }
""".replace("FONT_FA", FONT_FA)

SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var tip = document.getElementById('tip');
  function entityName(id) {
    if (!id) { return '\\u2014'; }
    var e = data.entities[id];
    return e ? e.fa + ' (' + e.en + ')' + (e.proposed ? ' [proposed]' : '') : id;
  }
  function lines(el) {
    var out = [];
    if (el.dataset.m) {
      var m = data.mentions[el.dataset.m];
      out.push(['mention', m.type], ['entity', entityName(m.entity)]);
    }
    (el.dataset.q || '').split(' ').filter(Boolean).forEach(function (id) {
      var q = data.quotes[id];
      out.push(['quotation', q.label + ' \\u00b7 ' + q.form + ' \\u00b7 ' + el.dataset.part],
               ['speaker', entityName(q.speaker) + ' \\u00b7 ' + q.kind]);
      if (q.addressee) { out.push(['addressee', entityName(q.addressee)]); }
      if (q.parent) { out.push(['nested in', data.quotes[q.parent].label]); }
      if (q.children.length) {
        out.push(['contains', q.children.map(function (c) { return data.quotes[c].label; })
          .join(', ')]);
      }
    });
    return out;
  }
  function show(el) {
    var rows = lines(el);
    tip.textContent = '';
    rows.forEach(function (r) {
      var b = document.createElement('b'); b.textContent = r[0] + ': ';
      var div = document.createElement('div'); div.appendChild(b);
      div.appendChild(document.createTextNode(r[1])); tip.appendChild(div);
    });
    var box = el.getBoundingClientRect();
    tip.hidden = false;
    tip.style.top = (window.scrollY + box.bottom + 6) + 'px';
    tip.style.left = Math.max(4, Math.min(window.scrollX + box.left,
      window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8)) + 'px';
    (el.dataset.q || '').split(' ').filter(Boolean).forEach(function (id) {
      document.querySelectorAll('[data-q~="' + id + '"]').forEach(function (x) {
        x.classList.add('hl');
      });
    });
  }
  function hide() {
    tip.hidden = true;
    document.querySelectorAll('.hl').forEach(function (x) { x.classList.remove('hl'); });
  }
  function target(ev) {
    return ev.target.closest ? ev.target.closest('.text [data-m], .text [data-q]') : null;
  }
  document.addEventListener('mouseover', function (ev) { var t = target(ev); hide();
    if (t) { show(t); } });
  document.addEventListener('focusin', function (ev) { var t = target(ev); hide();
    if (t) { show(t); } });
  document.addEventListener('click', function (ev) {
    var t = target(ev);
    if (!t) { return; }
    if (t.dataset.q) { location.hash = 'quote-' + t.dataset.q.split(' ')[0]; }
    else if (t.dataset.href) { location.href = t.dataset.href; }
  });
  document.querySelectorAll('.controls button[data-layer]').forEach(function (button) {
    button.addEventListener('click', function () {
      document.querySelectorAll('.controls button[data-layer]').forEach(function (b) {
        b.setAttribute('aria-pressed', String(b === button));
      });
      document.querySelectorAll('.text').forEach(function (layer) {
        layer.hidden = layer.id !== 'layer-' + button.dataset.layer;
      });
      hide();
    });
  });
})();
"""
