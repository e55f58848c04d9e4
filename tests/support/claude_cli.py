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

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

PACKAGE = "@anthropic-ai/claude-code"
# Deferred tool calls need >= 2.1.89; pinned so every machine runs the version these tests saw.
VERSION = os.environ.get("VE_TEST_CLAUDE_VERSION", "2.1.197")
INSTALL_TIMEOUT = 600


class Unavailable(Exception):
    """The real CLI cannot be had here (the reason is the message)."""


def claude_binary(cache_dir: Path) -> Path:
    explicit = os.environ.get("VE_TEST_CLAUDE")
    if explicit:
        if not Path(explicit).is_file():
            raise Unavailable(f"$VE_TEST_CLAUDE={explicit} does not exist")
        return Path(explicit).absolute()
    cache_dir = cache_dir.resolve()
    prefix = cache_dir / f"claude-code-{VERSION}"
    binary = prefix / "node_modules" / ".bin" / "claude"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable(f"npm is not installed: cannot install {PACKAGE} for the real-CLI tests")
    prefix.mkdir(parents=True, exist_ok=True)
    with (cache_dir / "install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists():  # another session installed it while we waited
            return binary
        try:
            proc = subprocess.run(
                [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error",
                 f"{PACKAGE}@{VERSION}"],
                capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                env={**os.environ, "npm_config_update_notifier": "false"})
        except (OSError, subprocess.TimeoutExpired) as e:
            raise Unavailable(f"npm install {PACKAGE}@{VERSION} failed: {e}") from None
        if proc.returncode != 0 or not binary.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise Unavailable(f"npm install {PACKAGE}@{VERSION} failed (exit {proc.returncode}): "
                              + " | ".join(tail))
    check = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=120)
    if check.returncode != 0:
        raise Unavailable(f"{binary} --version failed: {check.stderr.strip()[-300:]}")
    return binary


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
