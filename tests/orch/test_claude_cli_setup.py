"""The real-CLI test setup skips, saying why, where npm cannot provide Claude Code."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.claude_cli import Unavailable, claude_binary


def test_without_npm_the_setup_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VE_TEST_CLAUDE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(Unavailable, match="npm is not installed"):
        claude_binary(tmp_path / "cache")


def test_a_named_binary_that_is_missing_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VE_TEST_CLAUDE", str(tmp_path / "nope"))
    with pytest.raises(Unavailable, match="does not exist"):
        claude_binary(tmp_path / "cache")


def test_a_failed_install_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_npm = bin_dir / "npm"
    fake_npm.write_text("#!/bin/sh\necho 'npm ERR! 404 Not Found' >&2\nexit 1\n")
    fake_npm.chmod(0o755)
    monkeypatch.delenv("VE_TEST_CLAUDE", raising=False)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    with pytest.raises(Unavailable, match="404 Not Found"):
        claude_binary(tmp_path / "cache")
