"""GitHub workflow-command reporter: exact lines and the runner's escaping rules."""

from __future__ import annotations

import io

import pytest

from ve_hooks.diagnostic import Severity, Summary
from ve_hooks.report import render
from ve_hooks.report.github import annotation, escape_data, escape_property

from ._data import HOSTILE, diag, hostile, sample


def out(diags: list, summary: Summary) -> str:
    buf = io.StringIO()
    render("github", diags, summary, stream=buf)
    return buf.getvalue()


def test_exact_lines() -> None:
    ds, summary = sample()
    assert out(ds, summary).splitlines() == [
        "::notice file=docs/chunks/bug_type_field/GOAL.md,line=1,col=1,title=VE503 implementation-bug-active"
        "::implementation bug chunk is ACTIVE%0Ahint: set status: HISTORICAL",
        "::error file=docs/chunks/bug_type_field/GOAL.md,line=2,col=9,title=VE201 invalid-status"
        "::invalid status 'DONE'%0Ahint: use one of FUTURE, IMPLEMENTING, ACTIVE",
        "::warning file=docs/chunks/orch_ask_operator/GOAL.md,line=1,col=1,title=VE606 created-after-empty"
        "::created_after is empty",
    ]


def test_clean_run_prints_nothing() -> None:
    assert out([], Summary(files=4)) == ""


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("%0A", "%250A", "%250A"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("::x::", "::x::", "%3A%3Ax%3A%3A"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_unknown_rule_title_is_just_the_code() -> None:
    line = annotation(diag("VE999", Severity.WARNING, hint=""))
    assert ",title=VE999::" in line and line.startswith("::warning ")


def test_path_with_comma_and_colon_is_escaped() -> None:
    line = annotation(diag(path="docs/chunks/a,b:c/GOAL.md", hint=""))
    assert line.startswith("::error file=docs/chunks/a%2Cb%3Ac/GOAL.md,line=2,col=9,")


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_hostile_text_cannot_forge_a_command(key: str) -> None:
    ds = hostile(HOSTILE[key])
    text = out(ds, Summary.of(ds, 1))
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == 4  # exactly one line per diagnostic
    assert "\r" not in text and "\x1b" not in text and "\x00" not in text
    for line in lines[:-1]:
        assert line.startswith(("::error file=", "::warning file=", "::notice file="))
        props, _, message = line.partition("::")[2].partition("::")
        # properties: exactly the four keys, no raw separators smuggled in
        assert [p.split("=", 1)[0] for p in props.split(" ", 1)[1].split(",")] == ["file", "line", "col", "title"]
        assert "%" not in message.replace("%25", "").replace("%0A", "").replace("%0D", "")
