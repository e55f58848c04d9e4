"""Running the command line in tests: the installed scripts as real subprocesses, or an entry
point in-process (fast, and lets a test see what one function call does)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def script(name: str) -> str:
    """Path of an installed console script of this environment (``ve``, ``ve-validate``...)."""
    return str(BIN / name)


def path_with_scripts(path: str | None = None) -> str:
    """``PATH`` (this process's, or ``path``) with this environment's scripts first, for a child
    process that runs ``ve``, ``ve-validate`` or a hook by name."""
    rest = os.environ.get("PATH", "") if path is None else path
    return f"{BIN}{os.pathsep}{rest}"


def module(name: str, *args: str) -> list[str]:
    """The command line of ``python -m NAME ARGS`` in this environment (``ve_hooks.cli``...)."""
    return [sys.executable, "-m", name, *args]


def ve(*args: str, cwd: Path, prog: str = "ve", timeout: float = 120, **kw: Any) -> subprocess.CompletedProcess[str]:
    """``ve ARGS`` (or another script) in ``cwd`` as a subprocess (``kw``: more for subprocess.run)."""
    return subprocess.run([script(prog), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, **kw)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def invoke(entry: Callable[[Sequence[str]], int], *args: str, cwd: Path) -> Result:
    """Call an entry point (``ve_hooks.cli.main``, ``validate_main``...) in-process in ``cwd``."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = entry(list(args))
    finally:
        os.chdir(old)
    return Result(code, out.getvalue(), err.getvalue())
