"""The real vibe-engineer release in its own Python 3.12 virtualenv, for the tests that compare
ve-hooks with it (coexistence, model parity, the differential suite of tests/vibe_engineer/).

vibe-engineer needs Python >= 3.12; pyenv provides one here. The release is installed once into
pytest's cache folder (pip's own cache makes a rebuild quick) and reused by every session; a test
that cannot have it skips and says why (no Python 3.12, or no package index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

VERSION = "0.10.0"
RELEASE = f"vibe-engineer=={VERSION}"
# What pip prints when the package index is out of reach (a skip, not a failure).
OFFLINE_SIGNS = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
                 "No matching distribution found for vibe-engineer", "Could not find a version that satisfies")


def find_python312() -> str | None:
    """A Python >= 3.12 that runs (a pyenv shim may exist without a selected version behind it).

    ``VE_HOOKS_PYTHON312`` names one explicitly; otherwise pyenv's versions, then the PATH."""
    candidates: list[str] = [os.environ.get("VE_HOOKS_PYTHON312", "")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        if root:
            candidates += sorted(str(p) for p in Path(root, "versions").glob("3.1[2-9]*/bin/python3"))
    candidates += [c for c in (shutil.which("python3.12"), shutil.which("python3.13")) if c]
    for c in candidates:
        if not c:
            continue
        ok = subprocess.run([c, "-c", "import sys; assert sys.version_info >= (3, 12)"], capture_output=True)
        if ok.returncode == 0:
            return c
    return None


def require_python312() -> str:
    """A Python >= 3.12, or skip the test saying why."""
    py = find_python312()
    if py is None:
        pytest.skip("vibe-engineer 0.10.0 needs Python >= 3.12: no python3.12 on PATH or under pyenv "
                    "(set VE_HOOKS_PYTHON312 to one)")
    return py


def skip_if_offline(result: subprocess.CompletedProcess[str]) -> None:
    """Skip when a failed pip run failed because the package index is unreachable."""
    out = result.stdout + result.stderr
    if result.returncode != 0 and any(s in out for s in OFFLINE_SIGNS):
        pytest.skip(f"the package index is unreachable: {out.strip().splitlines()[-1]}")


def cached_release(config: pytest.Config) -> Path:
    """The virtualenv holding vibe-engineer 0.10.0, made once in pytest's cache folder.

    Returns the venv's folder (``bin/python``, ``bin/ve``). Skips without Python 3.12 or without the
    package index."""
    py = require_python312()
    if getattr(config, "cache", None) is not None:
        where = Path(config.cache.mkdir(f"vibe-engineer-{VERSION}"))
    else:  # -p no:cacheprovider: the same place, inside the repository
        where = Path(config.rootpath) / ".pytest_cache" / "d" / f"vibe-engineer-{VERSION}"
    marker = where / "installed"
    if not marker.exists() or not (where / "bin" / "ve").exists():
        shutil.rmtree(where, ignore_errors=True)
        made = subprocess.run([py, "-m", "venv", str(where)], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.skip(f"cannot make a Python 3.12 virtualenv: {made.stderr.strip()[-300:]}")
        pip = subprocess.run([str(where / "bin" / "python"), "-m", "pip", "--disable-pip-version-check",
                              "install", "-q", RELEASE], capture_output=True, text=True, timeout=900)
        skip_if_offline(pip)
        if pip.returncode != 0:
            pytest.skip(f"cannot install {RELEASE}: {pip.stderr.strip()[-300:]}")
        marker.write_text(VERSION)
    return where
