"""The benches' reading of dbt's output (bench/common.py dbt_node_times): with --no-write-json, as
Dagster runs dbt, there is no run_results.json, so each node's seconds come from its result line."""

from bench.common import dbt_node_times

GREEN, RESET = "\x1b[32m", "\x1b[0m"


def line(text: str, result: str = "") -> str:
    """A line of dbt's output, colours and all; `result` e.g. 'OK in 0.01s'."""
    status = f" [{GREEN}{result.split(' in ')[0]}{RESET} in {result.split(' in ')[1]}]" if result else ""
    return f"{RESET}11:50:43  {text}{status}"


OUTPUT = [
    line("Running with dbt=1.11.16"),
    line("1 of 2 START hook: kz_tj_warehouse.on-run-start.0 ........ [RUN]"),
    line("1 of 2 OK hook: kz_tj_warehouse.on-run-start.0 ...........", "OK in 0.01s"),
    line("1 of 4 START sql incremental model staging.stg_x ......... [RUN]"),
    line("1 of 4 OK created sql incremental model staging.stg_x .....", "OK in 2.45s"),
    line("2 of 4 OK loaded seed file marts.hs_chapters ..............", "INSERT 97 in 0.12s"),
    line("3 of 4 PASS column_values_fct_appeals .....................", "PASS in 0.22s"),
    # a name too long for dbt's dots
    line("4 of 4 PASS relationships_fct_trade_flows_cmd_code__cmd_code__ref_dim_commodity ", "PASS in 0.15s"),
    line("1 of 1 PASS fct_appeals::open_appeal_ages .................", "PASS in 0.30s"),
    line("Finished running 1 incremental model, 1 seed, 2 data tests in 0 hours 0 minutes and 3.00 seconds"),
]


def test_each_node_result_line_gives_its_kind_name_and_seconds():
    assert dbt_node_times(OUTPUT) == [
        ("operation", "kz_tj_warehouse.on-run-start.0", 0.01),
        ("model", "stg_x", 2.45),
        ("seed", "hs_chapters", 0.12),
        ("test", "column_values_fct_appeals", 0.22),
        ("test", "relationships_fct_trade_flows_cmd_code__cmd_code__ref_dim_commodity", 0.15),
        ("unit_test", "fct_appeals::open_appeal_ages", 0.30),
    ]
