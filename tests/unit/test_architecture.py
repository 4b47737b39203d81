"""The core's shape, kept by test: no import cycle inside ``conformance``, suites import only
``conformance.api``, no core module over 400 lines, and the verdict rule in one module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "conformance"
SUITES = ROOT / "suites"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def runtime_imports(path: Path, modules: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Every module an import statement names, outside ``if TYPE_CHECKING:`` blocks; in
    ``from package import name`` that is ``package.name`` when it is one of ``modules``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
    return found


def core_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in CORE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {t for t in runtime_imports(path, set(modules)) if t in modules and t != name}
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_core_has_no_import_cycle() -> None:
    assert cycles(core_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_suites_import_only_the_public_module() -> None:
    offenders = []
    for path in sorted(SUITES.rglob("*.py")):
        for target in runtime_imports(path):
            top = target.split(".")[0]
            allowed = target in ("conformance", "conformance.api")
            if top == "conformance" and not allowed:
                offenders.append(f"{path.relative_to(ROOT)}: {target}")
            if target == "conformance":
                # `import conformance` would reach everything through attributes.
                source = path.read_text(encoding="utf-8")
                if "from conformance import api" not in source:
                    offenders.append(f"{path.relative_to(ROOT)}: import conformance")
    assert offenders == []


def test_no_core_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in CORE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_core_names_no_standard() -> None:
    standards = [p.name for p in SUITES.iterdir() if (p / "catalogue.toml").is_file()]
    named = [
        f"{p.relative_to(ROOT)}: {standard}"
        for p in CORE.rglob("*.py")
        for standard in standards
        if f"suites.{standard}" in p.read_text(encoding="utf-8")
        or f"suites/{standard}" in p.read_text(encoding="utf-8")
    ]
    assert named == []


def test_the_verdict_rule_lives_in_one_module() -> None:
    """Only report/judge.py aggregates check outcomes or decides what meets a requirement."""
    users = sorted(
        module_name(p)
        for p in CORE.rglob("*.py")
        if "aggregate" in p.read_text(encoding="utf-8")
        and "conformance.outcomes" in runtime_imports(p)
    )
    assert users == ["conformance.report.judge"]
