"""JUnit XML for CI test-report views (Jenkins, GitLab, Azure).

Shape (valid against the Jenkins/GitLab JUnit schema, see tests/data/junit-jenkins.xsd): one
``<testsuites>`` holding one ``<testsuite>`` with one ``<testcase>`` per file checked, clean
files included, so the report says what was checked and not only what failed. A file with
errors is a failing testcase with exactly one ``<failure>`` that carries all its findings (CI
views count failures per testcase); a file with only warnings or notes passes and shows them
in ``<system-out>`` (errors alone fail ``ve-validate``). ``tests`` and ``failures`` agree at
every level. When the caller does not know the files (``Summary.paths`` empty), the files that
have findings are the testcases, and a clean run is one passing testcase.

Any input yields well-formed XML: terminal escapes are removed, and characters XML 1.0
cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TextIO

from ve_hooks.diagnostic import Diagnostic, Severity, Summary
from ve_hooks.report.base import Reporter, ordered
from ve_hooks.sanitize import clean

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
CLASSNAME = "ve-hooks.validate"


def xml_text(text: str) -> str:
    """``text`` made safe for an XML 1.0 attribute or element."""
    return _XML_ILLEGAL.sub("", clean(str(text)))


def _line(d: Diagnostic) -> str:
    hint = f" (hint: {d.hint})" if d.hint else ""
    return f"{d.path}:{d.line}:{d.column}: {d.severity.value} {d.rule} {d.message}{hint}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _case(suite: ET.Element, path: str, items: list[Diagnostic]) -> bool:
    """Add the testcase of one file; True when it fails."""
    case = ET.SubElement(suite, "testcase", name=xml_text(path), classname=CLASSNAME)
    errors = [d for d in items if d.severity is Severity.ERROR]
    if errors:
        codes = sorted({d.rule for d in errors})
        message = errors[0].message if len(errors) == 1 else \
            f"{_plural(len(errors), 'error')}: {errors[0].message}; ..."
        failure = ET.SubElement(case, "failure", type=xml_text(" ".join(codes)), message=xml_text(message))
        failure.text = xml_text("\n".join(_line(d) for d in items))
        return True
    if items:
        ET.SubElement(case, "system-out").text = xml_text("\n".join(_line(d) for d in items))
    return False


def document(diagnostics: list[Diagnostic], summary: Summary) -> ET.Element:
    """The ``<testsuites>`` element."""
    by_path: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in ordered(diagnostics):
        by_path[d.path].append(d)
    paths = sorted(set(summary.paths) | set(by_path))
    root = ET.Element("testsuites", name="ve-hooks")
    suite = ET.SubElement(root, "testsuite", name="ve-validate")
    failures = sum(_case(suite, p, by_path.get(p, [])) for p in paths)
    if not paths:
        ET.SubElement(suite, "testcase", name=f"{_plural(summary.files, 'file')} checked", classname=CLASSNAME)
    tests = str(len(suite))
    suite.attrib.update(tests=tests, failures=str(failures), errors="0", skipped="0")
    root.attrib.update(tests=tests, failures=str(failures), errors="0")
    return root


class JunitReporter(Reporter):
    name = "junit"

    def report(self, diagnostics: list[Diagnostic], summary: Summary, stream: TextIO) -> None:
        root = document(diagnostics, summary)
        ET.indent(root)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(root, encoding="unicode") + "\n")
