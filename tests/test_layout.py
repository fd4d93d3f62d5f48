"""The package's shape: no import cycle, click only in the CLI, no module over 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "voiceguide"
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST):
    """Every import statement, at any depth (inside functions too), except under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            children = child.orelse  # only the else branch runs
        else:
            children = [child]
        for each in children:
            if isinstance(each, ast.Import | ast.ImportFrom):
                yield each
            yield from _import_nodes(each)


def imports(name: str) -> dict[str, int]:
    """The modules of the package that ``name`` imports, each with the line of its first import."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            # `from . import x` imports the submodule x when there is one, else a name from the package.
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in node.names]
        for target in targets:
            if target in MODULES and target != name:
                found.setdefault(target, node.lineno)
    return found


def import_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle of an import graph once, as the path of modules around it (a -> b -> a)."""
    cycles, seen = [], set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in graph[name]:
            if state.get(target) == 1:
                cycle = path[path.index(target) :]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    cycles.append([*cycle, target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in graph:
        if name not in state:
            visit(name)
    return cycles


def test_the_import_walker_resolves_relative_imports_and_skips_type_checking_blocks() -> None:
    assert "voiceguide.errors" in imports("voiceguide.routine.tomlfile")  # from .errors import RoutineError
    assert "voiceguide.audio.types" in imports("voiceguide.speech.pyttsx3_engine")  # from ..audio.types import Audio
    assert "voiceguide.speech.pyttsx3_engine" in imports("voiceguide.speech.registry")  # inside a function
    assert "voiceguide.speech.engine" in imports("voiceguide.speech.registry")  # at the top
    assert "voiceguide.live.session" not in imports("voiceguide.live.display")  # only under TYPE_CHECKING


def test_the_cycle_finder_names_each_cycle_once() -> None:
    graph = {"a": ["b"], "b": ["c", "d"], "c": ["a"], "d": ["d2"], "d2": ["d"], "e": ["a"]}
    assert import_cycles(graph) == [["a", "b", "c", "a"], ["d", "d2", "d"]]
    assert import_cycles({"a": ["b"], "b": [], "c": ["a", "b"]}) == []


def test_no_module_imports_itself_back_through_a_cycle() -> None:
    cycles = import_cycles({name: sorted(imports(name)) for name in MODULES})
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_only_the_cli_imports_click() -> None:
    def in_cli(name: str) -> bool:  # the cli package, and `python -m voiceguide` which starts it
        return name in ("voiceguide.cli", "voiceguide.__main__") or name.startswith("voiceguide.cli.")

    users = []
    for name, path in MODULES.items():
        if in_cli(name):
            continue
        for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(n.split(".")[0] == "click" for n in names) and not getattr(node, "level", 0):
                users.append(f"{name}:{node.lineno}")
        users += [f"{name}:{line} imports {target}" for target, line in imports(name).items() if in_cli(target)]
    assert users == [], f"click imported outside voiceguide/cli: {users}"


def test_no_module_is_over_300_lines() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


def test_no_script_imports_itself_back_through_a_cycle() -> None:
    scripts = {p.stem: p for p in sorted((PACKAGE.parent / "scripts").glob("*.py"))}
    graph: dict[str, list[str]] = {}
    for name, path in scripts.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found = set()
        for node in _import_nodes(tree):
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found |= {t for t in targets if t in scripts and t != name}
        graph[name] = sorted(found)
    assert "wer" in graph["bench"]  # the walk sees imports inside functions too
    assert import_cycles(graph) == []
