"""The lines `make warehouse` prints per step (orchestration/progress.py), from real Dagster runs."""

import io
import uuid

from dagster import (
    AssetSpec,
    BackfillPolicy,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    multi_asset,
)

from orchestration.progress import QUIET_RUN_CONFIG, StepLines, what_was_loaded

MONTHS = StaticPartitionsDefinition(["2024-01", "2024-02", "2024-03"])


def test_a_load_says_what_it_published_and_what_was_unchanged():
    load = {"rows": 16_264, "partitions": 1, "unchanged": 0}
    assert what_was_loaded([load]) == "1 partition, 16,264 rows"
    assert what_was_loaded([{**load, "rows": 1, "partitions": 3, "unchanged": 1}]) == (
        "3 partitions, 1 row (1 partition unchanged)"
    )
    nothing_new = {"rows": 0, "partitions": 0, "unchanged": 90}
    assert what_was_loaded([nothing_new]) == "nothing new (90 partitions unchanged)"
    assert what_was_loaded([]) == ""


def test_a_step_of_several_assets_sums_their_rows():
    tables = [{"rows": n, "partitions": None, "unchanged": 0} for n in (10, 4, 0)]
    assert what_was_loaded(tables) == "3 assets, 14 rows"
    models = [{"rows": None, "partitions": None, "unchanged": 0}] * 2
    assert what_was_loaded(models) == "2 assets"
    assert what_was_loaded(models[:1]) == "1 asset"
    assert what_was_loaded([tables[0]]) == "10 rows"


@multi_asset(specs=[AssetSpec("events"), AssetSpec("commitments"), AssetSpec("values")])
def agenda():
    for key, rows in (("events", 10), ("commitments", 4), ("values", 0)):
        yield MaterializeResult(asset_key=key, metadata={"dagster/row_count": rows})


@asset(partitions_def=MONTHS, backfill_policy=BackfillPolicy.single_run())
def trade():
    # A load's metadata: Dagster records it once for each partition of the run.
    return MaterializeResult(
        metadata={"rows_published": 1, "partitions_published": 2, "partitions_unchanged": 1}
    )


def _printed(tmp_path, job_name: str, tags: dict) -> tuple[dict[str, str], str]:
    defs = Definitions(
        assets=[agenda, trade],
        jobs=[define_asset_job("agenda_job", [agenda]), define_asset_job("trade_job", [trade])],
    )
    out, run_id = io.StringIO(), str(uuid.uuid4())
    with DagsterInstance.ephemeral() as instance:
        lines = StepLines(tmp_path / f"{job_name}.log", out=out)
        instance.add_event_listener(run_id, lines)
        try:
            result = defs.resolve_job_def(job_name).execute_in_process(
                instance=instance, run_id=run_id, run_config=QUIET_RUN_CONFIG, tags=tags
            )
            assert result.success
        finally:
            lines.close()
    printed = {line.split()[0]: line for line in out.getvalue().splitlines()}
    return printed, (tmp_path / f"{job_name}.log").read_text()


def test_a_step_of_several_assets_prints_one_line_with_their_rows(tmp_path):
    printed, log = _printed(tmp_path, "agenda_job", {})
    assert "3 assets, 14 rows" in printed["agenda"] and printed["agenda"].rstrip().endswith("ok")
    assert log.count(" ASSET_MATERIALIZATION ") == 3  # every event goes to the log file


def test_a_load_over_several_partitions_prints_its_load_once(tmp_path):
    range_tags = {
        "dagster/asset_partition_range_start": "2024-01",
        "dagster/asset_partition_range_end": "2024-03",
    }
    printed, log = _printed(tmp_path, "trade_job", range_tags)
    assert "2 partitions, 1 row (1 partition unchanged)" in printed["trade"]
    assert log.count(" ASSET_MATERIALIZATION ") == 3
