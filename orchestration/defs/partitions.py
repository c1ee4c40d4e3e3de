from dagster import DailyPartitionsDefinition, MonthlyPartitionsDefinition, TimeWindowPartitionsDefinition

# Comtrade publishes monthly data; the bundled set starts in January 2015.
TRADE_START = "2015-01-01"
monthly_partitions = MonthlyPartitionsDefinition(start_date=TRADE_START)

# Daily feeds: eOtinish exports one pair of files a day (the bundled demo starts in January 2024);
# the Digital Family Map's proactive services started on 1 September 2022 (its bundled events are
# December 2022 to February 2023).
DAILY_START = "2022-09-01"
daily_partitions = DailyPartitionsDefinition(start_date=DAILY_START)

# Space monitoring of land and subsoil use reports by quarter; keys are the quarter's first day
# ('2024-04-01' is 2024-Q2, see ingest.land.quarter_of_partition). The bundled demo starts in 2022.
LAND_START = "2022-01-01"
quarterly_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *", start=LAND_START, fmt="%Y-%m-%d"
)

# A feed declares its partitioning by name (catalog/).
PARTITIONS = {"monthly": monthly_partitions, "daily": daily_partitions, "quarterly": quarterly_partitions}
