"""``ve-validate --fix``: the real console script on a real repository; only fixes that cannot
change meaning apply without --unsafe-fixes, and everything else in the file is kept."""

from __future__ import annotations

import shutil
import subprocess
import sys

from support.repo_factory import GitRepo, run_cli

GOAL = "docs/chunks/beta/GOAL.md"


def validate(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ve-validate")
    cmd = [exe] if exe else [sys.executable, "-c", "from ve_hooks.cli import validate_main as m; raise SystemExit(m())"]
    return run_cli(*cmd, *args, cwd=repo.path)


def setup(repo: GitRepo) -> bytes:
    repo.write("src/app.py", "def main():\n    pass\n")
    repo.chunk("alpha")
    repo.commit("alpha")
    text = ("---\r\n"
            "status: active   # case only: a safe fix\r\n"
            "ticket: 123\r\n"
            "code_references:\r\n"
            "- ref: src/app.py#main\r\n"
            "  implements: entry point\r\n"
            "created_after: [alpha]\r\n"
            "dependz_on: []\r\n"
            "---\r\n\r\n# Beta\r\n\r\nBody with status: active left alone.\r\n")
    repo.write(GOAL, text)
    return text.encode()


def test_text_output_marks_fixable_findings_and_counts_them(repo: GitRepo) -> None:
    setup(repo)
    res = validate(repo)
    assert res.returncode == 1, res.stderr
    lines = res.stdout.splitlines()
    assert any("VE201 [*]" in line for line in lines), res.stdout
    assert any("VE203 [*]" in line for line in lines), res.stdout
    assert any("VE205 " in line and "[*]" not in line for line in lines), res.stdout  # a guess: hidden
    assert lines[-1].endswith("[*] 2 fixable with the `--fix` option. "
                              "(1 hidden fix can be enabled with the `--unsafe-fixes` option.)"), lines[-1]
    res = validate(repo, "--unsafe-fixes")
    assert "[*] 3 fixable with the `--fix --unsafe-fixes` options." in res.stdout


def test_fix_applies_safe_fixes_only_and_keeps_every_other_byte(repo: GitRepo) -> None:
    raw = setup(repo)
    res = validate(repo, "--fix")
    assert "fixed 2 findings in 1 file" in res.stderr
    after = repo.read(GOAL)
    assert after == raw.replace(b"status: active", b"status: ACTIVE", 1).replace(b"ticket: 123", b'ticket: "123"')
    assert res.returncode == 0, res.stdout  # only the VE205 warning is left
    assert "VE205" in res.stdout and "VE201" not in res.stdout

    res = validate(repo, "--fix", "--unsafe-fixes")
    assert res.returncode == 0
    assert repo.read(GOAL) == after.replace(b"dependz_on: []", b"depends_on: []")
    assert "All checks passed" in res.stdout
    again = validate(repo, "--fix", "--unsafe-fixes")
    assert repo.read(GOAL) == after.replace(b"dependz_on: []", b"depends_on: []") and "fixed" not in again.stderr


def test_fix_never_touches_an_unparsable_file_and_refuses_other_snapshots(repo: GitRepo) -> None:
    setup(repo)
    broken = b"---\nstatus: active\nticket: [\n---\n"
    repo.write(GOAL, broken)
    res = validate(repo, "--fix", "--unsafe-fixes")
    assert res.returncode == 1 and repo.read(GOAL) == broken
    res = validate(repo, "--fix", "--staged")
    assert res.returncode == 2 and "--fix" in res.stderr
