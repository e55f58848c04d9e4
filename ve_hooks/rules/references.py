"""VE401-VE409: references between artifacts must name artifacts that exist, of the right kind,
and the links that vibe-engineer keeps in both directions must be present on both sides
(chunk <-> narrative VE404, chunk -> subsystem VE405, chunk <-> investigation VE406,
subsystem -> chunk VE407), as vibe-engineer 0.10.0's ``ve validate`` checks them. VE408: a
``proposed_chunks`` entry written as a path; VE409: an ``external.yaml`` never resolved.

Existence comes from the snapshot's listing alone (``Repo.names``), so checking a reference
never parses the referenced document; only the backlink rules (VE404/VE405) load the one
narrative or subsystem a chunk points at. ``external.yaml`` directories count as existing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ve_hooks.created_after.identity import moved_to
from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.documents import fixes
from ve_hooks.documents.artifacts import DIR_OF, KINDS, MAIN_FILE, ArtifactPath, bare_name, normalize_ref
from ve_hooks.documents.frontmatter import Doc
from ve_hooks.repo import Change, Slot
from ve_hooks.rules import Context, Target, quote
from ve_hooks.rules.registry import Rule

if TYPE_CHECKING:
    from ve_hooks.repo import Repo

JsonPath = tuple[Any, ...]

VE401 = Rule("VE401", "missing-reference", Severity.ERROR,
             'A reference names an artifact that does not exist', fix_command="ve-validate --fix")
VE402 = Rule("VE402", "wrong-kind-reference", Severity.ERROR,
             'A reference names an artifact of the wrong kind')
VE403 = Rule("VE403", "unknown-friction-entry", Severity.ERROR,
             'A friction entry id does not exist in docs/trunk/FRICTION.md')
VE404 = Rule("VE404", "narrative-backlink-missing", Severity.WARNING,
             'A chunk names a narrative that does not list it')
VE405 = Rule("VE405", "subsystem-backlink-missing", Severity.WARNING,
             'A chunk relates to a subsystem that does not list it')
VE406 = Rule("VE406", "investigation-backlink-missing", Severity.WARNING,
             'A chunk names an investigation that does not list it')
VE407 = Rule("VE407", "chunk-backlink-missing", Severity.WARNING,
             "A subsystem lists a chunk whose `subsystems` does not name it")
VE408 = Rule("VE408", "chunk-directory-prefixed", Severity.ERROR,
             '`proposed_chunks` names a chunk by path (`docs/chunks/x`) instead of by name')
VE409 = Rule("VE409", "external-never-resolved", Severity.WARNING,
             'An `external.yaml` pointer into another repository has never been resolved')


@dataclass(frozen=True)
class Resolution:
    """What a reference resolves to. ``found`` False means VE401/VE402 material."""

    name: str  # the reference normalised to a directory name
    found: bool
    other_kind: str | None = None  # the name exists, but as this other kind (VE402)
    renamed_to: str | None = None  # an existing artifact it probably means now
    deleted: bool = False  # it existed in the base snapshot: this change deletes it
    close: str | None = None  # a spelling suggestion


def _same_names(old: Repo, new: Repo, index: dict[str, dict[str, list[str]]], change: Change
                ) -> dict[str, dict[str, list[str]]] | None:
    """A derived Repo with the same listing has the same names: the index still holds."""
    return None if change.listing_changed else index


# kind -> bare_name -> names
BARE: Slot[dict[str, dict[str, list[str]]]] = Slot(f"{__name__}.bare", _same_names)


def _bare_index(repo: Repo, kind: str) -> dict[str, list[str]]:
    """bare_name -> names, built once per kind and run: a Repo is one snapshot, immutable."""
    per_kind = repo.slot(BARE, dict)
    if kind not in per_kind:
        idx: dict[str, list[str]] = {}
        for n in repo.names(kind):
            idx.setdefault(bare_name(n), []).append(n)
        per_kind[kind] = idx
    return per_kind[kind]


def resolve(repo: Repo, base: Repo | None, kind: str, value: str) -> Resolution:
    """Resolve a reference ``value`` (bare, legacy numbered or ``docs/<dir>/<name>``) of ``kind``."""
    name = normalize_ref(value, kind)
    names = repo.names(kind)
    if name in names:
        return Resolution(name, True)
    renamed = None
    matches = [n for n in _bare_index(repo, kind).get(bare_name(name), []) if n != name]
    if len(matches) == 1:
        renamed = matches[0]
    if renamed is None:
        renamed = moved_to(repo, base, kind, name)
    deleted = base is not None and name in base.names(kind)
    other = None
    if renamed is None:
        for k in KINDS:
            if k != kind and normalize_ref(value, k) in repo.names(k):
                other = k
                break
    close = None
    if renamed is None and other is None:
        hits = difflib.get_close_matches(name, list(names), n=1, cutoff=0.8)
        close = hits[0] if hits else None
    return Resolution(name, False, other, renamed, deleted, close)


def missing_hint(res: Resolution, kind: str, root: str = "docs") -> str:
    """What to do about an unresolved reference, shared with the code backreference rule."""
    where = f"{root}/{DIR_OF[kind]}/{res.name}"
    if res.renamed_to:
        return f"renamed to {quote(res.renamed_to)}? update the reference"
    if res.deleted:
        return f"this change deletes {where}: restore it or drop the reference"
    if res.close:
        return f"did you mean {quote(res.close)}?"
    return f"there is no {where}/ (with {MAIN_FILE[kind]} or external.yaml) in this snapshot; fix the name"


# -- which fields reference what ---------------------------------------------------------------


def _refs(kind: str, data: dict[str, Any]) -> Iterator[tuple[JsonPath, str, str]]:
    """(json path, referenced kind, value) for every artifact reference in a document."""

    def single(key: str, target_kind: str) -> Iterator[tuple[JsonPath, str, str]]:
        v = data.get(key)
        if isinstance(v, str) and v.strip():
            yield (key,), target_kind, v

    def strings(key: str, target_kind: str) -> Iterator[tuple[JsonPath, str, str]]:
        v = data.get(key)
        if isinstance(v, list):
            for i, item in enumerate(v):
                if isinstance(item, str) and item.strip():
                    yield (key, i), target_kind, item

    def items(key: str, fields: Iterable[str], target_kind: str) -> Iterator[tuple[JsonPath, str, str]]:
        v = data.get(key)
        if isinstance(v, list):
            for i, item in enumerate(v):
                if isinstance(item, dict):
                    for f in fields:
                        val = item.get(f)
                        if isinstance(val, str) and val.strip():
                            yield (key, i, f), target_kind, val
                            break

    yield from strings("created_after", kind)
    if kind == "chunk":
        yield from single("parent_chunk", "chunk")
        yield from single("narrative", "narrative")
        yield from single("investigation", "investigation")
        yield from items("subsystems", ("subsystem_id",), "subsystem")
        yield from strings("depends_on", "chunk")
    else:
        if kind == "narrative":
            yield from single("investigation", "investigation")
        yield from items("proposed_chunks", ("chunk_directory",), "chunk")
        yield from items("chunks", ("chunk_directory", "chunk_id"), "chunk")
    # friction: only proposed_chunks (the else branch above covers it for every non-chunk kind)


def _label(where: JsonPath) -> str:
    out = str(where[0])
    for p in where[1:]:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


# -- the rule ----------------------------------------------------------------------------------


def check(target: Target, ctx: Context) -> Iterable[Diagnostic]:
    """VE401-VE405 for one main document."""
    if target.doc is None:
        return []
    if target.art.role == "external":
        return list(_never_resolved(target, ctx))
    if target.art.role == "friction":
        return list(_proposed(target, ctx))
    if target.art.role != "main" or target.art.kind not in KINDS:
        return []
    kind, data = target.art.kind, target.data
    out: list[Diagnostic] = list(_prefixed(target, ctx))
    for where, ref_kind, value in _refs(kind, data):
        res = resolve(ctx.repo, ctx.base, ref_kind, value)
        if res.found:
            continue
        if res.other_kind:
            out.append(ctx.diag(
                "VE402", target, where,
                f"{_label(where)} names {quote(value)}, which is a {res.other_kind}, not a {ref_kind}",
                f"point {_label(where)} at a {ref_kind} (docs/{DIR_OF[ref_kind]}/)"))
            continue
        # "narrative 'x' ..." rather than "narrative names narrative 'x' ..."
        what = (f"{ref_kind} {quote(value)}" if _label(where) == ref_kind
                else f"{_label(where)} names {ref_kind} {quote(value)},")
        what += " which this change deletes" if res.deleted and not res.renamed_to else " does not exist"
        if _label(where) != ref_kind:
            what = what.replace(", does not exist", ", which does not exist")
        fix = fixes.follow_rename(where, value, res.renamed_to) if res.renamed_to else None
        out.append(ctx.diag("VE401", target, where, what, missing_hint(res, ref_kind, ctx.repo.root), fix=fix,
                            data={"kind": ref_kind, "name": res.name,
                                  **({"renamed_to": res.renamed_to} if res.renamed_to else {})}))
    out.extend(_friction(target, ctx))
    if kind == "chunk":
        out.extend(_narrative_backlink(target, ctx))
        out.extend(_investigation_backlink(target, ctx))
        out.extend(_subsystem_backlinks(target, ctx))
    elif kind == "subsystem":
        out.extend(_chunk_backlinks(target, ctx))
    return out


def _proposed(target: Target, ctx: Context) -> Iterator[Diagnostic]:
    """FRICTION.md's ``proposed_chunks``: each ``chunk_directory`` names an existing chunk."""
    yield from _prefixed(target, ctx)
    for where, ref_kind, value in _refs("friction", target.data):
        if ref_kind != "chunk" or where[0] != "proposed_chunks":
            continue
        res = resolve(ctx.repo, ctx.base, ref_kind, value)
        if not res.found:
            yield ctx.diag("VE401", target, where,
                           f"{_label(where)} names chunk {quote(value)}, which does not exist",
                           missing_hint(res, ref_kind, ctx.repo.root), data={"kind": ref_kind, "name": res.name})


def _prefixed(target: Target, ctx: Context) -> Iterator[Diagnostic]:
    """VE408: vibe-engineer 0.10.0 rejects ``chunk_directory: docs/chunks/x`` (it wants ``x``)."""
    items = target.data.get("proposed_chunks")
    if not isinstance(items, list):
        return
    root = f"{ctx.repo.root.strip('/')}/chunks/"
    for i, item in enumerate(items):
        value = item.get("chunk_directory") if isinstance(item, dict) else None
        if isinstance(value, str) and value.startswith(("docs/chunks/", root)):
            name = value.split("/chunks/", 1)[1].strip("/")
            yield ctx.diag("VE408", target, ("proposed_chunks", i, "chunk_directory"),
                           f"chunk_directory {quote(value)} is a path; vibe-engineer expects the chunk's name",
                           f"write chunk_directory: {name}", data={"name": name})


def _never_resolved(target: Target, ctx: Context) -> Iterator[Diagnostic]:
    """VE409: a ``repo:`` pointer nobody ever resolved may have dangled since it was written
    (``tree:`` peers resolve in this working copy: VE401 covers them)."""
    data = target.data
    if not isinstance(data.get("repo"), str) or data.get("tree") is not None:
        return
    if data.get("last_resolved") is not None:
        return
    name = target.art.name
    yield ctx.diag("VE409", target, ("repo",),
                   f"pointer to {quote(data['repo'])} has never resolved: no successful read was ever recorded",
                   f"run `ve external resolve {name}` to verify it (it records last_resolved)")


def _named_doc(ctx: Context, kind: str, value: str) -> tuple[str, ArtifactPath, Doc] | None:
    """(name, path, parsed main document) of the ``kind`` artifact a reference names, for the
    back-link checks; None when it is missing (VE401's finding), external (its lists live in
    another repository) or does not parse (VE1xx's)."""
    name = normalize_ref(value, kind)
    a = ctx.repo.names(kind).get(name)
    if a is None or a.role != "main":
        return None
    doc = ctx.repo.load([a.path]).get(a.path)
    return (name, a, doc) if isinstance(doc, Doc) else None


def _investigation_backlink(target: Target, ctx: Context) -> Iterator[Diagnostic]:
    """VE406: the chunk names an investigation whose ``proposed_chunks`` does not list it."""
    return _proposed_backlink(target, ctx, "investigation", "VE406", {"proposed_chunks": ("chunk_directory",)})


def _chunk_backlinks(target: Target, ctx: Context) -> Iterator[Diagnostic]:
    """VE407: a subsystem lists a chunk whose ``subsystems`` does not name the subsystem."""
    items = target.data.get("chunks")
    if not isinstance(items, list):
        return
    me = target.art.name
    chunks = ctx.repo.names("chunk")
    wanted = {}
    for i, item in enumerate(items):
        cid = item.get("chunk_id") if isinstance(item, dict) else None
        if isinstance(cid, str) and cid.strip():
            a = chunks.get(normalize_ref(cid, "chunk"))
            if a is not None and a.role == "main":
                wanted[i] = a
    loaded = ctx.repo.load(a.path for a in wanted.values())
    for i, a in wanted.items():
        doc = loaded.get(a.path)
        if not isinstance(doc, Doc):
            continue
        subs = doc.data.get("subsystems")
        names = {normalize_ref(s["subsystem_id"], "subsystem") for s in subs
                 if isinstance(s, dict) and isinstance(s.get("subsystem_id"), str)} if isinstance(subs, list) else set()
        if me in names or bare_name(me) in {bare_name(n) for n in names}:
            continue
        yield ctx.diag("VE407", target, ("chunks", i, "chunk_id"),
                       f"chunk {quote(a.name)} is listed here but its subsystems do not name this subsystem",
                       f"add '- subsystem_id: {me}' (relationship: implements or uses) to subsystems in {a.path}",
                       data={"chunk": a.name})


def _friction(target: Target, ctx: Context) -> Iterator[Diagnostic]:
    entries = target.data.get("friction_entries")
    if not isinstance(entries, list):
        return
    ids: set[str] | None = None
    loaded = False
    for i, item in enumerate(entries):
        if not isinstance(item, dict) or not isinstance(item.get("entry_id"), str):
            continue
        if not loaded:
            ids, loaded = ctx.repo.friction_ids(), True
        entry = item["entry_id"].strip()
        where = ("friction_entries", i, "entry_id")
        log = f"{ctx.repo.root}/trunk/FRICTION.md"
        if ids is None:
            yield ctx.diag("VE403", target, where,
                           f"friction entry {quote(entry)} cannot exist: there is no {log} in this snapshot",
                           f"add {log} with a '### {entry}: ...' entry, or drop the reference")
        elif entry not in ids:
            near = difflib.get_close_matches(entry, sorted(ids), n=1, cutoff=0.6)
            yield ctx.diag("VE403", target, where, f"friction entry {quote(entry)} is not a heading in {log}",
                           f"did you mean {quote(near[0])}?" if near else
                           f"add a '### {entry}: ...' entry to {log}, or fix the id")


def _listed(doc: Doc, key: str, fields: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    v = doc.data.get(key)
    if isinstance(v, list):
        for item in v:
            if isinstance(item, dict):
                for f in fields:
                    if isinstance(item.get(f), str):
                        name = normalize_ref(item[f], "chunk")
                        out.update((name, bare_name(name)))
    return out


def _narrative_backlink(target: Target, ctx: Context) -> Iterator[Diagnostic]:
    """VE404: vibe-engineer adds a chunk to its narrative's list when the chunk is created.

    A warning, not an error: the corpus keeps 119 of 131 such links, and the misses are mostly
    chunks of a narrative still DRAFTING whose list was not filled in yet.
    """
    return _proposed_backlink(target, ctx, "narrative", "VE404", {
        "proposed_chunks": ("chunk_directory",), "chunks": ("chunk_directory", "chunk_id")})


def _proposed_backlink(target: Target, ctx: Context, kind: str, rule: str,
                       lists: dict[str, tuple[str, ...]]) -> Iterator[Diagnostic]:
    """``rule``: the chunk's ``kind`` field names an artifact none of whose ``lists`` (key ->
    the item fields that name a chunk) holds this chunk."""
    value = target.data.get(kind)
    if not isinstance(value, str) or not value.strip():
        return
    named = _named_doc(ctx, kind, value)
    if named is None:
        return
    name, a, doc = named
    listed = set().union(*(_listed(doc, key, fields) for key, fields in lists.items()))
    me = target.art.name
    if me in listed or bare_name(me) in listed:
        return
    yield ctx.diag(rule, target, (kind,), f"{kind} {quote(name)} does not list this chunk in its proposed_chunks",
                   f"set chunk_directory: {me} on its proposed_chunks entry in {a.path}")


def _subsystem_backlinks(target: Target, ctx: Context) -> Iterator[Diagnostic]:
    """VE405: a chunk related to a subsystem (``implements`` or ``uses``, whatever its status)
    belongs in the subsystem's ``chunks``, as vibe-engineer 0.10.0 checks it."""
    subs = target.data.get("subsystems")
    if not isinstance(subs, list):
        return
    me = target.art.name
    status = target.data.get("status")
    for i, item in enumerate(subs):
        if not isinstance(item, dict):
            continue
        sid = item.get("subsystem_id")
        if not isinstance(sid, str) or not sid.strip():
            continue
        named = _named_doc(ctx, "subsystem", sid)
        if named is None:
            continue
        name, a, doc = named
        listed = _listed(doc, "chunks", ("chunk_id", "chunk_directory"))
        if me in listed or bare_name(me) in listed:
            continue
        rel = item.get("relationship") if isinstance(item.get("relationship"), str) else "implements"
        this = f"this {status} chunk" if isinstance(status, str) else "this chunk"
        yield ctx.diag("VE405", target, ("subsystems", i),
                       f"{this} {rel} subsystem {quote(name)}, which does not list it in chunks",
                       f"add '- chunk_id: {me}' with relationship: {rel} to chunks in {a.path}")
