"""Every page of the browser, rendered to bytes from a :class:`~sokhan.browse.view.View`.

Pure: the same view gives the same bytes (orders are sorted, nothing depends on
time or the machine). Every text from the data goes through
:func:`~sokhan.browse.markup.esc`; the page data for the script is JSON with
``<``, ``>`` and ``&`` escaped, so no text can close its ``<script>`` element.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable

from sokhan.browse.assets import SCRIPT, STYLE, TYPE_COLOURS
from sokhan.browse.markup import Mark, attrs, esc, nest
from sokhan.browse.view import Article, View
from sokhan.records import ENTITY_TYPES, UNKNOWN_SPEAKER, Entity, Mention, Quote, Span

#: The two text layers an article page can show, and the id prefix of their elements.
LAYERS = (("norm", "n-", "normalised"), ("raw", "r-", "raw"))
_TYPE_CSS = "".join(f".t-{t} {{ background: {c}; }}\n" for t, c in TYPE_COLOURS.items())


def site(view: View) -> dict[str, bytes]:
    """Every file of the site by path relative to its folder."""
    files = {"index.html": index_page(view)}
    for article in view.articles:
        files[article_path(article.doc.doc_id)] = article_page(view, article)
    for entity_id in sorted(view.entities):
        files[entity_path(entity_id)] = entity_page(view, entity_id)
    return {path: html.encode() for path, html in files.items()}


def article_path(doc_id: str) -> str:
    """Where an article's page is, relative to the site folder."""
    return f"article/{doc_id}.html"


def entity_path(entity_id: str) -> str:
    """Where an entity's page is, relative to the site folder."""
    return f"entity/{entity_id}.html"


def short(record_id: str) -> str:
    """``q3`` for ``003_6bdf49eb73ba74a2-q3``: unique within its article."""
    return record_id.rsplit("-", 1)[-1]


# -- the frame every page shares ---------------------------------------------------------------


def _page(view: View, title: str, root: str, heading: str, body: str, data: dict) -> str:
    banner = ""
    if view.draft is not None:
        d = view.draft
        banner = (f'<div class="draft-banner" id="draft-banner">DRAFT · not gold · '
                  f'{esc(str(d.get("tool")))} {esc(str(d.get("version")))} · status '
                  f'{esc(str(d.get("status")))}</div>')
    payload = (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
               .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}{' (DRAFT)' if view.draft is not None else ''} · Sokhan</title>\n"
        f"<style>{STYLE}{_TYPE_CSS}</style>\n</head>\n<body>\n{banner}"
        f'<header class="top"><a href="{root}index.html">Sokhan browser</a>{heading}</header>\n'
        f"<main>\n{body}</main>\n"
        '<div id="tip" role="tooltip" hidden></div>\n'
        f'<script type="application/json" id="page-data">{payload}</script>\n'
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _fa(text: str, tag: str = "span", **more: str | None) -> str:
    return f'<{tag}{attrs(class_="fa", dir="rtl", lang="fa", **more)}>{esc(text)}</{tag}>'


def _entity_link(view: View, entity_id: str | None, root: str) -> str:
    if entity_id is None:
        return '<span class="muted">—</span>'
    entity = view.entities.get(entity_id)
    if entity is None:  # the unknown speaker
        return f'<span class="muted">{esc(entity_id)}</span>'
    proposed = ' <span class="badge proposed">proposed</span>' if entity_id in view.proposed else ""
    return (f'<a href="{root}{esc(entity_path(entity_id))}">{_fa(entity.name_fa)} '
            f"({esc(entity.name_en)})</a>{proposed}")


def _table(header: Iterable[str], rows: Iterable[str], **more: str | None) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    return f"<table{attrs(**more)}>\n<tr>{head}</tr>\n" + "".join(rows) + "</table>\n"


def _legend(types: Counter) -> str:
    keys = [f'<span class="key t-{t}">{t} {types[t]}</span>' for t in ENTITY_TYPES if types[t]]
    parts = ['<span class="key qcue">cue</span>', '<span class="key qc">content</span>',
             '<span class="key qs">speaker</span>',
             '<span class="key qs pronoun" data-resolved="= entity">pronoun</span>',
             '<span class="key qcue dropped" data-resolved="∅ entity">dropped subject</span>']
    return ('<div class="legend" id="legend"><b>entities</b> ' + " ".join(keys)
            + " <b>quotations</b> " + " ".join(parts) + "</div>\n")


def _entity_data(view: View, ids: Iterable[str | None]) -> dict:
    return {
        e: {"fa": view.entities[e].name_fa, "en": view.entities[e].name_en,
            "type": view.entities[e].type, "proposed": e in view.proposed}
        for e in sorted({i for i in ids if i and i in view.entities})
    }


# -- index -------------------------------------------------------------------------------------


def index_page(view: View) -> str:
    """Articles with their counts, and the registry with its usage."""
    mentions: Counter = Counter()
    spoken: Counter = Counter()
    rows = []
    for a in view.articles:
        meta, layers = a.doc.seed.meta, a.layers
        mentions.update(m.entity_id for m in layers.mentions if m.entity_id)
        # the published records say null for a speaker the text does not identify
        spoken.update(q.speaker_entity or UNKNOWN_SPEAKER for q in layers.quotes)
        rows.append(
            f'<tr data-doc="{esc(a.doc.doc_id)}"><td><a href="{esc(article_path(a.doc.doc_id))}">'
            f"{esc(a.doc.doc_id)}</a></td>"
            f"<td>{_fa(meta.get('headline') or meta.get('event_fa') or '')}"
            f"</td>"
            f"<td>{esc(a.split)}</td><td>{esc(meta.get('outlet') or '—')}</td>"
            f"<td>{esc(str(meta.get('event_date')))}</td>"
            f'<td class="num">{len(a.sentences)}</td>'
            f'<td class="num">{sum(len(s.tokens) for s in a.sentences)}</td>'
            f'<td class="num">{len(layers.mentions)}</td>'
            f'<td class="num">{len(layers.quotes)}</td></tr>\n'
        )
    types = Counter(m.type for a in view.articles for m in a.layers.mentions)
    used = [e for e in sorted(view.entities.values(), key=lambda e: (-mentions[e.id], e.id))]
    entity_rows = [
        f'<tr data-entity="{esc(e.id)}"><td>{_entity_link(view, e.id, "")}</td>'
        f'<td>{esc(e.type)}{" · group" if e.is_group else ""}</td>'
        f'<td class="num">{mentions[e.id]}</td><td class="num">{spoken[e.id]}</td></tr>\n'
        for e in used
    ]
    unknown = spoken[UNKNOWN_SPEAKER]
    body = (
        "<h2>Articles</h2>\n"
        + _table(["article", "headline or event", "split", "outlet", "date", "sentences", "tokens",
                  "mentions", "quotations"], rows, id="articles")
        + _legend(types)
        + "<h2>Entities</h2>\n"
        + (f'<p class="muted">{unknown} quotation(s) have a speaker the text does not '
           "identify.</p>\n" if unknown else "")
        + _table(["entity", "type", "mentions", "quotations spoken"], entity_rows, id="entities")
    )
    return _page(view, "Articles", "", "<h1>Articles and entities</h1>", body, {
        "entities": {}, "mentions": {}, "quotes": {}})


# -- article -----------------------------------------------------------------------------------


def _offsets(span: Span, layer: str) -> tuple[int, int]:
    return (span.start, span.end) if layer == "norm" else (span.raw_start, span.raw_end)


def _marks(view: View, article: Article, layer: str, prefix: str) -> list[Mark]:
    """Every span of one text layer: lines, sentences, quotation parts, mentions."""
    text = article.doc.text if layer == "norm" else article.doc.raw_text
    marks: list[Mark] = []
    pos = 0
    for n, line in enumerate(text.split("\n"), start=1):
        marks.append(Mark(pos, pos + len(line), 0, f"line{n:05d}",
                          lambda _first: '<div class="line">', "div"))
        pos += len(line) + 1
    for s in article.sentences:
        start, end = (s.start, s.end) if layer == "norm" else (s.raw_start, s.raw_end)
        label = f"{s.n}" if s.role == "body" else f"{s.n} {s.role}"
        if s.repeat_of:
            label += f" · repeat of {short(s.repeat_of)}"
        classes = f"s role-{s.role}" + (" repeat" if s.repeat_of else "")
        opening = "<span" + attrs(class_=classes, id=prefix + s.id, data_s=s.id,
                                  data_role=s.role, data_label=label) + ">"

        def sentence_tag(_first: bool, opening: str = opening) -> str:
            return opening

        marks.append(Mark(start, end, 1, s.id, sentence_tag))

    groups: dict[tuple[str, int, int], list[tuple[Quote, Span]]] = defaultdict(list)
    for q in article.layers.quotes:
        for part in q.content:
            groups[("content", *_offsets(part, layer))].append((q, part))
        groups[("cue", *_offsets(q.cue, layer))].append((q, q.cue))
        if q.speaker is not None:
            groups[("speaker", *_offsets(q.speaker, layer))].append((q, q.speaker))
    for (kind, start, end), members in sorted(groups.items()):
        quotes = [q for q, _ in members]
        classes = {"content": "qc", "cue": "qcue", "speaker": "qs"}[kind]
        resolved = None
        if kind == "content" and any(q.parent_id for q in quotes):
            classes += " nested"
        if kind == "speaker" and any(q.speaker_kind == "pronoun" for q in quotes):
            classes += " pronoun"
            resolved = "= " + _resolved(view, quotes[0].speaker_entity)
        if kind == "cue" and any(q.speaker is None for q in quotes):
            classes += " dropped"
            resolved = "∅ " + _resolved(view, quotes[0].speaker_entity)
        key = f"{kind}-{start}-{end}"
        anchor = prefix + key

        def tag(first: bool, classes=classes, quotes=quotes, kind=kind, anchor=anchor,
                resolved=resolved, key=key) -> str:
            return "<span" + attrs(class_=classes, id=anchor if first else None,
                                   data_q=" ".join(q.id for q in quotes), data_part=kind,
                                   data_k=key,
                                   data_resolved=resolved, data_cont=None if first else "1",
                                   tabindex="0" if first else None) + ">"

        rank = 2 if kind == "content" else 3
        marks.append(Mark(start, end, rank, key, tag))

    for m in article.layers.mentions:
        start, end = _offsets(m.span, layer)

        def mtag(first: bool, m: Mention = m) -> str:
            href = f"../{entity_path(m.entity_id)}" if m.entity_id else None
            return "<span" + attrs(class_=f"m t-{m.type}", id=prefix + m.id if first else None,
                                   data_m=m.id, data_cont=None if first else "1",
                                   data_href=href, tabindex="0" if first else None) + ">"

        marks.append(Mark(start, end, 4, m.id, mtag))
    return marks


def _resolved(view: View, entity_id: str | None) -> str:
    if entity_id is None:
        return UNKNOWN_SPEAKER
    entity = view.entities.get(entity_id)
    return entity.name_fa if entity else entity_id


def anchor_of(span: Span, kind: str) -> str:
    """The id of a quotation part's first fragment in the normalised layer."""
    return f"n-{kind}-{span.start}-{span.end}"


def _quote_item(view: View, q: Quote, children: list[str]) -> str:
    if q.speaker is None:
        speaker = "dropped subject, resolved from context to "
    elif q.speaker_kind == "pronoun":
        speaker = f"pronoun {_fa(q.speaker.text)} resolved to "
    else:
        speaker = f"{esc(q.speaker_kind)} {_fa(q.speaker.text)} = "
    nesting = ""
    if q.parent_id:
        nesting += f' · nested in <a href="#quote-{esc(q.parent_id)}">{esc(short(q.parent_id))}</a>'
    if children:
        nesting += " · contains " + ", ".join(
            f'<a href="#quote-{esc(c)}">{esc(short(c))}</a>' for c in children)
    content = " … ".join(
        f'<a href="#{esc(anchor_of(c, "content"))}">{_fa(c.text)}</a>' for c in q.content)
    cue = f'<a href="#{esc(anchor_of(q.cue, "cue"))}">{_fa(q.cue.text)}</a>'
    if q.speaker is not None:
        speaker = (f'<a href="#{esc(anchor_of(q.speaker, "speaker"))}">{speaker}</a>')
    sentences = " ".join(f'<a href="#n-{esc(s)}">{esc(short(s))}</a>' for s in q.sentence_ids)
    return (
        "<li" + attrs(class_="quote nested" if q.parent_id else "quote", id=f"quote-{q.id}",
                      data_quote=q.id) + ">"
        f'<span class="badge {esc(q.form)}">{esc(q.form)}</span> <b>{esc(short(q.id))}</b>'
        f"{nesting}\n<dl>"
        f"<dt>speaker</dt><dd>{speaker}{_entity_link(view, q.speaker_entity, '../')}</dd>"
        f"<dt>cue</dt><dd>{cue}</dd>"
        f"<dt>content</dt><dd>{content}</dd>"
        f"<dt>addressee</dt><dd>{_entity_link(view, q.addressee_entity, '../')}</dd>"
        f"<dt>sentences</dt><dd>{sentences}</dd></dl></li>\n"
    )


def article_page(view: View, article: Article) -> str:
    """One article: both text layers with every annotation drawn, then its quotations."""
    doc, layers = article.doc, article.layers
    meta = doc.seed.meta
    texts = []
    for layer, prefix, _ in LAYERS:
        text = doc.text if layer == "norm" else doc.raw_text
        texts.append(
            f'<div{attrs(class_="text", id=f"layer-{layer}", dir="rtl", lang="fa")}'
            f'{" hidden" if layer == "raw" else ""}>'
            f"{nest(text, _marks(view, article, layer, prefix))}</div>\n"
        )
    children: dict[str, list[str]] = defaultdict(list)
    for q in layers.quotes:
        if q.parent_id:
            children[q.parent_id].append(q.id)
    buttons = "".join(
        f'<button type="button" data-layer="{layer}" aria-pressed="{str(layer == "norm").lower()}"'
        f">{label}</button>" for layer, _, label in LAYERS)
    types = Counter(m.type for m in layers.mentions)
    body = (
        f'<p>{esc(doc.doc_id)} · {esc(article.split)} · {esc(meta.get("outlet") or "—")} · '
        f'{esc(str(meta.get("event_date")))} · {len(article.sentences)} sentences · '
        f"{len(layers.mentions)} mentions · {len(layers.quotes)} quotations · "
        f'source <code>seeds/{esc(doc.seed.file)}</code><br>{esc(meta.get("event") or "")}</p>\n'
        + _legend(types)
        + f'<div class="controls">text: {buttons}</div>\n'
        + "".join(texts)
        + f"<h2>Quotations ({len(layers.quotes)})</h2>\n<ol class=\"quotes\">\n"
        + "".join(_quote_item(view, q, children[q.id]) for q in layers.quotes)
        + "</ol>\n"
    )
    data = {
        "entities": _entity_data(view, [m.entity_id for m in layers.mentions]
                                 + [q.speaker_entity for q in layers.quotes]
                                 + [q.addressee_entity for q in layers.quotes]),
        "mentions": {m.id: {"type": m.type, "entity": m.entity_id} for m in layers.mentions},
        "quotes": {
            q.id: {"label": short(q.id), "form": q.form, "kind": q.speaker_kind,
                   "speaker": q.speaker_entity, "addressee": q.addressee_entity,
                   "parent": q.parent_id, "children": children[q.id]}
            for q in layers.quotes
        },
    }
    heading = (f"<h1>{esc(doc.doc_id)}</h1>"
               f"{_fa(meta.get('headline') or meta.get('event_fa') or '')}")
    return _page(view, doc.doc_id, "../", heading, body, data)


# -- entity ------------------------------------------------------------------------------------


def _in_sentence(article: Article, span: Span, sentence_id: str) -> str:
    s = next(s for s in article.sentences if s.id == sentence_id)
    mark = Mark(span.start - s.start, span.end - s.start, 0, "m",
                lambda _first: "<mark>", "mark")
    return f'<span class="fa sentence" dir="rtl" lang="fa">{nest(s.text, [mark])}</span>'


def entity_page(view: View, entity_id: str) -> str:
    """Every mention of one entity and every quotation it speaks or is addressed, by article."""
    entity: Entity = view.entities[entity_id]
    mention_rows, spoken_rows, addressed_rows = [], [], []
    for a in view.articles:
        page = f"../{article_path(a.doc.doc_id)}"
        for m in a.layers.mentions:
            if m.entity_id == entity_id:
                mention_rows.append(
                    f'<tr data-m="{esc(m.id)}"><td><a href="{esc(page)}#n-{esc(m.id)}">'
                    f"{esc(a.doc.doc_id)} {esc(short(m.id))}</a></td><td>{esc(m.type)}</td>"
                    f"<td>{_in_sentence(a, m.span, m.sentence_id)}</td></tr>\n")
        for q in a.layers.quotes:
            link = (f'<a href="{esc(page)}#quote-{esc(q.id)}">'
                    f"{esc(a.doc.doc_id)} {esc(short(q.id))}</a>")
            cells = (f'<td><span class="badge {esc(q.form)}">{esc(q.form)}</span></td>'
                     f"<td>{esc(q.speaker_kind)}"
                     f"{' ' + _fa(q.speaker.text) if q.speaker else ''}</td>"
                     f"<td>{_fa(q.cue.text)}</td>"
                     f"<td>{_fa(' … '.join(c.text for c in q.content))}</td>")
            if q.speaker_entity == entity_id:
                addressee = _entity_link(view, q.addressee_entity, "../")
                spoken_rows.append(f'<tr data-spoken="{esc(q.id)}"><td>{link}</td>{cells}'
                                   f"<td>{addressee}</td></tr>\n")
            if q.addressee_entity == entity_id:
                speaker = _entity_link(view, q.speaker_entity, "../")
                addressed_rows.append(f'<tr data-addressed="{esc(q.id)}"><td>{link}</td>{cells}'
                                      f"<td>{speaker}</td></tr>\n")
    groups = sorted(e.id for e in view.entities.values() if entity_id in e.members)
    facts = [f"type {esc(entity.type)}", f"id <code>{esc(entity.id)}</code>"]
    if entity_id in view.proposed:
        facts.append('<span class="badge proposed">proposed by the draft</span>')
    if entity.aliases:
        facts.append("aliases " + "، ".join(_fa(a) for a in entity.aliases))
    if entity.members:
        facts.append("a group of "
                     + ", ".join(_entity_link(view, e, "../") for e in entity.members))
    if groups:
        facts.append("member of " + ", ".join(_entity_link(view, g, "../") for g in groups))
    quote_head = ["quotation", "form", "speaker span", "cue", "content"]
    body = (
        f"<p>{' · '.join(facts)}</p>\n"
        f"<h2>Mentions ({len(mention_rows)})</h2>\n"
        + _table(["mention", "type", "sentence"], mention_rows, id="mentions")
        + f"<h2>Quotations spoken ({len(spoken_rows)})</h2>\n"
        + _table([*quote_head, "addressee"], spoken_rows, id="spoken")
        + f"<h2>Quotations addressed to it ({len(addressed_rows)})</h2>\n"
        + _table([*quote_head, "speaker"], addressed_rows, id="addressed")
    )
    heading = f"<h1>{_fa(entity.name_fa)} · {esc(entity.name_en)}</h1>"
    return _page(view, entity.name_en, "../", heading, body,
                 {"entities": {}, "mentions": {}, "quotes": {}})
