"""SARIF 2.1.0 for code-scanning uploads (GitHub, Azure DevOps, IDE viewers).

``tool.driver.rules`` lists each rule that produced a result, with its full doc page as
``help.markdown`` and ``helpUri``, so a code-scanning alert explains itself. Locations are
repository-relative URIs under ``%SRCROOT%``; fixes are not emitted (our one fix is a command).
"""

from __future__ import annotations

import json
from typing import Any, TextIO
from urllib.parse import quote

from ve_hooks import __version__
from ve_hooks.diagnostic import Diagnostic, Severity, Summary
from ve_hooks.report.base import Reporter, ordered, unicode_safe
from ve_hooks.report.json import jsonable
from ve_hooks.rules import registry
from ve_hooks.rules.docs import render_markdown
from ve_hooks.sanitize import clean

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ve-hooks/ve-hooks"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    # A path is not a URI: spaces, '%', '#', '?' and non-ASCII must be percent-encoded.
    return quote(unicode_safe(path).replace("\\", "/"), safe="/-._~")


def _descriptor(code: str) -> dict[str, Any]:
    info = registry.get(code)
    if info is None or info.code != code:  # an undeclared code still gets an entry
        return {"id": code, "shortDescription": {"text": code}}
    page = render_markdown(info)
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.page.what_it_does},
        "help": {"text": page, "markdown": page},
        "helpUri": registry.help_uri(info.code),
        "defaultConfiguration": {"level": LEVEL[info.severity]},
        "properties": {"tags": [info.family]},
    }


def _result(d: Diagnostic, rule_index: int) -> dict[str, Any]:
    # Viewers print this text (some in terminals): drop escape sequences, keep line breaks.
    text = clean(d.message + (f"\nhint: {d.hint}" if d.hint else ""))
    result: dict[str, Any] = {
        "ruleId": d.rule,
        "ruleIndex": rule_index,
        "level": LEVEL.get(d.severity, "warning"),
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(d.path), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": max(1, int(d.line)), "startColumn": max(1, int(d.column))},
            }
        }],
    }
    if d.data or d.generation is not None:
        props = dict(d.data)
        if d.generation is not None:
            props["generation"] = d.generation
        result["properties"] = props
    return result


def document(diagnostics: list[Diagnostic], summary: Summary) -> dict[str, Any]:
    """The SARIF log as a Python object."""
    diags = ordered(diagnostics)
    codes = sorted({d.rule for d in diags})
    index = {code: i for i, code in enumerate(codes)}
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "ve-hooks",
            "version": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [_descriptor(code) for code in codes],
        }},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index[d.rule]) for d in diags],
    }
    return jsonable({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})


class SarifReporter(Reporter):
    name = "sarif"

    def report(self, diagnostics: list[Diagnostic], summary: Summary, stream: TextIO) -> None:
        stream.write(json.dumps(document(diagnostics, summary), indent=2, ensure_ascii=True,
                                allow_nan=False) + "\n")
