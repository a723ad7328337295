"""The annotation browser in a real browser: headless Chromium (Debian's) driven by Selenium.

Every check reads the rendered page (DOM queries and computed styles after load),
never the HTML source. The site is served from a loopback HTTP server.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from helpers import ANNOTATIONS, PROPOSED, REPO, make_draft
from sokhan.browse.output import write_site
from sokhan.browse.pages import article_path, site
from sokhan.browse.view import from_corpus, from_draft

pytestmark = pytest.mark.browser

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000")
#: The article the README shows.
SHOWN = "003_6bdf49eb73ba74a2"


@contextlib.contextmanager
def _serve(folder: Path):
    """``folder`` on a loopback HTTP server, for as long as the block runs; yields its url."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def served(assembled, tmp_path_factory):
    """The site of the repository's corpus on a loopback HTTP server: (base url, folder)."""
    folder = tmp_path_factory.mktemp("browse") / "site"
    write_site(site(from_corpus(assembled)), folder)
    with _serve(folder) as base:
        yield base, folder


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium; the driver is the Debian one, named explicitly, so nothing is fetched."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: apt-get install chromium chromium-driver "
                    "(.ci/run does)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never try the network
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    started = time.perf_counter()
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    print(f"chromium started in {time.perf_counter() - started:.1f} s")
    yield driver
    driver.quit()


def _open(driver, url: str) -> None:
    driver.get(url)
    driver.execute_script("return document.fonts.ready")  # glyphs in place before looking


def _rows(assembled, config: str) -> list[dict]:
    return [r for split in assembled.rows[config].values() for r in split]


#: What one text layer draws, read from the DOM: ids of first fragments, texts of whole spans.
_DRAWN = """
const layer = document.getElementById(arguments[0]);
const visible = (el) => el.getClientRects().length > 0;
const out = {visible: visible(layer), text: layer.textContent,
  direction: getComputedStyle(layer).direction, font: getComputedStyle(layer).fontFamily,
  mentions: [], mentionText: {}, parts: [], partText: {}, sentences: [], undrawn: 0};
layer.querySelectorAll('[data-m]').forEach((el) => {
  if (!visible(el)) { out.undrawn += 1; }
  if (!el.dataset.cont) { out.mentions.push(el.dataset.m); }
  out.mentionText[el.dataset.m] = (out.mentionText[el.dataset.m] || '') + el.textContent;
});
layer.querySelectorAll('[data-part]').forEach((el) => {
  if (!visible(el)) { out.undrawn += 1; }
  if (!el.dataset.cont) {
    out.parts.push({k: el.dataset.k, part: el.dataset.part, quotes: el.dataset.q.split(' '),
      badge: getComputedStyle(el, el.dataset.part === 'cue' ? '::before' : '::after').content});
  }
  out.partText[el.dataset.k] = (out.partText[el.dataset.k] || '') + el.textContent;
});
layer.querySelectorAll('.s').forEach((el) => out.sentences.push({id: el.dataset.s,
  role: el.dataset.role, label: getComputedStyle(el, '::before').content,
  repeat: el.classList.contains('repeat')}));
return out;
"""


def _check_layer(drawn: dict, doc: dict, mentions: list[dict], quotes: list[dict],
                 sentences: list[dict], names: dict[str, str], raw: bool) -> None:
    text_key, start, end = ("raw_text", "raw_start", "raw_end") if raw else ("text", "start", "end")
    assert drawn["visible"] and drawn["undrawn"] == 0
    assert drawn["direction"] == "rtl"
    assert "Noto Naskh Arabic" in drawn["font"]
    # the page shows the article's text exactly, every character once (escaping included)
    assert drawn["text"] == doc[text_key]
    # every mention row is drawn exactly once, over exactly its text
    assert Counter(drawn["mentions"]) == Counter(m["id"] for m in mentions)
    for m in mentions:
        assert drawn["mentionText"][m["id"]] == m[text_key]
    # every quotation's cue, content spans and speaker span, once each, over exactly their text
    expected: Counter = Counter()
    for q in quotes:
        spans = [("cue", q["cue"]), *(("content", c) for c in q["content"])]
        if q["speaker"]:
            spans.append(("speaker", q["speaker"]))
        for part, span in spans:
            key = f"{part}-{span[start]}-{span[end]}"
            expected[(q["id"], part, key)] += 1
            assert drawn["partText"][key] == span[text_key]
    got = Counter((qid, p["part"], p["k"]) for p in drawn["parts"] for qid in p["quotes"])
    assert got == expected
    # pronoun and dropped-subject speakers are shown resolved, by the entity's name
    for q in quotes:
        if q["speaker_kind"] in ("pronoun", "none"):
            span, part = (q["speaker"], "speaker") if q["speaker"] else (q["cue"], "cue")
            key = f"{part}-{span[start]}-{span[end]}"
            badge = next(p["badge"] for p in drawn["parts"] if p["k"] == key)
            # an unidentified speaker is shown as such
            assert names.get(q["speaker_entity"], "unknown") in badge, (q["id"], badge)
    # sentence roles and repeats are visible (the label is drawn by CSS, outside the text)
    assert [s["id"] for s in drawn["sentences"]] == [s["id"] for s in sentences]
    for s, shown in zip(sentences, drawn["sentences"], strict=True):
        assert shown["role"] == s["role"]
        if s["role"] != "body":
            assert s["role"] in shown["label"]
        assert shown["repeat"] == bool(s["repeat_of"])
        if s["repeat_of"]:
            assert "repeat of" in shown["label"]


def test_every_mention_and_quotation_is_drawn_once_in_both_layers(assembled, served, browser):
    base, _ = served
    started = time.perf_counter()
    names = {e["id"]: e["name_fa"] for e in _rows(assembled, "entities")}
    mentions, quotes, sentences = (_rows(assembled, c) for c in ("mentions", "quotes", "sentences"))
    for doc in _rows(assembled, "documents"):
        doc_id = doc["doc_id"]
        ms = [m for m in mentions if m["doc_id"] == doc_id]
        qs = [q for q in quotes if q["doc_id"] == doc_id]
        ss = [s for s in sentences if s["doc_id"] == doc_id]
        _open(browser, base + article_path(doc_id))
        _check_layer(browser.execute_script(_DRAWN, "layer-norm"), doc, ms, qs, ss, names, False)
        assert browser.execute_script(
            "return document.getElementById('layer-raw').getClientRects().length") == 0
        # every quotation has its row in the list, once
        rows = browser.execute_script(
            "return [...document.querySelectorAll('li.quote')].map(li => li.dataset.quote)")
        assert Counter(rows) == Counter(q["id"] for q in qs)
        browser.find_element("css selector", 'button[data-layer="raw"]').click()
        _check_layer(browser.execute_script(_DRAWN, "layer-raw"), doc, ms, qs, ss, names, True)
        assert browser.execute_script(
            "return document.getElementById('layer-norm').getClientRects().length") == 0
    print(f"5 articles checked in both layers in {time.perf_counter() - started:.1f} s")


def test_entity_pages_list_every_mention_and_quotation_once(assembled, served, browser):
    base, _ = served
    seen_mentions: Counter = Counter()
    seen_spoken: Counter = Counter()
    for e in _rows(assembled, "entities"):
        _open(browser, f"{base}entity/{e['id']}.html")
        found = browser.execute_script("""return {
          m: [...document.querySelectorAll('#mentions tr[data-m]')].map(r => r.dataset.m),
          q: [...document.querySelectorAll('#spoken tr[data-spoken]')].map(r => r.dataset.spoken),
          direction: getComputedStyle(document.querySelector('h1 .fa')).direction}""")
        assert found["direction"] == "rtl"
        assert len(found["m"]) == e["mention_count"] and len(found["q"]) == e["quote_count"]
        seen_mentions.update(found["m"])
        seen_spoken.update(found["q"])
    registry = {e["id"] for e in _rows(assembled, "entities")}
    mentions, quotes = _rows(assembled, "mentions"), _rows(assembled, "quotes")
    assert seen_mentions == Counter(m["id"] for m in mentions if m["entity_id"])
    assert seen_spoken == Counter(q["id"] for q in quotes if q["speaker_entity"] in registry)


def test_every_link_resolves_and_every_page_is_reachable(served, browser):
    """Crawl from the index: every href and data-href names a served page and an element in it."""
    base, folder = served
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    queue = [base + "index.html"]
    started = time.perf_counter()
    while queue:
        url = queue.pop()
        if url in ids:
            continue
        _open(browser, url)
        assert browser.execute_script("return document.title").endswith("Sokhan"), url
        ids[url] = set(browser.execute_script(
            "return [...document.querySelectorAll('[id]')].map(e => e.id)"))
        for href in browser.execute_script(
                "return [...document.querySelectorAll('a[href], [data-href]')]"
                ".map(a => a.getAttribute('href') || a.dataset.href)"):
            target = urljoin(url, href)
            assert urlparse(target).netloc == urlparse(base).netloc, (url, href)  # no network
            links.append((url, target))
            page = urldefrag(target).url
            if page not in ids:
                queue.append(page)
    for source, target in links:
        page, fragment = urldefrag(target)
        assert page in ids, (source, target)
        assert not fragment or fragment in ids[page], (source, target)
    pages = {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}
    assert {u.removeprefix(base) for u in ids} == pages
    took = time.perf_counter() - started
    print(f"{len(pages)} pages, {len(links)} links crawled in {took:.1f} s")


def test_hover_and_focus_show_speaker_form_and_nesting(assembled, served, browser):
    from selenium.webdriver.common.action_chains import ActionChains

    base, _ = served
    quotes = _rows(assembled, "quotes")
    names = {e["id"]: e["name_fa"] for e in _rows(assembled, "entities")}
    nested = next(q for q in quotes if q["parent_id"] and q["speaker_entity"] in names)
    _open(browser, base + article_path(nested["doc_id"]))
    key = f"cue-{nested['cue']['start']}-{nested['cue']['end']}"
    cue = browser.find_element("css selector", f'#layer-norm [data-k="{key}"]')
    ActionChains(browser).move_to_element(cue).perform()
    tip = browser.find_element("id", "tip")
    assert tip.is_displayed()
    text = tip.text
    assert names[nested["speaker_entity"]] in text and nested["form"] in text
    assert f"nested in: {nested['parent_id'].rsplit('-', 1)[1]}" in text
    # the quotation's other parts light up with it
    highlighted = browser.execute_script(
        "return [...document.querySelectorAll('#layer-norm .hl')].map(e => e.dataset.k)")
    assert f"content-{nested['content'][0]['start']}-{nested['content'][0]['end']}" in highlighted
    # keyboard: focusing a mention shows its entity
    mention = next(m for m in _rows(assembled, "mentions")
                   if m["doc_id"] == nested["doc_id"] and m["entity_id"])
    browser.execute_script("document.getElementById(arguments[0]).focus()", "n-" + mention["id"])
    assert names[mention["entity_id"]] in tip.text and mention["type"] in tip.text


def test_screenshots(assembled, served, browser, tmp_path):
    """Screenshots of every article page are drawn (not blank); the README's comes from here.

    ``SOKHAN_UPDATE_SCREENSHOT=1`` copies the shown article's screenshot to docs/.
    """
    from PIL import Image, ImageStat

    base, _ = served
    for doc in _rows(assembled, "documents"):
        _open(browser, base + article_path(doc["doc_id"]))
        if doc["doc_id"] == SHOWN:  # a pronoun speaker hovered: the tooltip is in the picture
            from selenium.webdriver.common.action_chains import ActionChains

            spk = browser.find_element("css selector", "#layer-norm .qs.pronoun")
            browser.execute_script("window.scrollTo(0, 0)")
            ActionChains(browser).move_to_element(spk).perform()
        shot = tmp_path / f"{doc['doc_id']}.png"
        assert browser.save_screenshot(str(shot))
        with Image.open(shot) as image:
            assert image.size == (1280, browser.execute_script("return window.innerHeight"))
            spread = ImageStat.Stat(image.convert("L")).stddev[0]
            assert spread > 20, f"{shot.name} looks blank (grey-level spread {spread:.1f})"
    if os.environ.get("SOKHAN_UPDATE_SCREENSHOT"):
        shutil.copyfile(tmp_path / f"{SHOWN}.png", REPO / "docs" / "browse-article.png")


def test_a_draft_is_drawn_the_same_way_and_marked(assembled, browser, tmp_path):
    view = from_draft(assembled, make_draft(ANNOTATIONS), "draft.json")
    write_site(site(view), tmp_path / "draft-site")
    article = view.articles[0]
    with _serve(tmp_path / "draft-site") as base:
        _open(browser, base + article_path(article.doc.doc_id))
        banner = browser.find_element("id", "draft-banner")
        assert banner.is_displayed() and banner.text.startswith("DRAFT")
        drawn = browser.execute_script(_DRAWN, "layer-norm")
        assert drawn["text"] == article.doc.text and drawn["direction"] == "rtl"
        assert Counter(drawn["mentions"]) == Counter(m.id for m in article.layers.mentions)
        proposed = next(m for m in article.layers.mentions if m.entity_id == PROPOSED["id"])
        browser.execute_script("document.getElementById(arguments[0]).focus()",
                               "n-" + proposed.id)
        tip = browser.find_element("id", "tip").text
        assert PROPOSED["name_en"] in tip and "[proposed]" in tip
