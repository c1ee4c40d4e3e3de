"""The dbt project's tests themselves: not-null expectations are one `not_null_columns` test per
model, seed or source table (dbt_project/tests/generic/not_null_columns.sql), not one not_null
test (one dbt node, one Dagster check) per column; and that test does catch nulls."""

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
GENERIC_TEST = PROJECT / "tests" / "generic" / "not_null_columns.sql"


def load_manifest() -> dict:
    # conftest's pytest_sessionstart has just run `dbt parse`
    return json.loads((PROJECT / "target" / "manifest.json").read_text())


def dbt_tests_of_kind(manifest: dict, name: str) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") == name
    ]


def test_no_plain_per_column_not_null_test_is_left():
    """A column's not_null goes into its table's not_null_columns test. Only a not_null test with
    a config of its own (where, severity, ...) stays a per-column test."""
    plain = [
        node["name"]
        for node in dbt_tests_of_kind(load_manifest(), "not_null")
        if not {"where", "severity", "warn_if", "error_if", "limit"} & set(node["unrendered_config"])
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
    # named after its table, not its columns: adding a column keeps the Dagster check (and its
    # history)
    for check in checks:
        (parent,) = check["depends_on"]["nodes"]
        table = "_".join(parent.split(".")[2:])  # model / seed name, or source_table
        prefix = "source_not_null_columns_" if parent.startswith("source.") else "not_null_columns_"
        assert check["name"] == prefix + table, check["name"]
    assert ("source.kz_tj_warehouse.raw.comtrade_records", "typeCode") in tested
    assert ("seed.kz_tj_warehouse.hs_chapters", "hs_chapter_code") in tested


@pytest.mark.integration
def test_not_null_columns_reports_each_column_with_nulls_and_its_count(tmp_path):
    """`dbt test` on a throw-away project holding only the generic test, against a DuckDB table
    with nulls in two of three columns: one failing row per such column, with its null count."""
    warehouse = tmp_path / "nulls.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.readings (reading_id integer, site varchar, reading_value double)")
        con.execute(
            "insert into raw.readings values (1, 'a', 1.5), (2, null, 2.5), (3, null, 4.5), (null, 'b', 3.5)"
        )
    project = tmp_path / "project"
    (project / "tests" / "generic").mkdir(parents=True)
    (project / "models").mkdir()
    shutil.copy(GENERIC_TEST, project / "tests" / "generic")
    (project / "dbt_project.yml").write_text(
        textwrap.dedent("""\
        name: not_null_columns_check
        version: "1.0"
        config-version: 2
        profile: not_null_columns_check
        """)
    )
    (project / "profiles.yml").write_text(
        textwrap.dedent(f"""\
        not_null_columns_check:
          target: dev
          outputs:
            dev: {{type: duckdb, path: "{warehouse}", threads: 1}}
        """)
    )
    (project / "models" / "_sources.yml").write_text(
        textwrap.dedent("""\
        version: 2
        sources:
          - name: raw
            schema: raw
            tables:
              - name: readings
                data_tests:
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
        """)
    )
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "test", "--store-failures", "--project-dir", str(project), "--profiles-dir", str(project)],
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert result.returncode == 1, result.stdout + result.stderr  # one test fails

    run_results = json.loads((project / "target" / "run_results.json").read_text())
    outcome = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in run_results["results"]}
    assert outcome == {"readings_not_null": ("fail", 2), "readings_site_not_null_where_named": ("pass", 0)}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select column_name, null_rows from main_dbt_test__audit.readings_not_null order by column_name"
        ).fetchall()
    assert rows == [("reading_id", 1), ("site", 2)]


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
