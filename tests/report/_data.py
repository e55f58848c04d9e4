"""Shared inputs for the reporter tests: ordinary diagnostics and hostile strings."""

from __future__ import annotations

from ve_hooks.diagnostic import Diagnostic, Severity, Summary

# Strings an agent or an attacker can put in a document, a path or a YAML value.
HOSTILE: dict[str, str] = {
    "csi-colour": "\x1b[31mred\x1b[0m text",
    "osc-title": "\x1b]0;owned\x07title",
    "osc-hyperlink": "\x1b]8;;https://evil.invalid\x1b\\click\x1b]8;;\x1b\\",
    "percent": "100% done %0A not a newline %25",
    "crlf": "first\r\nsecond\rthird",
    "lf": "line1\nline2\n::error::injected",
    "nul": "nul\x00byte",
    "c0": "bell\x07 vt\x0b ff\x0c us\x1f",
    "c1-del": "del\x7f nel\x85 csi\x9b31m",
    "xml-markup": '<tag a="1">&amp;</tag> ]]> \'q\'',
    "workflow": "::warning file=x,line=1::fake, key=value: colon",
    "unicode": "ünïcödé ✓ 🎉 中文",
    "bidi": "safe\u202eexe.md\u2066",
    "surrogate": "lone \udce9 surrogate",
    "nonchars": "nonchar \ufffe\uffff end",
    "long": "x" * 5000,
}


def diag(rule: str = "VE201", severity: Severity = Severity.ERROR, path: str = "docs/chunks/bug_type_field/GOAL.md",
         line: int = 2, column: int = 9, message: str = "invalid status 'DONE'",
         hint: str = "use one of FUTURE, IMPLEMENTING, ACTIVE", **kw: object) -> Diagnostic:
    return Diagnostic(rule, severity, path, line, column, message, hint, **kw)  # type: ignore[arg-type]


def sample() -> tuple[list[Diagnostic], Summary]:
    """Two files, an error, a warning (fixable), a note, deliberately out of order."""
    ds = [
        diag("VE606", Severity.WARNING, "docs/chunks/orch_ask_operator/GOAL.md", 1, 1,
             "created_after is empty", "", fixable=True),
        diag(),
        diag("VE503", Severity.INFO, "docs/chunks/bug_type_field/GOAL.md", 1, 1,
             "implementation bug chunk is ACTIVE", "set status: HISTORICAL"),
    ]
    return ds, Summary.of(ds, files=5)


def hostile(text: str) -> list[Diagnostic]:
    """The hostile text in every field a document can influence."""
    return [
        diag(path=f"docs/chunks/{text}/GOAL.md", message=f"invalid status {text!s}", hint=text),
        diag("VE205", Severity.WARNING, message=text, hint="", data={"value": text, text: [text]}),
        diag("VE503", Severity.INFO, message=text, hint=text),
    ]
