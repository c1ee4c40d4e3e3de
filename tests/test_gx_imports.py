"""Great Expectations imported with `scipy.stats` and Altair deferred and PySpark hidden
(expectations/gx_imports.py). Each case runs in a fresh interpreter: this process may have
imported GX, SciPy or Altair already. The first tests fail loudly when a GX release changes how it
imports them: then read the release notes, and adapt or drop the accommodation."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Each case starts an interpreter that imports GX (~2-3 s).
pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]

LOADED = "scipy.stats._stats_py"  # what `scipy.stats` loads first, and most of its cost


def modules_after(code: str, env: dict | None = None) -> dict:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_plain_gx_import_loads_scipy_stats_and_the_deferred_one_does_not():
    plain = modules_after(
        f"""
        import json, sys
        import great_expectations
        print(json.dumps({{"stats": "{LOADED}" in sys.modules}}))
        """
    )
    assert plain["stats"], (
        "GX no longer imports scipy.stats when it is imported: expectations/gx_imports.py saves "
        "nothing now and can go"
    )
    deferred = modules_after(
        f"""
        import json, sys
        from expectations.gx_imports import import_great_expectations
        gx = import_great_expectations()
        print(json.dumps({{"gx": "great_expectations" in sys.modules, "stats": "{LOADED}" in sys.modules}}))
        """
    )
    assert deferred == {"gx": True, "stats": False}, (
        "GX loads scipy.stats at import in a way the lazy module does not cover"
    )


def test_altair_is_deferred_and_pyspark_hidden_only_while_gx_imports():
    plain = modules_after(
        """
        import importlib.util, json, sys
        import great_expectations
        print(json.dumps({"altair": "altair.vegalite" in sys.modules, "pyspark": "pyspark.sql" in sys.modules,
                          "spark_installed": importlib.util.find_spec("pyspark") is not None}))
        """
    )
    assert plain["altair"], "GX no longer imports Altair at import: drop it from gx_imports.DEFERRED"
    if plain["spark_installed"]:
        assert plain["pyspark"], "GX no longer imports PySpark at import: gx_imports.HIDDEN can go"
    deferred = modules_after(
        """
        import json, sys
        from expectations.gx_imports import import_great_expectations
        import_great_expectations()
        loaded = {"altair": "altair.vegalite" in sys.modules, "pyspark": "pyspark.sql" in sys.modules,
                  "hidden_left": "pyspark" in sys.modules}
        from great_expectations.compatibility import pyspark as gx_pyspark
        from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
        import altair
        chart = kl.alt.Chart is altair.Chart  # the stand-in answers from the real module
        print(json.dumps({**loaded, "gx_sees_spark": bool(gx_pyspark.pyspark), "chart": chart,
                          "altair_loaded": "altair.vegalite" in sys.modules}))
        """
    )
    assert deferred == {
        "altair": False,
        "pyspark": False,
        "hidden_left": False,
        "gx_sees_spark": False,
        "chart": True,
        "altair_loaded": True,
    }
    if plain["spark_installed"]:
        after = modules_after(
            """
            import json
            from expectations.gx_imports import import_great_expectations
            import_great_expectations()
            import pyspark.sql
            print(json.dumps({"spark": pyspark.sql.SparkSession.__name__}))
            """
        )
        assert after == {"spark": "SparkSession"}, "PySpark must stay importable after GX's import"


def test_the_deferred_module_loads_on_first_use_where_gx_uses_it():
    used = modules_after(
        f"""
        import json, sys
        from expectations.gx_imports import import_great_expectations
        import_great_expectations()
        from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
        before = "{LOADED}" in sys.modules
        entropy = float(kl.stats.entropy([0.5, 0.5], [0.9, 0.1]))
        import scipy.stats
        print(json.dumps({{
            "before": before, "after": "{LOADED}" in sys.modules, "entropy": entropy,
            "same": kl.stats is scipy.stats is sys.modules["scipy.stats"],
        }}))
        """
    )
    assert used["before"] is False and used["after"] is True and used["same"] is True
    assert abs(used["entropy"] - 0.5108256237659907) < 1e-12


def test_a_suite_validates_inside_duckdb_with_the_statistics_deferred(tmp_path):
    """A real run of GX's SQL engine over DuckDB (the loads' path) in such a process, its failing row
    named, and SciPy's statistics never loaded."""
    result = modules_after(
        f"""
        import json, sys
        import duckdb
        from expectations.runner import ExpectationSpec, validate_query
        con = duckdb.connect()
        con.execute("create temp table staged as select * from (values (1, 'a.csv', 2), (-5, 'a.csv', 3)) "
                    "as t(amount, _source_file, _source_row)")
        passed, summary, issues = validate_query(
            "probe", [ExpectationSpec("ExpectColumnValuesToBeBetween",
                                      {{"column": "amount", "min_value": 0}})],
            con, "select * from staged", "probe_batch",
        )
        print(json.dumps({{"passed": passed, "rows": [i.row for i in issues],
                          "stats": "{LOADED}" in sys.modules}}))
        """,
        env={"WAREHOUSE_DIR": str(tmp_path)},  # GX's results and Data Docs go there
    )
    assert result == {"passed": False, "rows": [3], "stats": False}


def test_the_altair_stand_in_serves_every_way_of_importing_altair():
    used = modules_after(
        """
        import inspect, json, sys
        from expectations.gx_imports import import_great_expectations
        import_great_expectations()
        # asked of every module by inspect (pytest's tracebacks): answered without loading Altair
        inspect.getmodule(import_great_expectations.__code__)
        quiet = "altair.vegalite" not in sys.modules
        from altair import Chart
        import altair.vegalite.v6 as v6
        print(json.dumps({"quiet": quiet, "chart": Chart is v6.Chart,
                          "real": type(sys.modules["altair"]).__name__ == "module"}))
        """
    )
    assert used == {"quiet": True, "chart": True, "real": True}
