"""The benches' reading of dbt's output (bench/common.py dbt_node_times): with --no-write-json, as
Dagster runs dbt, there is no run_results.json, so each node's seconds come from its result line.
The lines are made by dbt's own events, so a change of their format in a dbt upgrade shows here."""

from dbt.events.types import LogHookEndLine, LogModelResult, LogSeedResult, LogStartLine, LogTestResult

from bench.common import dbt_node_times


def printed(event) -> str:
    """The event's line as dbt prints it (its text format: colours, then the time)."""
    return f"\x1b[0m11:50:43  {event.message()}"


OUTPUT = [
    printed(
        LogHookEndLine(
            statement="kz_tj_warehouse.on-run-start.0",
            status="success",
            index=1,
            total=2,
            execution_time=0.01,
        )
    ),
    printed(LogStartLine(description="sql incremental model staging.stg_x", index=1, total=4)),
    printed(
        LogModelResult(
            description="sql incremental model staging.stg_x",
            status="OK",
            index=1,
            total=4,
            execution_time=2.45,
        )
    ),
    printed(
        LogSeedResult(
            status="INSERT 97",
            result_message="INSERT 97",
            index=2,
            total=4,
            execution_time=0.12,
            schema="marts",
            relation="hs_chapters",
        )
    ),
    printed(
        LogTestResult(
            name="column_values_fct_appeals",
            status="pass",
            index=3,
            num_models=4,
            execution_time=0.22,
            num_failures=0,
        )
    ),
    # a name too long for dbt's dots
    printed(
        LogTestResult(
            name="relationships_fct_trade_flows_cmd_code__cmd_code__ref_dim_commodity_",
            status="pass",
            index=4,
            num_models=4,
            execution_time=0.15,
            num_failures=0,
        )
    ),
    printed(
        LogTestResult(
            name="column_values_dim_agency",
            status="warn",
            index=5,
            num_models=5,
            execution_time=0.05,
            num_failures=2,
        )
    ),
    printed(
        LogTestResult(
            name="fct_appeals::open_appeal_ages",
            status="pass",
            index=1,
            num_models=1,
            execution_time=0.3,
            num_failures=0,
        )
    ),
]


def test_each_node_result_line_gives_its_kind_name_and_seconds():
    assert dbt_node_times(OUTPUT) == [
        ("operation", "kz_tj_warehouse.on-run-start.0", 0.01),
        ("model", "stg_x", 2.45),
        ("seed", "hs_chapters", 0.12),
        ("test", "column_values_fct_appeals", 0.22),
        ("test", "relationships_fct_trade_flows_cmd_code__cmd_code__ref_dim_commodity_", 0.15),
        ("test", "column_values_dim_agency", 0.05),
        ("unit_test", "fct_appeals::open_appeal_ages", 0.30),
    ]
