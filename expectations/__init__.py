"""Great Expectations suites (as code) and the runner that validates every load before it is
published. GX 1.x API, ephemeral context; the loads are validated inside DuckDB by GX's SQL
execution engine (expectations/gx_duckdb.py: GX has no DuckDB dialect of its own), the small
reference files as pandas frames. dagster-ge targets GX < 1.0 and is not used."""
