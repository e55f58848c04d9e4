"""JUnit XML for CI test-report views (GitLab, Jenkins, Azure).

Shape: one ``<testsuite>`` and one ``<testcase>`` per file that has diagnostics. Each error
becomes a ``<failure type="CODE">``; warnings and notes go to the testcase's ``<system-out>``
so they are visible without turning the CI test view red (errors alone fail ``ve-validate``).
A clean run emits a single passing testcase, so the report is never empty.

Any input yields well-formed XML: terminal escapes are removed, and characters XML 1.0
cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TextIO

from ve_hooks.diagnostic import Diagnostic, Severity, Summary
from ve_hooks.report.base import Reporter, ordered
from ve_hooks.sanitize import clean

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` made safe for an XML 1.0 attribute or element."""
    return _XML_ILLEGAL.sub("", clean(str(text)))


def _line(d: Diagnostic) -> str:
    hint = f" (hint: {d.hint})" if d.hint else ""
    return f"{d.path}:{d.line}:{d.column}: {d.severity.value} {d.rule} {d.message}{hint}"


def document(diagnostics: list[Diagnostic], summary: Summary) -> ET.Element:
    """The ``<testsuites>`` element."""
    diags = ordered(diagnostics)
    root = ET.Element("testsuites", name="ve-hooks")
    total_failures = 0
    for path, group in groupby(diags, key=lambda d: d.path):
        items = list(group)
        errors = [d for d in items if d.severity is Severity.ERROR]
        others = [d for d in items if d.severity is not Severity.ERROR]
        suite = ET.SubElement(root, "testsuite", name=xml_text(path), tests="1",
                              failures=str(len(errors)), errors="0", skipped="0")
        case = ET.SubElement(suite, "testcase", name=xml_text(path), classname="ve-hooks.validate",
                             file=xml_text(path))
        for d in errors:
            failure = ET.SubElement(case, "failure", type=xml_text(d.rule), message=xml_text(d.message))
            failure.text = xml_text(_line(d))
        if others:
            ET.SubElement(case, "system-out").text = xml_text("\n".join(_line(d) for d in others))
        total_failures += len(errors)
    if not diags:
        suite = ET.SubElement(root, "testsuite", name="ve-hooks", tests="1", failures="0",
                              errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name=f"{summary.files} files checked",
                      classname="ve-hooks.validate")
    root.set("tests", str(len(root)))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    return root


class JunitReporter(Reporter):
    name = "junit"

    def report(self, diagnostics: list[Diagnostic], summary: Summary, stream: TextIO) -> None:
        root = document(diagnostics, summary)
        ET.indent(root)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(root, encoding="unicode") + "\n")
