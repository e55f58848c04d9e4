"""The hooks under the real ``pre-commit`` program, driven by real ``git commit``.

Most tests use a ``repo: local`` configuration generated from ``.pre-commit-hooks.yaml`` (same
files/always_run/pass_filenames/stages, entries pointing at this venv's console scripts) so no
environment is installed. One test runs ``pre-commit try-repo`` on a snapshot of this checkout:
the one real install of the session (PRE_COMMIT_HOME is shared per session by conftest).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.cli import BIN
from support.repo_factory import GitRepo

CHECKOUT = Path(__file__).parents[2]
# Fixers first, as in docs/pre-commit.md: a new chunk is filled before it is validated.
ORDER = ["ve-created-after", "ve-validate", "ve-code-backrefs", "ve-status-transitions"]


def _pre_commit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def _commit(cwd: Path, message: str = "change") -> subprocess.CompletedProcess[str]:
    """git prints the hook's output on stderr: merged into stdout here."""
    return subprocess.run(["git", "commit", "-m", message], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)


def local_config() -> str:
    """Every hook of the manifest as a ``repo: local`` hook running the installed console script."""
    manifest = {h["id"]: h for h in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())}
    assert set(manifest) == set(ORDER)
    hooks = []
    for hook_id in ORDER:
        h = dict(manifest[hook_id], language="system", entry=str(BIN / manifest[hook_id]["entry"]))
        if hook_id == "ve-validate":
            h.update(args=["--stats"], verbose=True)  # evidence of what was parsed, in the output
        hooks.append(h)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def _install(repo: GitRepo, config: str) -> None:
    repo.write(".pre-commit-config.yaml", config)
    p = _pre_commit("install", cwd=repo.path)
    assert p.returncode == 0, p.stdout + p.stderr


def _seed(repo: GitRepo) -> None:
    repo.chunk("alpha")
    repo.chunk("beta", depends_on=["alpha"], created_after=["alpha"])
    repo.write("src/app.py", "# Chunk: docs/chunks/alpha - entry point\ndef main():\n    pass\n")


@pytest.fixture
def hooked(repo: GitRepo) -> GitRepo:
    """A repository with the hooks installed and a clean first commit made through them."""
    _install(repo, local_config())
    _seed(repo)
    repo.add()
    p = _commit(repo.path, "base")
    assert p.returncode == 0, p.stdout + p.stderr
    return repo


def test_bad_chunk_blocks_the_commit_with_a_clear_message(hooked: GitRepo) -> None:
    head = hooked.head()
    hooked.chunk("broken", status="BOGUS", created_after=["beta"])
    hooked.add()
    p = _commit(hooked.path)
    assert p.returncode != 0
    assert "docs/chunks/broken/GOAL.md:2:1: VE201" in p.stdout
    assert "ve-validate" in p.stdout and "Failed" in p.stdout
    assert hooked.head() == head


def test_new_chunk_gets_created_after_and_the_second_commit_passes(hooked: GitRepo) -> None:
    path = hooked.chunk("gamma", status="FUTURE")
    hooked.add()
    first = _commit(hooked.path)
    assert first.returncode != 0
    assert "Fixing docs/chunks/gamma/GOAL.md" in first.stdout
    front = yaml.safe_load(path.read_text().split("---")[1])
    assert sorted(front["created_after"]) == ["beta"]  # beta is the only tip: it was created after alpha
    hooked.add()
    second = _commit(hooked.path)
    assert second.returncode == 0, second.stdout + second.stderr


def test_unrelated_commit_parses_nothing(hooked: GitRepo) -> None:
    hooked.write("src/other.py", "x = 1\n")
    hooked.add()
    p = _commit(hooked.path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ve-validate: early exit: no change under docs/; 0 files, 0 parsed" in p.stdout


def test_one_chunk_commit_checks_one_file(hooked: GitRepo) -> None:
    hooked.write("docs/chunks/beta/GOAL.md", hooked.read("docs/chunks/beta/GOAL.md") + b"\nMore.\n")
    hooked.add()
    p = _commit(hooked.path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ve-validate: 1 files," in p.stdout


def test_rename_of_a_referenced_chunk_is_caught(hooked: GitRepo) -> None:
    hooked.git("mv", "docs/chunks/alpha", "docs/chunks/alpha-two")
    p = _commit(hooked.path)
    assert p.returncode != 0
    assert "docs/chunks/beta/GOAL.md" in p.stdout  # not staged, but it names the old name
    assert "src/app.py" in p.stdout and "VE704" in p.stdout


def test_status_transition_blocks_and_can_be_skipped_alone(hooked: GitRepo) -> None:
    hooked.chunk("alpha", status="FUTURE")  # backwards
    hooked.add()
    p = _commit(hooked.path)
    assert p.returncode != 0 and "VE501" in p.stdout
    env = {**os.environ, "SKIP": "ve-status-transitions"}
    skipped = subprocess.run(["git", "commit", "-m", "x"], cwd=hooked.path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=300)
    assert skipped.returncode == 0, skipped.stdout
    assert "VE501" not in skipped.stdout and "check artifact status transitions" in skipped.stdout


def test_commit_from_a_subdirectory(hooked: GitRepo) -> None:
    hooked.chunk("broken", status="BOGUS", created_after=["beta"])
    hooked.add()
    p = _commit(hooked.path / "src")
    assert p.returncode != 0 and "VE201" in p.stdout


def test_commit_in_a_linked_worktree(hooked: GitRepo, tmp_path: Path) -> None:
    hooked.git("worktree", "add", "-q", str(tmp_path / "wt"))
    wt = GitRepo(tmp_path / "wt")
    wt.chunk("broken", status="BOGUS", created_after=["beta"])
    wt.add()
    p = _commit(wt.path)
    assert p.returncode != 0 and "VE201" in p.stdout
    wt.chunk("broken", status="FUTURE", created_after=["beta"])
    wt.add()
    p = _commit(wt.path)
    assert p.returncode == 0, p.stdout + p.stderr


def test_first_commit_of_a_new_repository(repo: GitRepo) -> None:
    _install(repo, local_config())
    _seed(repo)
    repo.chunk("broken", status="BOGUS")
    repo.add()
    p = _commit(repo.path)
    assert p.returncode != 0 and "VE201" in p.stdout
    repo.git("rm", "-rqf", "docs/chunks/broken")
    p = _commit(repo.path)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.fixture(scope="session")
def hooks_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's working tree (tracked and untracked, not ignored) committed in a scratch repo:
    try-repo clones a commit (uncommitted files would be left out). try-repo installs into a
    temporary store each time it runs, so it runs once per session."""
    dest = tmp_path_factory.mktemp("ve-hooks-src")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=CHECKOUT,
                            capture_output=True, check=True).stdout.split(b"\0")
    for raw in listed:
        rel = raw.decode()
        src = CHECKOUT / rel
        if not rel or rel.startswith(("benchmarks/", "tests/")) or not os.path.lexists(src):
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():  # e.g. ve_hooks/schemas -> ../schemas: keep it a link, as git would
            os.symlink(os.readlink(src), dest / rel)
        else:
            shutil.copy2(src, dest / rel)
    snap = GitRepo.init(dest)
    return dest, snap.commit("snapshot of the ve-hooks checkout")


def test_try_repo_installs_and_runs_the_published_hooks(repo: GitRepo, hooks_snapshot: tuple[Path, str]) -> None:
    src, rev = hooks_snapshot
    _seed(repo)
    repo.commit("base")  # committed without hooks: try-repo checks only what is staged next
    repo.chunk("broken", status="BOGUS", created_after=["beta"])
    repo.add()
    p = _pre_commit("try-repo", str(src), "--ref", rev, cwd=repo.path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "docs/chunks/broken/GOAL.md:2:1: VE201" in p.stdout
    names = {h["name"] for h in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())}
    ran = {line.split("...")[0].strip() for line in p.stdout.splitlines() if "..." in line}
    assert names <= ran, p.stdout  # every published hook was installed and ran (or was skipped by files)
