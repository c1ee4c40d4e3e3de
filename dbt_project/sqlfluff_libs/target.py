"""Stand-in for dbt's `target` (the profile target) when sqlfluff's jinja templater renders the
models: they are linted as DuckDB SQL (pyproject.toml's dialect), so `target.type` is duckdb."""

type = "duckdb"  # noqa: A001 - mirrors target.type
name = "dev"
schema = "main"
