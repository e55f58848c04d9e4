"""What a path means: which artifact kind, which name, which role (main document, external ref...)."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("chunk", "narrative", "investigation", "subsystem")
DIR_OF = {"chunk": "chunks", "narrative": "narratives", "investigation": "investigations",
          "subsystem": "subsystems"}
KIND_OF_DIR = {v: k for k, v in DIR_OF.items()}
MAIN_FILE = {"chunk": "GOAL.md", "narrative": "OVERVIEW.md", "investigation": "OVERVIEW.md",
             "subsystem": "OVERVIEW.md"}
FRICTION = "trunk/FRICTION.md"


@dataclass(frozen=True)
class ArtifactPath:
    """A path that belongs to an artifact.

    ``role`` is "main" (GOAL.md / OVERVIEW.md), "external" (external.yaml), "plan" (PLAN.md)
    or "friction" (the trunk friction log, kind "friction").
    """

    kind: str
    name: str
    path: str
    role: str

    @property
    def schema_kind(self) -> str:
        return "external" if self.role == "external" else self.kind

    @property
    def validated(self) -> bool:
        return self.role in ("main", "external", "friction")


def classify(path: str, root: str = "docs") -> ArtifactPath | None:
    """Classify a repo-relative POSIX path; None when it is not an artifact file."""
    prefix = root.strip("/") + "/"
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix):]
    if rest == FRICTION:
        return ArtifactPath("friction", "FRICTION", path, "friction")
    parts = rest.split("/")
    if len(parts) != 3 or parts[0] not in KIND_OF_DIR:
        return None
    kind = KIND_OF_DIR[parts[0]]
    name, filename = parts[1], parts[2]
    if filename == MAIN_FILE[kind]:
        return ArtifactPath(kind, name, path, "main")
    if filename == "external.yaml":
        return ArtifactPath(kind, name, path, "external")
    if kind == "chunk" and filename == "PLAN.md":
        return ArtifactPath(kind, name, path, "plan")
    return None


def main_path(kind: str, name: str, root: str = "docs") -> str:
    return f"{root.strip('/')}/{DIR_OF[kind]}/{name}/{MAIN_FILE[kind]}"


def artifact_dir(kind: str, name: str, root: str = "docs") -> str:
    return f"{root.strip('/')}/{DIR_OF[kind]}/{name}"


def bare_name(name: str) -> str:
    """``0006-segment-compaction`` -> ``segment-compaction``: legacy numbered names match bare ones."""
    head, sep, tail = name.partition("-")
    return tail if sep and head.isdigit() and tail else name


def normalize_ref(value: str, kind: str) -> str:
    """Accept ``docs/chunks/x``, ``chunks/x/``, ``docs/chunks/x/GOAL.md`` and plain ``x`` alike."""
    v = value.strip().strip("/")
    for prefix in ("docs/",):
        if v.startswith(prefix):
            v = v[len(prefix):]
    d = DIR_OF.get(kind, "")
    if d and v.startswith(d + "/"):
        v = v[len(d) + 1:]
    if kind in MAIN_FILE and v.endswith("/" + MAIN_FILE[kind]):
        v = v[: -len(MAIN_FILE[kind]) - 1]
    return v
