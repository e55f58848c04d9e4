"""Generate a realistic, deterministic synthetic vibe-engineer git repository for benchmarks.

Why a generator: the real corpus has ~400 chunks; ve-hooks must stay fast at 10,000, with a long
history behind them. Everything is derived from one ``random.Random(seed)``, so the same seed
gives the same ``HEAD`` sha. The whole history is written by ONE ``git fast-import`` process fed
a stream (inline blobs, ``M``/``D``/``R`` file commands); per-file ``git add``/``commit`` would
take hours at this size.

What the history contains:

* chunks in three template generations, oldest first: v1 (``NNNN-slug`` names, line-range
  ``code_references``), v2 (``narrative``, symbolic refs), v3 (investigation, subsystems,
  friction_entries, bug_type, depends_on, created_after);
* 1-3 chunks created per commit, statuses moving FUTURE -> IMPLEMENTING -> ACTIVE, and some
  ACTIVE -> SUPERSEDED/HISTORICAL later (final mix close to the real corpus: ~87/9/4);
* ``created_after`` set to the true tips of the chunk DAG at the parent snapshot (tips are
  ACTIVE chunks not named by any ACTIVE chunk's created_after); a migration commit backfills it
  into pre-v3 chunks; a few chunks get a deliberately stale or missing value;
* a few directory renames ``0001-foo`` -> ``foo`` with every reference updated;
* narratives, investigations, subsystems, ``docs/trunk/FRICTION.md`` entries, a few
  ``external.yaml`` chunks, and a ``src/`` tree whose classes/functions the symbolic refs name,
  with ``# Chunk: docs/chunks/<name> - ...`` backreference comments.

Usage: ``python benchmarks/make_repo.py DEST --chunks 10000 --seed 1 [--commits N]``.
Tests import :func:`make_repo` and the ``render_*`` helpers after adding this directory to
``sys.path``.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1  # bump when the output for a given (chunks, seed, commits) changes
BASE_TIME = 1_704_067_200  # 2024-01-01T00:00:00Z: fixed so commit shas are reproducible
AUTHOR = b"Vibe Engineer <ve@example.com>"

CHUNK_STATUSES = ("FUTURE", "IMPLEMENTING", "ACTIVE", "SUPERSEDED", "HISTORICAL")

_AREAS = ("orch", "board", "chunk", "artifact", "task", "backref", "template", "entity", "wiki", "friction",
          "subsystem", "narrative", "cluster", "external", "cli", "index", "cache", "review", "merge",
          "session", "skill", "agent", "cursor", "worktree", "schema", "ticket", "plugin", "graph")
_NOUNS = ("status", "cursor", "retry", "config", "prefix", "ordering", "validation", "cleanup", "command",
          "handshake", "discovery", "context", "migration", "resolution", "delivery", "parser", "lock",
          "listing", "rename", "promotion", "overlap", "snapshot", "watcher", "format", "tips", "cache",
          "seam", "reentry", "prompt", "filter", "sandbox", "timeout", "digest", "export")
_SUFFIXES = ("", "", "", "fix", "guard", "v2", "consolidate", "refactor", "cmd", "flag", "audit", "sync",
             "split", "docs", "tests", "retry", "cleanup", "support", "hardening", "compat")
_WORDS = ("agent", "operator", "chunk", "orchestrator", "worktree", "status", "frontmatter", "template",
          "reference", "subsystem", "narrative", "investigation", "cursor", "channel", "message", "phase",
          "review", "merge", "branch", "commit", "history", "index", "cache", "validation", "schema",
          "command", "backend", "session", "prompt", "workflow", "artifact", "ordering", "dependency",
          "consistent", "explicit", "durable", "stale", "correct", "deterministic", "reliably", "quickly",
          "ensures", "records", "resolves", "detects", "prevents", "exposes", "migrates", "documents")
_PKGS = ("core", "cli", "orchestrator", "board", "storage", "index", "render", "task", "entity", "wiki")
_CLASS_WORDS = ("Parser", "Index", "Store", "Runner", "Manager", "Resolver", "Watcher", "Writer", "Reader",
                "Scheduler", "Validator", "Registry", "Cursor", "Session", "Backend", "Client")
_METHODS = ("__init__", "load", "save", "run", "resolve", "validate", "close", "refresh", "apply", "render",
            "lookup", "iter_items", "flush", "merge", "split")
_FUNCS = ("parse_frontmatter", "find_tips", "normalize_path", "load_config", "render_template",
          "detect_type", "compute_digest", "read_blob", "walk_history", "format_status", "retry_call",
          "strip_prefix", "list_artifacts", "resolve_ref", "sort_by_order", "build_graph")
_THEMES = ("orchestrator", "context-resolution", "agent-behavior", "skill-ux", "workflow",
           "template-evolution", "cli", "testing")
_RELATIONSHIPS = ("implements", "uses")


# ---------------------------------------------------------------------------------------------
# YAML emission by hand: yaml.safe_dump costs ~1 ms per document, far too slow for 40,000 renders.
# Every emitted document is re-parsed by the tests, so this stays honest.


def q(s: str) -> str:
    """A double-quoted YAML scalar (our generated text is ASCII; only quotes/backslashes escape)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


def block_list(key: str, items: list[str], *, indent: str = "") -> str:
    if not items:
        return f"{indent}{key}: []\n"
    return f"{indent}{key}:\n" + "".join(f"{indent}- {i}\n" for i in items)


def null(v: str | None) -> str:
    return "null" if v is None else v


def sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(_WORDS, k=n)
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(6, 14)) for _ in range(sentences))


# ---------------------------------------------------------------------------------------------
# The source tree that symbolic code_references point to.


@dataclass
class Module:
    path: str
    classes: list[tuple[str, list[str]]]
    functions: list[str]
    symbols: list[str] = field(default_factory=list)  # "Class", "Class::method", "func"


def make_modules(rng: random.Random, count: int) -> list[Module]:
    mods = []
    for i in range(count):
        pkg = _PKGS[i % len(_PKGS)]
        path = f"src/{pkg}/{rng.choice(_NOUNS)}_{i:03d}.py"
        classes = []
        for name in rng.sample(_CLASS_WORDS, rng.randint(1, 3)):
            methods = ["__init__", *rng.sample(_METHODS[1:], rng.randint(1, 4))]
            classes.append((f"{rng.choice(_NOUNS).capitalize()}{name}", methods))
        funcs = rng.sample(_FUNCS, rng.randint(2, 5))
        m = Module(path, classes, funcs)
        for cname, methods in classes:
            m.symbols.append(cname)
            m.symbols.extend(f"{cname}::{meth}" for meth in methods)
        m.symbols.extend(funcs)
        mods.append(m)
    return mods


def render_module(mod: Module, backrefs: dict[str, list[str]]) -> tuple[str, dict[str, tuple[int, int]]]:
    """Python source for ``mod`` with backreference comment lines; also each symbol's line span.

    ``backrefs`` maps symbol -> comment texts ("docs/chunks/x - what"), already ordered.
    """
    lines = [f'"""{mod.path}: generated module for ve-hooks benchmarks."""', "", "from __future__ import annotations",
             "", "import os", ""]
    spans: dict[str, tuple[int, int]] = {}

    def refs(sym: str, indent: str) -> None:
        for text in backrefs.get(sym, ()):
            lines.append(f"{indent}# Chunk: {text}")

    for cname, methods in mod.classes:
        lines.append("")
        refs(cname, "")
        start = len(lines) + 1
        lines.append(f"class {cname}:")
        lines.append(f'    """{cname} keeps its state on the instance."""')
        for meth in methods:
            lines.append("")
            refs(f"{cname}::{meth}", "    ")
            mstart = len(lines) + 1
            if meth == "__init__":
                lines += ["    def __init__(self, root: str = '.') -> None:", "        self.root = root",
                          "        self.items: dict[str, str] = {}"]
            else:
                lines += [f"    def {meth}(self, key: str = '') -> str:",
                          f"        value = self.items.get(key, {meth!r})",
                          "        return os.path.join(self.root, value)"]
            spans[f"{cname}::{meth}"] = (mstart, len(lines))
        spans[cname] = (start, len(lines))
    for fname in mod.functions:
        lines += ["", ""]
        refs(fname, "")
        start = len(lines) + 1
        lines += [f"def {fname}(value: str) -> str:", f'    """{fname} for the benchmark tree."""',
                  "    return value.strip()"]
        spans[fname] = (start, len(lines))
    return "\n".join(lines) + "\n", spans


# ---------------------------------------------------------------------------------------------
# Artifact state and rendering.


@dataclass
class Chunk:
    idx: int
    name: str
    gen: int  # 1, 2 or 3
    status: str
    created_commit: int
    prose: str
    criteria: list[str]
    modules: list[int]
    symbols: list[tuple[int, str, str]]  # (module idx, symbol, implements)
    created_after: list[int] | None = None  # as written in the file (chunk indices); None: absent
    model_ca: list[int] | None = None  # what the tip model uses: pre-v3 chunks' true value before migration
    ca_note: str = "true"  # "true" | "stale" | "missing"
    narrative: int | None = None
    investigation: int | None = None
    subsystems: list[tuple[int, str]] = field(default_factory=list)
    friction: list[tuple[str, str]] = field(default_factory=list)
    bug_type: str | None = None
    parent: int | None = None
    depends_on: list[int] = field(default_factory=list)
    superseded_by: int | None = None
    line_refs: list[tuple[str, int, int, str]] = field(default_factory=list)  # v1: file, start, end, what
    flow_style: bool = False
    implements: dict[tuple[int, str], str] = field(default_factory=dict)  # (module, symbol) -> text
    has_plan: bool = False
    external: bool = False


_COMMENT = {
    1: "<!--\nSTATUS VALUES:\n- IMPLEMENTING: This chunk is in the process of being implemented.\n"
       "- ACTIVE: This chunk accurately describes current or recently-merged work\n"
       "- SUPERSEDED: Another chunk has modified the code this chunk governed\n"
       "- HISTORICAL: Significant drift; kept for archaeology only\n\nCODE_REFERENCES:\n"
       "- Maps specific line ranges to what they implement\n-->\n\n",
    2: "<!--\nDO NOT DELETE THIS COMMENT until the chunk complete command is run.\n\nSTATUS VALUES:\n"
       "- FUTURE: This chunk is queued for future work and not yet being implemented\n"
       "- IMPLEMENTING: This chunk is in the process of being implemented.\n- ACTIVE: shipped\n\n"
       "CODE_REFERENCES:\n- Format: {file_path}#{symbol_path} where symbol_path uses :: as nesting separator\n"
       "-->\n\n",
    3: "<!--\nDO NOT DELETE THIS COMMENT BLOCK until the chunk complete command is run.\n\n"
       "AGENT INSTRUCTIONS: When editing this file, preserve this entire comment block.\n\nSTATUS VALUES:\n"
       "- FUTURE: This chunk is queued for future work and not yet being implemented\n"
       "- IMPLEMENTING: This chunk is in the process of being implemented.\n"
       "- ACTIVE: This chunk accurately describes current or recently-merged work\n\n"
       "CREATED_AFTER:\n- Auto-populated by `ve chunk create` - DO NOT MODIFY manually\n"
       "- Lists the \"tips\" of the chunk DAG at creation time (chunks with no dependents yet)\n-->\n\n",
}


class World:
    """Mutable state of the synthetic project, rendered to file contents on demand."""

    def __init__(self, rng: random.Random, chunks: int) -> None:
        self.rng = rng
        self.chunks: list[Chunk] = []  # local chunks; position == Chunk.idx
        self.externals: list[Chunk] = []
        # ~15 chunks per module keeps a few backreference comments per symbol, as in real code.
        self.modules = make_modules(rng, max(4, min(1000, chunks // 15)))
        self.backrefs: list[dict[str, list[int]]] = [{} for _ in self.modules]  # symbol -> chunk idx
        self.spans: list[dict[str, tuple[int, int]]] = [{} for _ in self.modules]
        self.narratives: list[dict] = []
        self.investigations: list[dict] = []
        self.subsystems: list[dict] = []
        self.friction: list[tuple[str, str, str, str]] = []  # id, date, theme, title+body
        self.friction_proposed: list[tuple[str, str | None, str]] = []
        # Tip bookkeeping for chunks: tips = ACTIVE chunks no ACTIVE chunk names in created_after.
        self.refcount: Counter[int] = Counter()
        self.tips: set[int] = set()
        self.tip_history: list[list[int]] = []  # tips at the end of each commit, for stale values

    # -- tips -------------------------------------------------------------------------------
    def _activate(self, c: Chunk) -> None:
        for r in c.model_ca or ():
            self.refcount[r] += 1
            self.tips.discard(r)
        if self.refcount[c.idx] == 0:
            self.tips.add(c.idx)

    def _deactivate(self, c: Chunk) -> None:
        self.tips.discard(c.idx)
        for r in c.model_ca or ():
            self.refcount[r] -= 1
            if self.refcount[r] == 0 and self.chunks[r].status == "ACTIVE":
                self.tips.add(r)

    def set_status(self, c: Chunk, status: str) -> None:
        if c.status == "ACTIVE" and status != "ACTIVE":
            self._deactivate(c)
        was = c.status
        c.status = status
        if status == "ACTIVE" and was != "ACTIVE":
            self._activate(c)

    def set_created_after(self, c: Chunk, value: list[int] | None) -> None:
        """Write ``value`` to the file and the tip model alike."""
        if c.status == "ACTIVE":
            self._deactivate(c)
            c.created_after = c.model_ca = value
            self._activate(c)
        else:
            c.created_after = c.model_ca = value

    def current_tips(self) -> list[int]:
        return sorted(self.tips)

    # -- rendering --------------------------------------------------------------------------
    def name(self, idx: int) -> str:
        return self.chunks[idx].name

    def _names(self, idxs: Iterable[int]) -> list[str]:
        return [self.chunks[i].name for i in idxs]

    def render_goal(self, c: Chunk) -> str:
        out = [f"---\nstatus: {c.status}\nticket: null\nparent_chunk: {null(self.name(c.parent) if c.parent is not None else None)}\n"]
        paths = sorted({self.modules[m].path for m in c.modules})
        if c.flow_style:
            out.append(f"code_paths: {flow_list(paths)}\n")
        else:
            out.append(block_list("code_paths", paths, indent=""))
        if c.gen == 1:
            if c.line_refs:
                out.append("code_references:\n")
                by_file: dict[str, list[tuple[int, int, str]]] = {}
                for f, s, e, what in c.line_refs:
                    by_file.setdefault(f, []).append((s, e, what))
                for f, ranges in by_file.items():
                    out.append(f"  - file: {f}\n    ranges:\n")
                    for s, e, what in ranges:
                        out.append(f"      - lines: {s}-{e}\n        implements: {q(what)}\n")
            else:
                out.append("code_references: []\n")
        else:
            if c.status in ("ACTIVE", "SUPERSEDED", "HISTORICAL") and c.symbols:
                out.append("code_references:\n")
                for m, sym, what in c.symbols:
                    out.append(f"  - ref: {self.modules[m].path}#{sym}\n    implements: {q(what)}\n")
            else:
                out.append("code_references: []\n")
            narr = self.narratives[c.narrative]["name"] if c.narrative is not None else None
            out.append(f"narrative: {null(narr)}\n")
        if c.gen == 3:
            inv = self.investigations[c.investigation]["name"] if c.investigation is not None else None
            out.append(f"investigation: {null(inv)}\n")
            if c.subsystems:
                out.append("subsystems:\n")
                for s, rel in c.subsystems:
                    out.append(f"  - subsystem_id: {self.subsystems[s]['name']}\n    relationship: {rel}\n")
            else:
                out.append("subsystems: []\n")
            if c.friction:
                out.append("friction_entries:\n")
                for eid, scope in c.friction:
                    out.append(f"  - entry_id: {eid}\n    scope: {scope}\n")
            else:
                out.append("friction_entries: []\n")
            out.append(f"bug_type: {null(c.bug_type)}\n")
            out.append(block_list("depends_on", self._names(c.depends_on)))
        if c.superseded_by is not None:
            out.append(f"superseded_by: {self.name(c.superseded_by)}\n")
        if c.created_after is not None:
            if c.flow_style:
                out.append(f"created_after: {flow_list(self._names(c.created_after))}\n")
            else:
                out.append(block_list("created_after", self._names(c.created_after)))
        out.append("---\n\n")
        if c.status in ("FUTURE", "IMPLEMENTING"):
            out.append(_COMMENT[c.gen])
        out.append(f"# Chunk Goal\n\n## Minor Goal\n\n{c.prose}\n\n## Success Criteria\n\n")
        out.extend(f"- {line}\n" for line in c.criteria)
        if c.parent is not None:
            out.append(f"\n## Relationship to Parent\n\nRefines `{self.name(c.parent)}`: its core model remains valid.\n")
        return "".join(out)

    def render_plan(self, c: Chunk) -> str:
        steps = "".join(f"### Step {i + 1}\n\n{c.criteria[i % len(c.criteria)]}\n\n" for i in range(3))
        return (f"<!--\nThis document captures HOW you'll achieve the chunk's GOAL.\n-->\n\n# Implementation Plan\n\n"
                f"## Approach\n\n{c.prose}\n\n## Sequence\n\n{steps}## Risks and Open Questions\n\nNone known.\n")

    def render_external(self, c: Chunk) -> str:
        ca = "".join(f"- {n}\n" for n in self._names(c.created_after or []))
        pinned = f"{(c.idx * 2654435761) & 0xFFFFFFFF:08x}" * 5
        return (f"artifact_id: {c.name}\nartifact_type: chunk\ncreated_after:\n{ca}pinned: {pinned}\n"
                f"repo: example-org/architecture\ntrack: main\n")

    def _proposed(self, items: list[dict], with_deps: bool) -> str:
        if not items:
            return "proposed_chunks: []\n"
        out = ["proposed_chunks:\n"]
        for i, p in enumerate(items):
            d = p["chunk"]
            out.append(f"- prompt: {q(p['prompt'])}\n  chunk_directory: {null(self.name(d) if d is not None else None)}\n")
            if with_deps:
                out.append(f"  depends_on: [{i - 1}]\n" if i else "  depends_on: []\n")
        return "".join(out)

    def render_narrative(self, n: dict) -> str:
        ca = block_list("created_after", [self.narratives[i]["name"] for i in n["created_after"]]) \
            if n["created_after"] is not None else ""
        chunks = [self.name(p["chunk"]) for p in n["proposed"] if p["chunk"] is not None]
        return (f"---\nstatus: {n['status']}\nadvances_trunk_goal: {q(n['goal'])}\n"
                f"{self._proposed(n['proposed'], True)}{block_list('chunks', chunks)}{ca}---\n\n"
                f"# Narrative: {n['name']}\n\n## Advances Trunk Goal\n\n{n['goal']}\n\n## Driving Ambition\n\n{n['prose']}\n")

    def render_investigation(self, n: dict) -> str:
        ca = block_list("created_after", [self.investigations[i]["name"] for i in n["created_after"]]) \
            if n["created_after"] is not None else ""
        return (f"---\nstatus: {n['status']}\ntrigger: {q(n['trigger'])}\n{self._proposed(n['proposed'], True)}{ca}---\n\n"
                f"# Investigation: {n['name']}\n\n## Trigger\n\n{n['trigger']}\n\n## Findings\n\n{n['prose']}\n")

    def render_subsystem(self, n: dict) -> str:
        out = [f"---\nstatus: {n['status']}\n"]
        if n["chunks"]:
            out.append("chunks:\n")
            for ci, rel in n["chunks"]:
                out.append(f"  - chunk_id: {self.name(ci)}\n    relationship: {rel}\n")
        else:
            out.append("chunks: []\n")
        out.append("code_references:\n")
        for m, sym, what in n["refs"]:
            out.append(f"- ref: {self.modules[m].path}#{sym}\n  implements: {q(what)}\n  compliance: COMPLIANT\n")
        out.append(block_list("created_after", [self.subsystems[i]["name"] for i in n["created_after"]]))
        out.append(f"---\n\n# {n['name']}\n\n## Intent\n\n{n['prose']}\n")
        return "".join(out)

    def render_friction(self) -> str:
        out = ["---\nthemes:\n"]
        for t in _THEMES:
            out.append(f"- id: {t}\n  name: {t.replace('-', ' ').title()}\n")
        if self.friction_proposed:
            out.append("proposed_chunks:\n")
            for prompt, directory, addresses in self.friction_proposed:
                out.append(f"- prompt: {q(prompt)}\n  chunk_directory: {null(directory)}\n  addresses:\n  - {addresses}\n")
        else:
            out.append("proposed_chunks: []\n")
        out.append("external_friction_sources: []\n---\n# Friction Log\n\n<!--\nGUIDANCE FOR AGENTS - DO NOT REMOVE THIS COMMENT\n-->\n\n")
        for eid, date, theme, text in self.friction:
            out.append(f"### {eid}: {date} [{theme}] {text}\n\n")
        return "".join(out)

    def render_src(self, m: int) -> str:
        texts: dict[str, list[str]] = {}
        for sym, idxs in self.backrefs[m].items():
            texts[sym] = [f"docs/chunks/{self.chunks[i].name} - {self.chunks[i].implements[(m, sym)]}" for i in idxs]
        text, self.spans[m] = render_module(self.modules[m], texts)
        return text


# ---------------------------------------------------------------------------------------------
# History generation.


@dataclass
class RepoInfo:
    """What :func:`make_repo` built: enough for benchmarks and tests to pick targets and check."""

    path: Path
    seed: int
    chunks: int
    commits: int
    head: str
    bare: bool
    chunk_names: list[str]  # at HEAD, creation order
    generations: dict[str, int]  # "v1"/"v2"/"v3" -> count
    statuses: dict[str, int]
    tips: list[str]  # chunk tips at HEAD (externals excluded)
    renames: list[tuple[str, str]]
    externals: list[str]  # chunk directories holding only external.yaml (extra to `chunks`)
    narratives: list[str]
    investigations: list[str]
    subsystems: list[str]
    friction_entries: int
    src_files: list[str]
    stale_created_after: list[str]
    missing_created_after: list[str]
    seconds: float
    generator_version: int = GENERATOR_VERSION

    def to_json(self) -> dict:
        d = asdict(self)
        d["path"] = str(self.path)
        d["renames"] = [list(r) for r in self.renames]
        return d

    @classmethod
    def from_json(cls, d: dict) -> RepoInfo:
        d = dict(d)
        d["path"] = Path(d["path"])
        d["renames"] = [tuple(r) for r in d["renames"]]
        return cls(**d)


class _Stream:
    """Writes a git fast-import stream; one commit at a time."""

    def __init__(self, out) -> None:
        self.out = out
        self.commits = 0

    def commit(self, ts: int, message: str, files: dict[str, str | None], renames: list[tuple[str, str]]) -> None:
        self.commits += 1
        msg = message.encode()
        parts = [b"commit refs/heads/main\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\ndata %d\n%s\n"
                 % (self.commits, AUTHOR, ts, AUTHOR, ts, len(msg), msg)]
        for old, new in renames:
            parts.append(f"R {old} {new}\n".encode())
        for path, content in files.items():
            if content is None:
                parts.append(f"D {path}\n".encode())
            else:
                data = content.encode()
                parts.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        self.out.write(b"".join(parts))


def _unique_slugs(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out = []
    while len(out) < n:
        parts = [rng.choice(_AREAS), rng.choice(_NOUNS)]
        suffix = rng.choice(_SUFFIXES)
        if suffix:
            parts.append(suffix)
        slug = "_".join(parts)
        if slug in seen:
            slug = f"{slug}_{len(out)}"
            if slug in seen:
                continue
        seen.add(slug)
        out.append(slug)
    return out


def _batch_sizes(rng: random.Random, chunks: int, commits: int | None) -> list[int]:
    """New chunks per commit: 1-3 by default; spread over ``commits`` commits when given."""
    if commits is None:
        sizes = []
        left = chunks
        while left > 0:
            # 1 commit in 20 only moves statuses or touches other artifacts. Every commit rewrites the
            # 10,000-entry docs/chunks tree, which is what fast-import spends its time on.
            k = 0 if rng.random() < 0.05 else min(left, rng.choice((1, 2, 2, 3, 3, 3)))
            sizes.append(k)
            left -= k
        return sizes
    commits = max(1, commits)
    base, rem = divmod(chunks, commits)
    extra = set(rng.sample(range(commits), rem))
    return [base + (1 if i in extra else 0) for i in range(commits)]


def generate(dest: Path, chunks: int, seed: int, commits: int | None, stream_out) -> dict:
    """Write the fast-import stream for the whole history; return facts for :class:`RepoInfo`."""
    rng = random.Random(seed)
    w = World(rng, chunks)
    st = _Stream(stream_out)
    slugs = _unique_slugs(rng, chunks + 16)
    n1 = max(1, chunks * 15 // 100) if chunks >= 3 else chunks
    n2 = max(1, chunks * 20 // 100) if chunks >= 3 else 0
    sizes = _batch_sizes(rng, chunks, commits)
    total_commits = len(sizes)
    n_narr = max(2, chunks // 22)
    n_inv = max(2, chunks // 18)
    n_sub = max(2, min(200, chunks // 70))
    n_fric = max(3, min(200, chunks // 50))
    n_ext = max(1, min(12, chunks // 800))
    n_ren = max(2, min(25, n1 // 10))
    mig_done = False
    renames_done: list[tuple[str, str]] = []
    renames_planned = False
    events: list[tuple[int, int, str, int]] = []  # (commit, seq, action, chunk idx)
    seq = 0
    pending_narr: list[tuple[int, int]] = []  # (narrative idx, proposal idx) waiting for a chunk
    pending_inv: list[tuple[int, int]] = []
    stale: list[str] = []
    missing: list[int] = []
    ts = BASE_TIME
    dirty_src: set[int] = set()
    dirty_sub: set[int] = set()

    def schedule(at: int, action: str, idx: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, action, idx))

    # Commit 1: project skeleton.
    files: dict[str, str | None] = {
        "README.md": "# Synthetic vibe-engineer project\n\nGenerated by ve-hooks benchmarks/make_repo.py.\n",
        "docs/trunk/GOAL.md": "# Project Goal\n\n## Problem Statement\n\nKeep intent and code in sync.\n",
        "docs/trunk/SPEC.md": "# Specification\n\nChunks live in docs/chunks/<name>/GOAL.md.\n",
    }
    for m in range(len(w.modules)):
        files[w.modules[m].path] = w.render_src(m)
    st.commit(ts, "Initial project skeleton", files, [])

    next_chunk = 0
    for k, size in enumerate(sizes, start=1):
        ts += 600 + rng.randint(0, 5400)
        files = {}
        renames: list[tuple[str, str]] = []
        msg: list[str] = []
        tips_before = w.current_tips()
        gen_now = 1 if next_chunk < n1 else 2 if next_chunk < n1 + n2 else 3

        # Renames 0001-foo -> foo, once the v3 era is under way; first, so that every file written
        # below already uses the new name.
        if mig_done and not renames_planned and next_chunk >= n1 + n2 + max(1, (chunks - n1 - n2) // 5):
            renames_planned = True
            cands = [c for c in w.chunks if c.gen == 1 and not c.external]
            for c in rng.sample(cands, min(n_ren, len(cands))):
                old = c.name
                c.name = old.split("-", 1)[1]
                renames.append((f"docs/chunks/{old}", f"docs/chunks/{c.name}"))
                renames_done.append((old, c.name))
                for other in w.chunks:
                    if other.created_after and c.idx in other.created_after or other.parent == c.idx \
                            or c.idx in other.depends_on or other.superseded_by == c.idx:
                        files[f"docs/chunks/{other.name}/GOAL.md"] = w.render_goal(other)
                for m in range(len(w.modules)):
                    if any(c.idx in v for v in w.backrefs[m].values()):
                        dirty_src.add(m)
                for si, s in enumerate(w.subsystems):
                    if any(ci == c.idx for ci, _ in s["chunks"]):
                        dirty_sub.add(si)
                for n in w.narratives:
                    if any(p["chunk"] == c.idx for p in n["proposed"]):
                        files[f"docs/narratives/{n['name']}/OVERVIEW.md"] = w.render_narrative(n)
            msg.append("Rename prefixed chunk directories")

        # Status transitions due now.
        while events and events[0][0] <= k:
            _, _, action, ci = heapq.heappop(events)
            c = w.chunks[ci]
            if action == "implement" and c.status == "FUTURE":
                w.set_status(c, "IMPLEMENTING")
                c.has_plan = True
                files[f"docs/chunks/{c.name}/PLAN.md"] = w.render_plan(c)
                schedule(k + rng.randint(1, 6), "complete", ci)
                msg.append(f"Start chunk {c.name}")
            elif action == "complete" and c.status == "IMPLEMENTING":
                w.set_status(c, "ACTIVE")
                for m, sym, _ in c.symbols:
                    w.backrefs[m].setdefault(sym, []).append(ci)
                    dirty_src.add(m)
                if c.gen == 1:
                    c.line_refs = [(w.modules[m].path, *w.spans[m].get(sym, (1, 2)), what) for m, sym, what in c.symbols]
                for s, rel in c.subsystems:
                    if rel == "implements":
                        w.subsystems[s]["chunks"].append((ci, rel))
                        dirty_sub.add(s)
                msg.append(f"Complete chunk {c.name}")
                r = rng.random()
                if r < 0.115:
                    schedule(k + rng.randint(40, 900), "retire", ci)
            elif action == "retire" and c.status == "ACTIVE":
                newer = [x for x in range(ci + 1, len(w.chunks)) if w.chunks[x].status == "ACTIVE"][:20]
                if rng.random() < 0.15 and newer:
                    w.set_status(c, "SUPERSEDED")
                    c.superseded_by = rng.choice(newer)
                else:
                    w.set_status(c, "HISTORICAL")
                    if newer and rng.random() < 0.3:
                        c.superseded_by = rng.choice(newer)
                    for m, sym, _ in c.symbols:
                        lst = w.backrefs[m].get(sym, [])
                        if ci in lst:
                            lst.remove(ci)
                            dirty_src.add(m)
                msg.append(f"Mark chunk {c.name} {c.status}")
            else:
                continue
            files[f"docs/chunks/{c.name}/GOAL.md"] = w.render_goal(c)

        # Migration to v3: backfill created_after into every older chunk and narrative.
        if gen_now == 3 and not mig_done and size:
            mig_done = True
            # Older chunks get the tips recorded when they were created; ~1% are left without.
            for c in w.chunks:
                if rng.random() < 0.01:
                    missing.append(c.idx)
                    w.set_created_after(c, None)
                    continue
                w.set_created_after(c, c.model_ca)
                files[f"docs/chunks/{c.name}/GOAL.md"] = w.render_goal(c)
            for i, n in enumerate(w.narratives):
                n["created_after"] = [i - 1] if i else []
                files[f"docs/narratives/{n['name']}/OVERVIEW.md"] = w.render_narrative(n)
            msg.append("Migrate chunks to created_after ordering")
            tips_before = w.current_tips()

        # Other artifacts.
        if gen_now >= 2 and len(w.narratives) < n_narr and rng.random() < n_narr / max(1, total_commits * 0.6):
            i = len(w.narratives)
            name = f"{rng.choice(_AREAS)}_{rng.choice(_NOUNS)}_{i}"
            n = {"name": name, "status": "DRAFTING", "goal": sentence(rng, 12), "prose": paragraph(rng, 3),
                 "proposed": [{"prompt": sentence(rng, rng.randint(10, 30)), "chunk": None}
                              for _ in range(rng.randint(2, 5))],
                 "created_after": ([i - 1] if i else []) if mig_done else None}
            w.narratives.append(n)
            pending_narr.extend((i, p) for p in range(len(n["proposed"])))
            files[f"docs/narratives/{name}/OVERVIEW.md"] = w.render_narrative(n)
            msg.append(f"Create narrative {name}")
        if gen_now == 3 and mig_done:
            if len(w.investigations) < n_inv and rng.random() < n_inv / max(1, total_commits * 0.5):
                i = len(w.investigations)
                name = f"{rng.choice(_NOUNS)}_{rng.choice(_AREAS)}_{i}"
                n = {"name": name, "status": "ONGOING", "trigger": sentence(rng, 14), "prose": paragraph(rng, 2),
                     "proposed": [{"prompt": sentence(rng, 20), "chunk": None} for _ in range(rng.randint(0, 3))],
                     "created_after": [i - 1] if i else []}
                w.investigations.append(n)
                pending_inv.extend((i, p) for p in range(len(n["proposed"])))
                if not n["proposed"]:
                    n["status"] = rng.choice(("NOTED", "DEFERRED", "ONGOING"))
                files[f"docs/investigations/{name}/OVERVIEW.md"] = w.render_investigation(n)
                msg.append(f"Create investigation {name}")
            if len(w.subsystems) < n_sub and rng.random() < n_sub / max(1, total_commits * 0.3):
                i = len(w.subsystems)
                name = f"{rng.choice(_AREAS)}_{rng.choice(_NOUNS)}_{i}"
                refs = []
                for m in rng.sample(range(len(w.modules)), min(3, len(w.modules))):
                    refs.append((m, rng.choice(w.modules[m].symbols), sentence(rng, 6)))
                n = {"name": name, "status": rng.choice(("DISCOVERING", "DOCUMENTED", "DOCUMENTED", "STABLE")),
                     "chunks": [], "refs": refs, "prose": paragraph(rng, 2), "created_after": [i - 1] if i else []}
                w.subsystems.append(n)
                files[f"docs/subsystems/{name}/OVERVIEW.md"] = w.render_subsystem(n)
                msg.append(f"Document subsystem {name}")
            if len(w.friction) < n_fric and rng.random() < n_fric / max(1, total_commits * 0.5):
                eid = f"F{len(w.friction) + 1:03d}"
                date = time.strftime("%Y-%m-%d", time.gmtime(ts))
                w.friction.append((eid, date, rng.choice(_THEMES), f"{sentence(rng, 8)[:-1]}\n\n{paragraph(rng, 2)}"))
                if rng.random() < 0.3:
                    w.friction_proposed.append((sentence(rng, 12), None, eid))
                files["docs/trunk/FRICTION.md"] = w.render_friction()
                msg.append(f"Log friction {eid}")

        # New chunks.
        created: list[str] = []
        for _ in range(size):
            ci = next_chunk
            next_chunk += 1
            gen = 1 if ci < n1 else 2 if ci < n1 + n2 else 3
            crng = random.Random(seed * 1_000_003 + ci)
            slug = slugs[ci]
            name = f"{ci + 1:04d}-{slug}" if gen == 1 else slug
            mods = crng.sample(range(len(w.modules)), min(len(w.modules), crng.choice((1, 1, 2, 3))))
            symbols = []
            for m in mods:
                for sym in crng.sample(w.modules[m].symbols, min(len(w.modules[m].symbols), crng.randint(1, 3))):
                    symbols.append((m, sym, sentence(crng, crng.randint(4, 9))[:-1]))
            c = Chunk(ci, name, gen, "IMPLEMENTING", k, paragraph(crng, crng.randint(2, 5)),
                      [sentence(crng, crng.randint(6, 12)) for _ in range(crng.randint(2, 5))], mods, symbols,
                      flow_style=crng.random() < 0.3)
            c.implements = {(m, sym): what for m, sym, what in symbols}
            w.chunks.append(c)
            # The creator would have recorded the tips of the parent snapshot.
            true_ca = list(tips_before)
            if gen == 3:
                r = crng.random()
                if r < 0.015 and len(w.tip_history) > 5:
                    old = w.tip_history[-crng.randint(4, min(60, len(w.tip_history) - 1))]
                    if old != true_ca:
                        ca: list[int] | None = list(old)
                        stale.append(name)
                    else:
                        ca = true_ca
                elif r < 0.025:
                    ca = None if crng.random() < 0.5 else []
                    missing.append(ci)
                else:
                    ca = true_ca
                c.created_after = c.model_ca = ca
                if crng.random() < 0.3 and w.investigations and pending_inv:
                    ii, p = pending_inv.pop(0)
                    c.investigation = ii
                    w.investigations[ii]["proposed"][p]["chunk"] = ci
                    inv = w.investigations[ii]
                    if all(pp["chunk"] is not None for pp in inv["proposed"]):
                        inv["status"] = "SOLVED"
                    files[f"docs/investigations/{inv['name']}/OVERVIEW.md"] = w.render_investigation(inv)
                if w.subsystems and crng.random() < 0.45:
                    c.subsystems = [(s, crng.choice(_RELATIONSHIPS))
                                    for s in crng.sample(range(len(w.subsystems)), min(len(w.subsystems), crng.randint(1, 2)))]
                if w.friction and crng.random() < 0.05:
                    c.friction = [(crng.choice(w.friction)[0], crng.choice(("full", "partial")))]
                if crng.random() < 0.11:
                    c.bug_type = crng.choice(("semantic", "implementation"))
                if crng.random() < 0.18 and ci > 0:
                    c.depends_on = sorted(crng.sample(range(max(0, ci - 30), ci), min(ci, crng.randint(1, 2))))
            else:
                c.model_ca = true_ca  # written to the file by the v3 migration commit
            if gen >= 2 and pending_narr and crng.random() < 0.35:
                ni, p = pending_narr.pop(0)
                c.narrative = ni
                narr = w.narratives[ni]
                narr["proposed"][p]["chunk"] = ci
                narr["status"] = "ACTIVE" if any(pp["chunk"] is None for pp in narr["proposed"]) else "COMPLETED"
                files[f"docs/narratives/{narr['name']}/OVERVIEW.md"] = w.render_narrative(narr)
            if crng.random() < 0.07 and ci > 0:
                c.parent = crng.randrange(max(0, ci - 50), ci)
            stays_future = gen >= 2 and crng.random() < 0.045
            if gen >= 2 and (stays_future or crng.random() < 0.35):
                c.status = "FUTURE"
                if not stays_future:
                    schedule(k + crng.randint(2, 25), "implement", ci)
            else:
                c.has_plan = True
                files[f"docs/chunks/{name}/PLAN.md"] = w.render_plan(c)
                schedule(k + crng.randint(1, 6), "complete", ci)
            files[f"docs/chunks/{name}/GOAL.md"] = w.render_goal(c)
            created.append(name)
        if created:
            msg.append("Create chunk " + ", ".join(created))

        # A few external chunk references, spread over the v3 era.
        # They stay out of the tip model: their status lives in another repository.
        if mig_done and len(w.externals) < n_ext and rng.random() < n_ext / max(1, total_commits * 0.5):
            name = f"xr_{slugs[chunks + len(w.externals)]}"
            c = Chunk(-1, name, 3, "EXTERNAL", k, "", [], [], [], created_after=list(tips_before), external=True)
            w.externals.append(c)
            files[f"docs/chunks/{name}/external.yaml"] = w.render_external(c)
            msg.append(f"Reference external chunk {name}")

        for m in sorted(dirty_src):
            files[w.modules[m].path] = w.render_src(m)
        dirty_src.clear()
        for si in sorted(dirty_sub):
            files[f"docs/subsystems/{w.subsystems[si]['name']}/OVERVIEW.md"] = w.render_subsystem(w.subsystems[si])
        dirty_sub.clear()
        w.tip_history.append(w.current_tips())
        if not files and not renames:
            files["docs/trunk/SPEC.md"] = f"# Specification\n\nChunks live in docs/chunks/<name>/GOAL.md.\n\nRevision {k}.\n"
            msg.append("Touch spec")
        st.commit(ts, "; ".join(msg), files, renames)

    local = w.chunks
    return {
        "commits": st.commits,
        "chunk_names": [c.name for c in local],
        "generations": dict(sorted(Counter(f"v{c.gen}" for c in local).items())),
        "statuses": dict(sorted(Counter(c.status for c in local).items())),
        "tips": sorted(w.name(i) for i in w.tips),
        "renames": renames_done,
        "externals": [c.name for c in w.externals],
        "narratives": [n["name"] for n in w.narratives],
        "investigations": [n["name"] for n in w.investigations],
        "subsystems": [n["name"] for n in w.subsystems],
        "friction_entries": len(w.friction),
        "src_files": [m.path for m in w.modules],
        "stale_created_after": stale,
        "missing_created_after": [w.name(i) for i in missing],
    }


def _git(path: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    return subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, env=env, **kw)


def make_repo(dest: Path, chunks: int, seed: int = 1, commits: int | None = None, *, checkout: bool = True,
              force: bool = False) -> RepoInfo:
    """Create the synthetic repository at ``dest`` (must not exist unless ``force``).

    ``commits`` spreads the chunks over exactly that many commits after the initial one (default:
    1-3 chunks per commit, about ``chunks / 1.8`` commits). ``checkout=False`` makes a bare
    repository, which skips writing ~2 files per chunk to disk.
    """
    t0 = time.perf_counter()
    dest = Path(dest)
    if dest.exists():
        if not force:
            raise FileExistsError(dest)
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    init = ["init", "-q"] + (["--bare"] if not checkout else [])
    _git(dest, *init)
    _git(dest, "symbolic-ref", "HEAD", "refs/heads/main")
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    # stderr goes to a file, not a pipe: a chatty fast-import must not block while we feed it.
    with (dest / ".fast-import.err").open("w+b") as errf, subprocess.Popen(
            ["git", "-C", str(dest), "fast-import", "--quiet", "--done", "--date-format=raw"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errf, env=env) as proc:
        assert proc.stdin is not None
        facts: dict = {}
        try:
            facts = generate(dest, chunks, seed, commits, proc.stdin)
            proc.stdin.write(b"done\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass
        if proc.wait() != 0 or not facts:
            errf.seek(0)
            raise RuntimeError(f"git fast-import failed: {errf.read().decode(errors='replace')}")
    (dest / ".fast-import.err").unlink()
    if checkout:
        _git(dest, "reset", "-q", "--hard", "main")
    head = _git(dest, "rev-parse", "HEAD", text=True).stdout.strip()
    info = RepoInfo(path=dest, seed=seed, chunks=chunks, head=head, bare=not checkout,
                    seconds=round(time.perf_counter() - t0, 3), **facts)
    git_dir = dest if not checkout else dest / ".git"
    (git_dir / "make_repo.json").write_text(json.dumps({**info.to_json(), "requested_commits": commits}, indent=1))
    return info


def load_info(dest: Path) -> dict | None:
    """The manifest ``make_repo`` left in the git dir (``None`` if there is none)."""
    for p in (Path(dest) / ".git" / "make_repo.json", Path(dest) / "make_repo.json"):
        if p.is_file():
            try:
                return json.loads(p.read_text())
            except ValueError:
                return None
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--commits", type=int, default=None, help="spread chunks over exactly N commits")
    ap.add_argument("--no-checkout", action="store_true", help="bare repository, no worktree")
    ap.add_argument("--force", action="store_true", help="replace DEST if it exists")
    ap.add_argument("--json", action="store_true", help="print the RepoInfo as JSON")
    a = ap.parse_args(argv)
    info = make_repo(a.dest, a.chunks, a.seed, a.commits, checkout=not a.no_checkout, force=a.force)
    if a.json:
        print(json.dumps(info.to_json(), indent=1))
    else:
        print(f"{info.path}: {info.chunks} chunks, {info.commits} commits, HEAD {info.head[:12]}, "
              f"{info.generations}, {info.statuses}, {len(info.renames)} renames, {info.seconds:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
