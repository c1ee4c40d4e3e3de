"""Dagster definitions of the warehouse: assets, checks, resources, schedules and sensors."""
