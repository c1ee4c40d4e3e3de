from dagster import build_schedule_from_partitioned_job

from orchestration.defs.jobs import build_warehouse_job, daily_feeds_job, land_quarterly_job

# On the first of each month, build the month that just ended. Late revisions of older months
# are picked up by the landing-folder sensor.
monthly_build_schedule = build_schedule_from_partitioned_job(
    build_warehouse_job, name="monthly_build", hour_of_day=3
)

# Every morning, yesterday's eOtinish exports.
daily_feeds_schedule = build_schedule_from_partitioned_job(daily_feeds_job, name="daily_feeds", hour_of_day=2)

# At the start of each quarter, the quarter that just ended (Dagster does not offset a custom
# quarterly cron; files that arrive later are picked up by the landing-folder sensor).
quarterly_land_schedule = build_schedule_from_partitioned_job(land_quarterly_job, name="quarterly_land")
