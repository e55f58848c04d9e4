"""Findings of vibe-engineer 0.10.0's validators and of ve-validate, as comparable values.

Each upstream finding becomes ``(path, severity, class)``: ``ve validate`` prints its class (the
``link_type`` of integrity.py, e.g. ``chunk→narrative``); ``ve chunk validate`` and ``ve subsystem
validate`` print bare messages, classed here by their wording; ``ve workspace validate --format
json`` names a ``fix_class``. ``CLASS_RULES`` says which ve-hooks rule codes answer each class;
``match`` decides whether ve-validate reported an upstream finding on the same or a related path at
the same or a higher severity. Used by tests/vibe_engineer/ and scripts/compare_vibe_engineer.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

SEVERITY = {"warning": 1, "error": 2}


@dataclass(frozen=True)
class Finding:
    """One finding: a repository-relative file, ``error`` or ``warning``, and its class (upstream's
    link type or message class; for ve-validate, the rule code)."""

    path: str
    severity: str
    cls: str
    target: str = ""
    message: str = ""


# ve-hooks rule codes that answer each upstream class. VE406-VE409, VE705, VE706, VE803 and VE804
# are the codes the 0.10.0 rules work (branch ve010-rules) adds; an empty set has no rule.
CLASS_RULES: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    # ve validate (integrity.py link types)
    "chunk→frontmatter": {"VE101", "VE102", "VE103", "VE104", "VE105", "VE106", "VE107", "VE108", "VE109",
                          "VE111", "VE201", "VE202", "VE203", "VE204", "VE206"},
    "chunk→narrative": {"VE401", "VE402"},
    "chunk→investigation": {"VE401", "VE402"},
    "chunk→subsystem": {"VE401", "VE402"},
    "chunk→chunk": {"VE401", "VE402"},
    "chunk→friction": {"VE403"},
    "chunk↔narrative": {"VE404"},
    "chunk↔investigation": {"VE406"},
    "chunk↔subsystem": {"VE405"},
    "chunk→file": {"VE701"},
    "narrative→chunk": {"VE401", "VE402", "VE204", "VE408"},
    "investigation→chunk": {"VE401", "VE402", "VE204", "VE408"},
    "subsystem→chunk": {"VE401", "VE402"},
    "subsystem↔chunk": {"VE405", "VE407"},
    "friction→chunk": {"VE401", "VE402", "VE204", "VE408"},
    "code→chunk": {"VE704"},
    "code→subsystem": {"VE704"},
    "code↔chunk": {"VE705"},
    "allowlist→unused": {"VE706"},
    "external→never-resolved": {"VE409"},
    "hook→command": {"VE803"},
    "skills→stale": {"VE804"},
    # ve chunk validate / ve subsystem validate (message classes)
    "chunk-status-not-completable": set(),
    "chunk-code-references-empty": set(),
    "code-reference-file-missing": {"VE701"},
    "code-reference-symbol-missing": {"VE703"},
    "code-reference-unchecked": {"VE701"},
    # ve workspace validate (fix classes)
    "workspace:unresolvable-bare": {"VE704"},
    "workspace:misrouted-bare": {"VE704"},
    "workspace:unknown-qualifier": {"VE704", "VE701"},
    "workspace:missing-target": {"VE704", "VE701"},
    "workspace:malformed-qualifier": {"VE704", "VE701"},
    "workspace:unresolvable-frontmatter": {"VE701", "VE703", "VE401"},
}.items()}

_INTEGRITY_LINE = re.compile(r"^(Error|Warning): \[(?P<cls>[^\]]+)\] (?P<source>.+?) -> (?P<target>.*)$")


def parse_validate(output: str) -> list[Finding]:
    """``ve validate`` (stdout + stderr): ``Error: [class] source -> target`` and the message below."""
    found: list[Finding] = []
    lines = output.splitlines()
    for i, line in enumerate(lines):
        m = _INTEGRITY_LINE.match(line)
        if not m:
            continue
        source = m["source"]
        path = source.rsplit(":", 1)[0] if re.search(r":\d+$", source) else source
        message = lines[i + 1].strip() if i + 1 < len(lines) else ""
        found.append(Finding(path, "error" if line.startswith("Error") else "warning", m["cls"], m["target"],
                             message))
    return found


# ve chunk validate / ve subsystem validate print messages only: their wording names the class.
_MESSAGE_CLASSES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), c) for p, c in [
    (r"^Status is '", "chunk-status-not-completable"),
    (r"^code_references is empty", "chunk-code-references-empty"),
    (r"^code_paths (entry|glob pattern) ", "chunk→file"),
    (r"^Could not parse frontmatter", "chunk→frontmatter"),
    (r"^Subsystem '.*' does not exist", "chunk→subsystem"),
    (r"^Narrative '.*' does not exist", "chunk→narrative"),
    (r"^Investigation '.*' does not exist", "chunk→investigation"),
    (r"^Friction entry '.*' does not exist", "chunk→friction"),
    (r"^Chunk '.*' does not exist", "subsystem→chunk"),
    (r"(?i)symbol .*not found|not found in", "code-reference-symbol-missing"),
    (r"(?i)file .*not found|does not exist|no such file", "code-reference-file-missing"),
    (r"(?i)skipped|could not resolve|unverified|cannot", "code-reference-unchecked"),
]]


def classify_message(message: str) -> str:
    """The class of one ``ve chunk validate`` / ``ve subsystem validate`` message (``unclassified``)."""
    for pattern, cls in _MESSAGE_CLASSES:
        if pattern.search(message):
            return cls
    return "unclassified"


def parse_messages(stderr: str, path: str) -> list[Finding]:
    """``ve chunk validate`` / ``ve subsystem validate`` standard error: ``Error: msg`` lines are
    errors, every other line a warning (printed bare or as ``Warning: msg``); every finding is about
    ``path`` (the artifact validated)."""
    found: list[Finding] = []
    for line in stderr.splitlines():
        line = line.strip()
        if not line:
            continue
        severity = "error" if line.startswith("Error: ") else "warning"
        msg = line.removeprefix("Error: ").removeprefix("Warning: ").strip()
        found.append(Finding(path, severity, classify_message(msg), message=msg))
    return found


def parse_workspace_json(output: str) -> list[Finding]:
    """``ve workspace validate --format json``: every defect is an error of its fix class."""
    report = json.loads(output)
    return [Finding(d["path"], "error", f"workspace:{d['fix_class']}", d.get("reference", ""), d.get("message", ""))
            for d in report.get("defects", [])]


def parse_ve_validate_json(output: str) -> list[Finding]:
    """``ve-validate --format json``: the class of a diagnostic is its rule code."""
    report = json.loads(output)
    return [Finding(d["path"], d["severity"], d["rule"], message=d.get("message", ""))
            for d in report.get("diagnostics", [])]


def _artifact_dir(path: str) -> str | None:
    """``docs/<kind>/<name>`` of a path inside an artifact's folder (at any workspace depth)."""
    path = path.rsplit("::", 1)[-1]  # a qualified target (`org/repo::docs/chunks/x`) names it in its tree
    m = re.search(r"(^|.*/)docs/(chunks|narratives|investigations|subsystems)/[^/]+", path)
    return m[0] if m else None


def related(ours: Finding, theirs: Finding) -> bool:
    """Whether ve-validate's finding ``ours`` is about the upstream finding's file and target: in the
    target artifact's folder, or in the same file (or artifact folder: GOAL.md vs PLAN.md) with a
    message that names the target (the missing file, chunk or entry)."""
    target_dir = _artifact_dir(theirs.target)
    if target_dir and _artifact_dir(ours.path) == target_dir:
        return True
    here = _artifact_dir(theirs.path)
    if ours.path != theirs.path and not (here and _artifact_dir(ours.path) == here):
        return False
    if not theirs.target or theirs.target.startswith("<"):
        return True
    if target_dir:
        names = [target_dir.rsplit("/", 1)[-1]]
    else:  # `path#symbol`: a missing file is named by its path, a missing symbol by its name
        file, _, symbol = theirs.target.rpartition("#") if "#" in theirs.target else (theirs.target, "", "")
        names = [n for n in (symbol, file.rsplit("::", 1)[-1].rstrip("/")) if n]
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", ours.message) for n in names)  # a whole name


def match(theirs: Finding, ours: Iterable[Finding], rules: Iterable[str] | None = None) -> str:
    """``matched`` (same file and target, an answering rule, same or higher severity), ``lower``
    (only at a lower severity), or ``missed``. ``rules`` defaults to ``CLASS_RULES[theirs.cls]``."""
    codes = frozenset(rules) if rules is not None else CLASS_RULES.get(theirs.cls, frozenset())
    best = 0
    for d in ours:
        if d.cls in codes and related(d, theirs):
            best = max(best, SEVERITY[d.severity])
    if best >= SEVERITY[theirs.severity]:
        return "matched"
    return "lower" if best else "missed"
