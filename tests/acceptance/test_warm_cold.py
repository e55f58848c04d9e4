"""Caches change nothing but time: on the benchmark repository's quick size (200 chunks, real
history), a cold run, a run with every cache disabled, a warm replay, a run whose per-file
caches are warm but whose whole-run entry is not, and ``ve tips`` cold and warm all agree."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import make_repo  # noqa: E402
from support.cli import BIN  # noqa: E402


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo.make_repo(tmp_path_factory.mktemp("bench") / "r", 200, seed=1).path


def validate(repo: Path, cache: Path | str, *args: str) -> list[dict]:
    env = {**os.environ, "VE_HOOKS_CACHE_DIR": str(cache)}
    p = subprocess.run([str(BIN / "ve-validate"), "--format", "json", *args], cwd=repo, env=env,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)["diagnostics"]


def tips(repo: Path, cache: Path) -> str:
    env = {**os.environ, "VE_HOOKS_CACHE_DIR": str(cache)}
    p = subprocess.run([str(BIN / "ve"), "tips", "--rev", "HEAD~5"], cwd=repo, env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_warm_and_cold_runs_report_the_same(quick: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = validate(quick, cache)
    assert cold, "the benchmark repository carries planted problems"
    assert validate(quick, "") == cold  # no cache at all
    assert validate(quick, cache) == cold  # the whole run replayed
    with_cache = tmp_path / "files-only"
    shutil.copytree(cache, with_cache)
    db = sqlite3.connect(with_cache / "parse.sqlite3")
    assert db.execute("DELETE FROM entries WHERE k LIKE '%:runs:%'").rowcount == 1
    db.commit()
    db.close()
    assert validate(quick, with_cache) == cold  # per-file caches warm, rules re-run
    staged_cold = validate(quick, tmp_path / "staged", "--staged")
    assert validate(quick, tmp_path / "staged", "--staged") == staged_cold


def test_tips_cold_and_warm_agree(quick: Path, tmp_path: Path) -> None:
    first = tips(quick, tmp_path / "t")
    assert first.strip()
    assert tips(quick, tmp_path / "t") == first
    assert tips(quick, "") == first
