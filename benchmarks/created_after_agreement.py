"""Measure ``ve created-after backfill`` against a brute-force reading of the definition.

Usage: ``python benchmarks/created_after_agreement.py REPO [--json OUT]`` (a clone with history).

Independent of the replay on purpose: every commit reachable from HEAD is read whole
(``git ls-tree`` per commit, not the diff stream of rewritten parents), identities are
assigned snapshot against snapshot, and the tips are recomputed from scratch with plain YAML
at the first parent of each creation commit. Only the rename rule (which pairs git reports
are trusted) is the definition's and therefore shared in spirit, re-implemented here.
Prints the agreement, every difference, and whether any computed name is absent at HEAD.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

SIMILAR = 90
KIND_DIR = "docs/chunks"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def key(name: str) -> str:
    head, sep, tail = name.partition("-")
    return tail if sep and head.isdigit() and tail else name


def snapshot(repo: Path, sha: str) -> dict[str, dict[str, str]]:
    """name -> {filename: blob id} for every chunk directory with a GOAL.md or external.yaml."""
    out: dict[str, dict[str, str]] = {}
    for line in git(repo, "ls-tree", "-r", sha, "--", KIND_DIR + "/").splitlines():
        meta, path = line.split("\t", 1)
        parts = path.split("/")
        if len(parts) == 4:
            out.setdefault(parts[2], {})[parts[3]] = meta.split()[2]
    return {n: f for n, f in out.items() if "GOAL.md" in f or "external.yaml" in f}


def renames(repo: Path, parent: str, sha: str) -> dict[str, str]:
    """new name -> old name for the moves the definition trusts."""
    out = git(repo, "diff", "-M", "--raw", "--no-abbrev", parent, sha, "--", KIND_DIR + "/")
    recs = []
    olds: Counter[str] = Counter()
    news: Counter[str] = Counter()
    for line in out.splitlines():
        meta, *paths = line.split("\t")
        m = meta.split()
        st = m[4][0]
        if st in "RD":
            olds[m[2]] += 1
        if st in "RA":
            news[m[3]] += 1
        old = paths[0].split("/") if st in "RDM" else None
        new = paths[-1].split("/") if st in "RAM" else None
        recs.append((st, old, new, int(m[4][1:] or 0), m[2], m[3]))
    main = ("GOAL.md", "external.yaml")
    plan_to: dict[str, set[str]] = {}
    for st, o, n, *_ in recs:
        if st == "R" and len(o) == 4 and len(n) == 4 and o[3] == n[3] == "PLAN.md":
            plan_to.setdefault(o[2], set()).add(n[2])
    found: dict[str, str] = {}
    for st, o, n, score, ooid, noid in recs:
        if st == "R" and len(o) == 4 and len(n) == 4 and o[3] == n[3] and o[3] in main:
            if key(o[2]) == key(n[2]):
                found[n[2]] = o[2]
            elif olds[ooid] < 2 and news[noid] < 2:
                contradicted = any((s2 == "D" and len(o2) == 4 and o2[2] == o[2])
                                   or (s2 == "A" and len(n2) == 4 and n2[2] == n[2]) for s2, o2, n2, *_ in recs)
                if plan_to.get(o[2]) == {n[2]} or (score >= SIMILAR and not contradicted):
                    found[n[2]] = o[2]
    # a main file rewritten beyond git's pairing still moves with its PLAN.md
    gone = {o[2] for st, o, n, *_ in recs if st == "D" and len(o) == 4 and o[3] in main}
    came = {n[2] for st, o, n, *_ in recs if st == "A" and len(n) == 4 and n[3] in main}
    for od, targets in plan_to.items():
        if len(targets) == 1 and od in gone and (nd := next(iter(targets))) in came:
            found.setdefault(nd, od)
    return found


def facts(repo: Path, oids: set[str]) -> dict[str, tuple[object, list[str]]]:
    out: dict[str, tuple[object, list[str]]] = {}
    p = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input=("\n".join(oids) + "\n").encode(),
                       capture_output=True, check=True)
    data = p.stdout
    pos = 0
    for _ in oids:
        nl = data.index(b"\n", pos)
        oid, _, size = data[pos:nl].decode().split()
        body = data[nl + 1:nl + 1 + int(size)].decode("utf-8", "replace")
        pos = nl + 1 + int(size) + 1
        try:
            if body.startswith("---"):
                doc = yaml.safe_load(body.split("---", 2)[1]) or {}
            else:
                doc = yaml.safe_load(body) or {}
        except yaml.YAMLError:
            doc = {}
        if not isinstance(doc, dict):
            doc = {}
        ca = doc.get("created_after")
        ca = [ca] if isinstance(ca, str) else ca if isinstance(ca, list) else []
        out[oid] = (doc.get("status"), [c.strip().rstrip("/").split("/")[-1] for c in ca if isinstance(c, str)])
    return out


def tips(snap: dict[str, dict[str, str]], f: dict[str, tuple[object, list[str]]]) -> list[str]:
    def status_refs(files: dict[str, str]) -> tuple[object, list[str]]:
        if "GOAL.md" in files:
            return f[files["GOAL.md"]]
        return ("ACTIVE", f[files["external.yaml"]][1])
    sr = {n: status_refs(files) for n, files in snap.items()}
    named = {key(r) for s, refs in sr.values() if s == "ACTIVE" for r in refs}
    return sorted(n for n, (s, _) in sr.items() if s == "ACTIVE" and key(n) not in named)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--json", type=Path, help="also write the comparison here")
    ap.add_argument("--backfill-json", type=Path, help="compare this backfill output instead of running ve")
    args = ap.parse_args()
    repo = args.repo
    commits = [line.split() for line in git(repo, "rev-list", "--topo-order", "--reverse", "--parents",
                                            "HEAD").splitlines()]
    snaps: dict[str, dict[str, dict[str, str]]] = {}
    idents: dict[str, dict[str, int]] = {}  # commit -> name -> identity
    holder: dict[str, int] = {}
    created: list[tuple[str, str | None]] = []  # identity -> (creation commit, its first parent)
    for sha, *parents in commits:
        snap = snapshot(repo, sha)
        snaps[sha] = snap
        fp = parents[0] if parents else None
        before = idents[fp] if fp else {}
        mine: dict[str, int] = {}
        moved = renames(repo, fp, sha) if fp and set(snap) != set(snaps[fp]) else {}
        gone = [n for n in before if n not in snap]
        taken: set[str] = set()
        for n in sorted(snap):
            if n in before:
                mine[n] = before[n]
                continue
            src = moved.get(n)
            if src is None or src not in gone or src in taken:
                src = next((g for g in gone if g not in taken and key(g) == key(n)), None)
            if src is not None:
                taken.add(src)
                mine[n] = before[src]
                if holder.get(src) == before[src]:
                    del holder[src]
            else:
                other = next((idents[p][n] for p in parents[1:] if n in idents[p]), None)
                if other is not None:
                    mine[n] = other
                elif n in holder:
                    mine[n] = holder[n]
                else:
                    mine[n] = len(created)
                    created.append((sha, fp))
            holder[n] = mine[n]
        idents[sha] = mine
    head = commits[-1][0]
    head_names = {i: n for n, i in idents[head].items()}
    needed = {c[1] for c in created if c[1]}
    oids = {o for s in needed for files in snaps[s].values() for o in files.values()
            if o in {files.get("GOAL.md"), files.get("external.yaml")}}
    f = facts(repo, oids)
    want: dict[str, list[str]] = {}
    for name, i in idents[head].items():
        _, fp = created[i]
        if fp is None:
            want[name] = []
            continue
        t = tips(snaps[fp], f)
        want[name] = sorted(head_names[idents[fp][n]] for n in t
                            if idents[fp][n] in head_names and idents[fp][n] != i)
    if args.backfill_json:
        text = args.backfill_json.read_text()
    else:
        text = subprocess.run([str(Path(sys.executable).parent / "ve"), "created-after", "backfill", "--kind",
                               "chunk", "--format", "json", "--all", "--repo", str(repo)],
                              capture_output=True, text=True).stdout
    got = {r["name"]: r for r in json.loads(text)["artifacts"]}
    same = [n for n in want if n in got and got[n]["computed"] == want[n]]
    diffs = {n: {"definition": want[n], "backfill": got.get(n, {}).get("computed")} for n in want if n not in same}
    absent = sorted({c for r in got.values() for c in r["computed"] if c not in idents[head]})
    print(f"agreement: {len(same)} of {len(want)} chunks ({100 * len(same) / max(1, len(want)):.1f}%)")
    print(f"computed names absent at HEAD: {len(absent)} {absent[:10]}")
    for n, d in sorted(diffs.items()):
        print(f"  {n}: definition {d['definition']}, backfill {d['backfill']}")
    if args.json:
        args.json.write_text(json.dumps({"agree": len(same), "total": len(want), "diffs": diffs}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
