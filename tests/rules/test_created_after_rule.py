"""VE601-VE606 on real repositories, and through ``ve-validate``."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from rule_support import run_rule
from support.cli import script
from support.repo_factory import GitRepo

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.rules import created_after as ordering

VE_VALIDATE = script("ve-validate")


def _check(r: GitRepo, *, staged: bool = False, rev: str | None = None) -> list[Diagnostic]:
    return run_rule(ordering.check, r, staged=staged, rev=rev)


def codes(ds: list[Diagnostic]) -> list[tuple[str, str]]:
    return [(d.rule, d.path.split("/")[2]) for d in ds]


def test_future_self_duplicate(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.chunk("f", "FUTURE", created_after=["a"])
    repo.chunk("b", created_after=["f", "b", "a", "a"])
    repo.commit()
    ds = _check(repo, rev="HEAD")
    assert codes(ds) == [("VE601", "b"), ("VE602", "b"), ("VE604", "b")]
    by = {d.rule: d for d in ds}
    assert "'f'" in by["VE601"].message and (by["VE601"].line, by["VE601"].column) == (14, 17)  # the list item
    assert by["VE604"].severity is Severity.ERROR


def test_cycle_is_reported_with_its_path_only_for_members(repo: GitRepo) -> None:
    repo.chunk("a", created_after=["c"])
    repo.chunk("b", created_after=["a"])
    repo.chunk("c", created_after=["b"])
    repo.chunk("d", created_after=["a"])  # leads into the cycle, is not on it
    repo.chunk("e", created_after=["ghost"])  # dangling: VE401's business
    repo.commit()
    ds = _check(repo, rev="HEAD")
    assert codes(ds) == [("VE603", "a"), ("VE603", "b"), ("VE603", "c")]
    assert ds[0].message.endswith("a -> c -> b -> a")
    assert ds[0].data["cycle"] == ["a", "c", "b", "a"]


def test_new_artifact_against_the_tips_of_head(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.chunk("b", created_after=["a"])
    repo.chunk("c", created_after=["a"])
    repo.commit()
    repo.chunk("ok", "FUTURE", created_after=["c", "b"])
    repo.chunk("off", "FUTURE", created_after=["a", "b", "ghost"])
    repo.chunk("empty", "FUTURE")
    repo.chunk("b", created_after=[])  # not new: never VE605/VE606
    repo.add()
    ds = _check(repo, staged=True)
    assert codes(ds) == [("VE606", "empty"), ("VE605", "off")]
    empty, off = ds
    assert empty.severity is Severity.WARNING and empty.fixable and "b, c" in empty.message
    assert off.severity is Severity.WARNING
    assert "'a'" in off.message and "'c'" in off.message and "ghost" not in off.message
    assert "ve created-after fill --refresh docs/chunks/off/GOAL.md" in off.hint


def test_first_artifact_may_have_empty_created_after(repo: GitRepo) -> None:
    repo.chunk("first")
    repo.add()
    assert _check(repo, staged=True) == []
    repo.commit()
    assert _check(repo, rev="HEAD") == []  # a root commit: nothing existed before


def test_commit_mode_compares_with_the_first_parent(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.chunk("b", created_after=["a"])
    repo.chunk("c")
    repo.commit()
    assert codes(_check(repo, rev="HEAD")) == [("VE606", "c")]


def _cli(r: GitRepo, *args: str) -> tuple[int, list[dict[str, Any]]]:
    p = subprocess.run([VE_VALIDATE, "--format", "json", "--select", "VE6", *args], cwd=r.path,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)["diagnostics"]


def test_through_ve_validate(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.chunk("b", created_after=["b"])
    rc, ds = _cli(repo)
    assert rc == 1
    assert {d["rule"] for d in ds} == {"VE602", "VE605"}
