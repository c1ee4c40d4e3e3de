"""The dbt CLI resource (orchestration/defs/resources.py WarehouseDbtCli) skips two things
dagster-dbt does before dbt commands: building a dbt adapter in the Dagster process, and running
`dbt --version`. These tests fail when a dagster-dbt release changes what it overrides: then read
the release notes, and drop (or adapt) the override."""

import ast
import inspect
import pkgutil
import subprocess
from functools import cached_property

import dagster_dbt
import pytest
from dagster_dbt import DbtCliResource
from dagster_dbt.core import resource as dagster_dbt_resource

from orchestration.defs.resources import WarehouseDbtCli, dbt_executable, dbt_file_log_flags, dbt_resource


def _functions_reading_an_adapter() -> set[str]:
    """The functions of dagster-dbt's Python files that read an `.adapter` attribute."""
    found = set()
    for module in pkgutil.walk_packages(dagster_dbt.__path__, "dagster_dbt."):
        spec = module.module_finder.find_spec(module.name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        with open(spec.origin, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        found |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and any(isinstance(n, ast.Attribute) and n.attr == "adapter" for n in ast.walk(node))
        }
    return found


def test_dagster_dbt_still_builds_the_adapter_and_reads_the_version_where_the_override_expects():
    cli = inspect.getsource(DbtCliResource.cli)
    assert "self._initialize_dbt_core_adapter(args)" in cli
    assert "self._cli_version" in cli
    assert isinstance(inspect.getattr_static(DbtCliResource, "_cli_version"), cached_property)
    # The adapter serves only the metadata a step may ask for (fetch_row_counts,
    # fetch_column_metadata: _attach_metadata runs them), which no asset here does.
    assert _functions_reading_an_adapter() == {
        "_attach_metadata",
        "_fetch_column_metadata",
        "_fetch_row_count_metadata",
    }


def test_the_resource_builds_no_adapter_and_runs_no_dbt_to_learn_its_version(monkeypatch):
    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    def no_adapter(self, args):
        raise AssertionError("dagster-dbt's adapter was built")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_process)
    monkeypatch.setattr(DbtCliResource, "_initialize_dbt_core_adapter", no_adapter)
    resource = dbt_resource()
    assert isinstance(resource, WarehouseDbtCli)
    assert resource._initialize_dbt_core_adapter(["build"]) is None
    version = resource._cli_version
    with pytest.raises(AssertionError, match="process was started"):
        DbtCliResource._cli_version.func(resource)  # what the override replaces
    monkeypatch.undo()
    # (`dbt --version` also asks the package registry for the latest release: ~3 s)
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True)
    assert f"installed: {version}" in printed.stdout


@pytest.mark.parametrize(
    ("level", "debug", "flags"),
    [
        (None, None, ["--log-level-file", "none"]),
        ("", "", ["--log-level-file", "none"]),
        (None, "false", ["--log-level-file", "none"]),
        ("debug", None, []),
        (None, "True", []),
    ],
)
def test_dbt_writes_no_log_file_unless_the_environment_asks_for_one(monkeypatch, level, debug, flags):
    for name, value in (("DBT_LOG_LEVEL_FILE", level), ("DBT_DEBUG", debug)):
        monkeypatch.delenv(name, raising=False)
        if value is not None:
            monkeypatch.setenv(name, value)
    assert dbt_file_log_flags() == flags
    assert dbt_resource().global_config_flags == flags
