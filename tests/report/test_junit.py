"""JUnit reporter: valid against the schema Jenkins and GitLab read, one testcase per file checked,
one failure per failing file, counts that agree at every level, parseable XML for any input."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.repo_factory import GitRepo, run_cli

from ve_hooks.diagnostic import Summary
from ve_hooks.report import render
from ve_hooks.report.junit import xml_text

from ._data import HOSTILE, diag, hostile, sample

xmlschema = pytest.importorskip("xmlschema", reason="xmlschema (test extra) validates JUnit output")
SCHEMA = xmlschema.XMLSchema(str(Path(__file__).parents[1] / "data" / "junit-jenkins.xsd"))


def out(diags: list, summary: Summary) -> tuple[str, ET.Element]:
    buf = io.StringIO()
    render("junit", diags, summary, stream=buf)
    text = buf.getvalue()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return text, ET.fromstring(text.encode("utf-8"))


def check_shape(text: str) -> ET.Element:
    """Schema-valid, one failure at most per testcase, counts that agree at every level."""
    SCHEMA.validate(text)
    root = ET.fromstring(text.encode("utf-8"))
    cases = failing = 0
    for suite in root.findall("testsuite"):
        suite_cases = suite.findall("testcase")
        suite_failing = 0
        for case in suite_cases:
            n = len(case.findall("failure"))
            assert n <= 1, f"{case.get('name')}: {n} failure elements"
            suite_failing += n
        assert suite.get("tests") == str(len(suite_cases))
        assert suite.get("failures") == str(suite_failing)
        cases += len(suite_cases)
        failing += suite_failing
    assert root.get("tests") == str(cases) and root.get("failures") == str(failing)
    return root


def test_one_testcase_per_file_checked_and_one_failure_per_failing_file() -> None:
    ds, _ = sample()
    ds.append(diag("VE401", message="narrative 'x' does not exist", line=5))
    files = ("docs/chunks/bug_type_field/GOAL.md", "docs/chunks/clean/GOAL.md",
             "docs/chunks/orch_ask_operator/GOAL.md")
    text, _ = out(ds, Summary.of(ds, 3, files))
    root = check_shape(text)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "0")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert sorted(cases) == sorted(files)
    (failure,) = cases["docs/chunks/bug_type_field/GOAL.md"].findall("failure")
    assert failure.get("type") == "VE201 VE401"
    assert failure.get("message", "").startswith("2 errors: ")
    assert failure.text is not None
    assert "error VE201 invalid status 'DONE' (hint: use one of FUTURE, IMPLEMENTING, ACTIVE)" in failure.text
    assert "error VE401 narrative 'x' does not exist" in failure.text
    assert "info VE503" in failure.text  # all the file's findings, not only its errors
    assert list(cases["docs/chunks/clean/GOAL.md"]) == []
    warned = cases["docs/chunks/orch_ask_operator/GOAL.md"]
    assert warned.findall("failure") == []
    assert "warning VE606 created_after is empty" in (warned.findtext("system-out") or "")


def test_clean_run_without_a_file_list_has_one_passing_case() -> None:
    text, root = out([], Summary(files=7))
    check_shape(text)
    (case,) = root.iter("testcase")
    assert case.get("name") == "7 files checked" and list(case) == []


def test_ve_validate_junit_lists_clean_files_and_is_schema_valid(repo: GitRepo) -> None:
    repo.chunk("first", "FUTURE")
    repo.chunk("second", "FUTURE")
    repo.chunk("broken", "DONE", narrative="nope")
    repo.commit("chunks")
    p = run_cli("ve-validate", "--format", "junit", cwd=repo.path)
    assert p.returncode == 1, p.stderr
    root = check_shape(p.stdout)
    names = sorted(c.get("name") or "" for c in root.iter("testcase"))
    assert names == [f"docs/chunks/{n}/GOAL.md" for n in ("broken", "first", "second")]
    assert root.get("failures") == "1"


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_hostile_input_is_valid_xml(key: str) -> None:
    ds = hostile(HOSTILE[key])
    text, root = out(ds, Summary.of(ds, 1))
    assert "\x1b" not in text and "\x00" not in text
    check_shape(text)
    assert root.get("failures") == "1"  # the odd path has the error; the other file only warns
    # markup in values stays text, never structure
    assert {e.tag for e in root.iter()} <= {"testsuites", "testsuite", "testcase", "failure", "system-out"}


def test_xml_text_drops_what_xml_cannot_carry() -> None:
    assert xml_text("a\x00b\ufffe\udce9c") == "a\\x00bc"
    assert xml_text("tab\tnl\n") == "tab\tnl\n"
