"""The edges a newcomer hits first: a run that checked nothing is never green, the project is
found from where you stand, ``--repo`` means one thing everywhere, closed pipes, ``--version``,
help on every option, and one guard for every command's errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import click
import pytest
from support.cli import invoke, script, ve
from support.repo_factory import GitRepo

from ve_hooks import cli
from ve_hooks.cli import validate_main

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"


@pytest.fixture
def outer(repo: GitRepo) -> GitRepo:
    """A repository that ships the demo project below its top level (as ve-hooks itself does)."""
    shutil.copytree(DEMO, repo.path / "examples" / "demo")
    repo.write("README.md", "outer\n")
    repo.commit("outer with an example project")
    return repo


def _errors(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if ": VE" in line)


def test_a_missing_path_is_a_usage_error(outer: GitRepo) -> None:
    demo = outer.path / "examples" / "demo"
    r = invoke(validate_main, "docs/chunks/nope", cwd=demo)
    assert r.code == 2 and "docs/chunks/nope" in r.stderr and "no such file" in r.stderr
    assert "All checks passed" not in r.stdout
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_no_artifact_root_says_where_it_looked(repo: GitRepo) -> None:
    (repo.path / "src").mkdir()
    r = invoke(validate_main, cwd=repo.path / "src")
    assert r.code == 2, r
    assert "no artifact root" in r.stderr and str(repo.path / "src") in r.stderr and str(repo.path) in r.stderr
    assert r.stdout == ""


def test_the_project_is_the_nearest_folder_holding_the_artifact_root(outer: GitRepo) -> None:
    demo = outer.path / "examples" / "demo"
    from_inside = invoke(validate_main, cwd=demo / "src")
    from_top = invoke(validate_main, "--repo", "examples/demo", cwd=outer.path)
    assert from_inside.code == from_top.code == 1
    assert _errors(from_inside.stdout) == _errors(from_top.stdout) and len(_errors(from_top.stdout)) == 9
    stats = invoke(validate_main, "--stats", cwd=demo)
    assert f"under {demo / 'docs'}" in stats.stderr
    shown = json.loads(invoke(validate_main, "--show-config", cwd=demo).stdout)
    assert shown["root"] == str(demo) and shown["artifact_root"] == str(demo / "docs")


def test_paths_are_relative_to_the_working_directory(outer: GitRepo) -> None:
    chunks = outer.path / "examples" / "demo" / "docs" / "chunks"
    r = invoke(validate_main, "--format", "json", "audit_log", cwd=chunks)
    assert r.code == 1
    assert {d["path"] for d in json.loads(r.stdout)["diagnostics"]} == {"docs/chunks/audit_log/GOAL.md"}


@pytest.mark.parametrize("command", [["tips"], ["graph", "--format", "json"]])
def test_repo_means_the_same_in_every_command(outer: GitRepo, command: list[str]) -> None:
    inside = invoke(cli.main, *command, cwd=outer.path / "examples" / "demo")
    named = invoke(cli.main, *command, "--repo", "examples/demo", cwd=outer.path)
    assert inside.code == named.code == 0, (inside, named)
    assert named.stdout == inside.stdout and "csv_import" in named.stdout


def test_a_closed_pipe_ends_quietly(outer: GitRepo) -> None:
    p = subprocess.Popen([script("ve-validate"), "--repo", "examples/demo"], cwd=outer.path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # the reader is gone before the first line is written (`| head -0`)
    err = p.stderr.read().decode()
    p.stderr.close()
    code = p.wait(timeout=120)
    assert err == "" and code not in (0, 2), (code, err)


@pytest.mark.parametrize("prog", ["ve", "ve-validate"])
def test_version(prog: str, tmp_path: Path) -> None:
    p = ve("--version", cwd=tmp_path, prog=prog)
    assert p.returncode == 0 and "version" in p.stdout and p.stdout.startswith(prog)


def test_a_crash_in_any_command_is_one_line_and_exit_2(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.chunk("a", "ACTIVE")
    repo.commit()

    def boom(*args: object, **kw: object) -> list[str]:
        raise RuntimeError("simulated defect")

    monkeypatch.setattr("ve_hooks.commands.tips.tips_in", boom)
    monkeypatch.delenv("VE_HOOKS_DEBUG", raising=False)
    r = invoke(cli.main, "tips", cwd=repo.path)
    assert r.code == 2
    assert r.stderr.strip().splitlines() == [
        "ve: internal error: RuntimeError: simulated defect (set VE_HOOKS_DEBUG=1 for a traceback)"]


def _commands(group: click.Group, ctx: click.Context, prefix: str) -> list[tuple[str, click.Command]]:
    out = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        out.append((f"{prefix} {name}", cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, click.Context(cmd, parent=ctx), f"{prefix} {name}")
    return out


def test_every_option_of_every_command_has_help() -> None:
    ctx = click.Context(cli.cli)
    from ve_hooks.commands.validate import command as validate

    commands = [("ve", cli.cli), ("ve-validate", validate), *_commands(cli.cli, ctx, "ve")]
    assert len(commands) > 15
    missing = [f"{where} {opt.opts[0]}" for where, cmd in commands for opt in cmd.params
               if isinstance(opt, click.Option) and not (opt.help or "").strip()]
    assert missing == []
