"""The card's figures: drawn from the published rows, byte for byte the same every time."""

from __future__ import annotations

import copy
import dataclasses
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
from sokhan.stages import prepared


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


def _first_build(monkeypatch, tmp_path) -> list:
    """As in a first ``sokhan build``: matplotlib not yet imported, no figures kept.

    Returns the list the processes started from now on are added to.
    """
    monkeypatch.delitem(sys.modules, "matplotlib.figure", raising=False)
    monkeypatch.setenv(prepared.ENV, str(tmp_path / "cache"))
    started: list = []
    real_start = multiprocessing.process.BaseProcess.start

    def start(self):
        real_start(self)
        started.append(self)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    return started


@pytest.mark.slow
def test_the_drawing_process_gives_the_bytes_drawn_here(assembled, monkeypatch, tmp_path):
    wanted = charts(assembled.rows)
    started = _first_build(monkeypatch, tmp_path)
    with drawing_process() as draw_elsewhere:
        assert len(started) == 1
        assert draw_elsewhere(wanted) == draw(wanted)


def test_with_matplotlib_imported_the_figures_are_drawn_here(assembled, monkeypatch, tmp_path):
    wanted = charts(assembled.rows)
    started = _first_build(monkeypatch, tmp_path)
    import matplotlib.figure  # noqa: F401  (as after a first build in this process)

    with drawing_process() as drawer:
        assert drawer(wanted) == draw(wanted)
    assert started == []


@pytest.mark.slow
def test_a_drawing_process_that_dies_leaves_the_drawing_to_this_one(assembled, monkeypatch,
                                                                    tmp_path):
    """The second process killed before it answers: the figures are drawn here instead."""
    wanted = charts(assembled.rows)
    started = _first_build(monkeypatch, tmp_path)
    with drawing_process() as draw_elsewhere:
        started[0].kill()
        started[0].join()
        assert draw_elsewhere(wanted) == draw(wanted)


@pytest.mark.slow
def test_figures_kept_by_a_build_are_loaded_by_the_next(assembled, monkeypatch, tmp_path):
    wanted = charts(assembled.rows)
    started = _first_build(monkeypatch, tmp_path)
    with drawing_process() as draw_elsewhere:
        first = draw_elsewhere(wanted)
    monkeypatch.delitem(sys.modules, "matplotlib.figure", raising=False)
    with drawing_process() as again:  # a rebuild: nothing to start
        assert again(wanted) == first == draw(wanted)
        other = {path: dataclasses.replace(chart, xlabel="other") for path, chart in
                 wanted.items()}
        assert again(other) == draw(other)  # other counts: drawn, not taken from the copy
    assert len(started) == 1
