"""The dbt project's tests themselves: not-null and accepted-values expectations are one test
each per model, seed or source table (`not_null_columns`, `accepted_values_columns` in
dbt_project/tests/generic/), not one test (one dbt node, one Dagster check) per column; and those
tests do catch nulls and values outside the accepted ones."""

import json
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT = REPO_ROOT / "dbt_project"
GENERIC_TESTS = PROJECT / "tests" / "generic"


def load_manifest() -> dict:
    # conftest's pytest_sessionstart has just run `dbt parse`
    return json.loads((PROJECT / "target" / "manifest.json").read_text())


def dbt_tests_of_kind(manifest: dict, name: str) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") == name
    ]


# A per-column test with one of these configs of its own stays a test of its own.
OWN_CONFIG = {"where", "severity", "warn_if", "error_if", "limit"}


def table_test_name(kind: str, parent: str) -> str:
    """`<kind>_<model or seed>`, or `source_<kind>_<source>_<table>`: named after its table, not its
    columns, so that adding a column keeps the Dagster check (and its history)."""
    table = "_".join(parent.split(".")[2:])
    return f"source_{kind}_{table}" if parent.startswith("source.") else f"{kind}_{table}"


def test_no_plain_per_column_not_null_test_is_left():
    """A column's not_null goes into its table's not_null_columns test. Only a not_null test with
    a config of its own (where, severity, ...) stays a per-column test."""
    plain = [
        node["name"]
        for node in dbt_tests_of_kind(load_manifest(), "not_null")
        if not OWN_CONFIG & set(node["unrendered_config"])
    ]
    assert plain == []


def test_not_null_columns_tests_name_documented_columns_once():
    manifest = load_manifest()
    nodes = {**manifest["nodes"], **manifest["sources"]}
    checks = dbt_tests_of_kind(manifest, "not_null_columns")
    assert len(checks) > 50
    tested = Counter()
    for check in checks:
        (parent,) = check["depends_on"]["nodes"]
        columns = check["test_metadata"]["kwargs"]["column_names"]
        documented = set(nodes[parent]["columns"])
        assert columns and set(columns) <= documented, (check["name"], set(columns) - documented)
        tested.update((parent, column) for column in columns)
    # each column in at most one not_null_columns test (one test per table, no repeats)
    assert [key for key, n in tested.items() if n > 1] == []
    for check in checks:
        assert check["name"] == table_test_name("not_null_columns", check["depends_on"]["nodes"][0])
    assert ("source.kz_tj_warehouse.raw.comtrade_records", "typeCode") in tested
    assert ("seed.kz_tj_warehouse.hs_chapters", "hs_chapter_code") in tested


def test_no_plain_per_column_accepted_values_test_is_left():
    """A column's accepted values go into its table's accepted_values_columns test. Only an
    accepted_values test with a config of its own, or on an expression (`column_name: "a >= b"`,
    values [true]), stays one test."""
    plain = [
        node["name"]
        for node in dbt_tests_of_kind(load_manifest(), "accepted_values")
        if node["test_metadata"]["kwargs"]["column_name"].isidentifier()
        and not OWN_CONFIG & set(node["unrendered_config"])
    ]
    assert plain == []


def test_accepted_values_columns_tests_name_documented_columns_once():
    manifest = load_manifest()
    nodes = {**manifest["nodes"], **manifest["sources"]}
    checks = dbt_tests_of_kind(manifest, "accepted_values_columns")
    assert len(checks) > 50
    for check in checks:
        (parent,) = check["depends_on"]["nodes"]
        columns = check["test_metadata"]["kwargs"]["values_by_column"]
        assert columns and set(columns) <= set(nodes[parent]["columns"]), check["name"]
        assert check["name"] == table_test_name("accepted_values_columns", parent)
    # one test per table
    assert len({check["depends_on"]["nodes"][0] for check in checks}) == len(checks)
    by_name = {check["name"]: check["test_metadata"]["kwargs"]["values_by_column"] for check in checks}
    assert by_name["source_accepted_values_columns_raw_comtrade_records"]["flowCode"] == [
        "M",
        "X",
        "RM",
        "RX",
    ]
    assert by_name["accepted_values_columns_dim_period"]["quarter"] == [1, 2, 3, 4]


def run_generic_test(tmp_path, name: str, table_sql: list[str], tests_yaml: str) -> tuple[dict, Path]:
    """`dbt test --store-failures` on a throw-away project holding only the generic test `name`,
    against the DuckDB table raw.readings made by `table_sql`, with `tests_yaml` as the table's
    data_tests (at least one of which must fail): each test's (status, failures) by name, and the
    warehouse file."""
    warehouse = tmp_path / "readings.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        for statement in table_sql:
            con.execute(statement)
    project = tmp_path / "project"
    (project / "tests" / "generic").mkdir(parents=True)
    (project / "models").mkdir()
    shutil.copy(GENERIC_TESTS / f"{name}.sql", project / "tests" / "generic")
    (project / "dbt_project.yml").write_text(
        f'name: {name}_check\nversion: "1.0"\nconfig-version: 2\nprofile: {name}_check\n'
    )
    (project / "profiles.yml").write_text(
        f"{name}_check:\n  target: dev\n  outputs:\n"
        f'    dev: {{type: duckdb, path: "{warehouse}", threads: 1}}\n'
    )
    sources = "version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: readings\n"
    (project / "models" / "_sources.yml").write_text(
        sources + "        data_tests:\n" + textwrap.indent(textwrap.dedent(tests_yaml), " " * 10)
    )
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "test", "--store-failures", "--project-dir", str(project), "--profiles-dir", str(project)],
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert result.returncode == 1, result.stdout + result.stderr  # a test fails
    run_results = json.loads((project / "target" / "run_results.json").read_text())
    outcome = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in run_results["results"]}
    return outcome, warehouse


@pytest.mark.integration
def test_not_null_columns_reports_each_column_with_nulls_and_its_count(tmp_path):
    """A table with nulls in two of three columns: one failing row per such column, with its null
    count."""
    outcome, warehouse = run_generic_test(
        tmp_path,
        "not_null_columns",
        [
            "create table raw.readings (reading_id integer, site varchar, reading_value double)",
            "insert into raw.readings values (1, 'a', 1.5), (2, null, 2.5), (3, null, 4.5), (null, 'b', 3.5)",
        ],
        """\
        - not_null_columns:
            name: readings_not_null
            arguments:
              column_names: [reading_id, site, reading_value]
        - not_null_columns:
            name: readings_site_not_null_where_named
            arguments:
              column_names: [site]
            config:
              where: "reading_id <= 1"
        """,
    )
    assert outcome == {"readings_not_null": ("fail", 2), "readings_site_not_null_where_named": ("pass", 0)}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select column_name, null_rows from main_dbt_test__audit.readings_not_null order by column_name"
        ).fetchall()
    assert rows == [("reading_id", 1), ("site", 2)]


@pytest.mark.integration
def test_accepted_values_columns_reports_each_value_outside_its_column_and_its_count(tmp_path):
    """Strings compared quoted, numbers as numbers, an apostrophe escaped, a YAML date quoted (not
    written as 2024 - 1 - 1), nulls passing: one failing row per (column, value) outside the
    column's accepted values, with its row count."""
    outcome, warehouse = run_generic_test(
        tmp_path,
        "accepted_values_columns",
        [
            "create table raw.readings (site varchar, level integer, owner varchar, day date)",
            "insert into raw.readings values ('a', 1, 'O''Neil', '2024-01-01'),"
            " ('b', 2, null, '2024-01-01'), ('x', 3, 'Smith', '2024-01-01'),"
            " ('x', 1, 'Smith', '2024-01-02'), (null, null, 'O''Neil', null)",
        ],
        """\
        - accepted_values_columns:
            name: readings_accepted_values
            arguments:
              values_by_column:
                site: ['a', 'b']
                level: [1, 2]
                owner: ["O'Neil"]
                day: [2024-01-01]
        - accepted_values_columns:
            name: readings_accepted_values_all_in
            arguments:
              values_by_column:
                site: ['a', 'b', 'x']
                level: [1, 2, 3]
        """,
    )
    assert outcome == {
        "readings_accepted_values": ("fail", 4),
        "readings_accepted_values_all_in": ("pass", 0),
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select column_name, value, n_records from main_dbt_test__audit.readings_accepted_values"
            " order by column_name"
        ).fetchall()
    assert rows == [("day", "2024-01-02", 1), ("level", "3", 1), ("owner", "Smith", 2), ("site", "x", 2)]


def test_the_feeds_sources_are_generated_from_their_declarations():
    """dbt's declaration of the feeds' tables is written from catalog/ (python -m
    catalog.dbt_sources); a declaration changed without regenerating it fails here (and in CI)."""
    from catalog import FEEDS
    from catalog.dbt_sources import SOURCES_FILE, render

    assert SOURCES_FILE.read_text() == render(), "run `python -m catalog.dbt_sources`"
    manifest = load_manifest()
    declared = {node["name"]: node for node in manifest["sources"].values() if node["source_name"] == "raw"}
    for feed in FEEDS:
        node = declared[feed.name]
        assert node["original_file_path"].endswith("_feeds__sources.yml")
        assert set(node["columns"]) == {name for name, _ in feed.published_columns}


def test_a_changed_declaration_makes_the_sources_out_of_date(monkeypatch):
    import dataclasses

    import catalog
    from catalog import dbt_sources

    changed = dataclasses.replace(catalog.FEEDS[0], description="something else")
    monkeypatch.setattr(dbt_sources, "FEEDS", (changed, *catalog.FEEDS[1:]))
    assert dbt_sources.main(["--check"]) == 1
