"""The dbt project's tests themselves: not-null, accepted-values, expression, uniqueness and
reference expectations are one test per model, seed or source table (`column_values` in
dbt_project/tests/generic/), not one test (one dbt node, one Dagster check) per column and kind;
and that test does catch each kind of failure."""

import json
import shutil
import subprocess
import sys
import textwrap
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


# The project's config of every data test (dbt_project.yml sets `+severity: error`, so `severity` is
# in every test's unrendered_config: what tells a test's own config is a value other than these).
DEFAULT_TEST_CONFIG = {
    "severity": "error",
    "warn_if": "!= 0",
    "error_if": "!= 0",
    "limit": None,
    "where": None,
}


def own_config(test: dict) -> set[str]:
    """The configs a test sets to something else than every test has."""
    config = test["config"]
    return {
        key
        for key, default in DEFAULT_TEST_CONFIG.items()
        if str(config.get(key) or "").lower() != str(default or "").lower()
    }


def plain_tests(manifest: dict) -> list[str]:
    """The tests that belong in their table's column_values test: a column's not_null, unique,
    accepted values and relationships, and a table's expression tests (accepted_values [true] on
    `a >= b`, a `where` of theirs included), unless they set a config of their own (a severity, a
    `where` but on an expression...); and not the references of a model
    incremental by partition window (its column_values checks the run's window, a reference every
    row: macros/partition_window.sql)."""
    windowed = {uid for uid, node in manifest["nodes"].items() if "partition_window" in node.get("tags", [])}
    plain = []
    for kind in ("not_null", "unique", "accepted_values", "relationships"):
        for node in dbt_tests_of_kind(manifest, kind):
            own = own_config(node) - ({"where"} if kind == "accepted_values" else set())
            if own or (kind == "relationships" and node.get("attached_node") in windowed):
                continue
            plain.append(node["name"])
    return plain


def table_test_name(kind: str, parent: str) -> str:
    """`<kind>_<model or seed>`, or `source_<kind>_<source>_<table>`: named after its table, not its
    columns, so that adding a column keeps the Dagster check (and its history)."""
    table = "_".join(parent.split(".")[2:])
    return f"source_{kind}_{table}" if parent.startswith("source.") else f"{kind}_{table}"


def test_no_plain_per_column_or_per_kind_test_is_left():
    """One dbt test per table: each test costs ~25 ms of dbt and a Dagster event whatever its
    table's size (~150 of them were ~4 s of a fresh build)."""
    assert plain_tests(load_manifest()) == []


def test_plain_tests_are_told_from_those_with_a_config_of_their_own():
    def test(name, kind, attached="model.p.t", **config):
        return {
            "name": name,
            "resource_type": "test",
            "test_metadata": {"name": kind},
            "attached_node": attached,
            "config": {**DEFAULT_TEST_CONFIG, "severity": "ERROR", **config},
        }

    nodes = [
        test("unique_t_id", "unique"),
        test("unique_t_code", "unique", severity="warn"),
        test("unique_t_key", "unique", where="is_current"),
        test("accepted_values_t_a_ge_b", "accepted_values", where="b is not null"),
        test("accepted_values_t_flag", "accepted_values", severity="warn"),
        test("not_null_t_id", "not_null", error_if="> 10"),
        test("not_null_t_day", "not_null"),
        test("relationships_t_x", "relationships"),
        test("relationships_f_x", "relationships", attached="model.p.f"),
    ]
    manifest = {
        "nodes": {
            **{f"test.p.{node['name']}": node for node in nodes},
            "model.p.f": {"resource_type": "model", "tags": ["partition_window"]},
            "model.p.t": {"resource_type": "model", "tags": []},
        }
    }
    assert sorted(plain_tests(manifest)) == [
        "accepted_values_t_a_ge_b",
        "not_null_t_day",
        "relationships_t_x",
        "unique_t_id",
    ]


def table_of(test: dict) -> str:
    """The model, seed or source table a test is declared on (its other parents are the models
    its references point to)."""
    if test.get("attached_node"):
        return test["attached_node"]
    (source,) = [node for node in test["depends_on"]["nodes"] if node.startswith("source.")]
    return source


def test_column_values_tests_are_one_per_table_and_name_documented_columns():
    manifest = load_manifest()
    nodes = {**manifest["nodes"], **manifest["sources"]}
    checks = dbt_tests_of_kind(manifest, "column_values")
    assert len(checks) > 100
    # one test per table, named after it (not its columns: adding a column keeps the check)
    assert len({table_of(check) for check in checks}) == len(checks)
    not_null, accepted, keys, references = set(), {}, {}, {}
    for check in checks:
        parent = table_of(check)
        assert check["name"] == table_test_name("column_values", parent)
        kwargs = check["test_metadata"]["kwargs"]
        columns = kwargs.get("not_null") or []
        values = kwargs.get("accepted_values") or {}
        unique = kwargs.get("unique") or []
        refs = kwargs.get("references") or {}
        documented = set(nodes[parent]["columns"])
        assert columns or values or unique or refs or kwargs.get("expressions"), check["name"]
        assert set(columns) | set(values) <= documented, (check["name"], set(columns) - documented)
        assert len(set(columns)) == len(columns), check["name"]  # no column twice
        # a reference's model is a parent of the test (dbt orders the build by it)
        for target in refs.values():
            assert any(node.split(".")[-1] == target["to"] for node in check["depends_on"]["nodes"])
        not_null.update((parent, column) for column in columns)
        accepted[check["name"]] = values
        keys[check["name"]] = unique
        references[check["name"]] = refs
    assert ("source.kz_tj_warehouse.raw.comtrade_records", "typeCode") in not_null
    assert ("seed.kz_tj_warehouse.hs_chapters", "hs_chapter_code") in not_null
    assert accepted["source_column_values_raw_comtrade_records"]["flowCode"] == ["M", "X", "RM", "RX"]
    assert accepted["column_values_dim_period"]["quarter"] == [1, 2, 3, 4]
    assert keys["column_values_fct_appeals"] == ["appeal_id"]
    assert references["column_values_fct_appeals"]["region_kato_2digit"] == {
        "to": "dim_region",
        "field": "region_kato_2digit",
    }


def run_generic_test(
    tmp_path, name: str, table_sql: list[str], tests_yaml: str, models: dict[str, str] | None = None
) -> tuple[dict, Path]:
    """`dbt build --store-failures` on a throw-away project holding only the generic test `name`
    (and the `models`, name: SQL), against the DuckDB table raw.readings made by `table_sql`, with
    `tests_yaml` as the table's data_tests (at least one of which must fail): each test's (status,
    failures) by name, and the warehouse file."""
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
    for model, sql in (models or {}).items():
        (project / "models" / f"{model}.sql").write_text(sql)
    sources = "version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: readings\n"
    (project / "models" / "_sources.yml").write_text(
        sources + "        data_tests:\n" + textwrap.indent(textwrap.dedent(tests_yaml), " " * 10)
    )
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [
            str(dbt),
            "build",
            "--store-failures",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
        ],
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert result.returncode == 1, result.stdout + result.stderr  # a test fails
    run_results = json.loads((project / "target" / "run_results.json").read_text())
    outcome = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in run_results["results"]}
    return outcome, warehouse


def stored_failures(warehouse: Path, test: str) -> list[tuple]:
    """The failing rows `dbt build --store-failures` kept of a column_values test."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select column_name, failure, value, n_records from main_dbt_test__audit.{test}"
            " order by failure, column_name, value"
        ).fetchall()


@pytest.mark.integration
def test_column_values_reports_each_column_with_nulls_and_each_value_outside_its_column(tmp_path):
    """Nulls counted per column; strings compared quoted, numbers as numbers, an apostrophe
    escaped, a YAML date quoted (not written as 2024 - 1 - 1), nulls passing the accepted values:
    one failing row per column holding nulls and per (column, value) outside the column's accepted
    values, each with its row count. Either argument alone works; a `where` config of its own
    applies."""
    outcome, warehouse = run_generic_test(
        tmp_path,
        "column_values",
        [
            "create table raw.readings (reading_id integer, site varchar, level integer, owner varchar,"
            " day date)",
            "insert into raw.readings values (1, 'a', 1, 'O''Neil', '2024-01-01'),"
            " (2, 'b', 2, null, '2024-01-01'), (3, 'x', 3, 'Smith', '2024-01-01'),"
            " (null, 'x', 1, 'Smith', '2024-01-02'), (5, null, null, 'O''Neil', null)",
        ],
        """\
        - column_values:
            name: readings_column_values
            arguments:
              not_null: [reading_id, site, level, day]
              accepted_values:
                site: ['a', 'b']
                level: [1, 2]
                owner: ["O'Neil"]
                day: [2024-01-01]
        - column_values:
            name: readings_not_null_only
            arguments:
              not_null: [owner]
        - column_values:
            name: readings_accepted_values_all_in
            arguments:
              accepted_values:
                site: ['a', 'b', 'x']
                level: [1, 2, 3]
        - column_values:
            name: readings_where_named
            arguments:
              not_null: [site, reading_id]
              accepted_values:
                site: ['a']
            config:
              where: "reading_id <= 1"
        """,
    )
    assert outcome == {
        "readings_column_values": ("fail", 8),
        "readings_not_null_only": ("fail", 1),
        "readings_accepted_values_all_in": ("pass", 0),
        "readings_where_named": ("pass", 0),
    }
    assert stored_failures(warehouse, "readings_column_values") == [
        ("day", "not accepted", "2024-01-02", 1),
        ("level", "not accepted", "3", 1),
        ("owner", "not accepted", "Smith", 2),
        ("site", "not accepted", "x", 2),
        ("day", "null", None, 1),
        ("level", "null", None, 1),
        ("reading_id", "null", None, 1),
        ("site", "null", None, 1),
    ]


@pytest.mark.integration
def test_column_values_reports_false_expressions_duplicate_keys_and_missing_references(tmp_path):
    """An expression false on a row (alone, or on the rows its `where` selects; null passes), a
    column's value repeated (nulls left out, as dbt's unique), a key's combination repeated (a
    null counts as a value) and a value absent from the model referred to: one failing row each,
    with its row count; the same checks on data that meets them pass."""
    outcome, warehouse = run_generic_test(
        tmp_path,
        "column_values",
        [
            "create table raw.readings (reading_id integer, site varchar, level integer, owner varchar,"
            " day date)",
            "insert into raw.readings values (1, 'a', 1, 'Ann', '2024-01-01'),"
            " (2, 'b', 2, null, '2024-01-01'), (2, 'x', 3, 'Smith', '2024-01-02'),"
            " (null, 'x', 1, 'Bob', '2024-01-02'), (null, null, null, 'Ann', null),"
            " (null, null, null, 'Cy', null)",
        ],
        """\
        - column_values:
            name: readings_table_checks
            arguments:
              expressions:
                - "level <= 2"
                - {where: "site = 'x'", expression: "owner = 'Smith'"}
              unique: [reading_id, [site, day]]
              references:
                site: {to: sites, field: site}
        - column_values:
            name: readings_checks_that_hold
            arguments:
              expressions: ["level >= 1", {where: "site = 'b'", expression: "owner is null"}]
              unique: [[reading_id, site, owner]]
              references:
                site: {to: all_sites, field: site}
        """,
        models={
            "sites": "select 'a' as site union all select 'b'",
            "all_sites": "select 'a' as site union all select 'b' union all select 'x'",
        },
    )
    tests = {name: result for name, result in outcome.items() if name.startswith("readings_")}
    assert tests == {"readings_table_checks": ("fail", 6), "readings_checks_that_hold": ("pass", 0)}
    assert stored_failures(warehouse, "readings_table_checks") == [
        ("reading_id", "duplicate", "2", 2),
        ("site, day", "duplicate", "null, null", 2),
        ("site, day", "duplicate", "x, 2024-01-02", 2),
        ("level <= 2", "false", None, 1),
        ("owner = 'Smith'", "false", None, 1),
        ("site", "not in sites.site", "x", 2),
    ]


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
