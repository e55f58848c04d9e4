"""Smoke test of the benchmark harness: the generator builds a valid, deterministic repository and
``benchmarks/run.py --quick --json`` reports every scenario with a numeric floor.

Speed is not asserted here (CI machines vary); that the harness works is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import make_repo  # noqa: E402
import run as bench_run  # noqa: E402


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _frontmatter(text: str) -> dict:
    assert text.startswith("---\n"), text[:80]
    return yaml.load(text[4:text.index("\n---", 3)], Loader=yaml.CSafeLoader)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> make_repo.RepoInfo:
    return make_repo.make_repo(tmp_path_factory.mktemp("bench") / "r", 60, seed=7)


def test_make_repo_has_n_chunks_at_head_all_parseable(tiny: make_repo.RepoInfo) -> None:
    files = _git(tiny.path, "ls-tree", "-r", "--name-only", "HEAD", "docs/chunks").split()
    goals = [f for f in files if f.endswith("/GOAL.md")]
    assert len(goals) == 60 == len(tiny.chunk_names)
    assert {f.split("/")[2] for f in goals} == set(tiny.chunk_names)
    statuses = set()
    for f in goals:
        fm = _frontmatter((tiny.path / f).read_text())
        assert fm["status"] in make_repo.CHUNK_STATUSES
        statuses.add(fm["status"])
    assert "ACTIVE" in statuses
    for kind in ("narratives", "investigations", "subsystems"):
        for name in getattr(tiny, kind):
            _frontmatter((tiny.path / "docs" / kind / name / "OVERVIEW.md").read_text())
    friction = (tiny.path / "docs/trunk/FRICTION.md").read_text()
    _frontmatter(friction)
    assert friction.count("\n### F") == tiny.friction_entries > 0
    for name in tiny.externals:
        assert yaml.safe_load((tiny.path / "docs/chunks" / name / "external.yaml").read_text())["artifact_type"] == "chunk"


def test_make_repo_generations_renames_history(tiny: make_repo.RepoInfo) -> None:
    assert set(tiny.generations) == {"v1", "v2", "v3"}
    v1 = _frontmatter((tiny.path / "docs/chunks" / tiny.chunk_names[0] / "GOAL.md").read_text())
    assert "narrative" not in v1
    assert tiny.renames
    renamed = _git(tiny.path, "log", "-M", "--diff-filter=R", "--name-status", "--format=", "HEAD")
    old, new = tiny.renames[0]
    assert f"docs/chunks/{old}/GOAL.md\tdocs/chunks/{new}/GOAL.md" in renamed
    assert not (tiny.path / "docs/chunks" / old).exists()
    assert tiny.commits == int(_git(tiny.path, "rev-list", "--count", "HEAD"))
    assert tiny.commits > 20
    # Backreferences point at chunks that exist; symbolic refs name real files.
    src = "".join((tiny.path / p).read_text() for p in tiny.src_files)
    assert "# Chunk: docs/chunks/" in src


def test_make_repo_tips_match_the_files(tiny: make_repo.RepoInfo) -> None:
    status, after = {}, {}
    for name in tiny.chunk_names:
        fm = _frontmatter((tiny.path / "docs/chunks" / name / "GOAL.md").read_text())
        status[name], after[name] = fm["status"], fm.get("created_after") or []
    active = {n for n, s in status.items() if s == "ACTIVE"}
    assert sorted(active - {x for n in active for x in after[n]}) == tiny.tips


def test_make_repo_is_deterministic(tmp_path: Path, tiny: make_repo.RepoInfo) -> None:
    again = make_repo.make_repo(tmp_path / "again", 60, seed=7, checkout=False)
    assert again.head == tiny.head == _git(tiny.path, "rev-parse", "HEAD").strip()
    other = make_repo.make_repo(tmp_path / "other", 60, seed=8, checkout=False)
    assert other.head != tiny.head


def test_run_quick_json_reports_every_scenario(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VE_BENCH_VIBE")}
    p = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--json", "--chunks", "40",
                        "--questions", "20", "--work", str(tmp_path)],
                       capture_output=True, text=True, timeout=240, env=env)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    by_id = {s["id"]: s for s in out["scenarios"]}
    # Without vibe-engineer the comparison scenarios are reported, unavailable, and say why.
    vibe = {sid: by_id.pop(sid) for sid in list(by_id) if sid.startswith("vibe_")}
    assert "vibe_one_chunk" in vibe and len([v for v in vibe if v.startswith("vibe_hook_")]) == 5
    assert all(v["status"] == "unavailable" and "not given" in v["reason"] for v in vibe.values()), vibe
    assert set(by_id) == set(bench_run.ALL) - {"vibe_one_chunk", "vibe_hooks"}
    for sid, s in by_id.items():
        assert s["floor_samples"] and all(isinstance(x, float) and x > 0 for x in s["floor_samples"]), sid
        assert isinstance(s["floor_median"], float), sid
        assert s["status"] in ("ok", "unavailable"), sid
        if s["status"] == "ok":
            assert isinstance(s["median"], float) and isinstance(s["ratio"], float), sid
        else:
            assert s["reason"], sid
    assert [g["chunks"] for g in by_id["tips_cold"]["extra"]["growth"]][-1] == 40
    # The console scripts are installed next to this interpreter: "not found" would be a harness bug,
    # while a command that runs and fails is a genuine "unavailable" (and is named in the reason).
    for sid, s in by_id.items():
        assert "command not found" not in (s["reason"] or ""), (sid, s["reason"])
