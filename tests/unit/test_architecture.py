"""The import map of the repository: every import runs down a floor or stays on its own, and no modules import
each other in a circle (ARCHITECTURE.md, "The floors"). Lazy imports inside functions count too; imports only a
type checker runs (`if TYPE_CHECKING:`) do not, since they never load a module."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The floor of each top-level package; an import may name a package on the same floor or a lower one.
FLOORS = {"nianbao": 0, "replica": 1, "storage": 1, "crawler": 2, "workers": 2, "flows": 3, "publish": 3, "shell": 4}
# Same-floor imports that are not allowed: the stages talk through messages and stored objects, not each other's code.
APART = {
    ("replica", "storage"),
    ("storage", "replica"),
    ("workers", "crawler"),
    ("flows", "publish"),
    ("publish", "flows"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_map() -> dict[str, set[str]]:
    """Module → the repository's modules it imports (a package import names the package's __init__)."""
    modules = {module_name(p): p for top in FLOORS for p in (ROOT / top).rglob("*.py") if "site" not in p.parts}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for statement in node.body
            for inner in ast.walk(statement)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            found.update(t for t in targets if t in modules and t != name)
        edges[name] = found
    return edges


def test_no_import_runs_up_a_floor_or_between_stages_kept_apart() -> None:
    wrong = [
        f"{module} -> {target}"
        for module, targets in import_map().items()
        for target in targets
        if FLOORS[target.split(".")[0]] > FLOORS[module.split(".")[0]]
        or (module.split(".")[0], target.split(".")[0]) in APART
    ]
    assert wrong == []


def test_no_import_circle() -> None:
    edges = import_map()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])

    # A package's __init__ re-exporting its own modules is not a circle of two concepts.
    def nested(a: str, b: str) -> bool:
        return a.startswith(b + ".") or b.startswith(a + ".")

    circles = [c for c in circles if not any(nested(a, b) for a, b in itertools.pairwise(c))]
    assert circles == []


def test_the_map_sees_the_repository() -> None:
    """The test above cannot pass by reading nothing: the map knows the stages and a known edge."""
    edges = import_map()
    assert {"shell.cli", "crawler.spider", "workers.tasks", "flows.harvest", "storage.store"} <= edges.keys()
    assert "workers.connection" in edges["shell.runtime"]
