"""The output formats, by name: the one list ``--format`` offers everywhere. Importing it costs
nothing; a reporter module is imported only when its format is used."""

from __future__ import annotations

# name -> "module:class" of its Reporter. A new format is one module and one line here.
REPORTERS: dict[str, str] = {
    "text": "ve_hooks.report.text:TextReporter",
    "json": "ve_hooks.report.json:JsonReporter",
    "github": "ve_hooks.report.github:GithubReporter",
    "sarif": "ve_hooks.report.sarif:SarifReporter",
    "junit": "ve_hooks.report.junit:JunitReporter",
}
FORMATS: list[str] = list(REPORTERS)
