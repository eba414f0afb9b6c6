"""Run the E-ARK reference validator (eark-validator) on packages, offline. Tests only.

When imported, eark-validator downloads four CSIP vocabularies from the web to build its
Schematron rules. Here those downloads are served from the copies its own wheel carries
(eark_validator/ipxml/resources/vocabs/), so it runs without a network; any other
download fails at once instead of waiting.

    python tests/eark_offline.py PACKAGE...   # one JSON object: package -> its report

A report has the structure status, the METS schema status, and every finding as
[rule id, severity, message].
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from importlib.resources import files
from pathlib import Path

VOCABULARIES = "eark_validator.ipxml.resources.vocabs"


def _offline(url, *args, **kwargs):
    copy = files(VOCABULARIES) / str(url).rsplit("/", 1)[-1]
    if not copy.is_file():
        raise urllib.error.URLError(f"offline: no copy of {url} in the eark-validator wheel")
    return copy.open("rb")


def report(package: Path) -> dict:
    from eark_validator.packages import PackageValidator  # after urlopen is replaced

    result = PackageValidator(package).validation_report
    found = list(result.structure.messages)
    schema = None
    if result.metadata is not None:
        schema = result.metadata.schema_results.status.value
        found += result.metadata.schema_results.messages
        found += result.metadata.schematron_results.messages
    return {"structure": result.structure.status.value, "schema": schema,
            "findings": [[m.rule_id, m.severity.value, m.message] for m in found]}


def main(paths: list[str]) -> None:
    urllib.request.urlopen = _offline
    print(json.dumps({p: report(Path(p)) for p in paths}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
