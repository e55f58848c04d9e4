"""The one guard around every entry point (``ve``, ``ve-validate``, the pre-commit hooks).

Exit codes are a contract (ruff's): 0 clean, 1 findings, 2 usage or internal error. A usage,
git or internal error is one line on stderr and exit 2, never a traceback (``VE_HOOKS_DEBUG=1``
or ``--debug`` shows one); a reader that closed the pipe (``ve-validate | head -1``) ends the
run quietly, as Unix tools do. Library code raises :class:`~ve_hooks.diagnostic.UsageError`
or :class:`~ve_hooks.git.GitError`, never click's exceptions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from ve_hooks.diagnostic import EXIT_ERROR, UsageError
from ve_hooks.git import GitError

# What a shell reports for a process ended by SIGPIPE (128 + 13).
EXIT_CLOSED_PIPE = 141


def debugging(argv: list[str] | None = None) -> bool:
    return bool(os.environ.get("VE_HOOKS_DEBUG")) or "--debug" in (sys.argv[1:] if argv is None else argv)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def guard(name: str, work: Callable[[], int], *, debug: bool = False) -> int:
    """Run ``work`` and turn every way it can fail into an exit code and at most one line."""
    try:
        code = work()
        sys.stdout.flush()  # a closed pipe shows up here when the output was buffered
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:
        return 130
    except (UsageError, GitError) as e:
        print(f"{name}: error: {e}", file=sys.stderr)
    except Exception as e:
        if debug:
            import traceback

            traceback.print_exc()
        hint = "" if debug else " (set VE_HOOKS_DEBUG=1 for a traceback)"
        print(f"{name}: internal error: {type(e).__name__}: {e}{hint}", file=sys.stderr)
    return EXIT_ERROR
