from dagster import MonthlyPartitionsDefinition

# Comtrade publishes monthly data; the bundled set starts in January 2015.
TRADE_START = "2015-01-01"
monthly_partitions = MonthlyPartitionsDefinition(start_date=TRADE_START)
