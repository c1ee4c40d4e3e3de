"""Great Expectations imported without SciPy's statistics, which no suite of ours runs.

`import great_expectations` imports every core expectation, and one of them,
`expect_column_kl_divergence_to_be_less_than`, imports `scipy.stats` at the top of its module
(`from scipy import stats`) for a function it calls when it validates. With SciPy's linear algebra,
spatial and special functions behind it, that is ~0.5-0.7 s of GX's ~2.4 s import, paid by every
process that validates a load: each Dagster run, each bench child, the trade load of an increment.

`import_great_expectations()` first registers `scipy.stats` as a lazy module (the standard
library's `importlib.util.LazyLoader`), which loads on its first attribute use, then imports GX.
Nothing is removed: an expectation that does use it loads it then. GX's files are not edited;
tests/test_gx_imports.py fails loudly when a GX release imports `scipy.stats` some other way at
import time (then this module no longer saves anything, and can go).

One detail of Python 3.11 makes the lazy module need a second step: `from scipy import stats`
looks `stats` up on the `scipy` package first, and SciPy's package answers a missing name by
importing the submodule, which reads the lazy module's `__spec__` and so loads it. The lazy
module is therefore also set as the package's attribute.
"""

from __future__ import annotations

import importlib.util
import sys
import types

DEFERRED = "scipy.stats"


def import_great_expectations() -> types.ModuleType:
    """`great_expectations`, imported with `scipy.stats` deferred (idempotent)."""
    if "great_expectations" not in sys.modules:
        defer(DEFERRED)
    import great_expectations

    return great_expectations


def defer(name: str) -> None:
    """Register the submodule `name` as a lazy module and as its package's attribute, unless it is
    imported already (or not installed: then GX's own import says so)."""
    if name in sys.modules:
        return
    package_name, _, attribute = name.rpartition(".")
    try:
        package = importlib.import_module(package_name)
        spec = importlib.util.find_spec(name)
    except ImportError:
        return
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)  # lazy: only prepares the module's first attribute use
    setattr(package, attribute, module)
