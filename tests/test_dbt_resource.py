"""The dbt CLI resource (orchestration/defs/resources.py WarehouseDbtCli) skips two things
dagster-dbt does before every dbt command: building a dbt adapter in the Dagster process, and
running `dbt --version`. These tests fail when a dagster-dbt release changes what it overrides:
then read the release notes, and drop (or adapt) the override."""

import ast
import inspect
import subprocess
from functools import cached_property

from dagster_dbt import DbtCliResource
from dagster_dbt.core import dbt_event_iterator

from orchestration.defs.resources import WarehouseDbtCli, dbt_executable, dbt_resource


def _functions_reading_an_adapter(module) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(isinstance(n, ast.Attribute) and n.attr == "adapter" for n in ast.walk(node))
    }


def test_dagster_dbt_still_builds_the_adapter_and_reads_the_version_where_the_override_expects():
    cli = inspect.getsource(DbtCliResource.cli)
    assert "self._initialize_dbt_core_adapter(args)" in cli
    assert "self._cli_version" in cli
    assert isinstance(inspect.getattr_static(DbtCliResource, "_cli_version"), cached_property)
    # The adapter serves only the metadata a step may ask for (fetch_row_counts,
    # fetch_column_metadata: _attach_metadata runs them), which no asset here does.
    assert _functions_reading_an_adapter(dbt_event_iterator) == {
        "_attach_metadata",
        "_fetch_column_metadata",
        "_fetch_row_count_metadata",
    }


def test_the_resource_builds_no_adapter_and_knows_the_version_of_the_dbt_it_runs():
    resource = dbt_resource()
    assert isinstance(resource, WarehouseDbtCli)
    assert resource._initialize_dbt_core_adapter(["build"]) is None
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True)
    assert f"installed: {resource._cli_version}" in printed.stdout
