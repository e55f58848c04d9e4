"""SARIF reporter, validated against the vendored official SARIF 2.1.0 schema (no network)."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ve_hooks import __version__
from ve_hooks.diagnostic import Severity, Summary
from ve_hooks.report import render
from ve_hooks.rules import docs, registry

from ._data import HOSTILE, diag, hostile, sample

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"


@cache
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def out(diags: list, summary: Summary) -> dict[str, Any]:
    buf = io.StringIO()
    render("sarif", diags, summary, stream=buf)
    text = buf.getvalue()
    assert text.isascii()
    doc = json.loads(text)
    validator().validate(doc)
    return doc


def test_vendored_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft4Validator.check_schema(schema)
    assert {"result", "reportingDescriptor", "toolComponent", "region"} <= set(schema["definitions"])


def test_schema_rejects_a_broken_log() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validator().validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


def test_driver_rules_and_results() -> None:
    ds, summary = sample()
    doc = out(ds, summary)
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ve-hooks" and driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == ["VE201", "VE503", "VE606"]
    rule = driver["rules"][0]
    info = registry.rules()["VE201"]
    assert rule["name"] == "invalid-status"
    assert rule["shortDescription"] == {"text": info.summary}
    assert rule["fullDescription"] == {"text": info.page.what_it_does}
    assert rule["help"]["markdown"] == docs.render_markdown(info)
    assert rule["helpUri"] == registry.DOCS_BASE + "VE201.md"
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("VE503", "note"), ("VE201", "error"),
                                                            ("VE606", "warning")]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert "fixes" not in r
    loc = results[1]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "docs/chunks/bug_type_field/GOAL.md", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 2, "startColumn": 9}
    assert results[1]["message"]["text"] == "invalid status 'DONE'\nhint: use one of FUTURE, IMPLEMENTING, ACTIVE"


def test_empty_run_is_valid() -> None:
    doc = out([], Summary(files=2))
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []


def test_unknown_rule_and_zero_positions_still_valid() -> None:
    ds = [diag("VE999", Severity.WARNING, line=0, column=0)]
    doc = out(ds, Summary.of(ds, 1))
    assert doc["runs"][0]["tool"]["driver"]["rules"] == [{"id": "VE999", "shortDescription": {"text": "VE999"}}]
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 1}


def test_paths_become_relative_uri_references() -> None:
    ds = [diag(path="docs/chunks/a b%#?/GOAL.md")]
    uri = out(ds, Summary.of(ds, 1))["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri == "docs/chunks/a%20b%25%23%3F/GOAL.md"


def test_all_declared_rules_produce_valid_descriptors() -> None:
    ds = [diag(code, info.severity) for code, info in registry.rules().items()]
    doc = out(ds, Summary.of(ds, 1))
    assert len(doc["runs"][0]["tool"]["driver"]["rules"]) == len(registry.rules())


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_hostile_input_is_still_valid_sarif(key: str) -> None:
    ds = hostile(HOSTILE[key])
    doc = out(ds, Summary.of(ds, 1))
    for r in doc["runs"][0]["results"]:
        assert "\x1b" not in r["message"]["text"]
