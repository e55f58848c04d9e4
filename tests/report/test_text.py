"""Text reporter: ruff-shaped lines, summary wording, colour policy, terminal safety."""

from __future__ import annotations

import io

import pytest

from ve_hooks.diagnostic import Severity, Summary
from ve_hooks.report import render, use_color
from ve_hooks.report.text import TextReporter, summary_line

from ._data import HOSTILE, diag, hostile, sample


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_colour_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(var, raising=False)


def out(diags: list, summary: Summary, **kw: object) -> str:
    buf = io.StringIO()
    render("text", diags, summary, stream=buf, **kw)  # type: ignore[arg-type]
    return buf.getvalue()


def test_lines_sorted_with_hint_and_fix_marker() -> None:
    ds, summary = sample()
    assert out(ds, summary).splitlines() == [
        "docs/chunks/bug_type_field/GOAL.md:1:1: VE503 implementation bug chunk is ACTIVE",
        "  hint: set status: HISTORICAL",
        "docs/chunks/bug_type_field/GOAL.md:2:9: VE201 invalid status 'DONE'",
        "  hint: use one of FUTURE, IMPLEMENTING, ACTIVE",
        "docs/chunks/orch_ask_operator/GOAL.md:1:1: VE606 [*] created_after is empty",
        "Found 1 error, 1 warning and 1 note in 5 files. [*] 1 fixable with `ve created-after fill`.",
    ]


def test_all_checks_passed() -> None:
    assert out([], Summary(files=12)) == "All checks passed (12 files).\n"
    assert out([], Summary(files=1)) == "All checks passed (1 file).\n"


@pytest.mark.parametrize(
    ("severities", "expected"),
    [
        ([Severity.ERROR, Severity.ERROR], "Found 2 errors in 3 files."),
        ([Severity.ERROR, Severity.WARNING, Severity.WARNING], "Found 1 error and 2 warnings in 3 files."),
        ([Severity.WARNING], "Found 1 warning in 3 files."),
        ([Severity.INFO], "Found 1 note in 3 files."),
    ],
)
def test_summary_wording(severities: list[Severity], expected: str) -> None:
    ds = [diag(severity=s) for s in severities]
    assert summary_line(ds, Summary.of(ds, 3)) == expected


def test_no_colour_for_a_pipe_colour_when_forced() -> None:
    ds, summary = sample()
    assert "\x1b" not in out(ds, summary)
    coloured = out(ds, summary, color=True)
    assert "\x1b[1;31mVE201\x1b[0m" in coloured
    assert coloured.count("\n") == out(ds, summary).count("\n")


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # no-color.org: only a non-empty value counts
        ({"FORCE_COLOR": "1"}, False, True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
        ({"TERM": "dumb"}, True, False),
    ],
)
def test_colour_policy(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tty: bool, expected: bool) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    stream = FakeTty() if tty else io.StringIO()
    assert use_color(stream, None) is expected
    assert use_color(stream, False) is False


def test_colour_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    ds, summary = sample()
    stream = FakeTty()
    TextReporter().report(ds, summary, stream)
    assert "\x1b[" in stream.getvalue()


@pytest.mark.parametrize("key", sorted(HOSTILE))
@pytest.mark.parametrize("color", [False, True])
def test_hostile_text_cannot_reach_the_terminal(key: str, color: bool) -> None:
    ds = hostile(HOSTILE[key])
    text = out(ds, Summary.of(ds, 1), color=color)
    lines = text.split("\n")
    # one line per diagnostic, one per hint, one summary: nothing injected a line break
    assert lines[-1] == ""
    assert len(lines) - 1 == 3 + sum(1 for d in ds if d.hint) + 1
    assert "\r" not in text
    # every control character other than our own colour codes is gone
    stripped = text.replace("\x1b[0m", "").replace("\x1b[1m", "").replace("\x1b[2m", "")
    for code in ("\x1b[1;31m", "\x1b[1;33m", "\x1b[1;36m", "\x1b[36m"):
        stripped = stripped.replace(code, "")
    assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in stripped)
    assert all(len(line) < 1300 for line in lines)
