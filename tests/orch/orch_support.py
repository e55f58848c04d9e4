"""Fixtures for the orchestrator tests: real repositories, the real CLI in real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.cli import module

FAKE_AGENT = Path(__file__).with_name("fake_agent.py")
AGENT_CMD = f"{sys.executable} {FAKE_AGENT}"

Ve = Callable[..., subprocess.CompletedProcess[str]]


def git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    out = subprocess.run(["git", "-C", str(cwd), *args], input=input, capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace").strip()


def ve_cmd(*args: str) -> list[str]:
    return module("ve_hooks.cli", "orch", *args)


def run_ve(cwd: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ve_cmd(*args), cwd=cwd, input=input, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


@pytest.fixture
def orepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one commit on ``main``."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "init")
    return repo


@pytest.fixture
def ve(orepo: Path) -> Ve:
    """``ve orch ...`` in ``orepo`` as a subprocess."""

    def call(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        return run_ve(orepo, *args, **kw)  # type: ignore[arg-type]

    return call


def answer_while_waiting(ve: Ve, proc: subprocess.Popen[str], unit: str, *answer: str,
                         seconds: float = 60) -> tuple[str, str]:
    """Wait until ``proc`` (blocked on an answer) has asked, answer UNIT from this process, and
    return ``proc``'s (stdout, stderr); ``proc`` is killed if anything goes wrong."""
    import json
    import time

    try:
        deadline = time.monotonic() + seconds
        while not json.loads(ve("attention", "--format", "json").stdout):
            if time.monotonic() > deadline:
                raise AssertionError("the question never appeared")
            time.sleep(0.2)
        assert ve("answer", unit, *answer).returncode == 0
        return proc.communicate(timeout=seconds)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def clone_through_remote(tmp_path: Path, repo: Path, name: str) -> Path:
    """Give ``repo`` a bare ``origin`` holding ``main`` and return a fresh clone of it named ``name``."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    clone = tmp_path / name
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    return clone
