"""The lexicon's disk cache: each version of the word lists makes its own (about 14 MB),
so the ones no longer used are deleted when a new one is made."""

from __future__ import annotations

import os
import time

from pipeline.restore import lexicon


def test_a_new_lexicon_cache_deletes_all_but_the_ones_used_last(tmp_path):
    now = time.time()
    for age, name in enumerate(["e", "d", "c", "b", "a"], start=1):  # "e" used last
        old = tmp_path / f"lexicon-{name}.pickle"
        old.write_bytes(b"old")
        os.utime(old, (now - 3600 * age, now - 3600 * age))
    (tmp_path / "notes.txt").write_text("not a cache", encoding="utf-8")
    lexicon._store(tmp_path / "lexicon-new.pickle", ("keys", "entries"))
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["lexicon-d.pickle", "lexicon-e.pickle", "lexicon-new.pickle", "notes.txt"]
    assert lexicon.KEEP_CACHES == 3


def test_a_cache_read_counts_as_used(tmp_path):
    cache = tmp_path / "lexicon-x.pickle"
    cache.write_bytes(b"x")
    os.utime(cache, (0, 0))
    lexicon._used(cache)
    assert cache.stat().st_mtime > time.time() - 60
