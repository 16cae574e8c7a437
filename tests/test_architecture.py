"""The direction of imports docs/architecture.md promises, read from the source."""
from __future__ import annotations

import ast
from pathlib import Path

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
# Packages (and web.py) below the regime and the API: they may not import either.
LOWER = ("tracker.ledger", "tracker.reports", "tracker.web", "tracker.jobs", "tracker.notify",
         "tracker.calendar", "tracker.accounts", "tracker.models")
UPPER = ("tracker.regime", "tracker.api")


def _module(path: Path) -> str:
    parts = list(path.relative_to(TRACKER.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """{module: tracker modules it imports} (a `from package import submodule` counts as
    importing the submodule)."""
    modules = {_module(p): p for p in TRACKER.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                graph[name] |= subs or {node.module}
                if len(subs) < len(node.names):
                    graph[name].add(node.module)
            elif isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in modules}
        graph[name].discard(name)
    return graph


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_lower_package_imports_the_regime_or_the_api():
    upward = sorted(f"{m} -> {t}" for m, targets in _graph().items() for t in targets
                    if any(_within(m, low) for low in LOWER) and any(_within(t, up) for up in UPPER))
    assert upward == []


def test_no_import_cycle_inside_a_package():
    graph = _graph()
    cycles = []
    for start in graph:
        parts = start.split(".")
        if len(parts) < 2 or not (TRACKER / parts[1]).is_dir():
            continue  # the factory and top-level modules are wiring, not a feature package
        package = ".".join(parts[:2])
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if not _within(nxt, package):
                    continue
                if nxt == start:
                    cycles.append(" -> ".join(path + [start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    assert cycles == []
