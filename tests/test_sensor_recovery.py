"""The landing sensor loses no work: the good months of a run that failed are requested again (the
fact table rebuilds only the months of its run), and a file whose periods are all outside the
partitions is reported, not taken in silence. Real sensor ticks, loads, dbt and DuckDB."""

from datetime import date

import duckdb
import pytest
from comtrade_files import month_records, write_csv
from dagster import build_sensor_context, materialize

from orchestration.defs import sensors
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.sensors import RANGE_END, RANGE_START, RETRY_OF_TAG, landing_folder_sensor


def tick(resources, cursor=None, instance=None):
    return landing_folder_sensor(build_sensor_context(resources=resources, cursor=cursor, instance=instance))


def two_ticks(resources, cursor=None, instance=None):
    """A file is taken once it looks the same on two ticks in a row."""
    return tick(resources, tick(resources, cursor, instance).cursor, instance)


def warnings_of(capfd) -> list[str]:
    """The warnings the sensor logged since the last call (Dagster's logger writes them to stderr)."""
    return [line for line in capfd.readouterr().err.splitlines() if " - WARNING - " in line]


@pytest.fixture
def sensor_resources(warehouse_paths):
    return {
        "warehouse": WarehouseResource(root=str(warehouse_paths.root), landing=str(warehouse_paths.landing))
    }


def test_a_file_of_months_before_the_partitions_is_reported_once(warehouse_paths, sensor_resources, capfd):
    write_csv(warehouse_paths.trade_landing / "kz_2014_12.csv", month_records("201412"))

    result = two_ticks(sensor_resources)

    assert not result.run_requests
    reason = result.skip_reason.skip_message
    assert "1 file(s) hold only periods outside the partitions" in reason
    assert "trade/kz_2014_12.csv (2014-12-01)" in reason
    assert any("kz_2014_12.csv" in w and "2014-12-01" in w for w in warnings_of(capfd))

    # Reported on the tick that took it, not again until it changes.
    again = tick(sensor_resources, result.cursor)
    assert "kz_2014_12" not in again.skip_reason.skip_message and not warnings_of(capfd)


def test_a_file_of_the_month_not_ended_yet_is_not_reported_as_never_loaded(
    warehouse_paths, sensor_resources, capfd
):
    """This month is no partition until it ends; then the monthly schedule loads its files."""
    this_month = date.today().strftime("%Y%m")
    write_csv(warehouse_paths.trade_landing / "kz_now.csv", month_records(this_month))

    result = two_ticks(sensor_resources)

    assert not result.run_requests
    assert "outside the partitions" not in result.skip_reason.skip_message
    assert not warnings_of(capfd)


def test_a_file_with_some_months_before_the_partitions_names_them(warehouse_paths, sensor_resources, capfd):
    write_csv(warehouse_paths.trade_landing / "kz.csv", month_records("201412") + month_records("201501"))

    result = two_ticks(sensor_resources)

    (run,) = result.run_requests
    assert (run.tags[RANGE_START], run.tags[RANGE_END]) == ("2015-01-01", "2015-01-01")
    assert [w for w in warnings_of(capfd) if "kz.csv" in w and "2014-12-01" in w]


@pytest.fixture(scope="module")
def built(bundled_warehouse_environment):
    paths, instance, _ = bundled_warehouse_environment
    return paths, instance


def months_in(paths, table: str) -> list[str]:
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        return [
            period
            for (period,) in con.execute(
                f"select distinct period from {table} where period in ('202402', '202403') order by 1"
            ).fetchall()
        ]


@pytest.mark.integration
def test_the_good_month_of_a_failed_run_is_requested_again_and_built(built):
    """A bad February and a good March land together: their run publishes March to raw, rejects
    February and builds neither. The sensor requests March again on its own; the fixed February is
    requested when it lands; the fact table ends with both months."""
    from orchestration.definitions import defs
    from orchestration.defs.jobs import monthly_feeds_job
    from orchestration.defs.resources import dbt_resource

    paths, instance = built
    sensor_resources = {"warehouse": WarehouseResource(root=str(paths.root), landing=str(paths.landing))}
    resources = {**sensor_resources, "dbt": dbt_resource()}

    def execute(request):
        assert request.job_name == monthly_feeds_job.name
        return materialize(
            list(defs.assets),
            selection=monthly_feeds_job.selection,
            resources=resources,
            instance=instance,
            tags=request.tags,
            raise_on_error=False,
        )

    # The bundled files: taken; their requests never ran, so the next tick forgets them.
    cursor = two_ticks(sensor_resources, instance=instance).cursor
    quiet = tick(sensor_resources, cursor, instance)
    assert not quiet.run_requests

    bad = month_records("202402")
    bad[1]["flowCode"] = "XX"
    write_csv(paths.trade_landing / "kz_extra_2024_02.csv", bad)
    write_csv(paths.trade_landing / "kz_extra_2024_03.csv", month_records("202403"))
    landed = two_ticks(sensor_resources, quiet.cursor, instance)
    (both,) = landed.run_requests
    assert (both.tags[RANGE_START], both.tags[RANGE_END]) == ("2024-02-01", "2024-03-01")
    assert not execute(both).success
    assert months_in(paths, "raw.comtrade_records") == ["202403"]
    assert months_in(paths, "marts.fct_trade_flows") == []

    # The next tick requests March again (February, rejected, waits for its file to change) ...
    write_csv(paths.trade_landing / "kz_extra_2024_02.csv", month_records("202402"))  # fixed
    seen = tick(sensor_resources, landed.cursor, instance)
    (retry,) = seen.run_requests
    assert (retry.tags[RANGE_START], retry.tags[RANGE_END]) == ("2024-03-01", "2024-03-01")
    assert retry.tags[RETRY_OF_TAG]
    # ... and the one after the fixed February.
    fixed = tick(sensor_resources, seen.cursor, instance)
    (february,) = fixed.run_requests
    assert (february.tags[RANGE_START], february.tags[RANGE_END]) == ("2024-02-01", "2024-02-01")

    assert execute(retry).success and execute(february).success
    assert months_in(paths, "marts.fct_trade_flows") == ["202402", "202403"]
    # Both settled: nothing more is requested.
    settled = tick(sensor_resources, fixed.cursor, instance)
    assert not settled.run_requests

    # A month that keeps failing is not requested in a loop: a failed run whose only month was
    # rejected is not retried (the next change of its file is requested as any change).
    april = paths.trade_landing / "kz_extra_2024_04.csv"
    bad = month_records("202404")
    bad[1]["flowCode"] = "XX"
    write_csv(april, bad)
    landed = two_ticks(sensor_resources, settled.cursor, instance)
    (alone,) = landed.run_requests
    assert not execute(alone).success
    assert not tick(sensor_resources, landed.cursor, instance).run_requests
    april.unlink()  # the later builds of the shared warehouse read this folder


def test_a_rejected_quarter_is_left_out_of_the_retry():
    """A land load names its partitions by quarter ('2024-Q3'); the retry works in Dagster's keys."""
    keys = ["2024-04-01", "2024-07-01", "2024-10-01"]
    rejected = sensors._as_dagster_keys("quarterly", {"2024-Q3"})
    assert rejected == {"2024-07-01"}
    assert sensors._unbroken_blocks(keys, rejected) == [["2024-04-01"], ["2024-10-01"]]
    assert sensors._as_dagster_keys("monthly", {"2024-02-01"}) == {"2024-02-01"}
