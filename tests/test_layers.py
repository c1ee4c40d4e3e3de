"""The packages point one way: orchestration/ composes; report/ renders the published marts;
catalog/ declares the feeds; ingest/ loads; expectations/ validates; demo/ writes synthetic data.
Checked on the source (every import, also those inside functions), so a cycle or a reversed layer
fails here, not at run time."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("orchestration", "report", "catalog", "ingest", "expectations", "demo")
# What each package may import of the others.
ALLOWED = {
    "orchestration": {"report", "catalog", "ingest", "expectations", "demo"},
    "report": {"catalog", "ingest"},
    "catalog": {"ingest", "expectations"},
    "expectations": {"ingest"},
    "ingest": set(),
    "demo": {"ingest"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    """Project modules `path` imports, wherever the import statement is (`from package import
    submodule` imports the submodule)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if _is_module(submodule) else node.module)
    return {name for name in found if name.split(".")[0] in PACKAGES}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_packages_import_only_the_layers_below_them(graph):
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if target.split(".")[0] != module.split(".")[0]
        and target.split(".")[0] not in ALLOWED[module.split(".")[0]]
    )
    assert wrong == []


def test_no_module_imports_itself_back(graph):
    """No cycle between modules, through any number of imports."""
    cycles = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checker_sees_a_reversed_layer(tmp_path, monkeypatch):
    """The graph is built from real imports: a lazy import of expectations in ingest is found."""
    source = tmp_path / "ingest" / "x.py"
    source.parent.mkdir()
    source.write_text(
        "def f():\n    from expectations.comtrade import comtrade_suite\nfrom ingest import feeds\n"
    )
    (tmp_path / "ingest" / "feeds.py").write_text("")
    monkeypatch.setattr("tests.test_layers.ROOT", tmp_path)
    assert _imports(source) == {"expectations.comtrade", "ingest.feeds"}


SQL = re.compile(
    r"\b(select\s.+\sfrom|insert\s+(or\s+replace\s+)?into|create\s+(or\s+replace\s+)?"
    r"(temp\s+)?(table|view|schema)|delete\s+from|update\s+\w+\s+set)\b",
    re.I | re.S,
)


def _sql_strings(path: Path) -> list[str]:
    return [
        node.value[:60]
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)
    ]


def test_orchestration_holds_no_sql():
    """SQL lives where data is handled (ingest/, report/, dbt_project/); orchestration composes."""
    found = {
        str(p.relative_to(ROOT)): sql
        for p in (ROOT / "orchestration").rglob("*.py")
        if (sql := _sql_strings(p))
    }
    assert found == {}


def test_the_sql_finder_finds_sql(tmp_path):
    source = tmp_path / "x.py"
    source.write_text('Q = f"""\n    select count(*)\n    from {table}\n"""\nN = "selection of assets"\n')
    assert len(_sql_strings(source)) == 1
