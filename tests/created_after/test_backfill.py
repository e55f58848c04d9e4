"""``ve created-after backfill``: creation on any branch, renames, merges and the audit classes.

Every shape here is one found in vibe-engineer's own history: chunks created on ``orch/``
branches and merged later, pull merges that put the mainline second, merges that add a chunk
themselves, directory renames with PLAN.md moving along, archives and re-adds, concurrent
branches.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import ve
from support.repo_factory import GitRepo, chunk_goal

from ve_hooks import config as config_mod
from ve_hooks.cache import Cache
from ve_hooks.created_after import audit
from ve_hooks.project import locate


def run_backfill(repo: GitRepo, *args: str, code: int | None = None) -> dict[str, Any]:
    p = ve("created-after", "backfill", "--format", "json", *args, cwd=repo.path)
    assert p.returncode in ((0, 1) if code is None else (code,)), p.stderr
    return json.loads(p.stdout)


def rows(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in out["artifacts"]}


def computed(repo: GitRepo) -> dict[str, audit.Row]:
    loc = locate(repo.path)
    return {r.name: r for r in audit.backfill(loc, config_mod.load(loc.root), Cache(None)).rows}


def plan(repo: GitRepo, name: str, text: str = "") -> None:
    repo.write(f"docs/chunks/{name}/PLAN.md", f"# Plan for {name}\n\n{text or 'Steps.'}\n" * 3)


def test_classes_on_a_linear_history(repo: GitRepo) -> None:
    repo.chunk("a")
    c1 = repo.commit("a")
    repo.chunk("b", created_after=["a"])  # exact
    repo.chunk("fut", "FUTURE", created_after=["a"])
    c2 = repo.commit("b, fut")
    repo.chunk("c")  # missing
    repo.chunk("d", created_after=["a"])  # a existed, shipped, but b follows it: older
    repo.chunk("e", created_after=["fut"])  # fut existed but was FUTURE: the older rule
    repo.chunk("g", created_after=["later"])  # later is created after g: causality
    repo.chunk("h", created_after=["nowhere"])  # dangling
    repo.chunk("s", created_after=["t"])  # t is created in the same commit: sibling
    repo.chunk("t", created_after=["b"])  # exact
    repo.commit("c..t")
    repo.chunk("later", created_after=["c", "d", "e", "g", "h", "s"])
    repo.commit("later")
    out = run_backfill(repo, code=1)
    r = rows(out)
    assert r["a"] == {"kind": "chunk", "name": "a", "path": "docs/chunks/a/GOAL.md", "created_in": c1,
                      "introduced_in": c1, "current": [], "computed": [], "class": "exact",
                      "actionable": False, "entries": {}}
    assert r["b"]["created_in"] == c2 and r["b"]["computed"] == ["a"] and r["b"]["class"] == "exact"
    classes = {n: (x["class"], x["actionable"]) for n, x in r.items()}
    assert classes == {"a": ("exact", False), "b": ("exact", False), "fut": ("exact", False),
                       "c": ("missing", True), "d": ("older", False), "e": ("future", False),
                       "g": ("causality", True), "h": ("dangling", True), "s": ("sibling", False),
                       "t": ("exact", False), "later": ("exact", False)}
    assert r["d"]["entries"] == {"a": "older"} and r["g"]["entries"] == {"later": "causality"}
    s = out["summary"]
    assert (s["exact"], s["actionable"], s["missing"], s["dangling"], s["causality"], s["commits"]) == \
        (5, 3, 1, 1, 1, 4)
    assert out["version"] == 2 and isinstance(s["seconds"], float)


def test_documents_the_pre_scan_refuses_are_read_by_the_full_parse(repo: GitRepo) -> None:
    """The replay pre-scans status/created_after; a frontmatter outside its subset (an anchor and
    an alias here) must still be read, by the parse, exactly: b ACTIVE after a, c after b."""
    from ve_hooks.documents import prescan

    odd = chunk_goal("ACTIVE", ["a"]).replace("status: ACTIVE", "status: &st ACTIVE", 1)
    odd = odd.replace("ticket: null", "ticket: null\nalias_of_status: *st", 1)
    assert prescan.facts(odd.encode()) is None
    repo.chunk("a")
    repo.commit("a")
    repo.write("docs/chunks/b/GOAL.md", odd)
    repo.commit("b")
    repo.chunk("c", created_after=["b"])
    repo.commit("c")
    r = computed(repo)
    assert (r["b"].current, r["b"].computed, r["b"].cls) == (["a"], ["a"], "exact")
    assert (r["c"].current, r["c"].computed, r["c"].cls) == (["b"], ["b"], "exact")


def test_subset_and_a_value_written_by_a_migration(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.chunk("b")
    repo.commit()
    repo.chunk("sub", created_after=["a"])  # one of the two tips
    repo.write("docs/chunks/old/GOAL.md", chunk_goal().replace("created_after: []\n", ""))  # field absent
    repo.commit()
    repo.chunk("old", created_after=["a"])  # a migration writes it later, under another rule
    migration = repo.commit("migration: populate created_after")
    r = computed(repo)
    assert r["sub"].cls == "subset" and not r["sub"].actionable
    assert r["old"].cls == "migration" and r["old"].introduced_in == migration


def test_side_branch_creation_is_dated_on_the_branch(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit("a")
    repo.git("checkout", "-q", "-b", "orch/t")
    repo.chunk("t", created_after=["a"])
    on_branch = repo.commit("t")
    repo.git("checkout", "-q", "main")
    repo.chunk("m", created_after=["a"])
    repo.commit("m")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "orch/t")
    repo.chunk("z", created_after=["m", "t"])
    repo.commit("z")
    r = computed(repo)
    assert r["t"].created_in == on_branch and r["t"].computed == ["a"] and r["t"].cls == "exact"
    assert r["m"].computed == ["a"] and r["z"].computed == ["m", "t"] and r["z"].cls == "exact"


def test_pull_merge_puts_the_mainline_second(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.git("checkout", "-q", "-b", "upstream")
    repo.chunk("u", created_after=["a"])
    upstream = repo.commit("u upstream")
    repo.git("checkout", "-q", "main")
    repo.chunk("x", created_after=["a"])
    local = repo.commit("x local")
    repo.git("merge", "-q", "--no-edit", "upstream", "-m", "Merge remote-tracking branch 'origin/main'")
    assert repo.git("rev-parse", "HEAD^1").strip() == local
    repo.chunk("z", created_after=["u", "x"])
    repo.commit()
    r = computed(repo)
    assert r["u"].created_in == upstream and r["u"].computed == ["a"]
    assert r["x"].created_in == local and r["x"].computed == ["a"]
    assert r["z"].computed == ["u", "x"] and all(x.cls == "exact" for x in r.values())


def test_a_merge_that_adds_a_chunk_itself_creates_it(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.git("checkout", "-q", "-b", "topic")
    repo.chunk("t", created_after=["a"])
    repo.commit()
    repo.git("checkout", "-q", "main")
    repo.chunk("m", created_after=["a"])
    repo.commit()
    repo.git("merge", "-q", "--no-ff", "--no-commit", "topic")
    repo.chunk("mm", created_after=["m"])
    merge = repo.commit("merge topic, adding mm")
    r = computed(repo)
    assert r["mm"].created_in == merge and r["mm"].computed == ["m"] and r["mm"].cls == "exact"
    assert r["t"].created_in != merge


def chain(repo: GitRepo) -> str:
    """a <- b <- c, each chunk with a PLAN.md, one commit each; returns the commit creating b."""
    repo.chunk("a")
    plan(repo, "a")
    repo.commit()
    repo.chunk("b", created_after=["a"])
    plan(repo, "b")
    created_b = repo.commit()
    repo.chunk("c", created_after=["b"])
    repo.commit()
    return created_b


def test_rename_to_another_name_keeps_the_identity(repo: GitRepo) -> None:
    created_b = chain(repo)
    repo.git("mv", "docs/chunks/b", "docs/chunks/b_renamed")  # git scores it 100%, PLAN.md moves too
    repo.commit("Rename chunk b to b_renamed")
    # a rename git scores low (the goal rewritten) but whose PLAN.md moves the same way
    repo.git("mv", "docs/chunks/a", "docs/chunks/a_renamed")
    repo.chunk("a_renamed", body="A new goal entirely.\n" * 30)
    repo.commit("Rename chunk a to a_renamed, rewriting it")
    repo.chunk("d", created_after=["c"])
    repo.commit()
    r = computed(repo)
    assert set(r) == {"a_renamed", "b_renamed", "c", "d"}
    assert r["b_renamed"].created_in == created_b and r["b_renamed"].computed == ["a_renamed"]
    assert r["b_renamed"].cls == "dangling" and r["b_renamed"].entries == {"a": "dangling"}
    assert r["c"].computed == ["b_renamed"] and r["c"].cls == "dangling"  # it still says "b"
    out = run_backfill(repo, "--write")
    assert sorted(out["written"]) == ["docs/chunks/b_renamed/GOAL.md", "docs/chunks/c/GOAL.md"]
    assert b'created_after: ["b_renamed"]\n' in repo.read("docs/chunks/c/GOAL.md")
    repo.commit("fix")
    # d was created while c still said "b", so b_renamed was a tip too: d lists a subset
    assert {n: x.cls for n, x in computed(repo).items()} == {"a_renamed": "exact", "b_renamed": "exact",
                                                             "c": "exact", "d": "subset"}


def test_bare_name_rename_and_an_ambiguous_template_pair(repo: GitRepo) -> None:
    repo.chunk("0001-foo")
    c1 = repo.commit()
    repo.chunk("0002-bar", created_after=["0001-foo"])
    repo.chunk("tmpl1", "FUTURE")
    repo.chunk("tmpl2", "FUTURE")
    c2 = repo.commit()
    shutil.rmtree(repo.path / "docs/chunks/0001-foo")
    repo.chunk("foo", body="entirely different\n" * 40)  # too different for git: the bare name pairs it
    repo.git("mv", "docs/chunks/0002-bar", "docs/chunks/bar")
    repo.commit("drop the numeric prefixes")
    # two unedited templates out, two in: git's pairing among identical blobs is arbitrary
    for n in ("tmpl1", "tmpl2"):
        shutil.rmtree(repo.path / f"docs/chunks/{n}")
    repo.chunk("fresh1", "FUTURE")
    repo.chunk("fresh2", "FUTURE")
    fresh = repo.commit("replace the placeholders")
    r = computed(repo)
    assert r["foo"].created_in == c1 and r["bar"].created_in == c2 and r["bar"].cls == "exact"
    assert r["fresh1"].created_in == fresh and r["fresh2"].created_in == fresh


def test_delete_then_re_add_and_a_reused_name(repo: GitRepo) -> None:
    created_b = chain(repo)
    repo.git("mv", "docs/chunks/b", "docs/archive_b")  # archived
    repo.commit("archive b")
    repo.chunk("d", created_after=["c"])
    repo.commit()
    repo.git("mv", "docs/archive_b", "docs/chunks/b")  # and back: the same chunk
    repo.commit("restore b")
    repo.chunk("x", created_after=["d"])
    plan(repo, "x")
    repo.commit()
    repo.chunk("y", created_after=["x"])
    repo.commit()
    repo.git("mv", "docs/chunks/x", "docs/chunks/x_moved")
    repo.commit("rename x")
    repo.chunk("x", created_after=["y"])  # the old name reused: another chunk
    reused = repo.commit("a new x")
    r = computed(repo)
    assert r["b"].created_in == created_b and r["b"].computed == ["a"] and r["b"].cls == "exact"
    assert r["y"].computed == ["x_moved"]  # the x it saw is x_moved today, not the new x
    # y's "x" meant the renamed one, so x_moved was a tip again; today it designates the new x
    assert r["x"].created_in == reused and r["x"].computed == ["x_moved", "y"]
    assert r["y"].cls == "causality" and r["y"].entries == {"x": "causality"}
    assert r["x_moved"].computed == ["d"]


def test_two_branches_creating_concurrently(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.git("branch", "orch/q")
    repo.git("checkout", "-q", "-b", "orch/p")
    repo.chunk("p", created_after=["a"])
    p = repo.commit()
    repo.git("checkout", "-q", "orch/q")
    repo.chunk("q", created_after=["a", "p"])  # p exists only on the other branch
    q = repo.commit()
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "orch/p")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "orch/q")
    repo.chunk("z", created_after=["q"])
    repo.commit()
    r = computed(repo)
    assert (r["p"].created_in, r["p"].computed) == (p, ["a"])
    assert (r["q"].created_in, r["q"].computed) == (q, ["a"])
    assert r["q"].cls == "concurrent" and r["q"].entries == {"p": "concurrent"}
    assert r["z"].computed == ["q"] and r["z"].cls == "exact"  # q names p: p is no tip


def test_no_name_absent_at_head_and_write_never_dangles(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.chunk("gone")
    repo.commit()
    repo.chunk("c")  # missing; the tips were a and gone
    repo.commit()
    repo.remove("docs/chunks/gone")
    repo.commit("delete gone")
    r = computed(repo)
    assert r["c"].computed == ["a"] and r["c"].cls == "missing"
    shutil.rmtree(repo.path / "docs/chunks/a")  # deleted in the worktree, not yet committed
    out = run_backfill(repo, "--write", code=1)
    assert out["written"] == []
    assert out["left"] == [{"path": "docs/chunks/c/GOAL.md",
                            "reason": "nothing to write: no tip at its creation exists any more"}]


def test_write_fixes_actionable_only_unless_all_and_says_what_it_left(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.chunk("b")  # missing
    repo.chunk("c", created_after=["b"])  # sibling: informational
    repo.chunk("e")  # missing, but edited in the worktree below
    repo.commit()
    before_c = repo.read("docs/chunks/c/GOAL.md")
    repo.chunk("e", created_after=["b"])
    p = ve("created-after", "backfill", "--write", cwd=repo.path)
    assert p.returncode == 1  # e is left
    assert "Fixing docs/chunks/b/GOAL.md" in p.stdout
    assert "Left docs/chunks/e/GOAL.md: created_after was edited since HEAD" in p.stderr
    assert b'created_after: ["a"]\n' in repo.read("docs/chunks/b/GOAL.md")
    assert repo.read("docs/chunks/c/GOAL.md") == before_c
    repo.chunk("e")
    out = run_backfill(repo, "--write", "--all")
    assert out["written"] == ["docs/chunks/c/GOAL.md", "docs/chunks/e/GOAL.md"]
    assert b'created_after: ["a"]\n' in repo.read("docs/chunks/c/GOAL.md")


def test_text_lists_actionable_ones_and_all_lists_everything(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.chunk("b")
    repo.chunk("s", created_after=["b"])
    c = repo.commit()
    p = ve("created-after", "backfill", cwd=repo.path)
    assert p.returncode == 1
    assert p.stdout.splitlines()[0] == (f"missing    chunk b: current [], computed ['a'] (value from {c[:12]}, "
                                        f"created in {c[:12]})")
    assert "chunk s" not in p.stdout and "chunk a" not in p.stdout
    assert "3 artifacts: 1 exact; 1 actionable (1 missing); 1 informational (1 sibling)" in p.stdout
    p = ve("created-after", "backfill", "--all", cwd=repo.path)
    assert "sibling    chunk s:" in p.stdout and "b: sibling" in p.stdout and "exact      chunk a" in p.stdout


def test_empty_repo_and_plain_directory(repo: GitRepo, tmp_path: Path) -> None:
    out = run_backfill(repo, code=0)
    assert out["artifacts"] == [] and out["summary"]["commits"] == 0
    repo.write("README.md", "x")
    repo.commit()
    assert run_backfill(repo, code=0)["artifacts"] == []
    plain = tmp_path / "plain"
    plain.mkdir()
    p = ve("created-after", "backfill", cwd=plain)
    assert p.returncode == 2 and "not a git repository" in p.stderr and "Traceback" not in p.stderr


# --- the definition, brute force, against random branchy histories -------------------------------

@dataclass
class Version:
    ident: int
    status: str
    created_after: list[str]
    token: str  # makes every chunk's blobs unique, so git's rename pairing is never ambiguous


class Model:
    """What the definition says, kept beside a real repository built from the same random steps.

    Side branches touch only the chunks they create, so every merge is conflict-free and its
    result is the first parent plus the side's own chunks, whichever side is first.
    """

    def __init__(self, repo: GitRepo, rnd: random.Random) -> None:
        self.repo, self.rnd = repo, rnd
        self.snaps: dict[str, dict[str, Version]] = {"main": {}}
        self.owned: dict[str, set[int]] = {}
        self.holder: dict[str, int] = {}  # name -> identity (dropped when renamed away)
        self.created_from: dict[int, dict[str, Version]] = {}  # identity -> first parent's snapshot
        self.counter = 0

    def fresh(self) -> int:
        self.counter += 1
        return self.counter

    def write(self, name: str, v: Version, plan: bool = True) -> None:
        self.repo.chunk(name, v.status, v.created_after, body=f"# Goal {v.token}\n\nDo {v.token}.\n")
        if plan:
            self.repo.write(f"docs/chunks/{name}/PLAN.md", f"# Plan {v.token}\n\nSteps for {v.token}.\n")

    def touchable(self, branch: str) -> list[str]:
        snap = self.snaps[branch]
        if branch == "main":
            busy = set().union(*self.owned.values()) if self.owned else set()
            return sorted(n for n, v in snap.items() if v.ident not in busy)
        return sorted(n for n, v in snap.items() if v.ident in self.owned[branch])

    def add(self, branch: str, before: dict[str, Version]) -> None:
        k = self.fresh()
        name = f"{k:04d}-c{k}" if self.rnd.random() < 0.2 else f"c{k}"
        pool = sorted(self.snaps[branch])
        v = Version(k, self.rnd.choice(["ACTIVE", "ACTIVE", "FUTURE", "HISTORICAL"]),
                    self.rnd.sample(pool, min(len(pool), self.rnd.randint(0, 2))), f"t{k}")
        self.snaps[branch][name] = v
        self.holder[name] = k
        self.created_from[k] = before
        if branch != "main":
            self.owned[branch].add(k)
        self.write(name, v)

    def step(self, branch: str) -> None:
        """One commit on ``branch``: adds, status changes, renames, deletes, re-adds."""
        if self.repo.git("rev-parse", "-q", "--verify", "HEAD", check=False):
            self.repo.git("checkout", "-q", branch)
        snap = self.snaps[branch]
        before = dict(snap)
        revived: set[str] = set()  # revived or renamed in this commit: renaming it again would hide it
        for _ in range(self.rnd.randint(1, 2)):
            mine = [n for n in self.touchable(branch) if n in snap and n not in revived]
            alive = {v.ident for s in self.snaps.values() for v in s.values()}
            unmerged = set().union(*self.owned.values()) if self.owned else set()  # not in main's history
            dead = sorted(n for n, i in self.holder.items() if i not in alive | unmerged and n not in snap)
            action = self.rnd.choice(["add", "add", "status", "rename", "delete", "readd"])
            if action == "status" and mine:
                n = self.rnd.choice(mine)
                snap[n] = Version(snap[n].ident, self.rnd.choice(["ACTIVE", "FUTURE", "SUPERSEDED"]),
                                  snap[n].created_after, snap[n].token)
                self.write(n, snap[n], plan=False)
            elif action == "rename" and mine:
                n = self.rnd.choice(mine)
                v = snap.pop(n)
                bare = n.split("-", 1)[1] if n[:4].isdigit() else None
                new = bare if bare and bare not in self.holder else f"r{self.fresh()}"
                if self.holder.get(n) == v.ident:
                    del self.holder[n]
                self.holder[new] = v.ident
                if new == bare:  # a bare-name rename with the goal rewritten: git cannot pair it
                    shutil.rmtree(self.repo.path / f"docs/chunks/{n}")
                    v = Version(v.ident, v.status, v.created_after, f"{v.token}x")
                    self.write(new, v)
                else:
                    (self.repo.path / f"docs/chunks/{n}").rename(self.repo.path / f"docs/chunks/{new}")
                snap[new] = v
                revived.add(new)
            elif action == "delete" and mine:
                n = self.rnd.choice(mine)
                v = snap.pop(n)
                if n not in before or before[n].ident != v.ident:
                    del self.holder[n]  # named so and deleted in one commit: git never sees the name
                shutil.rmtree(self.repo.path / f"docs/chunks/{n}")
            elif action == "readd" and dead and branch == "main":
                n = self.rnd.choice(dead)
                snap[n] = Version(self.holder[n], "ACTIVE", [], f"t{self.holder[n]}r{self.fresh()}")
                revived.add(n)
                self.write(n, snap[n])
            else:
                self.add(branch, before)
        self.repo.commit(f"step on {branch}")

    def branch(self) -> str:
        name = f"orch/s{self.fresh()}"
        self.repo.git("branch", name, "main")
        self.snaps[name] = dict(self.snaps["main"])
        self.owned[name] = set()
        return name

    def merge(self, side: str) -> None:
        """Merge ``side`` into main: normally, or as a pull (main second); maybe adding a chunk."""
        theirs = {n: v for n, v in self.snaps[side].items() if v.ident in self.owned[side]}
        pull = self.rnd.random() < 0.4
        adds = self.rnd.random() < 0.3
        first = side if pull else "main"
        other = "main" if pull else side
        self.repo.git("checkout", "-q", first)
        if self.repo.git("rev-parse", "HEAD") == self.repo.git("rev-parse", other):
            adds = False
        before = dict(self.snaps[first])
        self.repo.git("merge", "-q", "--no-ff", "--no-commit", other, check=False)
        merged = {**self.snaps["main"], **theirs}
        self.snaps[first] = merged
        if adds:
            self.add(first, before)
        del self.snaps[side], self.owned[side]
        self.repo.commit(f"Merge {other} into {first}")
        if pull:
            self.repo.git("checkout", "-q", "main")
            self.repo.git("reset", "-q", "--hard", side)
        self.snaps["main"] = merged
        self.repo.git("branch", "-q", "-D", side)

    def expected(self) -> dict[str, list[str]]:
        head = self.snaps["main"]
        name_of = {v.ident: n for n, v in head.items()}
        out = {}
        for n, v in head.items():
            seen = self.created_from[v.ident]
            named = {bare_key(r) for w in seen.values() if w.status == "ACTIVE" for r in w.created_after}
            tips = [t for t, w in seen.items() if w.status == "ACTIVE" and bare_key(t) not in named]
            out[n] = sorted(name_of[seen[t].ident] for t in tips
                            if seen[t].ident in name_of and seen[t].ident != v.ident)
        return out


def bare_key(name: str) -> str:
    head, sep, tail = name.partition("-")
    return tail if sep and head.isdigit() and tail else name


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32 - 1), st.integers(2, 9))
def test_computed_equals_the_definition_on_random_branchy_histories(tmp_path_factory, seed, steps) -> None:  # type: ignore[no-untyped-def]
    rnd = random.Random(seed)
    repo = GitRepo.init(tmp_path_factory.mktemp("bf") / "r")
    model = Model(repo, rnd)
    model.step("main")
    open_sides: list[str] = []
    for _ in range(steps):
        r = rnd.random()
        if r < 0.25 and len(open_sides) < 2:
            open_sides.append(model.branch())
        elif r < 0.45 and open_sides:
            model.merge(open_sides.pop(rnd.randrange(len(open_sides))))
        else:
            model.step(rnd.choice(["main", *open_sides]))
    repo.git("checkout", "-q", "main")
    got = computed(repo)
    assert {n: r.computed for n, r in got.items()} == model.expected()
    assert all(c in got for r in got.values() for c in r.computed)  # nothing absent at HEAD


def test_the_agreement_script_measures_the_same_definition(tmp_path: Path) -> None:
    """benchmarks/created_after_agreement.py (what the closing figures come from) reads every commit
    whole, independently of the replay: on a branchy history it must agree completely."""
    rnd = random.Random(20261130)
    repo = GitRepo.init(tmp_path / "r")
    model = Model(repo, rnd)
    model.step("main")
    side = model.branch()
    for branch in ("main", side, side, "main"):
        model.step(branch)
    model.merge(side)
    model.step("main")
    repo.git("checkout", "-q", "main")
    script = Path(__file__).parents[2] / "benchmarks" / "created_after_agreement.py"
    p = subprocess.run([sys.executable, str(script), str(repo.path)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    n = len(model.expected())
    assert f"agreement: {n} of {n} chunks (100.0%)" in p.stdout and "absent at HEAD: 0 " in p.stdout, p.stdout


def test_a_shallow_clone_is_refused_not_misdated(repo: GitRepo, tmp_path: Path) -> None:
    """Its oldest commit would look like the creation of everything older: never audit or write."""
    repo.write("docs/chunks/a/GOAL.md", chunk_goal("ACTIVE"))
    repo.commit("a")
    repo.write("docs/chunks/b/GOAL.md", chunk_goal("ACTIVE", ["a"]))
    repo.commit("b")
    repo.write("docs/chunks/c/GOAL.md", chunk_goal("IMPLEMENTING", ["b"]))
    repo.commit("c")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True)
    before = (clone / "docs/chunks/c/GOAL.md").read_bytes()
    p = ve("created-after", "backfill", "--write", "--all", cwd=clone)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "shallow" in p.stderr and "--unshallow" in p.stderr and "Traceback" not in p.stderr
    assert (clone / "docs/chunks/c/GOAL.md").read_bytes() == before
    assert ve("created-after", "backfill", cwd=repo.path).returncode in (0, 1)  # the full clone audits
