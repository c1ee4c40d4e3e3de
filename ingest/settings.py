"""Where the warehouse lives. Every path can be moved with an environment variable, so tests and
benchmarks run against a temporary folder and never touch the demo warehouse."""

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class WarehousePaths:
    root: Path  # everything the build writes: databases, spill folder, data docs, reports
    landing: Path  # where source files arrive

    @property
    def warehouse_db(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def serving_db(self) -> Path:
        return self.root / "serving" / "serving.duckdb"

    @property
    def serving_parquet(self) -> Path:
        return self.root / "serving" / "parquet"

    @property
    def lake(self) -> Path:
        """The Parquet copy of the raw and reference tables that Spark reads (ingest/lake.py)."""
        return self.root / "lake"

    @property
    def spark_dir(self) -> Path:
        """Spark's metastore and table files (WAREHOUSE_ENGINE=spark, dbt_project/profiles.yml)."""
        return self.root / "spark"

    @property
    def spark_tables(self) -> Path:
        """Spark's managed tables (spark.sql.warehouse.dir): <schema>.db/<table>/ Parquet files."""
        return self.spark_dir / "tables"

    @property
    def temp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def data_docs(self) -> Path:
        return self.root / "data_docs"

    @property
    def operations_db(self) -> Path:
        """Run failures recorded by the run-failure sensor: a file of its own, so that recording
        never waits for the warehouse's writer lock."""
        return self.root / "operations.duckdb"

    @property
    def dbt_runs(self) -> Path:
        """dbt's files of the builds on this warehouse: a folder per dbt command (manifest, run
        results, log) and the parse state the next command starts from."""
        return self.root / "dbt_runs"

    @property
    def report_dir(self) -> Path:
        return self.root / "report"

    @property
    def trade_landing(self) -> Path:
        return self.landing / "trade"

    @classmethod
    def from_env(cls) -> "WarehousePaths":
        root = Path(os.environ.get("WAREHOUSE_DIR", REPO_ROOT / "warehouse"))
        landing = Path(os.environ.get("LANDING_DIR", REPO_ROOT / "data" / "landing"))
        return cls(root=root.resolve(), landing=landing.resolve())

    def export_env(self) -> dict[str, str]:
        """The variables dbt's profile and child processes read."""
        return {
            "WAREHOUSE_DIR": str(self.root),
            "LANDING_DIR": str(self.landing),
            "WAREHOUSE_PATH": str(self.warehouse_db),
            "DUCKDB_TEMP_DIR": str(self.temp_dir),
        }


def warehouse_engine() -> str:
    """What dbt builds the models on: "duckdb" (default) or "spark" (WAREHOUSE_ENGINE; the dbt
    profile reads the same variable)."""
    engine = os.environ.get("WAREHOUSE_ENGINE", "duckdb").strip().lower() or "duckdb"
    if engine not in ("duckdb", "spark"):
        raise ValueError(f"WAREHOUSE_ENGINE={engine!r}: expected duckdb or spark")
    return engine


def dbt_target() -> str:
    """The profile's target of the engine chosen (dbt_project/profiles.yml): dev (DuckDB, the
    warehouse file) or spark (a local Spark session over the Parquet lake). Every dbt command
    passes it: dbt re-parses the whole project (~10 s) when --target differs from its last parse's,
    even from an absent one naming the same default."""
    return "spark" if warehouse_engine() == "spark" else "dev"


BUNDLED_REFERENCE_DIR = REPO_ROOT / "data" / "reference"
# The loads' DuckDB memory limit: a load works a window of partitions at a time and spills the
# rest, so its peak is set by this limit plus one batch in Python, not by the size of the load.
# (dbt's own limit is DUCKDB_MEMORY_LIMIT, read by dbt_project/profiles.yml, 4GB by default: its
# models join whole tables.) Read when a connection is opened, not at import.
DEFAULT_LOAD_MEMORY_LIMIT = "1GB"


def load_memory_limit() -> str:
    return os.environ.get("WAREHOUSE_LOAD_MEMORY_LIMIT", DEFAULT_LOAD_MEMORY_LIMIT)
