"""Fixtures for tests that run the real Claude Code CLI against the mock Messages API."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.agent_world import RecordedRun  # noqa: E402
from support.claude_cli import Unavailable, claude_binary, claude_env  # noqa: E402
from support.cli import module  # noqa: E402
from support.mock_anthropic import MockAnthropic  # noqa: E402

QUESTION = "Keep the old coderef format as an alias?"
ASK_STEP = {"tool": "AskOperator", "input": {"question": QUESTION, "options": ["yes", "no"],
                                             "context": "Two callers still use it."}}


@pytest.fixture(scope="session")
def claude_bin(request: pytest.FixtureRequest) -> Path:
    """The real ``claude`` binary; installed with npm into pytest's cache at most once a session."""
    if getattr(request.config, "cache", None) is not None:
        cache = Path(request.config.cache.mkdir("claude-code"))
    else:  # -p no:cacheprovider: the same place, inside the repository
        cache = Path(request.config.rootpath) / ".pytest_cache" / "d" / "claude-code"
    try:
        return claude_binary(cache)
    except Unavailable as e:
        pytest.skip(f"real Claude Code CLI unavailable: {e}")


class ClaudeWorld(RecordedRun):
    """A repository, a scripted mock model, and ``ve orch`` run with the real CLI on PATH."""

    def __init__(self, repo: Path, binary: Path, home: Path) -> None:
        self.repo = repo
        self.binary = binary
        self.home = home
        self.mock: MockAnthropic | None = None

    def start(self, script: Any) -> MockAnthropic:
        if self.mock is not None:
            self.mock.stop()
        self.mock = MockAnthropic(script).start()
        return self.mock

    @property
    def env(self) -> dict[str, str]:
        assert self.mock is not None, "start the mock first"
        return claude_env(self.binary, self.mock.url, self.home)

    def ve(self, *args: str, input: str | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
        return subprocess.run(module("ve_hooks.cli", "orch", *args), cwd=self.repo, input=input,
                              capture_output=True, text=True, env=self.env, timeout=timeout)


@pytest.fixture
def world(orepo: Path, claude_bin: Path, tmp_path: Path) -> Iterator[ClaudeWorld]:
    w = ClaudeWorld(orepo, claude_bin, tmp_path / "claude-home")
    yield w
    if w.mock is not None:
        w.mock.stop()
