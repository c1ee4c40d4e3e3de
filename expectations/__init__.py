"""Great Expectations suites (as code) and the runner that validates every load before it is
published. GX 1.x API, ephemeral context, a pandas data source over the partition being loaded
(GX has no DuckDB SQL support of its own; dagster-ge targets GX < 1.0)."""
