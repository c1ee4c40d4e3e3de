"""Readers and loaders that bring each source feed into the DuckDB warehouse."""
