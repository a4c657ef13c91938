"""The layout's rules, read from the source: which package may import which, and no cycles.

Every module's syntax tree is read, and every import in it counts — at the top, inside a
function (the lazy imports that keep start-up short) and under ``TYPE_CHECKING`` — so a cycle
or a wrong direction cannot hide behind an import that runs late.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "capture_app"
QT = ("PySide6", "shiboken6", "qtpy", "webview")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the capture_app module (or third-party top-level name) it imports
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _known(name: str) -> str:
    """The module ``name`` is in: itself, or the nearest enclosing module or package."""
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name


def imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            for alias in node.names:
                # `from package import module` imports the module; `from module import name` the module
                sub = f"{base}.{alias.name}"
                found.append(Import(module, sub if sub in MODULES else base, node.lineno))
    return [i if not i.target.startswith("capture_app") else
            Import(i.module, _known(i.target), i.line) for i in found]


ALL_IMPORTS = [i for module in MODULES for i in imports_of(module)]


def internal_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for i in ALL_IMPORTS:
        if i.target.startswith("capture_app") and i.target != i.module:
            graph[i.module].add(i.target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_reader_sees_imports_inside_functions_and_relative_ones():
    # The lazy import of the capture machinery sits inside a function body.
    assert any(i.target == "capture_app.ui.capture.as_it_was"
               for i in imports_of("capture_app.ui.capture.start"))
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_core_never_imports_qt_or_the_ui():
    wrong = [f"{i.module}:{i.line} imports {i.target}" for i in ALL_IMPORTS
             if i.module.startswith("capture_app.core")
             and (i.target.split(".")[0] in QT or i.target.startswith("capture_app.ui"))]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_between_modules():
    found = cycles(internal_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


# --- private names ---------------------------------------------------------------------------

def _own_private_names(tree: ast.AST) -> set[str]:
    """Private names a module defines: its functions, classes and module variables, and the
    attributes it sets on ``self``/``cls``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            names.add(node.attr)
    return {name for name in names if name.startswith("_")}


def _third_party_aliases(tree: ast.AST) -> set[str]:
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {(a.asname or a.name).split(".")[0] for a in node.names
                        if not a.name.startswith("capture_app")}
    return aliases


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_uses_another_modules_private_names(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    own = _own_private_names(tree)
    outside = _third_party_aliases(tree)
    wrong = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("capture_app"):
            wrong += [f"line {node.lineno}: from {node.module} import {a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")]
        elif (isinstance(node, ast.Attribute) and node.attr.startswith("_")
              and not node.attr.startswith("__") and node.attr not in own):
            base = node.value
            if isinstance(base, ast.Name) and (base.id in ("self", "cls") or base.id in outside):
                continue
            wrong.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert not wrong, f"{module} reaches into other modules' private names:\n" + "\n".join(wrong)


# --- errors ------------------------------------------------------------------------------------

def test_every_error_for_the_agent_uses_the_one_message_of_user_facing_error():
    from capture_app.core.platform.errors import UserFacingError

    wrong = []
    for module, path in MODULES.items():
        if not module.startswith("capture_app.core"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name == UserFacingError.__name__:
                continue
            bases = {ast.unparse(base).rpartition(".")[2] for base in node.bases}
            methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
            is_error = any(b.endswith(("Error", "Exception")) for b in bases)
            if is_error and "message" in methods:
                wrong.append(f"{module}.{node.name} defines its own message()")
    assert not wrong, "\n".join(wrong)


# --- function length ---------------------------------------------------------------------------

MAX_FUNCTION_LINES = 60


def test_no_function_is_longer_than_a_reader_can_hold_unless_it_says_why():
    """Over 60 lines only with a comment in its first lines that starts ``# Long:`` and says why."""
    wrong = []
    for module, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").split("\n")
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            length = node.end_lineno - node.lineno + 1
            head = lines[node.lineno - 1:node.lineno + 4]
            if length > MAX_FUNCTION_LINES and not any("# Long:" in line for line in head):
                wrong.append(f"{module}.{node.name}: {length} lines")
    assert not wrong, "\n".join(wrong)


# --- packages ----------------------------------------------------------------------------------

# What each package of core may import besides itself (see each package's __init__ docstring).
CORE_RULES = {
    "platform": set(),
    "privacy": {"report", "platform"},
    "report": {"platform"},
    "hours": {"platform"},
    "triage": {"report", "platform"},
    "evidence": {"report", "privacy", "platform"},
    "environment": {"report", "platform"},
    "wizard": {"triage", "report", "platform"},
    "sending": {"environment", "evidence", "triage", "hours", "report", "privacy", "platform"},
}
UI_SHARED = "platform"  # ui.platform: Qt plumbing every window uses; it imports no other ui package


def package_of(module: str, layer: str) -> str | None:
    """``capture_app.core.triage.search`` → ``triage`` (for layer ``capture_app.core``)."""
    if not module.startswith(layer + "."):
        return None
    rest = module[len(layer) + 1:].split(".")
    return rest[0] if len(rest) > 1 or (PACKAGE / Path(*layer.split(".")[1:], rest[0])).is_dir() \
        else None


def test_core_is_grouped_into_the_packages_the_rules_name():
    loose = [m for m in MODULES if m.startswith("capture_app.core.")
             and package_of(m, "capture_app.core") is None]
    unknown = {package_of(m, "capture_app.core") for m in MODULES} - set(CORE_RULES) - {None}
    assert not loose and not unknown, (loose, unknown)


def test_core_packages_import_only_what_their_rules_allow():
    wrong = []
    for i in ALL_IMPORTS:
        source = package_of(i.module, "capture_app.core")
        target = package_of(i.target, "capture_app.core")
        if source and target and target != source and target not in CORE_RULES[source]:
            wrong.append(f"{i.module}:{i.line} ({source}) imports {i.target} ({target})")
    assert not wrong, "\n".join(wrong)


def test_the_allowed_directions_have_no_cycle():
    assert cycles({package: set(allowed) for package, allowed in CORE_RULES.items()}) == []


def test_ui_packages_form_no_cycle_and_ui_platform_imports_no_other_ui_package():
    graph: dict[str, set[str]] = {}
    wrong = []
    for i in ALL_IMPORTS:
        source = package_of(i.module, "capture_app.ui")
        target = package_of(i.target, "capture_app.ui")
        if source and target and source != target:
            graph.setdefault(source, set()).add(target)
            graph.setdefault(target, set())
            if source == UI_SHARED:
                wrong.append(f"{i.module}:{i.line} imports {i.target}")
    assert not wrong, "\n".join(wrong)
    found = cycles(graph)
    assert not found, "cycles between ui packages:\n" + "\n".join(" <-> ".join(c) for c in found)

