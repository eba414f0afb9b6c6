"""The package's layers: imports flow one way, cli → api → batch/review/evaluate → stages → core."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

CORE = {"pipeline", "pipeline.model", "pipeline.options", "pipeline.exceptions",
        "pipeline.programs", "pipeline.profile"}
STAGES = {"ocr", "restore", "segment", "export"}
USES_OF_STAGES = {"batch", "review", "evaluate"}  # beside each other, none imports another


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every `pipeline…` module the file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "pipeline")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
            found.update(f"{node.module}.{a.name}" if _is_module(f"{node.module}.{a.name}")
                         else node.module for a in node.names)
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def concern(module: str) -> str:
    """The part of the program a module belongs to."""
    if module in CORE:
        return "core"
    parts = module.split(".")
    if module == "pipeline.stages" or parts[1] in STAGES:
        return "stages"
    return "cli" if parts[1] == "__main__" else parts[1]


RANK = {"core": 0, "stages": 1, "batch": 2, "review": 2, "evaluate": 2, "api": 3, "cli": 4}


def allowed(importer: str, imported: str) -> bool:
    a, b = concern(importer), concern(imported)
    return a == b or RANK[b] < RANK[a]


def test_every_module_has_a_known_place():
    for path in PACKAGE.rglob("*.py"):
        assert concern(_module_name(path)) in RANK, path


def test_imports_flow_one_way():
    wrong = [f"{_module_name(path)} imports {name}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for name in sorted(_imports(path))
             if not allowed(_module_name(path), name)]
    assert wrong == []


def test_the_check_sees_a_wrong_import():
    assert not allowed("pipeline.export.package", "pipeline.review.apply")
    assert not allowed("pipeline.restore.lexicon", "pipeline.batch.worker")
    assert not allowed("pipeline.batch.coordinator", "pipeline.review.store")
    assert not allowed("pipeline.api", "pipeline.cli.batch")
    assert allowed("pipeline.cli", "pipeline.api") and allowed("pipeline.stages", "pipeline.ocr")


def test_each_folder_says_what_it_holds_and_may_import():
    for folder in ("cli", "batch", "evaluate"):
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
        assert doc and "import" in doc.splitlines()[0], folder
