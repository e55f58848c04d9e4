"""``ve-validate`` / ``ve validate``: options in, engine run, reporter out, exit code back."""

from __future__ import annotations

import json
import sys
import time

import click

from ve_hooks.diagnostic import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Severity, Summary, UsageError
from ve_hooks.report.formats import FORMATS


def _codes(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(c.strip().upper() for c in v.split(",") if c.strip())
    return out


@click.command("validate", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--repo", "repo", metavar="DIR", help="Repository (or plain directory) to check. Default: the current one.")
@click.option("--staged", is_flag=True, help="Check what `git commit` would record (the index), against HEAD.")
@click.option("--rev", metavar="REV", help="Check the repository as it was at REV, against its first parent.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format. github: workflow annotations; sarif: code scanning upload.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rule codes or prefixes (e.g. VE2,VE401).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found (2 still means the tool failed).")
@click.option("--show-config", is_flag=True, help="Print the effective configuration and where each value came from.")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule has (count, code, [*] if fixable, name) "
                   "instead of the findings themselves.")
@click.option("--stats", is_flag=True, help="Print files checked, documents parsed and cache hits to stderr.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes ([*] findings) to the files in the working tree, "
              "keeping every other byte, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="Also count (and with --fix apply) fixes that may change "
              "meaning, such as a fuzzy did-you-mean.")
@click.option("--new-from-rev", metavar="REV", help="Report only findings that did not exist at REV, matched by "
              "rule, artifact (through renames) and subject, not by line; lifecycle and created_after rules "
              "judge every commit since REV. In CI: the merge base of a pull request.")
@click.option("--from-ref", metavar="REV", help="pre-commit's CI mode: the same as --new-from-rev REV.")
@click.option("--to-ref", metavar="REV", help="pre-commit's CI mode: the revision checked (as --rev), with --from-ref.")
@click.option("--suppress-all", is_flag=True, help="Record every current error in ve-hooks-suppressions.json "
              "(counts per file and rule) so that later runs and the hooks report only new ones; exit 0.")
@click.option("--suppress-rule", multiple=True, metavar="CODES", help="Record the current errors of these rule "
              "codes or prefixes only, keeping the other entries of ve-hooks-suppressions.json.")
@click.option("--prune-suppressions", is_flag=True, help="Lower the entries of ve-hooks-suppressions.json to "
              "what still occurs (fixed errors are held to from now on) and carry renamed files along.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.version_option(package_name="ve-hooks", prog_name="ve-validate", help="Print the version and exit.")
def command(paths: tuple[str, ...], repo: str | None, staged: bool, rev: str | None, fmt: str,
            select: tuple[str, ...], ignore: tuple[str, ...], exit_zero: bool, show_config: bool,
            statistics: bool, stats: bool, fix: bool, unsafe_fixes: bool, new_from_rev: str | None,
            from_ref: str | None, to_ref: str | None, suppress_all: bool,
            suppress_rule: tuple[str, ...], prune_suppressions: bool, debug: bool) -> int:
    """Check the frontmatter of vibe-engineer artifacts and the repository around them.

    With no PATHS, every artifact under the artifact root (docs/) is checked; PATHS may be
    files or directories. Diagnostics look like `path:line:col: CODE message` with a hint;
    `ve rule CODE` explains a rule.

    \b
    Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage or internal error.

    \b
    Examples:
      ve-validate                         whole repository, human output
      ve-validate --staged                what the next commit would record
      ve-validate --rev v1.2 --format json
      ve-validate --format github         annotations in GitHub Actions
      ve-validate --select VE4 --ignore VE405
      ve-validate --fix                   apply the safe fixes, report the rest
      ve-validate --statistics            findings per rule, most frequent first
      ve-validate --suppress-all          adopt on a repository with errors: hold it to new ones
      ve-validate --new-from-rev origin/main   only what this branch adds

    \b
    With ve-hooks-suppressions.json at the project root (commit it), the errors it records are
    left out (counts per file and rule); the summary says how many. See docs/adopting.md.
    """
    # Usage, git and internal errors are the entry point's guard's (ve_hooks.errors): exit 2, one line.
    from ve_hooks.validation import engine

    if show_config:
        return _show_config(repo)
    started = time.perf_counter()
    since, rev = _range(new_from_rev, from_ref, to_ref, rev)
    if fix and (staged or rev or since):
        raise UsageError("--fix edits the working tree: it cannot be combined with --staged, --rev or a range")
    options = engine.Options(paths=paths, repo=repo, staged=staged, rev=rev,
                             select=_codes(select), ignore=_codes(ignore), require_root=True)
    if suppress_all or suppress_rule or prune_suppressions:
        return _record_suppressions(options, suppress_all, _codes(suppress_rule), prune_suppressions)
    if since:
        from ve_hooks.validation import baseline

        new = baseline.new_since(options, since)
        outcome = new.outcome
        click.echo(f"ve-validate: {new.old} findings that existed at {since} not shown; "
                   f"{new.commits} commits since judged by the lifecycle and created_after rules", err=True)
    else:
        outcome = engine.run(options)
    not_written = 0
    if fix:
        from ve_hooks.commands.fix import apply_fixes

        fixed, not_written = apply_fixes(outcome, options, unsafe=unsafe_fixes)
        if fixed:
            outcome = engine.run(options)  # report what is left, as ruff does
    from ve_hooks import report

    summary = Summary.of(outcome.diagnostics, outcome.files, outcome.checked, len(outcome.suppressed))
    if statistics:
        from ve_hooks.report import statistics as per_rule

        per_rule.render(fmt, outcome.diagnostics, summary, sys.stdout, unsafe_fixes)
    else:
        report.render(fmt, outcome.diagnostics, summary, stream=sys.stdout, unsafe_fixes=unsafe_fixes)
    if stats:
        click.echo(f"ve-validate: {outcome.files} files under {outcome.artifact_root}, {outcome.parsed} parsed, "
                   f"{outcome.cache_hits} cache hits, snapshot {outcome.snapshot}, "
                   f"{time.perf_counter() - started:.3f}s", err=True)
    if not_written:  # a fix asked for and not made is a failure of the run, whatever --exit-zero says
        click.echo(f"ve-validate: {not_written} file{'s' if not_written != 1 else ''} not written", err=True)
        return EXIT_ERROR
    has_errors = any(d.severity is Severity.ERROR for d in outcome.diagnostics)
    return EXIT_FINDINGS if has_errors and not exit_zero else EXIT_OK


def _show_config(repo: str | None) -> int:
    from ve_hooks.project import open_project

    with open_project(repo) as project:
        cfg = project.config
        click.echo(json.dumps({"root": str(project.root), "artifact_root": str(project.artifact_dir),
                               "config": {k: {"value": v, "source": cfg.sources.get(k, "default")}
                                          for k, v in cfg.as_dict().items()}}, indent=2))
    return EXIT_OK


def _record_suppressions(options: object, all_rules: bool, rules: list[str], prune: bool) -> int:
    """--suppress-all / --suppress-rule / --prune-suppressions: write the file, name it, exit 0."""
    from dataclasses import replace

    from ve_hooks.project import open_project
    from ve_hooks.validation import engine, suppressions

    if sum((all_rules, bool(rules), prune)) > 1:
        raise UsageError("--suppress-all, --suppress-rule and --prune-suppressions are separate steps: use one")
    assert isinstance(options, engine.Options)
    if options.staged or options.rev:
        raise UsageError("suppressions record the working tree: drop --staged/--rev")
    outcome = engine.run(replace(options, suppress=False))
    with open_project(options.repo or options.cwd) as project:
        root = project.root
        old = suppressions.load(root) or {}
        if prune:
            snap = project.snapshot()
            repo, base = project.repo(snap), project.base(snap)
            table = suppressions.prune(old, outcome.diagnostics, suppressions.moved_paths(old, repo, base, root))
        elif rules or options.paths:
            table = suppressions.merge(old, suppressions.count(outcome.diagnostics, rules))
        else:
            table = suppressions.count(outcome.diagnostics)
    path = suppressions.write(root, table)
    before = sum(n for r in old.values() for n in r.values())
    after = sum(n for r in table.values() for n in r.values())
    files = sum(1 for r in table.values() if any(r.values()))
    click.echo(f"{path.name}: {after} errors in {files} files suppressed (was {before}); commit it")
    return EXIT_OK


def _range(new_from_rev: str | None, from_ref: str | None, to_ref: str | None,
           rev: str | None) -> tuple[str | None, str | None]:
    """(since, rev checked) from --new-from-rev, pre-commit's --from-ref/--to-ref and --rev."""
    if from_ref and new_from_rev and from_ref != new_from_rev:
        raise UsageError("--from-ref and --new-from-rev name the same thing: give one")
    if to_ref and rev and to_ref != rev:
        raise UsageError("--to-ref and --rev name the same thing: give one")
    if to_ref and not (from_ref or new_from_rev):
        raise UsageError("--to-ref needs --from-ref (pre-commit passes both: "
                         "--from-ref \"$PRE_COMMIT_FROM_REF\" --to-ref \"$PRE_COMMIT_TO_REF\")")
    return from_ref or new_from_rev, to_ref or rev
