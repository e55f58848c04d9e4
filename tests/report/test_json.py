"""JSON reporter: the exact document shape, ordering, and validity for any input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ve_hooks.diagnostic import Summary
from ve_hooks.report import render

from ._data import HOSTILE, diag, hostile, sample


def out(diags: list, summary: Summary) -> str:
    buf = io.StringIO()
    render("json", diags, summary, stream=buf)
    return buf.getvalue()


def test_document_shape_and_order() -> None:
    ds, summary = sample()
    doc = json.loads(out(ds, summary))
    assert list(doc) == ["version", "diagnostics", "summary"]
    assert doc["version"] == 1
    assert doc["summary"] == {"files": 5, "errors": 1, "warnings": 1}
    assert doc["diagnostics"] == [d.to_json() for d in sorted(ds, key=lambda d: d.sort_key)]
    assert [d["rule"] for d in doc["diagnostics"]] == ["VE503", "VE201", "VE606"]
    assert doc["diagnostics"][2]["fixable"] is True


def test_empty_run() -> None:
    assert json.loads(out([], Summary(files=3))) == {
        "version": 1, "diagnostics": [], "summary": {"files": 3, "errors": 0, "warnings": 0}}


def test_data_that_json_cannot_carry_is_stringified() -> None:
    d = diag(data={"nan": float("nan"), "inf": float("-inf"), "path": Path("a/b"), "set": {2, 1},
                   "tuple": (1, "x"), 3: "int key", "ok": {"checked": False}})
    got = json.loads(out([d], Summary.of([d], 1)))["diagnostics"][0]["data"]
    assert got == {"nan": "nan", "inf": "-inf", "path": "a/b", "set": [1, 2], "tuple": [1, "x"],
                   "3": "int key", "ok": {"checked": False}}


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_hostile_input_gives_valid_ascii_json(key: str) -> None:
    ds = hostile(HOSTILE[key])
    text = out(ds, Summary.of(ds, 1))
    assert text.isascii()
    doc = json.loads(text)
    assert len(doc["diagnostics"]) == 3
    # the text round-trips, except lone surrogates, which become U+FFFD
    note = next(d for d in doc["diagnostics"] if d["rule"] == "VE503")
    assert note["hint"] == HOSTILE[key].replace("\udce9", "\ufffd")
    # strictly valid for other parsers too: re-encodes as UTF-8 (no lone surrogates left)
    json.dumps(doc, ensure_ascii=False).encode("utf-8")
