"""VE801-VE805: the files around the artifacts that vibe-engineer 0.10.0 reads or writes.

* VE801 ``.ve-config.yaml`` is not what 0.10.0 reads (it refuses to run on a malformed
  ``validation.ignore_backreferences`` entry).
* VE802 ``.ve-workspace.yaml`` is malformed, or a member's path holds no vibe-engineer tree.
* VE803 a ``docs/hooks/<command>.md`` fragment whose name is no command of the release: it
  never fires.
* VE804 skills reified by ``ve skills reify`` were rendered by a release older than 0.10.0.
* VE805 a file vibe-engineer writes does not match its schema: the reified skills' manifest and
  ``SKILL.md`` frontmatter, a hook fragment's frontmatter, a reviewer's ``METADATA.yaml`` and
  decision frontmatter, a grant of ``docs/trunk/DELETIONS.md``, a task directory's ``.ve-task.yaml``.

Each kind has its JSON schema in ``schemas/`` (:data:`ve_hooks.documents.schema.PROJECT_SCHEMAS`,
exported for editors by ``ve schema export``). Unparsable YAML or frontmatter is reported with
the parse family's codes (VE1xx). The checks run through ``check_sources``: on every file of a
whole-tree run, on the files under ``ve-validate PATHS``, and on the staged files the
``ve-code-backrefs`` hook is handed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents.parsed import ParseError
from ve_hooks.rules import Sources
from ve_hooks.rules.registry import Rule
from ve_hooks.sanitize import one_line

VE801 = Rule("VE801", "ve-config-invalid", Severity.ERROR,
             "`.ve-config.yaml` is not what vibe-engineer reads")
VE802 = Rule("VE802", "workspace-manifest-invalid", Severity.ERROR,
             "`.ve-workspace.yaml` is malformed or names a member tree that does not exist")
VE803 = Rule("VE803", "hook-fragment-unknown-command", Severity.WARNING,
             "A `docs/hooks/<command>.md` fragment names no vibe-engineer command, so it never fires")
VE804 = Rule("VE804", "reified-skills-stale", Severity.WARNING,
             "Reified skills were rendered by an older vibe-engineer")
VE805 = Rule("VE805", "project-file-invalid", Severity.ERROR,
             "A file vibe-engineer writes (skills, hook fragment, reviewer decision, deletion grant) "
             "does not match its schema")

RELEASE = (0, 10, 0)  # the vibe-engineer release these checks model
# The commands of the release (0.10.0's ``hooks.KNOWN_EVENTS``): a fragment is named after one.
KNOWN_COMMANDS = frozenset({
    "audit-corpus", "audit-intent", "chunk-commit", "chunk-complete", "chunk-create", "chunk-demote",
    "chunk-execute", "chunk-execute-all", "chunk-implement", "chunk-plan", "chunk-rebase", "chunk-review",
    "chunk-update-references", "chunks-resolve-references", "cluster-rename", "decision-create",
    "discover-subsystems", "entity-episodic", "entity-shutdown", "entity-startup", "friction-log",
    "investigation-create", "migrate-managed-claude-md", "narrative-compact", "narrative-create",
    "narrative-execute", "orchestrator-inject", "orchestrator-investigate", "orchestrator-monitor",
    "orchestrator-submit-future", "steward-changelog", "steward-send", "steward-setup", "steward-watch",
    "subsystem-discover", "swarm-monitor", "swarm-request-response", "validate-fix", "ve-status",
    "workspace-validate-fix",
})
MANIFESTS = (".agents/skills/.ve-local-skills.json", ".claude/skills/.ve-local-skills.json")
_GRANT_HEADING = re.compile(r"^### (?P<id>D\d+): (?P<date>\d{4}-\d{2}-\d{2}) — "
                            r"`(?P<reference>.*?)` deleted from `(?P<location>.*?)`\s*$")
_GRANT_FIELD = re.compile(r"^- \*\*(?P<name>[A-Za-z ]+)\*\*: (?P<value>.*)$")
_FIELD_KEYS = {"Authorized by": "authorized_by", "Reason": "reason", "Evidence": "evidence"}


def kind_of(path: str, root: str = "docs") -> str | None:
    """Which project file ``path`` is (a key of ``PROJECT_SCHEMAS``, or ``deletions``), if any."""
    root = root.strip("/")
    if path == ".ve-config.yaml":
        return "ve-config"
    if path == ".ve-workspace.yaml":
        return "ve-workspace"
    if path == ".ve-task.yaml":
        return "task-config"
    if path in MANIFESTS:
        return "skills-manifest"
    parts = path.split("/")
    if len(parts) == 4 and parts[:2] == [".agents", "skills"] and parts[3] == "SKILL.md":
        return "skill"
    if path == f"{root}/trunk/DELETIONS.md":
        return "deletions"
    if path.startswith(f"{root}/"):
        rest = path[len(root) + 1:].split("/")
        if len(rest) == 2 and rest[0] == "hooks" and rest[1].endswith(".md"):
            return "hook-fragment"
        if len(rest) == 4 and rest[0] == "reviewers" and rest[2] == "decisions" and rest[3].endswith(".md"):
            return "reviewer-decision"
        if len(rest) == 3 and rest[0] == "reviewers" and rest[2] == "METADATA.yaml":
            return "reviewer-metadata"
    return None


def _candidates(sources: Sources) -> list[str]:
    """The project files of the run's scope (a few listings, never the whole tree)."""
    root = sources.repo.root.strip("/")
    if sources.given is not None:
        return sorted(p for p in sources.given if kind_of(p, root))
    snap = sources.repo.snapshot
    found = [p for p in (".ve-config.yaml", ".ve-workspace.yaml", ".ve-task.yaml", *MANIFESTS,
                         f"{root}/trunk/DELETIONS.md")
             if snap.exists(p)]
    for folder in (f"{root}/hooks", ".agents/skills", f"{root}/reviewers"):
        if snap.exists(folder):
            found.extend(snap.list(folder))
    return sorted({p for p in found if kind_of(p, root) and sources.in_scope(p)})


# Bump when a check of this family changes what it reports for the same bytes: cached by it.
FINDINGS_VERSION = "1"
# Findings that depend on more than the file's bytes are never cached.
_UNCACHED = {"ve-workspace"}


def check_sources(sources: Sources) -> Iterable[Diagnostic]:
    """VE801-VE805 for every project file in scope. Findings are a function of the file's bytes
    and kind (the workspace manifest aside, whose members must exist), so they are cached by
    blob id: a warm run over hundreds of reified skills validates none of them again."""
    from ve_hooks import git

    root = sources.repo.root.strip("/")
    texts: dict[str, tuple[str, str]] = {}
    for path in _candidates(sources):
        text = sources.read(path)
        kind = kind_of(path, root)
        if text is not None and kind is not None:
            texts[path] = (kind, text)
            sources.checked.add(path)
    keys = {p: f"{git.blob_id(t.encode('utf-8'))}:{k}:{FINDINGS_VERSION}" for p, (k, t) in texts.items()
            if k not in _UNCACHED}
    cache = sources.repo.cache
    hits = cache.get_many("projectfile", set(keys.values())) if keys else {}
    out: list[Diagnostic] = []
    for path, (kind, text) in texts.items():
        key = keys.get(path)
        cached = hits.get(key) if key else None
        if isinstance(cached, list):
            try:
                out.extend(sources.emit(str(v[0]), path, int(v[1]), int(v[2]), str(v[3]), str(v[4]), dict(v[5]))
                           for v in cached)
                continue
            except (TypeError, ValueError, IndexError, KeyError):
                pass  # a damaged entry: check again
        found = _check(sources, path, text, kind)
        out.extend(found)
        if key:
            cache.put("projectfile", key, [[d.rule, d.line, d.column, d.message, d.hint, d.data] for d in found])
    return out


def _check(sources: Sources, path: str, text: str, kind: str) -> list[Diagnostic]:
    if kind == "deletions":
        return _deletions(sources, path, text)
    if kind == "skills-manifest":
        return _manifest(sources, path, text)
    if kind in ("ve-config", "ve-workspace", "task-config", "reviewer-metadata"):
        return _yaml_file(sources, path, text, kind)
    return _frontmatter_file(sources, path, text, kind)


def _schema_errors(kind: str, data: Any) -> list[tuple[tuple[Any, ...], str]]:
    from ve_hooks.documents import schema as schemas

    name = schemas.PROJECT_SCHEMAS[kind]
    fast = schemas.fast_validator(name)  # nearly every file is valid: answer that without jsonschema
    if fast is not None:
        try:
            if fast.is_valid(data):
                return []
        except Exception:  # a value it cannot convert: the full validator decides
            pass
    v = schemas.validator(name)
    out = []
    for e in sorted(v.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = tuple(e.absolute_path)
        label = ".".join(str(p) for p in where) or "the file"
        out.append((where, f"{label}: {one_line(e.message, 160)}"))
    return out


def _parse_problems(sources: Sources, path: str, result: ParseError) -> list[Diagnostic]:
    return [sources.emit(p.rule, path, p.line, p.column, p.message, p.hint) for p in result.all_problems]


def _yaml_file(sources: Sources, path: str, text: str, kind: str) -> list[Diagnostic]:
    from ve_hooks.documents.frontmatter import parse_yaml_file

    doc = parse_yaml_file(text.encode("utf-8"))
    if isinstance(doc, ParseError) and doc.problem.rule == "VE106" and not _content(text):
        doc = parse_yaml_file(b"{}\n")  # comments only: vibe-engineer reads it as empty (`or {}`)
    if isinstance(doc, ParseError):
        return _parse_problems(sources, path, doc)
    rule, hint, what = {
        "ve-config": ("VE801", "vibe-engineer refuses to run on a malformed entry: give each `path` and `reason`", ""),
        "ve-workspace": ("VE802", "members map names ([a-z0-9_-]+) to tree paths inside the workspace", ""),
        "task-config": ("VE805", "see `ve schema export task-config`; `ve task init` writes it", "task directory: "),
        "reviewer-metadata": ("VE805", "see `ve schema export reviewer-metadata`", "reviewer metadata: "),
    }[kind]
    out = [sources.emit(p.rule, path, p.line, p.column, p.message, p.hint) for p in doc.problems]
    out += [sources.emit(rule, path, *doc.position(where), what + message, hint)
            for where, message in _schema_errors(kind, doc.data)]
    if kind == "ve-workspace" and not any(d.rule == "VE802" for d in out):
        from ve_hooks.documents import workspace

        members, _ = workspace.parse(doc.data)
        snap = sources.repo.snapshot
        for name, tree in members.items():
            docs = "docs" if tree in ("", ".") else f"{tree}/docs"
            if not snap.exists(docs):
                out.append(sources.emit("VE802", path, *doc.position(("members", name)),
                                        f"member {name!r}: {tree}/ holds no vibe-engineer tree (no docs/)",
                                        "fix the path, or run `ve init` in the member"))
    return out


def _frontmatter_file(sources: Sources, path: str, text: str, kind: str) -> list[Diagnostic]:
    from ve_hooks.documents.frontmatter import parse

    out: list[Diagnostic] = []
    if kind == "hook-fragment":
        event = path.rsplit("/", 1)[-1].removesuffix(".md")
        if event not in KNOWN_COMMANDS:
            close = difflib.get_close_matches(event, sorted(KNOWN_COMMANDS), n=1, cutoff=0.7)
            out.append(sources.emit("VE803", path, 1, 1,
                                    f"hook {event!r} matches no vibe-engineer command, so it never fires",
                                    f"did you mean {close[0]!r}? rename the file to {close[0]}.md" if close
                                    else "name the file after a command (`ve hooks list` shows the fragments)",
                                    {"event": event}))
        if not text.startswith("---"):
            return out  # the frontmatter of a fragment is optional
    # Skills rendered by `ve skills reify` may start with a blank line before the fence.
    lead = len(text) - len(text.lstrip("\r\n")) if kind == "skill" else 0
    skipped = text[:lead].count("\n")
    doc = parse(text[lead:].encode("utf-8"))
    if isinstance(doc, ParseError):
        return [*out, *(replace(d, line=d.line + skipped) for d in _parse_problems(sources, path, doc))]
    what = {"skill": "reified skill", "hook-fragment": "hook fragment",
            "reviewer-decision": "reviewer decision"}[kind]
    for where, message in _schema_errors(kind, doc.data):
        line, col = doc.position(where)
        out.append(sources.emit("VE805", path, line + skipped, col, f"{what}: {message}",
                                f"see `ve schema export {kind}`"))
    return out


def _content(text: str) -> bool:
    """Whether a YAML text holds anything but comments and blank lines."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def _version(text: str) -> tuple[int, ...] | None:
    m = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", text.strip())
    return tuple(int(g or 0) for g in m.groups()) if m else None


def _manifest(sources: Sources, path: str, text: str) -> list[Diagnostic]:
    try:
        data = json.loads(text)
    except ValueError as e:
        return [sources.emit("VE805", path, getattr(e, "lineno", 1), getattr(e, "colno", 1),
                             f"skills manifest is not JSON: {one_line(str(e), 120)}",
                             "re-run `ve skills reify` to rewrite it")]
    errors = _schema_errors("skills-manifest", data)
    if errors:
        return [sources.emit("VE805", path, 1, 1, f"skills manifest: {m}", "re-run `ve skills reify` to rewrite it")
                for _, m in errors]
    rendered = _version(str(data["ve_version"]))
    if rendered is None or rendered < RELEASE:
        release = ".".join(map(str, RELEASE))
        line = next((i for i, t in enumerate(text.splitlines(), 1) if '"ve_version"' in t), 1)
        return [sources.emit("VE804", path, line, 1,
                             f"reified skills were rendered by ve {data['ve_version']}, older than ve {release}",
                             "run `ve skills reify` to render them again", {"rendered": data["ve_version"]})]
    return []


def _deletions(sources: Sources, path: str, text: str) -> list[Diagnostic]:
    """Each ``### D...`` grant as ``ve deletion record`` writes it; vibe-engineer silently skips
    a heading of any other shape, so the grant would be lost from the audit trail."""
    out: list[Diagnostic] = []
    grants: list[tuple[int, dict[str, Any]]] = []
    current: dict[str, Any] | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _GRANT_HEADING.match(line)
        if m:
            current = {k: v for k, v in m.groupdict().items()}
            grants.append((lineno, current))
            continue
        if line.startswith("### "):
            current = None
            if re.match(r"^### D\d+", line):
                out.append(sources.emit("VE805", path, lineno, 1,
                                        "deletion grant heading is not in the form `ve deletion record` writes: "
                                        "vibe-engineer does not read it as a grant",
                                        "### D001: 2026-10-01 — `docs/chunks/x` deleted from `src/a.py:12`"))
            continue
        f = _GRANT_FIELD.match(line)
        if f and current is not None and f.group("name") in _FIELD_KEYS:
            current[_FIELD_KEYS[f.group("name")]] = f.group("value")
    seen: set[str] = set()
    for lineno, grant in grants:
        for _, message in _schema_errors("deletion-grant", grant):
            out.append(sources.emit("VE805", path, lineno, 1, f"deletion grant {grant['id']}: {message}",
                                    "record grants with `ve deletion record`, which writes every field"))
        if grant["id"] in seen:
            out.append(sources.emit("VE805", path, lineno, 1, f"deletion grant id {grant['id']} is used twice",
                                    "give each grant its own id"))
        seen.add(grant["id"])
    return out
