"""`ve` routing beside vibe-engineer, fast: a stand-in vibe-engineer distribution on PYTHONPATH.

(tests/test_vibe_engineer_coexist.py does the same with the real package, installed; slow.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

STAND_IN = '''
import sys
import click

@click.group()
def cli():
    """Vibe Engineer (stand-in)"""

@cli.command()
@click.argument("args", nargs=-1)
def chunk(args):
    """Manage chunks."""
    click.echo("vibe chunk " + " ".join(args))
    click.echo("to stderr", err=True)
    sys.exit(3 if "fail" in args else 0)

@cli.command()
def validate():
    """Validate referential integrity."""
    click.echo("vibe validate")

@cli.group()
def orch():
    """Manage orchestrator."""

@orch.command()
def start():
    """Start the daemon."""
    click.echo("vibe orch start")

@orch.command()
def status():
    """Daemon status."""
    click.echo("vibe orch status")

@orch.command()
def attention():
    """Its attention queue."""
    click.echo("vibe orch attention")
'''


def _site(tmp_path: Path, module: str) -> Path:
    site = tmp_path / "site"
    dist = site / "vibe_engineer-0.10.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: vibe-engineer\nVersion: 0.10.0\n")
    (site / "ve.py").write_text(module)
    return site


def _ve(site: Path | None, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "VE_HOOKS_ALONE"}
    full.update(env)
    if site is not None:
        full["PYTHONPATH"] = os.pathsep.join([str(site), full.get("PYTHONPATH", "")])
    code = "import sys; from ve_hooks.cli import ve_main; sys.exit(ve_main())"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, env=full,
                          timeout=60)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return _site(tmp_path, STAND_IN)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(r)], check=True)
    return r


def test_other_commands_go_to_vibe_engineer_unchanged(site: Path, repo: Path) -> None:
    r = _ve(site, repo, "chunk", "list", "fail")
    assert (r.returncode, r.stdout, r.stderr) == (3, "vibe chunk list fail\n", "to stderr\n")
    r = _ve(site, repo, "chunk", "--bad-option")
    assert r.returncode == 2 and "Usage: ve chunk" in r.stderr and "--bad-option" in r.stderr
    r = _ve(site, repo, "chunk", "list")
    assert r.returncode == 0 and r.stdout == "vibe chunk list\n"
    r = _ve(site, repo, "no-such")
    assert r.returncode == 2 and "No such command 'no-such'" in r.stderr  # its own usage error
    assert _ve(site, repo, "orch", "start").stdout == "vibe orch start\n"
    # The words vibe-engineer keeps.
    assert _ve(site, repo, "validate").stdout == "vibe validate\n"
    assert _ve(site, repo, "orch", "status").stdout == "vibe orch status\n"


def test_our_commands_run_here(site: Path, repo: Path) -> None:
    r = _ve(site, repo, "orch", "attention", "--format", "json")
    assert r.returncode == 0 and r.stdout.strip() == "[]"  # ours (both sources), not its "vibe orch attention"
    r = _ve(site, repo, "orch", "--repo", str(repo), "ask", "u1", "--question", "Q?")
    assert r.returncode == 0 and r.stdout.startswith("q-")
    r = _ve(site, repo, "orch", "answer", "u1", "yes")
    assert r.returncode == 0 and "answered" in r.stdout
    assert _ve(site, repo, "schema", "--help").returncode == 0


def test_help_and_version_show_both(site: Path, repo: Path) -> None:
    text = _ve(site, repo, "--help").stdout
    assert "vibe-engineer 0.10.0 commands" in text and "ve-hooks commands" in text
    assert "chunk" in text and "created-after" in text and "doctor" in text
    assert "ve-validate" in text  # where our validator is
    orch = _ve(site, repo, "orch", "--help").stdout
    assert "ve orch answer UNIT" in orch and "vibe-engineer 0.10.0 orch commands" in orch
    assert "start" in orch and "Start the daemon." in orch
    assert "ve-hooks 0.1.0" in _ve(site, repo, "--version").stdout
    assert "vibe-engineer 0.10.0" in _ve(site, repo, "--version").stdout


def test_alone_without_vibe_engineer_or_when_asked(site: Path, repo: Path) -> None:
    r = _ve(None, repo, "chunk", "list")
    assert r.returncode == 2 and "No such command" in r.stderr
    assert "vibe-engineer 0.10.0 commands" not in _ve(None, repo, "--help").stdout
    r = _ve(site, repo, "chunk", "list", VE_HOOKS_ALONE="1")
    assert r.returncode == 2 and "No such command" in r.stderr


def test_a_broken_vibe_engineer_is_named_and_ours_still_work(tmp_path: Path, repo: Path) -> None:
    site = _site(tmp_path, "raise ImportError('no module named board')\n")
    r = _ve(site, repo, "chunk", "list")
    assert r.returncode == 2 and "cannot be imported: ImportError: no module named board" in r.stderr
    assert "Traceback" not in r.stderr and "pip install --force-reinstall vibe-engineer" in r.stderr
    assert _ve(site, repo, "orch", "attention").returncode == 0
    assert "cannot be imported" in _ve(site, repo, "--help").stdout
