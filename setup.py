"""The compiled part of protokoll: the candidate search, the mixture fit and a document's
first look at its words (pipeline/restore/_search.c, which includes its parts from
pipeline/restore/compiled/), and the restore stage's Python modules compiled by mypyc
(COMPILED below).

Everything else is in pyproject.toml. All of it runs in Python as well (slower) when the
extension is not built or mypyc is not installed, or with PROTOKOLL_PURE=1 set at
installation."""

import os
from pathlib import Path

from setuptools import Extension, setup

PARTS = sorted(str(part) for part in Path("pipeline/restore/compiled").glob("*.c"))
COMPILED = ["choose", "decide", "first_look", "joins", "context", "candidates", "lexicon",
            "shape", "tokens", "vocabulary", "calibration", "channel", "symbols", "words"]


def _mypyc() -> list[Extension]:
    """The restore stage's modules compiled by mypyc; none where it is not installed."""
    if os.environ.get("PROTOKOLL_PURE"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    extensions = mypycify(["--follow-imports=silent",
                           *(f"pipeline/restore/{name}.py" for name in COMPILED)],
                          opt_level="3", group_name="pipeline_restore_native")
    for extension in extensions:  # the same sums as Python's, on any machine (no FMA)
        extension.extra_compile_args.append("-ffp-contract=off")
    return extensions


setup(ext_modules=[Extension("pipeline.restore._search", ["pipeline/restore/_search.c"],
                             depends=PARTS,
                             extra_compile_args=["-O2", "-ffp-contract=off"], optional=True),
                   *_mypyc()])
