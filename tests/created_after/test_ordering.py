"""Pure ordering: tips, cycles, the DAG. No git, no files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ve_hooks.created_after import graph as order


@dataclass
class F:
    status: Any
    created_after: Any = None


ACTIVE = order.statuses_predicate(["ACTIVE"])
ANY = order.statuses_predicate([])


def test_tips_single_chain() -> None:
    facts = {"a": F("ACTIVE"), "b": F("ACTIVE", ["a"]), "c": F("ACTIVE", ["b"])}
    assert order.tips(facts, ACTIVE) == ["c"]


def test_multiple_tips_and_future_siblings_do_not_hide_tips() -> None:
    facts = {"a": F("ACTIVE"), "b": F("ACTIVE", ["a"]), "c": F("ACTIVE", ["a"]),
             "f": F("FUTURE", ["b", "c"])}
    assert order.tips(facts, ACTIVE) == ["b", "c"]
    assert order.tips(facts, ANY) == ["f"]


def test_exclude_and_empty() -> None:
    assert order.tips({}, ACTIVE) == []
    assert order.tips({"a": F("ACTIVE")}, ACTIVE, exclude=["a"]) == []


def test_legacy_numbered_names_match_bare_references() -> None:
    facts = {"0001-foo": F("ACTIVE"), "bar": F("ACTIVE", ["foo"])}
    assert order.tips(facts, ACTIVE) == ["bar"]
    facts = {"foo": F("ACTIVE"), "bar": F("ACTIVE", ["docs/chunks/0001-foo/GOAL.md"])}
    assert order.tips(facts, ACTIVE) == ["bar"]


def test_refs_tolerates_bad_shapes() -> None:
    assert order.refs(None) == []
    assert order.refs("x") == ["x"]
    assert order.refs(["a", 3, None, "", "chunks/b/"]) == ["a", "b"]
    assert order.refs({"a": 1}) == []


def test_self_reference_is_not_a_tip() -> None:
    assert order.tips({"a": F("ACTIVE", ["a"])}, ACTIVE) == []


def test_cycle_through_returns_the_shortest_path() -> None:
    g = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["b"], "e": ["a"]}
    assert order.cycle_through(g, "a") == ["a", "b", "c", "a"]
    assert order.cycle_through(g, "d") == ["d", "b", "c", "d"]
    assert order.cycle_through(g, "e") is None  # leads into a cycle, is not on one
    assert order.cycle_through({"s": ["s"]}, "s") == ["s", "s"]


def test_find_cycle() -> None:
    assert order.find_cycle({"a": ["b"], "b": []}) is None
    cyc = order.find_cycle({"a": ["b"], "b": ["c"], "c": ["b"]})
    assert cyc is not None and cyc[0] == cyc[-1] and set(cyc) == {"b", "c"}
    deep = {str(i): [str(i + 1)] for i in range(5000)}
    deep["5000"] = ["0"]
    assert len(order.find_cycle(deep) or []) == 5002  # no recursion limit


def test_dag_edges_dangling_and_tips() -> None:
    facts = {"a": F("ACTIVE"), "b": F("ACTIVE", ["a", "a", "ghost"]), "f": F("FUTURE", ["b"])}
    d = order.dag(facts, ACTIVE)
    assert d.nodes == {"a": "ACTIVE", "b": "ACTIVE", "f": "FUTURE"}
    assert d.edges == [("b", "a"), ("f", "b")]
    assert d.dangling == [("b", "ghost")]
    assert d.tips == ["b"]
