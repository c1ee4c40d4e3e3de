"""Great Expectations imported without what no suite of ours runs: SciPy's statistics, Altair
and PySpark.

`import great_expectations` imports every core expectation and metric, and some of their modules
import, at the top, libraries for what they compute or draw when they run, which no suite of ours
does. Measured with `-X importtime` (2026-12-06), paid by every process that validates a load
(each Dagster run, each bench child, the trade load of an increment):
- `scipy.stats` (~0.6 s with SciPy's linear algebra, spatial and special functions behind it):
  the KL-divergence expectation and the two Kolmogorov-Smirnov p-value metrics;
- Altair (~0.25 s): the same KL-divergence expectation, for its charts;
- PySpark (~0.35 s, when the `spark` extra is installed): GX's `compatibility.pyspark` imports
  `pyspark.sql`, `pyspark.ml.feature` and Spark Connect to offer Spark dataframes as batches.
`import great_expectations` in a new interpreter: 2.7-2.9 s plain, 1.9-2.2 s without SciPy's
statistics (five runs each), 1.55-1.76 s without all three (three runs, this venv with the extra).

`import_great_expectations()` prepares three things, then imports GX. Nothing is removed: what
does use a deferred module loads it then. GX's files are not edited; tests/test_gx_imports.py
fails loudly when a GX release imports one of them some other way at import time (then this
module no longer saves anything for it).
- `scipy.stats` is registered as a lazy module (the standard library's
  `importlib.util.LazyLoader`), loaded on its first attribute use. On Python 3.11, `from scipy
  import stats` looks `stats` up on the `scipy` package first, and SciPy's package answers a
  missing name by importing the submodule, which reads the lazy module's `__spec__` and so loads
  it: the lazy module is also set as the package's attribute. (Python 3.11's lazy modules have no
  lock, and one whose load fails stays half made in `sys.modules`: nothing here uses it, and code
  that does would meet SciPy's own error at its first use rather than at GX's import.)
- Altair, a top-level package, cannot be such a lazy module: `import altair` itself reads the
  module's `__spec__` (the import lock), which would load it at once. A stand-in module (_StandIn)
  sits in `sys.modules` instead, answers `__spec__`, `__file__` and the like from the module's
  spec, and imports Altair on the first other name asked of it (`alt.Chart`, `from altair import
  Chart`, a submodule's import asking for `__path__`). A name bound to it before then (GX's `alt`)
  stays the stand-in, which hands every attribute read on to the real module. The report, which
  draws with Altair, loads it at its first use.
- PySpark is hidden while GX imports (`sys.modules["pyspark"] = None`: `import pyspark` raises
  ImportError), so GX falls back to its own placeholders, as in an install without the extra. Our
  suites run on DuckDB only (Spark builds the dbt models; it validates nothing). The process can
  still import PySpark afterwards (dbt-spark's session does); GX keeps believing it absent.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
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
    """A top-level module not imported yet (see the module docstring): the spec's names are its
    own; any other name imports the module, in the stand-in's place in `sys.modules`, and is
    answered by it. `__path__` is left out on purpose: a submodule's import asks for it first."""

    def __init__(self, name: str, spec) -> None:
        super().__init__(name)
        self.__spec__, self.__loader__, self.__package__ = spec, spec.loader, name
        if spec.origin:
            self.__file__ = spec.origin  # asked of every module by inspect.getmodule (pytest)

    def __getattr__(self, attribute: str):  # only names the stand-in does not hold
        with _STAND_IN_LOCK:  # two threads' first use: one import, not two removals
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            module = importlib.import_module(self.__name__)
        return getattr(module, attribute)


_STAND_IN_LOCK = threading.RLock()
