"""``ve schema``: the installed console script prints valid, documented 2020-12 schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.cli import script
from support.repo_factory import run_cli

from ve_hooks.documents import schema

VE = script("ve")


def undocumented(node: Any, where: str = "") -> list[str]:
    """JSON pointers of properties (anywhere, $defs included) without a description."""
    out: list[str] = []
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if not (isinstance(prop, dict) and isinstance(prop.get("description"), str) and prop["description"]):
                out.append(f"{where}/properties/{name}")
        for key, value in node.items():
            out += undocumented(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += undocumented(value, f"{where}/{i}")
    return out


def test_export_chunk_is_valid_and_documented(tmp_path: Path) -> None:
    r = run_cli(VE, "schema", "export", "chunk", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$id"] == "https://ve-hooks.dev/schemas/chunk-goal.v3.json"
    assert doc["title"]
    assert undocumented(doc) == []
    assert "COMPOSITE" in doc["properties"]["status"]["enum"]


@pytest.mark.parametrize("kind, generation", [
    *(("chunk", g) for g in schema.GENERATIONS),
    *((k, None) for k in schema.KINDS if k != "chunk"),
    *((k, None) for k in schema.PROJECT_SCHEMAS),
])
def test_every_bundled_schema_is_valid_and_documented(kind: str, generation: str | None) -> None:
    doc = json.loads(schema.schema_file(kind, generation).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].startswith("https://ve-hooks.dev/schemas/") and doc["title"]
    assert undocumented(doc) == []


def test_export_generation_and_listing(tmp_path: Path) -> None:
    r = run_cli(VE, "schema", "export", "chunk", "--generation", "v1", cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["$id"].endswith("chunk-goal.v1.json")
    r = run_cli(VE, "schema", "export", cwd=tmp_path)
    assert r.returncode == 0
    assert [line.split()[0] for line in r.stdout.splitlines()] == [*schema.KINDS, *schema.PROJECT_SCHEMAS]


def test_path_and_usage_errors(tmp_path: Path) -> None:
    r = run_cli(VE, "schema", "path", "narrative", cwd=tmp_path)
    assert r.returncode == 0 and Path(r.stdout.strip()).is_file()
    r = run_cli(VE, "schema", "export", "plan", cwd=tmp_path)
    assert r.returncode == 2 and "unknown kind 'plan'" in r.stderr and "Traceback" not in r.stderr
    r = run_cli(VE, "schema", "export", "narrative", "--generation", "v2", cwd=tmp_path)
    assert r.returncode == 2 and "only chunks" in r.stderr
