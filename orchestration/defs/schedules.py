from dagster import build_schedule_from_partitioned_job

from orchestration.defs.jobs import build_warehouse_job

# On the first of each month, build the month that just ended. Late revisions of older months
# are picked up by the landing-folder sensor.
monthly_build_schedule = build_schedule_from_partitioned_job(
    build_warehouse_job, name="monthly_build", hour_of_day=3
)
