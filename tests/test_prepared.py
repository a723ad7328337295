"""Prepared copies of slow objects: loaded only under their own key, rebuilt when broken."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sokhan.stages import prepared, zwnj
from sokhan.stages.hazm_steps import Steps
from sokhan.stages.normalise import HAZM_OPTIONS, _construct_steps, hazm_key


def _same(a, b) -> bool:
    """Deep equality of two object graphs: attributes, containers, function code."""
    if type(a) is not type(b):
        return False
    if callable(a) and hasattr(a, "__code__"):
        return a.__code__ == b.__code__
    if hasattr(a, "__dict__"):
        return vars(a).keys() == vars(b).keys() and all(
            _same(vars(a)[k], vars(b)[k]) for k in vars(a))
    return a == b


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(prepared.ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _counting(value):
    built = []

    def build():
        built.append(1)
        return value
    return build, built


def test_a_copy_is_stored_then_loaded_instead_of_built(cache):
    build, built = _counting({"a": [1, 2]})
    assert prepared.prepared("thing", "k1", build, dict) == {"a": [1, 2]}
    assert prepared.prepared("thing", "k1", build, dict) == {"a": [1, 2]}
    assert len(built) == 1
    assert [p.name for p in cache.iterdir()] == ["thing-k1.pickle"]


@pytest.mark.parametrize("content", [
    b"",  # an empty file (a run killed before it wrote: the write is atomic, but a user's copy)
    b"\x80\x05not a pickle",  # garbage after a pickle header
    b"\x80\x05\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins",  # a truncated pickle
])
def test_a_broken_copy_is_built_afresh_and_replaced(cache, content):
    cache.mkdir()
    (cache / "thing-k1.pickle").write_bytes(content)
    build, built = _counting({"a": 1})
    assert prepared.prepared("thing", "k1", build, dict) == {"a": 1}
    assert built == [1]
    assert prepared.prepared("thing", "k1", build, dict) == {"a": 1}
    assert built == [1]  # the rebuilt copy was stored


def test_a_copy_of_the_wrong_type_is_not_used(cache):
    prepared.prepared("thing", "k1", lambda: [1], list)
    assert prepared.prepared("thing", "k1", lambda: {"a": 1}, dict) == {"a": 1}


def test_another_key_is_another_copy(cache):
    prepared.prepared("thing", "k1", lambda: {"v": 1}, dict)
    assert prepared.prepared("thing", "k2", lambda: {"v": 2}, dict) == {"v": 2}


def test_only_the_newest_copies_of_an_object_are_kept(cache):
    for n in range(prepared.KEEP + 2):
        prepared.prepared("thing", f"k{n}", lambda: {"v": 1}, dict)
        os.utime(cache / f"thing-k{n}.pickle", (n, n))  # the order they were made in
    prepared.prepared("other", "k0", lambda: {"v": 1}, dict)
    prepared.prepared("thing", "new", lambda: {"v": 1}, dict)
    kept = sorted(p.name for p in cache.iterdir())
    assert kept == ["other-k0.pickle", "thing-k3.pickle", "thing-k4.pickle", "thing-new.pickle"]


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv(prepared.ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    build, built = _counting({"a": 1})
    prepared.prepared("thing", "k1", build, dict)
    prepared.prepared("thing", "k1", build, dict)
    assert built == [1, 1] and not list(tmp_path.iterdir())


def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv(prepared.ENV, str(blocker / "cache"))
    assert prepared.prepared("thing", "k1", lambda: {"a": 1}, dict) == {"a": 1}


def test_the_key_follows_the_data_files_and_the_options(tmp_path):
    data = tmp_path / "words.dat"
    data.write_text("سلام\n")
    first = prepared.key_of({"options": {"x": True}}, [data])
    assert prepared.key_of({"options": {"x": False}}, [data]) != first
    data.write_text("سلام\nدرود\n")
    assert prepared.key_of({"options": {"x": True}}, [data]) != first


@pytest.mark.slow
def test_the_prepared_zwnj_lexicon_equals_a_built_one(cache):
    zwnj._lexicon.cache_clear()
    try:
        first = zwnj._lexicon()
        zwnj._lexicon.cache_clear()
        loaded = zwnj._lexicon()
        assert loaded is not first and loaded == zwnj._build_lexicon()
        assert [p.name.split("-")[0] for p in cache.iterdir()] == ["zwnj"]
    finally:
        zwnj._lexicon.cache_clear()


@pytest.mark.slow
def test_the_prepared_steps_equal_constructed_ones(cache):
    first = prepared.prepared("hazm-steps", hazm_key(), _construct_steps, Steps)
    loaded = prepared.prepared("hazm-steps", hazm_key(), _construct_steps, Steps)
    assert loaded is not first  # the second came from the copy
    assert loaded == _construct_steps()
    line = "ما میتوانیم  کتابهای خوب را بخوانیم ."
    assert loaded.normalize(line) == first.normalize(line)
    assert HAZM_OPTIONS["correct_spacing"]  # the copy is of the steps the build uses


def test_loading_the_prepared_steps_does_not_import_hazm(cache):
    # what a build and a worker rely on: import hazm costs more than the build
    prepared.prepared("hazm-steps", hazm_key(), _construct_steps, Steps)
    code = ("import sys; from sokhan.stages.normalise import hazm_steps, hazm_normalize; "
            "from sokhan.stages.tokenise import split_words; "
            "hazm_steps(); hazm_normalize('کتاب ها'); split_words('کتاب ها'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('hazm', 'sklearn', 'nltk', 'pandas')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, prepared.ENV: str(cache)})
    assert out.stdout.strip() == "[]"


def test_a_memo_remembers_answers_across_runs(cache):
    asked: list[str] = []

    def slow(word: str) -> float:
        asked.append(word)
        return float(len(word))

    first = prepared.Memo("lengths", "k1", slow, float)
    assert first("سلام") == 4.0 and first("سلام") == 4.0
    first._store()  # what the exit handler does
    second = prepared.Memo("lengths", "k1", slow, float)
    assert second("سلام") == 4.0 and second("ما") == 2.0
    assert asked == ["سلام", "ما"]  # the second run asked only for the new word


def test_a_memo_with_answers_of_another_type_starts_afresh(cache):
    prepared.prepared("lengths", "k1", lambda: {"سلام": "four"}, dict)
    memo = prepared.Memo("lengths", "k1", lambda w: float(len(w)), float)
    assert memo("سلام") == 4.0


def test_zipf_answers_are_wordfreqs():
    from sokhan.stages.zwnj import _corpus_frequency, _zipf

    for word in ("ایران", "می\u200cخواهد", "qzxw"):
        assert _corpus_frequency()(word) == _zipf(word)


def test_a_memo_stores_where_it_loaded_from(cache, tmp_path, monkeypatch):
    memo = prepared.Memo("lengths", "k2", lambda word: float(len(word)), float)
    assert memo("سلام") == 4.0
    monkeypatch.setenv(prepared.ENV, str(tmp_path / "elsewhere"))  # as after a test, at exit
    memo._store()
    assert (cache / "lengths-k2.pickle").exists()
    assert not (tmp_path / "elsewhere").exists()
