from dagster import DailyPartitionsDefinition, MonthlyPartitionsDefinition

# Comtrade publishes monthly data; the bundled set starts in January 2015.
TRADE_START = "2015-01-01"
monthly_partitions = MonthlyPartitionsDefinition(start_date=TRADE_START)

# eOtinish exports one pair of files a day; the bundled demo starts in January 2024.
APPEALS_START = "2024-01-01"
daily_partitions = DailyPartitionsDefinition(start_date=APPEALS_START)
