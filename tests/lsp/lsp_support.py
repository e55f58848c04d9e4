"""A small real repository for the language server tests, committed so HEAD is a base."""

from __future__ import annotations

from pathlib import Path

from support.repo_factory import GitRepo, chunk_goal

APP = "class Engine:\n    def run(self):\n        pass\n\n\ndef main():\n    Engine().run()\n"


def make_repo(path: Path) -> GitRepo:
    r = GitRepo.init(path)
    r.write("src/app.py", APP)
    r.chunk("alpha", body="# Alpha: the first chunk\n\nText.\n")
    r.commit("alpha")
    r.chunk("beta", created_after=["alpha"], body="# Beta: the second chunk\n\nText.\n")
    r.commit("beta")
    return r


def goal(status: str = "FUTURE", created_after: list[str] | None = None, **fields: object) -> str:
    return chunk_goal(status, created_after if created_after is not None else ["beta"], **fields)
