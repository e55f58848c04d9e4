"""Repositories built by vibe-engineer 0.10.0's own commands, once per session, copied per case.

Three shapes: a project (``ve init``, chunks created, planned and landed with ``ve chunk create`` /
``ve chunk complete``, a narrative, an investigation, a subsystem from ``ve subsystem discover``, a
friction entry from ``ve friction log``), a workspace (``ve workspace init``, ``ve package
scaffold``, ``ve workspace add``, a peer pointer from ``ve external point``) and a task directory
(``ve task init``, a chunk created across repositories, ``ve external resolve``). The only hand
edits are the ones an agent makes between commands (a plan's code references, a source file).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

DRIVER = Path(__file__).parent / "ve_cli_driver.py"
GIT_ENV = {"GIT_AUTHOR_NAME": "Op", "GIT_AUTHOR_EMAIL": "op@example.com", "GIT_COMMITTER_NAME": "Op",
           "GIT_COMMITTER_EMAIL": "op@example.com", "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}


class Upstream:
    """vibe-engineer 0.10.0's ``ve``, run in a folder by one long-lived driver process
    (tests/support/ve_cli_driver.py: its click group in-process, so the import is paid once)."""

    def __init__(self, venv: Path, home: Path) -> None:
        self.ve = venv / "bin" / "ve"
        self.python = venv / "bin" / "python"
        self.home = home
        self._driver: subprocess.Popen[str] | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "GIT_DIR",
                                                                   "GIT_INDEX_FILE", "GIT_WORK_TREE")}
        env.update(GIT_ENV, HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"))
        return env

    def run(self, cwd: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """``ve ARGS`` in ``cwd``: its exit code, standard output and standard error."""
        if self._driver is None:
            # -P: the driver's folder (tests/support, with its own cli.py) is not put on sys.path
            self._driver = subprocess.Popen([str(self.python), "-P", str(DRIVER)], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True, env=self.env())
        assert self._driver.stdin is not None and self._driver.stdout is not None
        self._driver.stdin.write(json.dumps({"cwd": str(cwd), "args": list(args)}) + "\n")
        self._driver.stdin.flush()
        line = self._driver.stdout.readline()
        assert line, "the vibe-engineer driver died (its stderr is in the test output)"
        out = json.loads(line)
        r = subprocess.CompletedProcess(["ve", *args], out["code"], out["stdout"], out["stderr"])
        assert not check or r.returncode == 0, f"ve {' '.join(args)}: {r.stdout}{r.stderr}"
        assert "Traceback" not in r.stderr, r.stderr
        return r

    def close(self) -> None:
        if self._driver is not None:
            self._driver.communicate(timeout=60)  # closes its stdin (it ends) and reads its stdout to the end
            self._driver = None

    def git(self, cwd: Path, *args: str) -> None:
        r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=self.env())
        assert r.returncode == 0, r.stderr

    def commit(self, cwd: Path, message: str = "ve") -> None:
        self.git(cwd, "add", "-A")
        self.git(cwd, "commit", "-q", "--allow-empty", "-m", message)

    def new_repo(self, where: Path, remote: str | None = None) -> Path:
        where.mkdir(parents=True)
        self.git(where, "init", "-q", "-b", "main")
        if remote:
            self.git(where, "remote", "add", "origin", remote)
        self.commit(where, "empty")
        return where


def set_field(path: Path, field: str, yaml_value: str) -> None:
    """Replace a top-level frontmatter field's one-line value (as an agent edits a template)."""
    text = path.read_text()
    head, sep, body = text[4:].partition("\n---\n")
    lines = head.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(f"{field}:"))
    end = i + 1
    while end < len(lines) and (lines[end].startswith((" ", "-"))):
        end += 1
    lines[i:end] = [f"{field}:{yaml_value if yaml_value.startswith(chr(10)) else ' ' + yaml_value}"]
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body)


APP = "# Chunk: docs/chunks/first_feature - the feature\n# Subsystem: docs/subsystems/core_engine - the core\n" \
      "def run():\n    return 1\n"


def build_project(up: Upstream, root: Path) -> None:
    """A project every 0.10.0 command that needs no human has written into, ``ve validate``-clean."""
    up.new_repo(root)
    up.run(root, "init", check=True)
    up.commit(root, "ve init")
    up.run(root, "narrative", "create", "my_story", check=True)
    up.run(root, "investigation", "create", "my_probe", check=True)
    up.run(root, "subsystem", "discover", "core_engine", check=True)
    up.run(root, "friction", "log", "--title", "Slow tests", "--description", "The suite is slow", "--impact",
           "low", "--theme", "perf", "--theme-name", "Performance", check=True)
    up.run(root, "chunk", "create", "first_feature", "-y", check=True)
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(APP)
    goal = root / "docs/chunks/first_feature/GOAL.md"
    set_field(goal, "code_paths", "\n- src/app.py")
    set_field(goal, "code_references", "\n- ref: src/app.py#run\n  implements: the feature")
    up.run(root, "chunk", "validate", "first_feature", check=True)
    up.run(root, "chunk", "complete", "first_feature", check=True)
    up.run(root, "chunk", "create", "later_one", "--future", "-y", check=True)
    up.run(root, "chunk", "create", "second_feature", "-y", check=True)
    up.commit(root, "artifacts")
    r = up.run(root, "validate")
    assert r.returncode == 0 and "Warning" not in r.stdout + r.stderr, r.stdout + r.stderr


def build_workspace(up: Upstream, root: Path) -> None:
    """A workspace: the root tree, a full member tree ``lib`` scaffolded by ``ve package``, and a
    peer pointer from ``lib`` to a root chunk by ``ve external point``."""
    up.new_repo(root)
    up.run(root, "init", check=True)
    up.run(root, "workspace", "init", "-y", check=True)
    up.run(root, "workspace", "add", "root", ".", check=True)
    up.run(root, "package", "scaffold", "packages/lib", "--full-tree", check=True)
    up.run(root, "chunk", "create", "root_chunk", "-y", check=True)
    up.run(root / "packages/lib", "external", "point", "root", "root_chunk", "--why", "reads it", check=True)
    up.run(root / "packages/lib", "chunk", "create", "lib_chunk", "-y", check=True)
    (root / "packages/lib/src").mkdir()
    (root / "packages/lib/src/lib.py").write_text("# Chunk: docs/chunks/lib_chunk - the library\n"
                                                   "def helper():\n    return 2\n")
    up.commit(root, "workspace")
    r = up.run(root, "workspace", "validate")
    assert r.returncode == 0, r.stdout + r.stderr


def build_task(up: Upstream, root: Path) -> None:
    """A task directory (``ve task init``) over two repositories, a chunk created from it (the
    external repo owns it; the project gets an ``external.yaml``), resolved once."""
    root.mkdir()
    for name in ("ext", "proj"):
        repo = up.new_repo(root / name, remote=f"https://github.com/acme/{name}.git")
        up.run(repo, "init", check=True)
        up.commit(repo, "ve init")
    up.run(root, "task", "init", "--external", "ext", "--project", "proj", check=True)
    up.run(root, "chunk", "create", "shared_work", "-y", check=True)
    up.run(root, "external", "resolve", "shared_work", "--main-only", check=True)
    for name in ("ext", "proj"):
        up.commit(root / name, "task chunk")


BUILDERS: dict[str, Callable[[Upstream, Path], None]] = {
    "project": build_project, "workspace": build_workspace, "task": build_task}


def copy_base(base: Path, to: Path) -> Path:
    shutil.copytree(base, to, symlinks=True)
    return to
