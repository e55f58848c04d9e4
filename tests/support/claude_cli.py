"""The real Claude Code CLI for tests: found, or installed with npm once into pytest's cache.

``claude_binary(cache_dir)`` returns the path of a ``claude`` executable, installing the npm
package ``@anthropic-ai/claude-code`` into ``cache_dir`` (inside the repository's
``.pytest_cache``, so nothing outside the repository is read or written) when it is not there
yet; it raises :class:`Unavailable` with the reason when npm is absent or the install fails, so
tests skip saying why. ``$VE_TEST_CLAUDE`` names a binary to use instead. An flock keeps parallel
sessions from installing at the same time.

``claude_env(...)`` is the environment a test runs it in: the API at a local mock, a dummy key,
a private HOME and config dir, no telemetry, no updater, no login and nothing inherited that
could point it elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from support.npm_cli import Unavailable, npm_binary

__all__ = ["Unavailable", "claude_binary", "claude_env"]

PACKAGE = "@anthropic-ai/claude-code"
# Deferred tool calls need >= 2.1.89; pinned so every machine runs the version these tests saw.
VERSION = os.environ.get("VE_TEST_CLAUDE_VERSION", "2.1.197")


def claude_binary(cache_dir: Path) -> Path:
    return npm_binary(PACKAGE, VERSION, "claude", cache_dir, "VE_TEST_CLAUDE")


# Variables that could send the CLI to a real account or change what it does.
_DROP = ("ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX",
         "ANTHROPIC_MODEL", "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SESSION_ID", "HTTPS_PROXY",
         "HTTP_PROXY", "https_proxy", "http_proxy", "VE_ORCH_UNIT", "VE_ORCH_RUN_ID", "VE_ORCH_SESSION_ID")


def claude_env(binary: Path, base_url: str, home: Path) -> dict[str, str]:
    """Environment for running ``binary`` against the mock at ``base_url`` with a private ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    config = home / ".claude"
    config.mkdir(parents=True, exist_ok=True)
    env.update({
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(config),
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "sk-ant-test-dummy",
        "NO_PROXY": "127.0.0.1,localhost",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "PATH": f"{binary.parent}{os.pathsep}{env.get('PATH', '')}",
    })
    return env
