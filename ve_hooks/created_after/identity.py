"""Artifact identity: when two names are one artifact, and what status an artifact counts as.

Every part of ve-hooks that follows an artifact across a change asks this module: the rules
(a renamed chunk is not new, its lifecycle continues), reference hints ("renamed to x?"), the
created_after history replay, bulk suppressions and ``ve-validate --new-from-rev``.

**The policy.** Artifacts share their template, so git readily pairs a deleted artifact with an
unrelated new one (even at 100% similarity). A vanished name and an appearing name of the same
kind are one artifact when, in this order:

1. they share a key (``0007-cli_split`` -> ``cli_split``: a legacy numbered name, :func:`same_key`);
2. the main document or PLAN.md is byte for byte the old one (a pure ``git mv``);
3. the main document is similar enough *and* something a new artifact cannot share by accident
   with the one it replaces agrees. What counts as similar, and what must agree, depends on what
   the caller can see, so each use passes its threshold as a named parameter:

   - two snapshots (:func:`renamed`): the same non-empty ``created_after`` and at least
     :data:`SNAPSHOT_SIMILARITY` of the lines alike;
   - one commit of the history (:func:`trusted_renames`): git's own pairing, trusted when the
     artifact's PLAN.md moved with it, or when git scores the main file at least
     :data:`HISTORY_SIMILARITY` percent and no file of either directory contradicts the move.

A pairing is never ambiguous: each vanished name pairs at most once, and an appearing name with
two candidates (or a blob that is also another added or deleted file's) stays new.

**Status.** An external reference (``external.yaml``, no main document) points at shipped work:
it counts as ACTIVE wherever a status is asked for (:func:`counted_status`).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ve_hooks.documents import artifacts as art
from ve_hooks.documents import frontmatter

if TYPE_CHECKING:
    from ve_hooks.repo import Facts, Repo

SNAPSHOT_SIMILARITY = 0.6
"""Line ratio (difflib) from which two snapshots' main documents with equal created_after pair."""

HISTORY_SIMILARITY = 90
"""git's similarity score (percent) from which a rename of a main file is trusted on its own."""

EXTERNAL_STATUS = "ACTIVE"
"""The status an external reference counts as: it points at shipped work."""


def same_key(a: str, b: str) -> bool:
    """Criterion 1: the names are equal once a legacy numeric prefix is dropped."""
    return art.bare_name(a) == art.bare_name(b)


def counted_status(role: str, facts: Facts) -> Facts:
    """``facts`` as the created_after graph counts them: an external reference is ACTIVE."""
    from ve_hooks.repo import Facts

    return Facts(EXTERNAL_STATUS, facts.created_after) if role == "external" else facts


# -- between two snapshots ---------------------------------------------------------------------


def _oids(repo: Repo, kind: str, name: str) -> set[str]:
    """Blob ids of an artifact's main document and PLAN.md: enough to recognise a moved directory."""
    d = f"{repo.root}/{art.DIR_OF[kind]}/{name}/"
    return {oid for p in (d + art.MAIN_FILE[kind], d + "PLAN.md") if p in repo.files and (oid := repo.oid(p))}


def _created_after(repo: Repo, kind: str, name: str) -> Any:
    r = repo.doc(kind, name)
    return r.data.get("created_after") if isinstance(r, frontmatter.Doc) else None


def _lines(repo: Repo, kind: str, name: str) -> list[bytes]:
    data = repo.raw(art.main_path(kind, name, repo.root))
    return data.splitlines() if data is not None else []


def _similar(repo: Repo, base: Repo, kind: str, new: str, old: str, similarity: float) -> bool:
    ca = _created_after(repo, kind, new)
    if not ca or ca != _created_after(base, kind, old):
        return False
    a, b = _lines(repo, kind, new), _lines(base, kind, old)
    return bool(a and b) and difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= similarity


def renamed(repo: Repo, base: Repo | None, kind: str, *,
            similarity: float = SNAPSHOT_SIMILARITY) -> dict[str, str]:
    """New name -> old name for the artifacts of ``kind`` that ``repo`` renamed since ``base``.

    Only names that appear (in ``repo``, not in ``base``) are paired with names that vanish, so
    the cost is proportional to the change. Memoised per snapshot pair and kind.
    """
    if base is None or kind not in art.KINDS:
        return {}
    memo: dict[tuple[int, str, float], dict[str, str]] = repo.memo.setdefault(__name__, {})
    slot = (id(base), kind, similarity)
    if slot in memo:
        return memo[slot]
    old_names, new_names = base.names(kind), repo.names(kind)
    born = sorted(n for n, a in new_names.items() if n not in old_names and a.role == "main")
    gone = sorted(n for n, a in old_names.items() if n not in new_names and a.role == "main")
    out: dict[str, str] = {}
    if born and gone:
        tests: tuple[Callable[[str, str], bool], ...] = (
            same_key,
            lambda new, old: bool(_oids(repo, kind, new) & _oids(base, kind, old)),
            lambda new, old: _similar(repo, base, kind, new, old, similarity),
        )
        for test in tests:
            for new in born:
                if new in out:
                    continue
                hits = [old for old in gone if old not in out.values() and test(new, old)]
                if len(hits) == 1:
                    out[new] = hits[0]
    memo[slot] = out
    return out


def old_name(repo: Repo, base: Repo | None, kind: str, name: str) -> str | None:
    """The name artifact ``name`` had in ``base``: itself, its name before a rename, or None (new)."""
    if base is None:
        return None
    if name in base.names(kind):
        return name
    return renamed(repo, base, kind).get(name)


def moved_to(repo: Repo, base: Repo | None, kind: str, name: str) -> str | None:
    """The name ``base``'s artifact ``name`` has in ``repo`` after a rename, or None."""
    if base is None or name not in base.names(kind) or name in repo.names(kind):
        return None
    return next((new for new, old in renamed(repo, base, kind).items() if old == name), None)


# -- within one commit of the history ----------------------------------------------------------

RawChange = tuple[str, "str | None", "str | None", "str | None", "str | None", int]
"""git's raw change: (status A|M|D|R, old path, new path, old blob id, new blob id, rename score)."""

Change = tuple[str, "str | None", "str | None", "str | None", "str | None"]
"""(status A|M|D|R, old path, new path, old blob id, new blob id); R only for a trusted rename."""


def trusted_renames(raw: list[RawChange], root: str, *, similar: int = HISTORY_SIMILARITY) -> list[Change]:
    """Keep git's rename pairs that move an artifact; split the others into delete + add.

    A pair moving one artifact directory to another is trusted when the names share a key, or,
    unless ambiguous, when git pairs the artifact's other file (PLAN.md) the same way, or scores
    the main file at least ``similar`` while no other file of the two directories contradicts it
    (deleted from the old one or added to the new one instead of moving). Ambiguous: the old or
    the new blob is also the blob of another file added or deleted in the commit (an unedited
    template), where git's choice among equals is arbitrary.
    """
    dirs: dict[str, set[str]] = {}
    olds: Counter[str] = Counter()
    news: Counter[str] = Counter()
    for st, _old, _new, ooid, noid, _ in raw:
        if st in ("R", "D") and ooid:
            olds[ooid] += 1
        if st in ("R", "A") and noid:
            news[noid] += 1
    for st, old, new, _, _, _ in raw:
        if st == "R" and old and new:
            dirs.setdefault(_dir(old), set()).add(_dir(new))
    raw = _pair_by_plan(raw, root)
    out: list[Change] = []
    for st, old, new, ooid, noid, score in raw:
        if st != "R":
            out.append((st, old, new, ooid, noid))
            continue
        assert old is not None and new is not None
        a, b = art.classify(old, root), art.classify(new, root)
        trusted = False
        if a is not None and b is not None and a.kind == b.kind and a.role == b.role:
            if same_key(a.name, b.name):
                trusted = True
            elif not ((ooid and olds[ooid] > 1) or (noid and news[noid] > 1)):
                moved_together = len(dirs.get(_dir(old), ())) == 1 and _paired_plan(raw, old, new)
                trusted = moved_together or (score >= similar and not _left_behind(raw, old, new))
        if trusted:
            out.append(("R", old, new, ooid, noid))
        else:
            out.append(("D", old, None, ooid, None))
            out.append(("A", None, new, None, noid))
    return out


def _pair_by_plan(raw: list[RawChange], root: str) -> list[RawChange]:
    """A main file rewritten too much for git to pair, whose PLAN.md moved, moved with it."""
    plan_moves: dict[str, set[str]] = {}
    for st, old, new, _, _, _ in raw:
        if st == "R" and old and new and old.endswith("/PLAN.md") and new.endswith("/PLAN.md"):
            plan_moves.setdefault(_dir(old), set()).add(_dir(new))
    if not plan_moves:
        return raw
    deleted = {_dir(old): n for n, (st, old, _, _, _, _) in enumerate(raw)
               if st == "D" and old and (a := art.classify(old, root)) is not None and a.role == "main"}
    added = {_dir(new): n for n, (st, _, new, _, _, _) in enumerate(raw)
             if st == "A" and new and (a := art.classify(new, root)) is not None and a.role == "main"}
    out = list(raw)
    drop: set[int] = set()
    for od, targets in plan_moves.items():
        (nd,) = targets if len(targets) == 1 else (None,)
        if nd is None or od not in deleted or nd not in added:
            continue
        d, a = raw[deleted[od]], raw[added[nd]]
        out[deleted[od]] = ("R", d[1], a[2], d[3], a[4], 0)
        drop.add(added[nd])
    return [x for n, x in enumerate(out) if n not in drop]


def _left_behind(raw: list[RawChange], old: str, new: str) -> bool:
    """Did the old directory lose another file, or the new one gain one, without a move?

    Then the two are different artifacts whose main files merely look alike (the template).
    """
    od, nd = _dir(old), _dir(new)
    return any((st == "D" and o and _dir(o) == od) or (st == "A" and n and _dir(n) == nd)
               for st, o, n, _, _, _ in raw)


def _dir(path: str) -> str:
    return path.rsplit("/", 1)[0]


def _paired_plan(raw: list[RawChange], old: str, new: str) -> bool:
    """Did another file of the old directory move to the new one in the same commit?"""
    od, nd = _dir(old), _dir(new)
    return any(st == "R" and o and n and o != old and _dir(o) == od and _dir(n) == nd
               for st, o, n, _, _, _ in raw)
