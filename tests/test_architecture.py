"""The shape of the project: one importable package, a pure core that imports fast."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from hue_dx import data

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["openpyxl", "xlwings", "jinja2", "pandas", "numpy", "formulas"]


def test_the_core_and_cli_import_no_excel_template_or_addin_library():
    """The criteria workbook's sheets and their reading (catalog_sheets, catalog_read) and the Sở's figures (central) are pure
    too: only catalog_book, at the edge, opens a workbook."""
    code = ("import sys, hue_dx, hue_dx.catalog, hue_dx.rules, hue_dx.scoring, hue_dx.audit, hue_dx.ranking, hue_dx.cli, "
            "hue_dx.totals, hue_dx.central, hue_dx.catalog_sheets, hue_dx.catalog_read, hue_dx.catalog_toml; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_only_hue_dx_is_a_python_package_and_the_data_folders_ship_inside_it():
    """The other folders with an __init__.py are the data folders that pyproject maps into
    hue_dx.data (one copy, found by wheels and editable installs alike), and they hold no code."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapped = {folder: package for package, folder in config["package-dir"].items()}
    assert set(mapped) == set(data.FOLDERS.values())
    assert {f"hue_dx.data.{name}" for name in data.FOLDERS} == set(mapped.values())
    for path in ROOT.glob("**/__init__.py"):
        folder = path.parent.relative_to(ROOT).as_posix()
        if folder.split("/")[0] in ("hue_dx", ".venv", "build"):
            continue
        assert folder in mapped, f"{folder} is a package but not a data folder of hue_dx.data"
        assert ast.parse(path.read_text(encoding="utf-8")).body[1:] == [], f"{folder}/__init__.py must hold no code"
    for folder in ("addin", "templates", "generator", "samples", "tests"):
        assert (ROOT / folder).is_dir(), folder


def test_pyproject_names_every_package_of_hue_dx():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "hue_dx").glob("**/__init__.py")}
    assert set(config["packages"]) == found | set(config["package-dir"])


def test_every_shipped_data_folder_is_found_through_importlib_resources():
    for name, folder in data.FOLDERS.items():
        assert data.shipped(name).resolve() == (ROOT / folder).resolve()  # an editable install: the edited files themselves


def test_the_design_card_folders_each_say_their_role():
    for folder in ("addin", "templates", "generator", "samples"):
        readme = ROOT / folder / "README.md"
        assert readme.is_file() and len(readme.read_text(encoding="utf-8").strip()) > 40, folder


# ------------------------------------------------------------------ the import graph of hue_dx


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "hue_dx").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _absolute(module: str, path: Path, level: int, name: str | None) -> str:
    """The module an import names, relative imports resolved against the importing module."""
    if level == 0:
        return name or ""
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _imports(modules: dict[str, Path]):
    """(importer, line, imported module, name or None, local alias) for every import of every
    module of hue_dx, those inside functions and under TYPE_CHECKING included."""
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                target = _absolute(module, path, node.level, node.module)
                for alias in node.names:
                    yield module, node.lineno, target, alias.name, alias.asname or alias.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield module, node.lineno, alias.name, None, alias.asname or alias.name.split(".")[0]


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for importer, _, target, name, _ in _imports(modules):
        full = f"{target}.{name}" if name and f"{target}.{name}" in modules else target
        owner = _owner(full, modules)
        if owner and owner != importer:
            graph[importer].add(owner)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_in_hue_dx():
    graph = _graph()
    assert graph["hue_dx.cli"] >= {"hue_dx.commandline", "hue_dx.errors"}  # the graph is really built
    assert "hue_dx.workbook.style" in graph["hue_dx.workbook.appraisal_book"]  # relative imports resolved
    assert "hue_dx.tracking.commands" in graph["hue_dx.cli"]  # imports inside functions counted
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _private_uses(modules: dict[str, Path]) -> list[str]:
    """Every `from m import _x` and `m._x` (m a module of hue_dx) outside m itself."""
    found = []
    for module, path in modules.items():
        aliases: dict[str, str] = {}
        for importer, line, target, name, local in _imports({module: path}):
            full = f"{target}.{name}" if name else target
            if name and full in modules:
                aliases[local] = full  # from . import reports: `reports` names a module
            elif name is None and target in modules:
                aliases[local] = target if local != target.split(".")[0] else local  # import a.b binds a; import a.b as c binds c
            elif name and target in modules and name.startswith("_") and not name.startswith("__") and target != importer:
                found.append(f"{path.relative_to(ROOT)}:{line}: from {target} import {name}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                owner = aliases[node.value.id]
                if node.attr.startswith("_") and not node.attr.startswith("__") and owner != module:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {owner}.{node.attr}")
    return found


def test_no_module_uses_an_underscore_name_of_another():
    modules = _modules()
    assert _private_uses(modules) == []


def test_the_private_name_check_finds_both_forms(tmp_path):
    (tmp_path / "hue_dx").mkdir()
    (tmp_path / "hue_dx" / "a.py").write_text("def _hidden():\n    pass\n", encoding="utf-8")
    (tmp_path / "hue_dx" / "b.py").write_text("from .a import _hidden\n", encoding="utf-8")
    (tmp_path / "hue_dx" / "c.py").write_text("def f():\n    from . import a\n    return a._hidden()\n", encoding="utf-8")
    modules = {"hue_dx.a": tmp_path / "hue_dx" / "a.py", "hue_dx.b": tmp_path / "hue_dx" / "b.py", "hue_dx.c": tmp_path / "hue_dx" / "c.py"}
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert _private_uses(modules) == ["hue_dx/b.py:1: from hue_dx.a import _hidden", "hue_dx/c.py:3: hue_dx.a._hidden"]
    finally:
        ROOT = saved
