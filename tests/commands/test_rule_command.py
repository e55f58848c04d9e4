"""``ve rule``: the real console script for the contract, click's runner for the variants."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner
from support.cli import module

from ve_hooks.commands.rule import command
from ve_hooks.rules import docs, registry


def ve(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ve")
    cmd = [exe, *args] if exe else module("ve_hooks.cli", *args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_subprocess_prints_the_doc_page() -> None:
    res = ve("rule", "VE401")
    assert res.returncode == 0, res.stderr
    assert res.stdout == docs.render_markdown(registry.rules()["VE401"])


def test_subprocess_all_lists_every_rule_grouped() -> None:
    res = ve("rule", "--all")
    assert res.returncode == 0, res.stderr
    for code, info in registry.rules().items():
        assert f"{code} " in res.stdout and info.name in res.stdout
    assert "[*] created-after-empty" in res.stdout
    assert res.stdout.index("VE1xx") < res.stdout.index("VE7xx")


def test_subprocess_unknown_code_exits_2_with_did_you_mean() -> None:
    res = ve("rule", "VE2O1")
    assert res.returncode == 2
    assert "unknown rule 'VE2O1'; did you mean VE201 (invalid-status)?" in res.stderr
    assert res.stdout == ""


def test_subprocess_missing_code_is_a_usage_error() -> None:
    res = ve("rule")
    assert res.returncode == 2 and "missing rule CODE" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("arg", ["ve401", "missing-reference", " VE401 "])
def test_code_is_case_insensitive_and_names_work(arg: str) -> None:
    res = CliRunner().invoke(command, [arg], standalone_mode=False)
    assert res.return_value == 0
    assert res.output == docs.render_markdown(registry.rules()["VE401"])


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("unclosed-frontmater", "did you mean VE103 (unclosed-frontmatter)?"),
        ("VE40", "'VE40' is a prefix, not a rule; it matches VE401, VE402, VE403, VE404, VE405"),
        ("nonsense", "unknown rule 'nonsense'"),
    ],
)
def test_unknown_code_returns_2(arg: str, expected: str) -> None:
    res = CliRunner().invoke(command, [arg], standalone_mode=False)
    assert res.return_value == 2
    assert expected in res.stderr


def test_code_and_all_together_is_a_usage_error() -> None:
    res = CliRunner().invoke(command, ["VE401", "--all"])
    assert res.exit_code == 2 and "either CODE or --all" in res.output
