"""Bulk suppressions (ve-hooks-suppressions.json): record today's errors, report only new ones,
in ve-validate, the commit hook and the language server, through renames."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.cli import ve
from support.repo_factory import GitRepo

from ve_hooks.diagnostic import Diagnostic, Severity, UsageError
from ve_hooks.validation import suppressions

FILE = suppressions.FILE_NAME


def validate(repo: GitRepo, *args: str):  # noqa: ANN201
    return ve(*args, cwd=repo.path, prog="ve-validate")


def hook(repo: GitRepo):  # noqa: ANN201
    return ve(cwd=repo.path, prog="ve-hooks-validate-staged")


@pytest.fixture
def legacy(tmp_path: Path) -> GitRepo:
    """A repository adopting ve-hooks with errors already in it: two bad references in ``old``."""
    r = GitRepo.init(tmp_path / "legacy")
    r.write("src/app.py", "def main():\n    pass\n")
    r.chunk("base")
    r.chunk("old", created_after=["base"], depends_on=["gone_one", "gone_two"])
    r.chunk("clean", created_after=["old"])
    r.commit("legacy")
    return r


def test_suppress_all_then_clean_and_counted(legacy: GitRepo) -> None:
    assert validate(legacy).returncode == 1
    rec = validate(legacy, "--suppress-all")
    assert rec.returncode == 0, rec.stderr
    assert FILE in rec.stdout
    table = json.loads((legacy.path / FILE).read_text())
    assert table == {"suppressions": {"docs/chunks/old/GOAL.md": {"VE401": 2}}, "version": 1}
    after = validate(legacy)
    assert after.returncode == 0, after.stdout
    assert "2 errors suppressed" in after.stdout


def test_only_what_exceeds_the_record_is_reported(legacy: GitRepo) -> None:
    validate(legacy, "--suppress-all")
    # Another rule in the suppressed file.
    legacy.chunk("old", created_after=["base"], depends_on=["gone_one", "gone_two"], ticket=7)
    out = validate(legacy)
    assert out.returncode == 1 and "VE401" not in out.stdout and "docs/chunks/old/GOAL.md" in out.stdout
    # A higher count of the suppressed rule: the count no longer holds, all three are shown.
    legacy.chunk("old", created_after=["base"], depends_on=["gone_one", "gone_two", "gone_three"])
    out = validate(legacy)
    assert out.returncode == 1 and out.stdout.count("VE401") == 3
    # The same rule in another file.
    legacy.chunk("old", created_after=["base"], depends_on=["gone_one", "gone_two"])
    legacy.chunk("clean", created_after=["old"], depends_on=["gone_one"])
    out = validate(legacy)
    assert out.returncode == 1 and out.stdout.count("VE401") == 1 and "docs/chunks/clean/GOAL.md" in out.stdout


def test_the_hook_commits_an_edit_and_blocks_a_new_error(legacy: GitRepo) -> None:
    validate(legacy, "--suppress-all")
    legacy.commit("adopt")
    p = legacy.path / "docs/chunks/old/GOAL.md"
    p.write_text(p.read_text() + "\nOne more line.\n")
    legacy.add()
    assert hook(legacy).returncode == 0
    legacy.commit("edit")
    legacy.chunk("clean", status="DONE", created_after=["old"])
    legacy.add()
    out = hook(legacy)
    assert out.returncode == 1
    assert out.stdout.count(": VE") == 1 and "docs/chunks/clean/GOAL.md" in out.stdout


def test_suppress_rule_records_one_rule_and_keeps_the_others(legacy: GitRepo) -> None:
    legacy.chunk("clean", created_after=["old"], ticket=7)
    assert validate(legacy, "--suppress-rule", "VE401").returncode == 0
    table = suppressions.parse((legacy.path / FILE).read_text())
    assert table == {"docs/chunks/old/GOAL.md": {"VE401": 2}}
    assert validate(legacy).returncode == 1  # the ticket type error is not suppressed


def test_prune_shrinks_the_file_after_a_fix(legacy: GitRepo) -> None:
    validate(legacy, "--suppress-all")
    legacy.chunk("old", created_after=["base"], depends_on=["gone_one"])
    out = validate(legacy, "--prune-suppressions")
    assert out.returncode == 0 and "1 errors in 1 files suppressed (was 2)" in out.stdout
    assert suppressions.parse((legacy.path / FILE).read_text()) == {"docs/chunks/old/GOAL.md": {"VE401": 1}}
    # The fixed error may not come back.
    legacy.chunk("old", created_after=["base"], depends_on=["gone_one", "gone_two"])
    assert validate(legacy).returncode == 1


def test_a_rename_carries_the_entries_along(legacy: GitRepo) -> None:
    validate(legacy, "--suppress-all")
    legacy.commit("adopt")
    legacy.git("mv", "docs/chunks/old", "docs/chunks/older")
    legacy.chunk("clean", created_after=["older"])
    legacy.add()
    assert hook(legacy).returncode == 0  # the staged rename: the snapshot policy pairs them
    legacy.commit("rename")
    out = validate(legacy)  # committed: the history's trusted rename pairs them
    assert out.returncode == 0, out.stdout
    assert "2 errors suppressed" in out.stdout
    validate(legacy, "--prune-suppressions")
    assert suppressions.parse((legacy.path / FILE).read_text()) == {"docs/chunks/older/GOAL.md": {"VE401": 2}}


def test_a_damaged_file_is_a_usage_error_naming_where(legacy: GitRepo) -> None:
    (legacy.path / FILE).write_text('{"suppressions": {\n  "x": 1,\n')
    out = validate(legacy)
    assert out.returncode == 2
    assert f"{FILE}:" in out.stderr and "Traceback" not in out.stderr


def test_the_language_server_shows_suppressed_findings_as_hints(legacy: GitRepo) -> None:
    from ve_hooks.lsp.server import to_lsp
    from ve_hooks.lsp.workspace import Workspace

    validate(legacy, "--suppress-all")
    ws = Workspace(legacy.path)
    ws.load()
    found = ws.check("docs/chunks/old/GOAL.md")
    assert [d.rule for d in found] == ["VE401", "VE401"]
    assert all(d.data.get("suppressed") for d in found)
    lines = (legacy.path / "docs/chunks/old/GOAL.md").read_text().splitlines()
    from lsprotocol import types as t

    assert {to_lsp(d, lines).severity for d in found} == {t.DiagnosticSeverity.Hint}
    (legacy.path / FILE).write_text("{ damaged")  # the editor keeps checking; ve-validate names it
    assert [d.severity for d in ws.check("docs/chunks/old/GOAL.md")] == [Severity.ERROR, Severity.ERROR]


tables = st.dictionaries(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=20),
    st.dictionaries(st.sampled_from(["VE201", "VE401", "VE502", "VE703"]), st.integers(1, 50), min_size=1),
    max_size=8)


@given(tables)
def test_the_file_is_stable_sorted_json(table: dict[str, dict[str, int]]) -> None:
    text = suppressions.dumps(table)
    assert suppressions.parse(text) == table
    assert suppressions.dumps(dict(reversed(list(table.items())))) == text  # order-independent
    assert text.endswith("}\n") and "\t" not in text


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["VE1", "VE2"])), max_size=12),
       st.dictionaries(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["VE1", "VE2"])),
                       st.integers(1, 5)))
def test_split_suppresses_a_group_exactly_when_within_its_count(
        found: list[tuple[str, str]], allowed: dict[tuple[str, str], int]) -> None:
    diags = [Diagnostic(rule, Severity.ERROR, path, n + 1, 1, "m") for n, (path, rule) in enumerate(found)]
    table: dict[str, dict[str, int]] = {}
    for (path, rule), n in allowed.items():
        table.setdefault(path, {})[rule] = n
    out = suppressions.split(diags, table)
    assert sorted(out.reported + out.suppressed, key=lambda d: d.line) == diags
    for d in diags:
        within = found.count((d.path, d.rule)) <= allowed.get((d.path, d.rule), 0)
        assert (d in out.suppressed) == within


def test_parse_rejects_a_wrong_shape() -> None:
    with pytest.raises(UsageError, match="positive counts"):
        suppressions.parse('{"suppressions": {"a": {"VE401": 0}}, "version": 1}')
