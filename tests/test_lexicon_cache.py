"""The lexicon's disk cache: read in place from the mapped file, the same lexicon as the one
it was written from; each version of the word lists makes its own (about 24 MB), so the
ones no longer used are deleted when a new one is made."""

from __future__ import annotations

import array
import os
import struct
import time

import pytest

from pipeline.restore import lexicon

FORMS = ["arbete", "kommun", "nämnd", "nämnden", "sammanträde", "Övertorneå", "§"]


def _small(compiled: bool = True) -> lexicon.Lexicon:
    blob = "\n".join(sorted(FORMS)).encode("utf-8")
    packed = array.array("i", ((100 + k) << 5 | 1 for k in range(len(FORMS)))).tobytes()
    return lexicon.Lexicon(blob, packed, frozenset({"t.o.m."}), frozenset({"borås"}),
                           {"list": "0"}, compiled=compiled)


@pytest.mark.parametrize("compiled", [True, False])
def test_the_cache_read_back_is_the_lexicon_written(tmp_path, compiled):
    written = _small(compiled)
    path = tmp_path / "lexicon-x.bin"
    lexicon._store(path, written)
    read = lexicon._mapped(path, {"list": "0"})
    assert read.keys == written.keys == sorted(FORMS)
    assert read.packed == written.packed == [read.index.entry(k) for k in read.keys]
    for form in [*FORMS, "nämn", "x", "ö", ""]:
        assert read.index.entry(form) == written.index.entry(form), form
        assert read.index.has_prefix(form) == written.index.has_prefix(form), form
    assert read.index.next_letters("nämnd") == frozenset({"e"})
    assert (read.abbreviations, read.municipalities) == (written.abbreviations,
                                                         written.municipalities)
    if read.compiled and written.compiled:
        assert read.index.layout() == written.index.layout()


def test_a_cache_on_a_file_system_that_cannot_map_files_is_read(tmp_path, monkeypatch):
    path = tmp_path / "lexicon-x.bin"
    lexicon._store(path, _small())

    def refuse(*args, **kwargs):
        raise OSError("mmap not supported")

    monkeypatch.setattr(lexicon.mmap, "mmap", refuse)
    assert lexicon._mapped(path, {}).keys == sorted(FORMS)


def test_a_cache_cut_short_or_of_another_kind_is_refused(tmp_path):
    path = tmp_path / "lexicon-x.bin"
    lexicon._store(path, _small())
    data = path.read_bytes()
    path.write_bytes(data[:-40])
    with pytest.raises(ValueError, match="cut short"):
        lexicon._mapped(path, {})
    path.write_bytes(b"something else" + data)
    with pytest.raises(ValueError, match="no lexicon cache"):
        lexicon._mapped(path, {})


def test_a_new_lexicon_cache_deletes_all_but_the_ones_used_last(tmp_path):
    now = time.time()
    for age, name in enumerate(["e.bin", "d.pickle", "c.bin", "b.pickle", "a.bin"], start=1):
        old = tmp_path / f"lexicon-{name}"  # "e" used last; .pickle: an older format
        old.write_bytes(b"old")
        os.utime(old, (now - 3600 * age, now - 3600 * age))
    (tmp_path / "notes.txt").write_text("not a cache", encoding="utf-8")
    lexicon._store(tmp_path / "lexicon-new.bin", _small())
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["lexicon-d.pickle", "lexicon-e.bin", "lexicon-new.bin", "notes.txt"]
    assert lexicon.KEEP_CACHES == 3


def test_a_cache_read_counts_as_used(tmp_path):
    cache = tmp_path / "lexicon-x.pickle"
    cache.write_bytes(b"x")
    os.utime(cache, (0, 0))
    lexicon._used(cache)
    assert cache.stat().st_mtime > time.time() - 60


def test_a_damaged_layout_is_refused_not_read_outside_the_keys():
    lex = _small()
    if not lex.compiled:
        pytest.skip("the compiled index is not built")
    starts, lengths, alphabet = lex.index.layout()
    far = array.array("q" if struct.calcsize("n") == 8 else "i")  # the starts (Py_ssize_t)
    far.frombytes(starts)
    far[-1] = 1 << 40
    with pytest.raises(ValueError, match="does not fit"):
        type(lex.index)(lex._blob, lex._packed, far.tobytes(), lengths, alphabet)
    wrong = bytes([200]) + alphabet[1:]  # a letter's place beyond the alphabet
    with pytest.raises(ValueError, match="does not fit"):
        type(lex.index)(lex._blob, lex._packed, starts, lengths, wrong)
    assert type(lex.index)(lex._blob, lex._packed, starts, lengths, alphabet).entry("nämnd") >= 0


def test_a_cache_that_cannot_be_written_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    path = folder / "lexicon-x.bin"
    path.mkdir()  # the cache's name taken by a folder: the write fails at the end
    lexicon._store(path, _small())
    assert [p.name for p in folder.iterdir()] == ["lexicon-x.bin"]
