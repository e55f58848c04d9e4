"""docs/pre-commit.md's setup works as written, under pre-commit and prek: the configuration block
(its ``repo:`` URL pointed at a ``file://`` clone of this checkout, nothing else changed) at the
``rev:`` that docs/releasing.md's steps tag, and the ``repo: local`` recipe, each installed with
the documented command and driven by real ``git commit``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.cli import BIN
from support.docblocks import ROOT, blocks
from support.repo_factory import GitRepo, chunk_goal

URL = "https://github.com/ve-hooks/ve-hooks"

pytestmark = pytest.mark.slow  # installs the hook repository's environment (pip, from the index)


def yaml_blocks(doc: str) -> list[str]:
    return re.findall(r"(?ms)^```yaml\n(.*?)^```", (ROOT / doc).read_text())


def config_block(local: bool) -> str:
    for b in yaml_blocks("docs/pre-commit.md"):
        c = yaml.safe_load(b)
        if isinstance(c, dict) and "repos" in c and (c["repos"][0]["repo"] == "local") == local:
            return b
    raise AssertionError("no such configuration in docs/pre-commit.md")


def sh(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """This venv's scripts first on PATH (pre-commit, prek, the hooks' console scripts)."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "PREK_HOME": str(tmp_path_factory.getbasetemp() / "prek-cache")}


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """This checkout (tracked and untracked files) committed in a scratch clone, then tagged by
    the release steps of docs/releasing.md, run as written."""
    dest = tmp_path_factory.mktemp("ve-hooks-release")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.split(b"\0")
    for raw in listed:
        rel = raw.decode()
        src = ROOT / rel
        if not rel or rel.startswith(("benchmarks/", "tests/")) or not os.path.lexists(src):
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dest / rel)
        else:
            shutil.copy2(src, dest / rel)
    GitRepo.init(dest).commit("the release commit")
    for line in blocks("docs/releasing.md")["tag"]:
        p = sh(line, dest, env)
        assert p.returncode == 0, (line, p.stdout)
    return dest


def test_the_documented_rev_is_the_tag_the_release_steps_make(released: Path) -> None:
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    (repo,) = yaml.safe_load(config_block(local=False))["repos"]
    assert repo["rev"] == f"v{version}"
    tags = subprocess.run(["git", "tag", "--list"], cwd=released, capture_output=True, text=True).stdout.split()
    assert tags == [repo["rev"]]


def _try(tool: str, config: str, project: Path, env: dict[str, str]) -> None:
    """Install with the documented commands, then: a bad chunk is blocked, a good one commits."""
    r = GitRepo.init(project)
    r.write(".pre-commit-config.yaml", config)
    r.write("src/app.py", "def main():\n    pass\n")
    r.chunk("alpha")
    r.add()
    install = blocks("docs/pre-commit.md")["install" if tool == "pre-commit" else "prek"]
    for line in install:
        p = sh(line, r.path, env)
        assert p.returncode == 0, (line, p.stdout)
    first = sh("git commit -qm base", r.path, env)
    assert first.returncode == 0, first.stdout
    r.write("docs/chunks/broken/GOAL.md", chunk_goal("BOGUS", ["alpha"]))
    r.add()
    p = sh("git commit -qm broken", r.path, env)
    assert p.returncode != 0 and "docs/chunks/broken/GOAL.md:2:1: VE201" in p.stdout, p.stdout
    r.write("docs/chunks/broken/GOAL.md", chunk_goal("FUTURE", ["alpha"]))
    r.add()
    p = sh("git commit -qm fixed", r.path, env)
    assert p.returncode == 0, p.stdout


@pytest.mark.parametrize("tool", ["pre-commit", "prek"])
def test_the_documented_configuration_verbatim(tool: str, released: Path, env: dict[str, str],
                                               tmp_path: Path) -> None:
    if shutil.which(tool, path=env["PATH"]) is None:
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]' installs it)")
    block = config_block(local=False)
    assert block.count(URL) == 1
    _try(tool, block.replace(URL, f"file://{released}"), tmp_path / "project", env)


@pytest.mark.parametrize("tool", ["pre-commit", "prek"])
def test_the_local_recipe_verbatim(tool: str, env: dict[str, str], tmp_path: Path) -> None:
    if shutil.which(tool, path=env["PATH"]) is None:
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]' installs it)")
    _try(tool, config_block(local=True), tmp_path / "project", env)
