"""JUnit reporter: parseable XML for any input, errors as failures, warnings as system-out."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from ve_hooks.diagnostic import Summary
from ve_hooks.report import render
from ve_hooks.report.junit import xml_text

from ._data import HOSTILE, hostile, sample


def out(diags: list, summary: Summary) -> tuple[str, ET.Element]:
    buf = io.StringIO()
    render("junit", diags, summary, stream=buf)
    text = buf.getvalue()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return text, ET.fromstring(text.encode("utf-8"))


def test_suite_per_file_failure_per_error() -> None:
    ds, summary = sample()
    _, root = out(ds, summary)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["docs/chunks/bug_type_field/GOAL.md",
                                              "docs/chunks/orch_ask_operator/GOAL.md"]
    first = suites[0].find("testcase")
    assert first is not None and first.get("name") == "docs/chunks/bug_type_field/GOAL.md"
    (failure,) = first.findall("failure")
    assert failure.get("type") == "VE201"
    assert failure.get("message") == "invalid status 'DONE'"
    assert failure.text == ("docs/chunks/bug_type_field/GOAL.md:2:9: error VE201 invalid status 'DONE' "
                            "(hint: use one of FUTURE, IMPLEMENTING, ACTIVE)")
    assert "VE503" in (first.findtext("system-out") or "")
    second = suites[1].find("testcase")
    assert second is not None and second.findall("failure") == []
    assert "warning VE606 created_after is empty" in (second.findtext("system-out") or "")
    assert suites[1].get("failures") == "0"


def test_clean_run_has_one_passing_case() -> None:
    _, root = out([], Summary(files=7))
    (suite,) = root.findall("testsuite")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "7 files checked" and list(case) == []
    assert root.get("tests") == "1" and root.get("failures") == "0"


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_hostile_input_is_well_formed_xml(key: str) -> None:
    ds = hostile(HOSTILE[key])
    text, root = out(ds, Summary.of(ds, 1))
    assert "\x1b" not in text and "\x00" not in text
    assert root.get("failures") == "1"
    # markup in values stays text, never structure
    assert {e.tag for e in root.iter()} <= {"testsuites", "testsuite", "testcase", "failure", "system-out"}


def test_xml_text_drops_what_xml_cannot_carry() -> None:
    assert xml_text("a\x00b\ufffe\udce9c") == "a\\x00bc"
    assert xml_text("tab\tnl\n") == "tab\tnl\n"
