#!/usr/bin/env python3
"""Compare vibe-engineer's `ve validate` with ve-validate on one repository (a dev script, not shipped).

Runs both tools on REPO, classifies their findings by file and class (tests/support/
upstream_findings.py: the class of a `ve validate` finding is its link type, e.g. `chunk→file`;
ve-hooks' rule codes that answer each class are CLASS_RULES), and prints per class: upstream
errors and warnings, how many ve-validate reports on the same or a related file at the same or a
higher severity (matched), only at a lower severity (lower), or not at all (missed); then
ve-validate's own counts per rule.

    python scripts/compare_vibe_engineer.py /tmp/vecl --ve /path/to/venv-with-vibe-engineer/bin/ve

Exit status: 0 (a report, whatever it says), 2 when a tool cannot be run.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.upstream_findings import (  # noqa: E402 - the shared parser lives beside the tests
    CLASS_RULES,
    Finding,
    match,
    parse_validate,
    parse_ve_validate_json,
)


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800)
    except OSError as e:
        sys.exit(f"compare_vibe_engineer: cannot run {cmd[0]}: {e}")


def upstream_findings(ve: str, repo: Path) -> list[Finding]:
    r = _run([ve, "validate", "--project-dir", str(repo)], repo)
    if r.returncode not in (0, 1) or "Traceback" in r.stderr:
        print(f"compare_vibe_engineer: `{ve} validate` failed ({r.returncode}):\n{r.stderr[-2000:]}",
              file=sys.stderr)
        sys.exit(2)
    return parse_validate(r.stdout + r.stderr)


def our_findings(ve_validate: str, repo: Path) -> list[Finding]:
    r = _run([ve_validate, "--repo", str(repo), "--format", "json", "--exit-zero"], repo)
    if r.returncode != 0:
        print(f"compare_vibe_engineer: ve-validate failed ({r.returncode}):\n{r.stderr[-2000:]}", file=sys.stderr)
        sys.exit(2)
    return parse_ve_validate_json(r.stdout)


def report(theirs: list[Finding], ours: list[Finding]) -> str:
    by_file: dict[str, list[Finding]] = collections.defaultdict(list)
    for d in ours:
        by_file[d.path].append(d)
    rows: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for f in theirs:
        verdict = match(f, ours)
        rows[f.cls][f.severity] += 1
        rows[f.cls][verdict] += 1
        rows[f.cls][f"{f.severity}-{verdict}"] += 1
    head = f"{'upstream class':<26} {'errors':>6} {'warns':>6} {'matched':>8} {'lower':>6} {'missed':>7}  ve-hooks rules"
    lines = [f"vibe-engineer `ve validate` vs ve-validate: {len(theirs)} upstream findings, {len(ours)} ours", "",
             head, "-" * len(head)]
    total: collections.Counter[str] = collections.Counter()
    for cls in sorted(rows, key=lambda c: (-rows[c]["error"] - rows[c]["warning"], c)):
        c = rows[cls]
        total.update(c)
        rules = ",".join(sorted(CLASS_RULES.get(cls, ()))) or "none"
        lines.append(f"{cls:<26} {c['error']:>6} {c['warning']:>6} {c['matched']:>8} {c['lower']:>6} "
                     f"{c['missed']:>7}  {rules}")
    lines.append("-" * len(head))
    lines.append(f"{'total':<26} {total['error']:>6} {total['warning']:>6} {total['matched']:>8} "
                 f"{total['lower']:>6} {total['missed']:>7}")
    lines += ["", f"upstream errors matched at error: {total['error-matched']} of {total['error']} "
                  f"({total['error-lower']} only as warnings, {total['error-missed']} missed)",
              f"upstream findings matched: {total['matched']} of {total['error'] + total['warning']}", "",
              "ve-validate's findings per rule:"]
    ours_by_rule = collections.Counter((d.cls, d.severity) for d in ours)
    for (rule, sev), n in sorted(ours_by_rule.items()):
        lines.append(f"  {rule} {sev:<7} {n}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("repo", type=Path, help="the repository (a work tree) to validate with both tools")
    p.add_argument("--ve", required=True, help="vibe-engineer's `ve` program (a venv with vibe-engineer 0.10.0)")
    p.add_argument("--ve-validate", default=shutil.which("ve-validate") or str(Path(sys.executable).parent
                                                                             / "ve-validate"),
                   help="the ve-validate program (default: the one on PATH, else beside this Python)")
    args = p.parse_args(argv)
    repo = args.repo.resolve()
    if not repo.is_dir():
        p.error(f"{repo} is not a directory")
    print(report(upstream_findings(args.ve, repo), our_findings(args.ve_validate, repo)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
