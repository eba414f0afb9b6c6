"""The compiled part of protokoll: the candidate search, the mixture fit and a document's
first look at its words (pipeline/restore/_search.c, which includes its parts from
pipeline/restore/compiled/).

Everything else is in pyproject.toml. All of it runs in Python as well (slower) when the
extension is not built."""

from pathlib import Path

from setuptools import Extension, setup

PARTS = sorted(str(part) for part in Path("pipeline/restore/compiled").glob("*.c"))

setup(ext_modules=[Extension("pipeline.restore._search", ["pipeline/restore/_search.c"],
                             depends=PARTS,
                             extra_compile_args=["-O2", "-ffp-contract=off"], optional=True)])
