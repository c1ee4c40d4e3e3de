"""Deterministic synthetic demo data: the bundled files `make warehouse` builds on, and data sets of
any size for the benchmarks. Not part of a production install (pyproject.toml lists only ingest,
expectations and orchestration): it runs from the repository.

* `demo.trade` -- UN Comtrade v1 files (Kazakhstan-Tajikistan).
* `demo.appeals` -- eOtinish appeals export files and the dbt seeds of organisations and categories.
* `demo.land` -- land and subsoil monitoring files.
* `demo.refdata` -- the KATO classifier, regions and published figures they use, read from
  `data/reference/`; `demo.counters` -- the counter-based randomness of the vectorised writers.

`demo` may import from `ingest` (schemas, reference data); production modules never import `demo`
at module level.
"""
