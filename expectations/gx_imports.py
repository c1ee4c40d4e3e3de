"""Great Expectations imported without what no suite of ours runs: SciPy's statistics, Altair
and PySpark.

`import great_expectations` imports every core expectation and metric, and three of their
modules (`expect_column_kl_divergence_to_be_less_than` and the two Kolmogorov-Smirnov p-value
metrics) import `scipy.stats` at the top (`from scipy import stats`) for what they compute when
they run, which no suite of ours does. With SciPy's linear algebra, spatial and special functions
behind it, that is ~0.6 s of GX's import (2.7-2.9 s plain, 1.9-2.2 s so: five runs each,
2026-12-06), paid by every process that validates a load: each Dagster run, each bench child,
the trade load of an increment.

`import_great_expectations()` first registers `scipy.stats` as a lazy module (the standard
library's `importlib.util.LazyLoader`), which loads on its first attribute use, then imports GX.
Nothing is removed: an expectation that does use it loads it then. GX's files are not edited;
tests/test_gx_imports.py fails loudly when a GX release imports `scipy.stats` some other way at
import time (then this module no longer saves anything, and can go).

One detail of Python 3.11 makes the lazy module need a second step: `from scipy import stats`
looks `stats` up on the `scipy` package first, and SciPy's package answers a missing name by
importing the submodule, which reads the lazy module's `__spec__` and so loads it. The lazy
module is therefore also set as the package's attribute. (Python 3.11's lazy modules have no
lock, and one whose load fails stays half made in `sys.modules`: nothing here uses it, and code
that does would meet SciPy's own error at its first use rather than at GX's import.)
Two more of GX's imports are for what we never run (`-X importtime`, 2026-12-06):
- Altair (~0.25 s), imported at the top by the same KL-divergence expectation to draw its charts:
  deferred the same way. The report, which draws with Altair, loads it at its first use.
- PySpark (~0.35 s when the `spark` extra is installed): GX's `compatibility.pyspark` imports
  `pyspark.sql`, `pyspark.ml.feature` and Spark Connect to offer Spark dataframes as batches. Our
  suites run on DuckDB only (Spark builds the dbt models; it validates nothing), so GX is imported
  as where PySpark is not installed: `import pyspark` fails during GX's import only, and GX falls
  back to its own placeholders, as in an install without the extra. The process can still import
  PySpark afterwards (dbt-spark's session does); GX keeps believing it absent.
"""

from __future__ import annotations

import importlib.util
import sys
import types

DEFERRED = ("scipy.stats", "altair")
HIDDEN = "pyspark"


def import_great_expectations() -> types.ModuleType:
    """`great_expectations`, imported with DEFERRED deferred and HIDDEN hidden (idempotent)."""
    if "great_expectations" not in sys.modules:
        for name in DEFERRED:
            defer(name)
        hide = HIDDEN not in sys.modules  # imported already: nothing left to save
        if hide:
            sys.modules[HIDDEN] = None  # `import pyspark` raises ImportError (the import system's rule)
        try:
            import great_expectations  # noqa: F401
        finally:
            if hide and sys.modules.get(HIDDEN, ...) is None:
                del sys.modules[HIDDEN]
    import great_expectations

    return great_expectations


def defer(name: str) -> None:
    """Register the module `name` as lazy (a submodule also as its package's attribute), unless it
    is imported already (or not installed: then GX's own import says so)."""
    if name in sys.modules:
        return
    package_name, _, attribute = name.rpartition(".")
    try:
        package = importlib.import_module(package_name) if package_name else None
        spec = importlib.util.find_spec(name)
    except ImportError:
        return
    if spec is None or spec.loader is None:
        return
    if package is None:
        sys.modules[name] = _StandIn(name, spec)
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)  # lazy: only prepares the module's first attribute use
    if package is not None:
        setattr(package, attribute, module)


class _StandIn(types.ModuleType):
    """A top-level module not imported yet. `import altair` itself reads the module's `__spec__`,
    which would load a lazy module (LazyLoader) at once; this one answers that from the spec it
    was given, and any other name by importing the module (in its place in `sys.modules`)."""

    def __init__(self, name: str, spec) -> None:
        super().__init__(name)
        self.__spec__ = spec

    def __getattr__(self, attribute: str):  # only names the stand-in does not hold
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)
