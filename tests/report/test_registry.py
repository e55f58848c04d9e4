"""The format registry: one dict supplies --format choices; every reporter shares one interface."""

from __future__ import annotations

import io

import pytest

from ve_hooks.diagnostic import Summary, UsageError
from ve_hooks.report import FORMATS, REPORTER_BY_NAME, Reporter, render

from ._data import sample


def test_registry_names() -> None:
    assert FORMATS == ["text", "json", "github", "sarif", "junit"]
    for name, cls in REPORTER_BY_NAME.items():
        assert issubclass(cls, Reporter) and cls.name == name


@pytest.mark.parametrize("name", FORMATS)
def test_every_reporter_accepts_the_same_call(name: str) -> None:
    ds, summary = sample()
    direct, via_render = io.StringIO(), io.StringIO()
    REPORTER_BY_NAME[name](color=False).report(ds, summary, direct)
    render(name, ds, summary, stream=via_render, color=False)
    assert direct.getvalue() == via_render.getvalue()
    # input order never matters
    again = io.StringIO()
    render(name, list(reversed(ds)), summary, stream=again, color=False)
    assert again.getvalue() == direct.getvalue()


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown format 'xml'; choose one of text, json"):
        render("xml", [], Summary(), stream=io.StringIO())
