"""The card's figures: drawn from the published rows, byte for byte the same every time."""

from __future__ import annotations

import copy
import io
import multiprocessing.process
import re
import struct
import sys

import pytest

from sokhan.publication.figures import (
    FIGURES,
    _drawn,
    charts,
    draw,
    drawing_process,
    figures,
)


def _chunks(png: bytes) -> list[bytes]:
    """The chunk types of a PNG, in order."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        out.append(png[pos + 4:pos + 8])
        pos += 12 + length
    return out


@pytest.mark.slow
def test_two_renders_are_byte_identical(assembled):
    first = figures(assembled.rows)
    _drawn.cache_clear()  # drawn again, not remembered
    assert figures(assembled.rows) == first


@pytest.mark.slow
def test_every_figure_is_a_png_without_text_or_time_chunks(assembled):
    drawn = figures(assembled.rows)
    assert set(drawn) == set(FIGURES)
    for path, png in drawn.items():
        kinds = _chunks(png)
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND", path
        # no Software/creation-time text, no timestamp: nothing that varies between builds
        assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(kinds), (path, kinds)


@pytest.mark.slow
def test_figures_follow_the_data(assembled):
    """A changed count changes the picture (the figures are not a fixed image)."""
    rows = copy.deepcopy(assembled.rows)
    quote = rows["quotes"]["train"][0]
    quote["form"] = next(f for f in ("direct", "indirect", "mixed") if f != quote["form"])
    before, after = figures(assembled.rows), figures(rows)
    assert before["figures/quote-forms.png"] != after["figures/quote-forms.png"]
    assert before["figures/speakers.png"] != after["figures/speakers.png"]
    assert before["figures/entity-types.png"] == after["figures/entity-types.png"]


@pytest.mark.slow
def test_speaker_labels_are_the_registry_english_names(assembled):
    """matplotlib cannot shape Persian, so the labels must be Latin script."""
    from PIL import Image

    with Image.open(io.BytesIO(figures(assembled.rows)["figures/speakers.png"])) as image:
        assert image.format == "PNG" and image.width >= 700
    names = {e["name_en"] for split in assembled.rows["entities"].values() for e in split}
    assert names and all(not re.search("[\u0600-\u06ff]", n) for n in names)


def test_built_corpus_has_the_figures_and_the_card_shows_them(fresh_corpus, build_manifest):
    card = (fresh_corpus / "README.md").read_text(encoding="utf-8")
    for path, caption in FIGURES.items():
        assert (fresh_corpus / path).is_file()
        assert f"![{caption}]({path})" in card
        assert path in build_manifest["files"]


def _without_matplotlib(monkeypatch) -> None:
    """As in a fresh ``sokhan build``: matplotlib not yet imported, so a process is started."""
    monkeypatch.delitem(sys.modules, "matplotlib.figure", raising=False)


@pytest.mark.slow
def test_the_drawing_process_gives_the_bytes_drawn_here(assembled, monkeypatch):
    wanted = charts(assembled.rows)
    _without_matplotlib(monkeypatch)
    with drawing_process() as draw_elsewhere:
        assert draw_elsewhere is not draw
        assert draw_elsewhere(wanted) == draw(wanted)


def test_with_matplotlib_imported_the_figures_are_drawn_here(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", sys.modules.get("matplotlib.figure")
                        or object())
    with drawing_process() as drawer:
        assert drawer is draw


@pytest.mark.slow
def test_a_drawing_process_that_dies_leaves_the_drawing_to_this_one(assembled, monkeypatch):
    """The second process killed before it answers: the figures are drawn here instead."""
    wanted = charts(assembled.rows)
    started: list = []
    real_start = multiprocessing.process.BaseProcess.start

    def start(self):
        real_start(self)
        started.append(self)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    _without_matplotlib(monkeypatch)
    with drawing_process() as draw_elsewhere:
        started[0].kill()
        started[0].join()
        assert draw_elsewhere(wanted) == draw(wanted)
