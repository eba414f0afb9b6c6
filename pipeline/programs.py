"""The one place where external programs are started: logs the command and its stderr."""

from __future__ import annotations

import logging
import shlex
import subprocess
from pathlib import Path

from pipeline.exceptions import MissingDependencyError

log = logging.getLogger(__name__)

INSTALL_HINT = ("Run `make install` (or apt-get install tesseract-ocr tesseract-ocr-swe "
                "poppler-utils).")


def run_tool(
    args: list[str], *, path: Path | str | None = None, timeout: float | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a program, capturing its output. A missing program becomes MissingDependencyError."""
    log.debug("running %s", shlex.join(args))
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout, check=False,
                              input=stdin)
    except FileNotFoundError as exc:
        raise MissingDependencyError(f"{args[0]} is not installed", path=path,
                                     fix=INSTALL_HINT) from exc
    for line in proc.stderr.decode(errors="replace").splitlines():
        if line.strip():
            log.debug("%s: %s", args[0], line)
    return proc
