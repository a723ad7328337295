"""The annotation browser's pages, without a browser: nesting, escaping, determinism, drafts.

What the pages look like once rendered is tested in headless Chromium
(test_browse_chromium.py); these tests cover the pure rendering and the writing.
"""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser

import pytest

from helpers import ANNOTATIONS, DRAFT_DOC, PROPOSED, REPO, make_draft, write_json
from sokhan.browse.markup import Mark, nest
from sokhan.browse.output import MARKER, write_site
from sokhan.browse.pages import article_path, entity_path, site
from sokhan.browse.view import from_corpus, from_draft
from sokhan.checks.incidents import BuildError
from sokhan.cli import main


def _mark(start, end, rank, key):
    return Mark(start, end, rank, key,
                lambda first, key=key: f'<i k="{key}"{"" if first else " c"}>', "i")


@pytest.mark.parametrize(("text", "marks", "html"), [
    # nothing to mark: the text, escaped
    ("a<b & \"c\"", [], "a&lt;b &amp; &quot;c&quot;"),
    # one span in the middle
    ("abcd", [(1, 3, 0, "x")], 'a<i k="x">bc</i>d'),
    # a mention inside a content span: nested, drawn once each
    ("abcd", [(0, 4, 2, "q"), (1, 2, 4, "m")], '<i k="q">a<i k="m">b</i>cd</i>'),
    # a span crossing an outer one is cut at its edge; the second piece is a continuation
    ("abcd", [(0, 2, 1, "s"), (1, 4, 2, "q")],
     '<i k="s">a<i k="q">b</i></i><i k="q" c>cd</i>'),
    # two spans over the same text: the lower rank outside
    ("ab", [(0, 2, 4, "m"), (0, 2, 3, "spk")], '<i k="spk"><i k="m">ab</i></i>'),
    # an empty span is not drawn (nothing to colour)
    ("ab", [(1, 1, 0, "e")], "ab"),
    # Persian with a ZWNJ and a bidi control: kept character for character
    ("می\u200cگوید\u200f", [(0, 2, 0, "x")], '<i k="x">می</i>\u200cگوید\u200f'),
])
def test_nest(text, marks, html):
    assert nest(text, [_mark(*m) for m in marks]) == html


class _Balance(HTMLParser):
    """Fails on a closing tag that does not match the open one."""

    VOID = frozenset({"meta", "br", "link", "img", "input"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


@pytest.fixture(scope="module")
def pages(assembled):
    return site(from_corpus(assembled))


def test_site_has_an_index_every_article_and_every_entity(assembled, pages):
    expected = {"index.html"} | {article_path(d.doc_id) for d in assembled.docs}
    expected |= {entity_path(e) for e in assembled.entities}
    assert set(pages) == expected


def test_pages_are_deterministic_and_well_formed(assembled, pages):
    assert site(from_corpus(assembled)) == pages
    for path, data in pages.items():
        parser = _Balance()
        parser.feed(data.decode("utf-8"))
        parser.close()
        assert parser.stack == [], path
        # self-contained: nothing is loaded from anywhere
        assert not re.search(rb'(src|href)="(https?:)?//', data), path
        assert b"<link" not in data and b"@import" not in data, path


def test_text_from_the_data_is_escaped(assembled):
    hostile = '</script><img src=x onerror=alert(1)> & "q"'
    entities = dict(assembled.entities)
    first = next(m.entity_id for a in assembled.layers.values() for m in a.mentions if m.entity_id)
    entities[first] = dataclasses.replace(entities[first], name_en=hostile, name_fa=hostile)
    view = dataclasses.replace(from_corpus(assembled), entities=entities)
    for data in site(view).values():
        assert b"<img src=x" not in data and b"</script><img" not in data
    doc = next(d for d in assembled.docs if any(m.entity_id == first
                                                for m in assembled.layers[d.doc_id].mentions))
    page = site(view)[article_path(doc.doc_id)].decode()
    payload = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page,
                        re.S).group(1)
    assert json.loads(payload)["entities"][first]["en"] == hostile


def test_every_mention_and_quotation_has_its_element(assembled, pages):
    """The source check behind the browser test: one first fragment per mention and layer."""
    for doc in assembled.docs:
        page = pages[article_path(doc.doc_id)].decode()
        for m in assembled.layers[doc.doc_id].mentions:
            assert page.count(f'id="n-{m.id}"') == 1 and page.count(f'id="r-{m.id}"') == 1
        for q in assembled.layers[doc.doc_id].quotes:
            assert page.count(f'id="quote-{q.id}"') == 1


def test_a_draft_is_browsed_marked_as_draft(assembled, tmp_path):
    view = from_draft(assembled, make_draft(ANNOTATIONS), "draft.json")
    pages = site(view)
    assert article_path(DRAFT_DOC) in pages and entity_path(PROPOSED["id"]) in pages
    for path, data in pages.items():
        assert b'id="draft-banner">DRAFT' in data, path
        assert b"(DRAFT) \xc2\xb7 Sokhan</title>" in data, path
    entity = pages[entity_path(PROPOSED["id"])].decode()
    assert "proposed by the draft" in entity and 'data-m="' in entity
    assert "Tehran &lt;proposed &amp; &quot;quoted&quot;&gt;" in entity


@pytest.mark.parametrize(("change", "check"), [
    # not a draft at all: a gold file
    (lambda d: d.pop("draft"), "annotation-schema"),
    # a proposed id that is already in the registry
    (lambda d: d["draft"]["proposed_entities"].append({**PROPOSED, "id": "iran"}),
     "duplicate-id"),
    # a proposed entity of the wrong shape
    (lambda d: d["draft"]["proposed_entities"][0].pop("name_en"), "registry-schema"),
    # a mention whose copied text is not the article's
    (lambda d: d["mentions"][0].update(text="نه"), "span-text"),
    # a mention pointing at an entity neither in the registry nor proposed
    (lambda d: d["mentions"][0].update(entity="nobody-known"), "unknown-entity"),
])
def test_a_bad_draft_is_refused_with_a_check_id(assembled, change, check):
    draft = make_draft(ANNOTATIONS)
    change(draft)
    with pytest.raises(BuildError) as err:
        from_draft(assembled, draft, "draft.json")
    checks = {i.check for i in err.value.incidents}
    assert check in checks, checks


def test_write_site_replaces_its_own_folder_and_refuses_others(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"1", "article/a.html": b"a"}, out)
    assert (out / MARKER).is_file() and (out / "article/a.html").read_bytes() == b"a"
    write_site({"index.html": b"2"}, out)
    assert (out / "index.html").read_bytes() == b"2" and not (out / "article").exists()
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me")
    with pytest.raises(BuildError) as err:
        write_site({"index.html": b"x"}, foreign)
    assert [i.check for i in err.value.incidents] == ["output-unsafe"]
    assert [p.name for p in foreign.iterdir()] == ["mine.txt"]


@pytest.mark.slow
def test_cli_browse_writes_the_site_and_a_draft(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    out = tmp_path / "site"
    assert main(["browse", "--out", str(out)]) == 0
    assert "5 articles" in capsys.readouterr().out
    assert (out / "index.html").is_file()
    draft = write_json(tmp_path / "draft.json", make_draft(ANNOTATIONS))
    assert main(["browse", "--draft", str(draft), "--out", str(tmp_path / "draft-site")]) == 0
    assert "(DRAFT)" in capsys.readouterr().out


@pytest.mark.parametrize("out", [
    "",               # an empty path would mean the working folder
    "seeds",          # an input folder
    "corpus",         # holds the annotations input
    "docs",           # a folder of the project that is not a site: not replaced
])
def test_cli_browse_refuses_a_dangerous_out(out, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    before = sorted(p.name for p in (REPO / out).iterdir()) if out else None
    assert main(["browse", "--out", out]) == 1
    assert "[output-unsafe]" in capsys.readouterr().err
    if out:
        assert sorted(p.name for p in (REPO / out).iterdir()) == before
