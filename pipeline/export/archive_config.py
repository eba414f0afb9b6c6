"""Who submits a package and whose archive it is: from a TOML file, options override.

The E-ARK SIP (FGS Paketstruktur 2.0) names the submitting organisation and the archival
creator (arkivbildare) with their identifiers. These are never guessed: when one is
missing, packaging stops with an error that says where to put it. See
`samples/arkiv.toml` for the file format.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.exceptions import UsageError

DEFAULT_CONFIG = Path("protokoll.toml")  # read when present and no --config is given


@dataclass(frozen=True)
class Agent:
    name: str
    identifier: str  # organisationsnummer or another identification code


@dataclass(frozen=True)
class ArchiveConfig:
    submitter: Agent  # the organisation that submits (levererande organisation)
    creator: Agent  # the archival creator (arkivbildare)
    submission_agreement: str | None = None  # leveransöverenskommelse, when there is one
    schemas: Path | None = None  # folder with more schemas (ALTO, ERMS, PREMIS); optional


@dataclass(frozen=True)
class PackageOptions:
    config: ArchiveConfig
    created: str  # ISO 8601 with time zone; every CREATED and CREATEDATE in the package
    erms: bool = False


@dataclass(frozen=True)
class Overrides:
    """Values given on the command line; they win over the file."""

    submitter: str | None = None
    submitter_id: str | None = None
    creator: str | None = None
    creator_id: str | None = None
    submission_agreement: str | None = None
    schemas: Path | None = None


def load_config(path: Path | None, overrides: Overrides | None = None) -> ArchiveConfig:
    """The archive settings from `path` (or ./protokoll.toml when present) and overrides."""
    overrides = overrides or Overrides()
    data = _read(path if path is not None else DEFAULT_CONFIG, required=path is not None)
    where = str(path if path is not None else DEFAULT_CONFIG)
    if path is None and not DEFAULT_CONFIG.is_file():
        where = "no config file (--config) and no ./protokoll.toml"
    values = {
        "submitter": overrides.submitter or _get(data, "submitter", "name"),
        "submitter_id": overrides.submitter_id or _get(data, "submitter", "id"),
        "creator": overrides.creator or _get(data, "creator", "name"),
        "creator_id": overrides.creator_id or _get(data, "creator", "id"),
    }
    missing = [key for key, value in values.items() if not value]
    if missing:
        flags = ", ".join(f"--{key.replace('_', '-')}" for key in missing)
        raise UsageError(
            f"the package needs {', '.join(missing)} (none given)", path=where,
            fix=f"Set them in the [submitter] and [creator] tables (name, id) of a config "
                f"file (see samples/arkiv.toml) or pass {flags}.")
    schemas = overrides.schemas or _schemas_path(data, path)
    agreement = overrides.submission_agreement or _get(data, "package", "submission_agreement")
    return ArchiveConfig(
        submitter=Agent(values["submitter"], values["submitter_id"]),
        creator=Agent(values["creator"], values["creator_id"]),
        submission_agreement=agreement or None, schemas=schemas)


def parse_created(value: str | None) -> str:
    """An ISO 8601 time with zone for CREATED attributes; now (UTC) when not given."""
    if value is None:
        return datetime.now(UTC).isoformat(timespec="seconds")
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"invalid --created {value!r}",
                         fix="Use ISO 8601, e.g. 2024-05-16T07:30:00+00:00.") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.isoformat()


def _read(path: Path, *, required: bool) -> dict:
    if not path.is_file():
        if required:
            raise UsageError("no such config file", path=path,
                             fix="Check the path (see samples/arkiv.toml for the format).")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"the config file is not valid TOML ({exc})", path=path,
                         fix="Fix the file (see samples/arkiv.toml for the format).") from exc


def _get(data: dict, table: str, key: str) -> str:
    value = data.get(table, {}).get(key, "")
    return str(value).strip() if value is not None else ""


def _schemas_path(data: dict, config: Path | None) -> Path | None:
    value = _get(data, "package", "schemas")
    if not value:
        return None
    path = Path(value).expanduser()
    base = config.parent if config is not None else Path()
    return path if path.is_absolute() else base / path
