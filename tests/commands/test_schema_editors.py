"""``ve schema export KIND --for ...``: draft-07 variants editor tools load, documented field by
field, committed under schemas/editors/ so their raw-URL ``$id``s resolve."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.cli import script
from support.repo_factory import run_cli

from ve_hooks.documents import schema, schema_export

ROOT = Path(__file__).resolve().parents[2]
VE = script("ve")


def properties(node: Any) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            if prop != {}:  # `{}`: a name declared beside `required` in a branch, not a field
                out.append((name, prop))
        for value in node.values():
            out += properties(value)
    elif isinstance(node, list):
        for value in node:
            out += properties(value)
    return out


def keywords(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in ("properties", "definitions"):
                out.add(k)
                out |= keywords(v)
            else:
                for sub in v.values():
                    out |= keywords(sub)
    elif isinstance(node, list):
        for v in node:
            out |= keywords(v)
    return out


def test_committed_editor_schemas_are_current() -> None:
    stale = [rel for rel, text in schema_export.expected_files().items()
             if not (ROOT / rel).is_file() or (ROOT / rel).read_text(encoding="utf-8") != text]
    assert not stale, f"run python scripts/gen_docs.py: {stale}"


@pytest.mark.parametrize("variant", schema_export.VARIANTS)
def test_every_field_is_documented_with_examples_and_a_valid_default(variant: str) -> None:
    for (kind, generation), name in schema.SCHEMA_FOR.items():
        doc = schema_export.export(kind, generation, variant)
        jsonschema.Draft7Validator.check_schema(doc)
        assert doc["$schema"] == "http://json-schema.org/draft-07/schema#"
        assert doc["$id"] == f"{schema_export.RAW_BASE}{variant}/{name}"
        assert (ROOT / schema_export.EDITORS_DIR / variant / name).is_file()  # what the $id resolves to
        assert not {k for k in keywords(doc) if k.startswith("x-") or k in ("$defs", "prefixItems")}
        for field, prop in properties(doc):
            assert prop.get("description") and "examples" in prop and "default" in prop, (name, field)
            assert ("markdownDescription" in prop) == (variant == "yaml-language-server"), (name, field)
            check = jsonschema.Draft7Validator({**prop, "definitions": doc.get("definitions", {})})
            for value in [*prop["examples"], prop["default"]]:
                if value is None and "null" not in json.dumps(prop):
                    continue  # a required field with no sensible default: editors insert nothing
                assert not list(check.iter_errors(value)), (name, field, value)


DOCS = [
    {"status": "FUTURE", "ticket": None, "created_after": ["a"], "subsystems": [{"subsystem_id": "s", "relationship": "uses"}]},
    {"status": "DONE"},
    {"status": "ACTIVE", "code_references": [{"ref": "src/a.py#main", "implements": "x"}], "depends_on": ["b"]},
    {"status": "ACTIVE", "subsystems": [{"subsystem_id": "s", "relationship": "owns"}]},
    {"ticket": "x"},
    {"status": "FUTURE", "created_after": "a"},
]


def test_the_draft_07_variant_accepts_and_rejects_what_the_bundled_schema_does() -> None:
    for (kind, generation), name in schema.SCHEMA_FOR.items():
        bundled = jsonschema.Draft202012Validator(schema.load_schema(name))
        variant = jsonschema.Draft7Validator(schema_export.export(kind, generation, "draft-07"))
        for d in DOCS:
            assert bundled.is_valid(d) == variant.is_valid(d), (name, d)


def test_the_command_prints_the_variant(tmp_path: Path) -> None:
    r = run_cli(VE, "schema", "export", "chunk", "--for", "yaml-language-server", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == schema_export.export("chunk", None, "yaml-language-server")
    r = run_cli(VE, "schema", "export", "chunk", "--for", "vim", cwd=tmp_path)
    assert r.returncode == 2 and "vim" in r.stderr


AJV_CHECK = r"""
const Ajv = require("ajv");
const fs = require("fs");
let failed = 0;
for (const file of process.argv.slice(2)) {
  // Nullable fields are `type: [string, null]`: standard, and Ajv's documented switch for them.
  const ajv = new Ajv({strict: true, allowUnionTypes: true, allErrors: true});
  if (file.includes("yaml-language-server")) ajv.addKeyword("markdownDescription");
  try { ajv.compile(JSON.parse(fs.readFileSync(file, "utf8"))); console.log("ok " + file); }
  catch (e) { failed++; console.log("FAIL " + file + ": " + e.message); }
}
process.exit(failed ? 1 : 0);
"""


@pytest.mark.slow
def test_strict_ajv_compiles_every_variant(tmp_path: Path) -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm not installed: strict Ajv cannot be run here")
    got = subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "ajv@8"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    if got.returncode != 0:
        pytest.skip(f"npm could not install ajv: {got.stderr.strip()[:200]}")
    files = sorted(str(p) for p in (ROOT / schema_export.EDITORS_DIR).glob("*/*.json"))
    (tmp_path / "check.js").write_text(AJV_CHECK)
    res = subprocess.run([node, "check.js", *files], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
