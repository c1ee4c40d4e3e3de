"""A bad dependency resolution (pip quietly backtracking to dagster-dbt 0.11 / dbt-core 1.5)
must fail loudly here rather than somewhere obscure."""

from importlib.metadata import version

from packaging.version import Version


def test_dagster_dbt_project_api_is_importable():
    from dagster_dbt import DbtProject, dbt_assets  # noqa: F401  (absent from old releases)


def test_installed_versions_are_the_pinned_ones():
    assert Version(version("dagster")).release[:2] == (1, 13)
    assert Version(version("dagster-webserver")) == Version(version("dagster"))
    assert Version(version("dagster-dbt")).release[:2] == (0, 29)
    # dagster-dbt releases track dagster's: 0.29.27 goes with 1.13.27.
    assert Version(version("dagster-dbt")).release[2] == Version(version("dagster")).release[2]
    assert Version("1.11") <= Version(version("dbt-core")) < Version("1.12")
    assert Version("1.11") <= Version(version("dbt-duckdb")) < Version("1.12")
    assert Version(version("great-expectations")).major == 1
    assert Version(version("duckdb")) >= Version("1.3")
