"""ve-hooks beside the real vibe-engineer 0.10.0, installed in both orders (and uninstalled).

Each order gets its own Python 3.12 venv (vibe-engineer needs >= 3.12; pyenv provides it here).
Wheels come through pip's cache, so only the first run downloads; ve-hooks is built once from
this checkout. Skips, saying why, without Python 3.12 or without the package index.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.docblocks import blocks
from support.vibe_engineer import RELEASE, require_python312, skip_if_offline

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
VIBE = RELEASE


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900,
         input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout, input=input)


@pytest.fixture(scope="module")
def py312() -> str:
    return require_python312()


@pytest.fixture(scope="module")
def ve_hooks_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out),
              str(ROOT)], ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    return next(out.glob("ve_hooks-*.whl"))


class Env:
    """A venv and a vibe-engineer project to run commands in."""

    def __init__(self, venv: Path, project: Path) -> None:
        self.venv, self.project = venv, project
        self.bin = venv / "bin"
        self.extra: dict[str, str] = {}

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "VE_HOOKS_ALONE")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env.update(self.extra)
        return env

    def __call__(self, *cmd: str, input: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        exe = str(self.bin / cmd[0]) if (self.bin / cmd[0]).exists() else cmd[0]
        return _run([exe, *cmd[1:]], self.project, self.env(), timeout=timeout, input=input)

    def pip(self, *args: str) -> subprocess.CompletedProcess[str]:
        r = _run([str(self.bin / "python"), "-m", "pip", "--disable-pip-version-check", *args], self.project,
                 self.env())
        skip_if_offline(r)
        assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
        return r

    def doc_block(self, name: str) -> list[subprocess.CompletedProcess[str]]:
        """The commands of a docs/orchestrator.md block, verbatim, through bash, in this venv."""
        return [self("bash", "-c", cmd) for cmd in blocks("docs/orchestrator.md")[name]]

    def vibe_alone(self, *args: str) -> subprocess.CompletedProcess[str]:
        """vibe-engineer's own group, as its own `ve` script runs it (the reference output)."""
        return _run([str(self.bin / "python"), "-c", "import sys; from ve import cli; sys.argv[0] = 've'; cli()",
                     *args], self.project, self.env())


def _venv(where: Path, py: str) -> Path:
    venv = where / "venv"
    r = _run([py, "-m", "venv", str(venv)], where)
    assert r.returncode == 0, r.stderr
    return venv


def _project(where: Path, venv: Path) -> Env:
    project = where / "project"
    project.mkdir()
    e = Env(venv, project)
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "Op"], ["config", "user.email", "op@x"],
                 ["commit", "-q", "--allow-empty", "-m", "init"]):
        assert e("git", *args).returncode == 0
    return e


def _make(tmp_path: Path, py: str) -> Env:
    return _project(tmp_path, _venv(tmp_path, py))


@pytest.fixture(scope="module")
def vibe_first(tmp_path_factory: pytest.TempPathFactory, py312: str, ve_hooks_wheel: Path) -> Path:
    """A venv with vibe-engineer installed, then ve-hooks (ours owns `ve`). The last test using it uninstalls."""
    where = tmp_path_factory.mktemp("vibe_first")
    e = Env(_venv(where, py312), where)
    e.pip("install", "-q", "--no-compile", VIBE)
    assert _owner(e) == "vibe-engineer"
    e.pip("install", "-q", "--no-compile", f"{ve_hooks_wheel}[orch]")
    return e.venv


def _owner(e: Env) -> str:
    """Whose `ve` script this is, by what it imports (the shebang's path may say anything)."""
    script = e.bin / "ve"
    if not script.exists():
        return "missing"
    imports = re.findall(r"^from (\S+) import", script.read_text(), re.MULTILINE)
    return {"ve_hooks.cli": "ve-hooks", "ve": "vibe-engineer"}.get(imports[-1] if imports else "", "unknown")


def _vibe_project(e: Env) -> None:
    r = e("ve", "init")
    assert r.returncode == 0, r.stdout + r.stderr
    r = e("ve", "chunk", "create", "first_feature", "-y")
    assert r.returncode == 0, r.stdout + r.stderr


def _same_as_vibe(e: Env, *args: str) -> subprocess.CompletedProcess[str]:
    ours, ref = e("ve", *args), e.vibe_alone(*args)
    assert (ours.returncode, ours.stdout, ours.stderr) == (ref.returncode, ref.stdout, ref.stderr), args
    return ours


def _ask_and_answer(e: Env, ve: str) -> None:
    qid = e(ve, "orch", "ask", "unit_a", "--question", "Which DB?", "--option", "sqlite").stdout.strip()
    assert qid.startswith("q-")
    att = e(ve, "orch", "attention")
    assert att.returncode == 1 and f"unit_a  [notes]  {qid}" in att.stdout
    r = e(ve, "orch", "answer", "unit_a", "sqlite, please")
    assert r.returncode == 0, r.stderr
    assert "sqlite, please" in e(ve, "orch", "log", "unit_a").stdout


def _ve_validate(e: Env) -> None:
    r = e("ve-validate")
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr, r.stdout + r.stderr


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    children = [int(p) for p in out]
    return [d for c in children for d in (c, *_descendants(c))]


def _stop_daemon(e: Env) -> None:
    """`ve orch stop`, and the daemon's agents and their servers (a waiting agent keeps it from stopping)."""
    pid_file = e.project / ".ve" / "orchestrator.pid"
    pid = int(pid_file.read_text().strip()) if pid_file.exists() else None
    tree = [pid, *_descendants(pid)] if pid else []
    e("ve", "orch", "stop", timeout=60)
    for p in reversed(tree):
        try:
            os.kill(p, 15)
        except ProcessLookupError:
            pass


QUESTION = "Keep the old coderef format as an alias?"


def test_the_daemons_own_agent_asks_through_mcp_json_and_gets_the_answer(vibe_first: Path, tmp_path: Path) -> None:
    """vibe-engineer's real daemon runs its bundled Claude Code on a chunk; the model (a local mock of
    the Messages API) calls AskOperator, which `.mcp.json` gave it; `ve orch answer` releases the call."""
    mock_anthropic = pytest.importorskip(
        "support.mock_anthropic", reason="needs the mock Messages API of tests/support/mock_anthropic.py")
    e = _project(tmp_path, vibe_first)
    _vibe_project(e)
    assert e("ve", "chunk", "create", "alias_chunk", "--future", "-y").returncode == 0
    init = e("ve", "orch", "init")
    assert init.returncode == 0, init.stdout + init.stderr
    assert e("git", "add", "-A").returncode == 0 and e("git", "commit", "-q", "-m", "project").returncode == 0
    script = [{"tool": "ToolSearch", "input": {"query": "select:mcp__ve-orch__AskOperator"}},  # deferred tools
              {"tool": "AskOperator", "input": {"question": QUESTION, "options": ["yes", "no"]}},
              {"text": "Planned, with the alias."}]
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    with mock_anthropic.MockAnthropic(script) as mock:
        e.extra = {"HOME": str(home), "CLAUDE_CONFIG_DIR": str(home / ".claude"), "ANTHROPIC_BASE_URL": mock.url,
                   "ANTHROPIC_API_KEY": "sk-ant-test-dummy", "NO_PROXY": "127.0.0.1,localhost",
                   "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1",
                   # vibe-engineer runs agents with bypassPermissions, which Claude Code refuses as root elsewhere
                   "IS_SANDBOX": "1"}
        start = e("ve", "orch", "start")
        assert start.returncode == 0, start.stdout + start.stderr
        try:
            assert e("ve", "orch", "inject", "alias_chunk").returncode == 0
            deadline, asked = time.monotonic() + 180, None
            while asked is None and time.monotonic() < deadline:
                entries = json.loads(e("ve", "orch", "attention", "--format", "json").stdout or "[]")
                asked = next((x for x in entries if x["source"] == "notes" and x["unit"] == "alias_chunk"), None)
                time.sleep(0.5)
            assert asked is not None, "the daemon's agent never asked: " + json.dumps(
                [t.get("name") for b in mock.requests for t in b.get("tools", [])][:40])
            assert asked["text"] == QUESTION
            unit = json.loads(e("ve", "orch", "work-unit", "show", "alias_chunk", "--json").stdout)
            assert unit["status"] == "RUNNING"  # the agent's session is alive, waiting in the tool call
            assert e("ve", "orch", "answer", "alias_chunk", "yes, keep it for one release").returncode == 0
            deadline, delivered = time.monotonic() + 120, False
            while not delivered and time.monotonic() < deadline:
                delivered = any("yes, keep it for one release" in r for b in list(mock.requests)
                                for r in mock_anthropic.tool_results(b))
                time.sleep(0.5)
            assert delivered, "the answer never reached the model as the tool result"
            assert "via wait" in e("ve", "orch", "log", "alias_chunk").stdout
        finally:
            _stop_daemon(e)


def test_vibe_engineer_first_then_ve_hooks(tmp_path: Path, vibe_first: Path, ve_hooks_wheel: Path) -> None:
    e = _project(tmp_path, vibe_first)
    assert _owner(e) == "ve-hooks"  # ours won the script: the superset
    _vibe_project(e)
    help_text = e("ve", "--help").stdout
    assert "vibe-engineer 0.10.0 commands" in help_text and "ve-hooks commands" in help_text
    assert "chunk" in help_text and "created-after" in help_text
    orch_help = e("ve", "orch", "--help").stdout
    assert "vibe-engineer 0.10.0 orch commands" in orch_help and "start" in orch_help and "init" in orch_help
    listed = _same_as_vibe(e, "chunk", "list")
    assert "first_feature" in listed.stdout
    _same_as_vibe(e, "chunk", "no-such-subcommand")  # its usage error, its exit code (2)
    _same_as_vibe(e, "validate")  # the word vibe-engineer keeps
    _ve_validate(e)
    _ask_and_answer(e, "ve")
    assert e("ve-hooks", "doctor").returncode == 0

    # The real daemon: our attention lists its unit, our answer posts to it.
    start = e("ve", "orch", "start")
    assert start.returncode == 0, start.stdout + start.stderr
    try:
        r = e("ve", "orch", "work-unit", "create", "daemon_chunk", "--status", "NEEDS_ATTENTION", "--phase", "PLAN")
        assert r.returncode == 0, r.stdout + r.stderr
        entries = json.loads(e("ve", "orch", "attention", "--format", "json").stdout)
        assert ("daemon", "daemon_chunk") in [(x["source"], x["unit"]) for x in entries]
        r = e("ve", "orch", "answer", "daemon_chunk", "use option a")
        assert r.returncode == 0 and "vibe-engineer's daemon" in r.stdout, r.stdout + r.stderr
        shown = json.loads(e("ve", "orch", "work-unit", "show", "daemon_chunk", "--json").stdout)
        assert shown["pending_answer"] == "use option a" or shown["status"] != "NEEDS_ATTENTION"
    finally:
        _stop_daemon(e)

    # Uninstalling vibe-engineer deletes `ve` (both packages list it); doctor says so and repairs.
    e.pip("uninstall", "-y", "-q", "vibe-engineer")
    assert _owner(e) == "missing"
    r = e("ve-hooks", "doctor")
    assert r.returncode == 1 and "ve-hooks doctor --fix" in r.stdout
    e.pip("install", "-q", "--no-compile", "--no-deps", VIBE)  # back, to run the documented steps verbatim
    e.pip("install", "-q", "--no-compile", "--force-reinstall", "--no-deps", str(ve_hooks_wheel))
    results = e.doc_block("uninstall-vibe-engineer")
    assert [r.returncode for r in results] == [0, 0], [r.stdout + r.stderr for r in results]
    assert _owner(e) == "ve-hooks"
    assert e("ve", "orch", "attention").returncode == 0  # answered above: nothing open
    r = e("ve", "chunk", "list")
    assert r.returncode == 2 and "No such command" in r.stderr


def test_ve_hooks_first_then_vibe_engineer(tmp_path: Path, py312: str, ve_hooks_wheel: Path) -> None:
    e = _make(tmp_path, py312)
    e.pip("install", "-q", "--no-compile", f"{ve_hooks_wheel}[orch]")
    assert _owner(e) == "ve-hooks"
    e.pip("install", "-q", "--no-compile", VIBE)
    assert _owner(e) == "vibe-engineer"  # theirs won the script: vibe-engineer works unchanged
    _vibe_project(e)
    assert "first_feature" in e("ve", "chunk", "list").stdout
    _ve_validate(e)
    _ask_and_answer(e, "ve-hooks")  # ours stays reachable
    r = e("ve-hooks", "doctor")
    assert r.returncode == 1 and "vibe-engineer's alone" in r.stdout and "ve-hooks doctor --fix" in r.stdout
    assert e("ve-hooks", "doctor", "--fix").returncode == 0
    assert _owner(e) == "ve-hooks"
    _same_as_vibe(e, "chunk", "list")
    _ask_and_answer(e, "ve")

    # Uninstalling ve-hooks deletes `ve`; vibe-engineer's comes back with a forced reinstall (the docs' block).
    results = e.doc_block("uninstall-ve-hooks")
    assert [r.returncode for r in results] == [0, 0], [r.stdout + r.stderr for r in results]
    assert _owner(e) == "vibe-engineer"
    assert "first_feature" in e("ve", "chunk", "list").stdout
