"""The letter models' disk cache: made by the first load, read by the next ones instead of
the trigram file, the same models either way; a damaged cache is made again, and a cache
that cannot be written costs time, not the models."""

from __future__ import annotations

from pipeline.restore import lexicon, shape

WORDS = ["nämnd", "sammanträde", "kommun", "Keskinen", "tjanstgérande", "6versinda", "x"]


def _folder(tmp_path):
    folder = tmp_path / "dictionaries"
    folder.mkdir()
    counts = {"word": shape.count(["nämnd", "nämnden", "kommun", "sammanträde", "arbete"]),
              "name": shape.count(["Keskinen", "Brask", "Lindqvist", "Borås"])}
    (folder / shape.TRIGRAMS).write_text("# test\n" + "".join(
        f"{model}\t{gram}\t{n}\n" for model, grams in counts.items()
        for gram, n in sorted(grams.items())), encoding="utf-8")
    return folder


def _load(folder):
    return shape.load.__wrapped__(folder)  # not the process's models: read afresh


def _logps(models) -> list[float]:
    return [models[m].logp(w.lower()) for m in shape.MODELS for w in WORDS]


def test_the_models_read_from_the_cache_are_the_models_read_from_the_file(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setattr(lexicon, "CACHE", tmp_path / "cache")
    folder = _folder(tmp_path)
    made = _load(folder)
    (cached,) = (tmp_path / "cache").glob("shapes-*.pickle")
    (folder / shape.TRIGRAMS).unlink()  # the next load can only read the cache
    read = _load(folder)
    assert _logps(read) == _logps(made)
    assert read["word"].counts == made["word"].counts
    assert read["name"]._kinds == made["name"]._kinds
    assert cached.exists()


def test_a_damaged_cache_is_made_again_from_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(lexicon, "CACHE", tmp_path / "cache")
    folder = _folder(tmp_path)
    made = _logps(_load(folder))
    (cached,) = (tmp_path / "cache").glob("shapes-*.pickle")
    cached.write_bytes(cached.read_bytes()[:100])  # cut short
    assert _logps(_load(folder)) == made
    (folder / shape.TRIGRAMS).unlink()
    assert _logps(_load(folder)) == made  # and written again, whole


def test_a_cache_that_cannot_be_written_leaves_the_models_and_nothing_else(tmp_path,
                                                                           monkeypatch):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache's folder would be")
    monkeypatch.setattr(lexicon, "CACHE", blocked)
    folder = _folder(tmp_path)
    assert _logps(_load(folder)) == _logps(_load(folder))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "dictionaries"]
