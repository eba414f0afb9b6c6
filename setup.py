"""The compiled part of protokoll: the candidate search (pipeline/restore/_search.c).

Everything else is in pyproject.toml. The search runs in Python as well (slower) when the
extension is not built."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pipeline.restore._search", ["pipeline/restore/_search.c"],
                             extra_compile_args=["-O2", "-ffp-contract=off"], optional=True)])
