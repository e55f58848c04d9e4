"""Fixtures for tests that run the real Codex CLI and Gemini CLI against local mock model APIs.

Each test gets a repository, a private HOME holding the user's own agent configuration (pointing
the agent at the mock, plus a user MCP server of their own), and ``ve orch`` run with the real CLI
on PATH. The CLIs are pinned and installed with npm once into the repository's pytest cache
(``$VE_TEST_CODEX`` / ``$VE_TEST_GEMINI`` name binaries to use instead); without npm the tests
skip, saying why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.agent_world import RecordedRun  # noqa: E402
from support.cli import path_with_scripts, script  # noqa: E402
from support.mock_models import MockGemini, MockResponses  # noqa: E402
from support.npm_cli import Unavailable, npm_binary  # noqa: E402

CODEX = ("@openai/codex", os.environ.get("VE_TEST_CODEX_VERSION", "0.171.0"), "codex", "VE_TEST_CODEX")
GEMINI = ("@google/gemini-cli", os.environ.get("VE_TEST_GEMINI_VERSION", "0.61.0"), "gemini", "VE_TEST_GEMINI")
USER_SERVER = Path(__file__).with_name("user_mcp_server.py")

QUESTION = "Keep the old coderef format as an alias?"
ASK_STEP = {"tool": "AskOperator", "input": {"question": QUESTION, "options": ["yes", "no"],
                                             "context": "Two callers still use it."}}

# Variables that could send a CLI to a real account or change what it does.
_DROP = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_HOME", "CODEX_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
         "GOOGLE_GEMINI_BASE_URL", "GOOGLE_CLOUD_PROJECT", "GOOGLE_GENAI_USE_VERTEXAI", "GEMINI_CLI_HOME",
         "GEMINI_CLI_SYSTEM_SETTINGS_PATH", "GEMINI_CLI_SYSTEM_DEFAULTS_PATH", "HTTPS_PROXY", "HTTP_PROXY",
         "https_proxy", "http_proxy", "VE_ORCH_UNIT", "VE_ORCH_RUN_ID", "VE_ORCH_SESSION_ID", "CLAUDECODE")


def _cache(request: pytest.FixtureRequest) -> Path:
    if getattr(request.config, "cache", None) is not None:
        return Path(request.config.cache.mkdir("agent-clis"))
    return Path(request.config.rootpath) / ".pytest_cache" / "d" / "agent-clis"


@pytest.fixture(scope="session")
def codex_bin(request: pytest.FixtureRequest) -> Path:
    try:
        return npm_binary(CODEX[0], CODEX[1], CODEX[2], _cache(request), CODEX[3])
    except Unavailable as e:
        pytest.skip(f"real Codex CLI unavailable: {e}")


@pytest.fixture(scope="session")
def gemini_bin(request: pytest.FixtureRequest) -> Path:
    try:
        return npm_binary(GEMINI[0], GEMINI[1], GEMINI[2], _cache(request), GEMINI[3])
    except Unavailable as e:
        pytest.skip(f"real Gemini CLI unavailable: {e}")


class AgentWorld(RecordedRun):
    """A repository, a scripted mock model, the user's agent config, and ``ve orch`` runs."""

    def __init__(self, agent: str, repo: Path, binary: Path, home: Path) -> None:
        self.agent = agent
        self.repo = repo
        self.binary = binary
        self.home = home
        self.mock: MockResponses | MockGemini | None = None
        self.user_files: dict[Path, bytes] = {}

    @property
    def config_file(self) -> Path:
        return self.home / (".codex/config.toml" if self.agent == "codex" else ".gemini/settings.json")

    def start(self, script_steps: list[dict[str, Any]]) -> Any:
        """Start the mock and write the user's own configuration pointing the agent at it."""
        self.mock = (MockResponses if self.agent == "codex" else MockGemini)(script_steps).start()
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        if self.agent == "codex":
            self.config_file.write_text(
                '# my own Codex configuration\nmodel = "gpt-5"\nmodel_provider = "mock"\n\n'
                '[model_providers.mock]\nname = "mock"\n'
                f'base_url = "{self.mock.url}/v1"\nwire_api = "responses"\nenv_key = "VE_TEST_MOCK_KEY"\n\n'
                f'[mcp_servers.user-tools]\ncommand = {json.dumps(sys.executable)}\n'
                f'args = [{json.dumps(str(USER_SERVER))}]\n')
        else:
            self.config_file.write_text(json.dumps({
                "model": {"name": "gemini-2.5-flash"},
                "security": {"auth": {"selectedType": "gemini-api-key"}},
                "privacy": {"usageStatisticsEnabled": False},
                # Trusted by the user: headless Gemini offers only tools needing no confirmation.
                "mcpServers": {"user-tools": {"command": sys.executable, "args": [str(USER_SERVER)], "trust": True}},
            }, indent=2) + "\n")
        self.user_files = {self.config_file: self.config_file.read_bytes()}
        return self.mock

    def user_config_unchanged(self) -> bool:
        return all(p.read_bytes() == data for p, data in self.user_files.items())

    @property
    def env(self) -> dict[str, str]:
        assert self.mock is not None, "start the mock first"
        env = {k: v for k, v in os.environ.items() if k not in _DROP}
        env.update({"HOME": str(self.home), "NO_PROXY": "127.0.0.1,localhost",
                    "PATH": f"{self.binary.parent}{os.pathsep}{path_with_scripts(env.get('PATH', ''))}"})
        if self.agent == "codex":
            env.update({"CODEX_HOME": str(self.home / ".codex"), "VE_TEST_MOCK_KEY": "sk-test-dummy"})
        else:
            env.update({"GEMINI_API_KEY": "test-dummy", "GOOGLE_GEMINI_BASE_URL": self.mock.url,
                        "GEMINI_CLI_TRUST_WORKSPACE": "true"})
        return env

    def ve(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script("ve-hooks"), "orch", *args], cwd=self.repo, capture_output=True, text=True,
                              env=self.env, timeout=timeout)

    def stream(self, run_event: dict[str, Any]) -> list[dict[str, Any]]:
        lines = Path(run_event["log"]).read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.fixture(params=["codex", "gemini"])
def agent_world(request: pytest.FixtureRequest, orepo: Path, tmp_path: Path) -> Iterator[AgentWorld]:
    binary = request.getfixturevalue(f"{request.param}_bin")
    world = AgentWorld(request.param, orepo, binary, tmp_path / "home")
    yield world
    if world.mock is not None:
        world.mock.stop()
