"""Run inside a Python 3.12 virtualenv that has vibe-engineer installed (never imports ve_hooks).

Reads JSON lines ``{"cwd": ..., "args": [...]}`` on stdin, runs ``ve ARGS`` in ``cwd`` through
vibe-engineer's own click group, and prints one JSON line ``{"code", "stdout", "stderr"}`` per
input. One process serves a whole test session: importing vibe-engineer costs ~2 s of CPU, the
commands themselves a fraction of that. vibe-engineer keeps no state between commands in module
globals (every command opens its project afresh), so each call sees only its own folder.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

from click.testing import CliRunner
from ve import cli

runner = CliRunner()
for line in sys.stdin:
    call = json.loads(line)
    os.chdir(call["cwd"])
    result = runner.invoke(cli, call["args"], prog_name="ve", catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))  # shown as a crash, never swallowed
    print(json.dumps({"code": result.exit_code, "stdout": result.stdout, "stderr": stderr}), flush=True)
