"""Real agent CLIs for tests: found, or installed with npm once into the repository's pytest cache.

``npm_binary(...)`` returns the path of a package's executable, installing the pinned version
into ``cache_dir`` (inside the repository's ``.pytest_cache``: nothing outside the repository is
read or written) when it is not there yet. It raises :class:`Unavailable` with the reason when
npm is absent or the install fails, so tests skip saying why; ``$VE_TEST_<NAME>`` names a binary
to use instead. An flock keeps parallel sessions from installing at the same time. Claude Code,
Codex CLI and Gemini CLI all come through here (see claude_cli.py and agent_clis.py).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

INSTALL_TIMEOUT = 600


class Unavailable(Exception):
    """The real CLI cannot be had here (the reason is the message)."""


def npm_binary(package: str, version: str, bin_name: str, cache_dir: Path, override_var: str) -> Path:
    """The ``bin_name`` executable of ``package@version`` (or ``$override_var``)."""
    explicit = os.environ.get(override_var)
    if explicit:
        if not Path(explicit).is_file():
            raise Unavailable(f"${override_var}={explicit} does not exist")
        return Path(explicit).absolute()  # not resolved: the link keeps the name the PATH lookup needs
    cache_dir = cache_dir.resolve()
    prefix = cache_dir / f"{package.rsplit('/', 1)[-1]}-{version}"
    binary = prefix / "node_modules" / ".bin" / bin_name
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable(f"npm is not installed: cannot install {package} for the real-CLI tests")
    prefix.mkdir(parents=True, exist_ok=True)
    with (cache_dir / "install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if binary.exists():  # another session installed it while we waited
            return binary
        try:
            proc = subprocess.run(
                [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error",
                 f"{package}@{version}"],
                capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                env={**os.environ, "npm_config_update_notifier": "false"})
        except (OSError, subprocess.TimeoutExpired) as e:
            raise Unavailable(f"npm install {package}@{version} failed: {e}") from None
        if proc.returncode != 0 or not binary.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise Unavailable(f"npm install {package}@{version} failed (exit {proc.returncode}): "
                              + " | ".join(tail))
    check = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=120)
    if check.returncode != 0:
        raise Unavailable(f"{binary} --version failed: {check.stderr.strip()[-300:]}")
    return binary
