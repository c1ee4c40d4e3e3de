"""Plumbing the benchmarks share: peak memory of this process, fresh work folders, timing of
DuckDB result fetches."""

import resource
import shutil
import sys
from pathlib import Path


def _max_rss_mib(ru_maxrss: int) -> float:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def _self_peak_mib() -> float:
    return _max_rss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


class _TimedResult:
    """Wraps what DuckDBPyConnection.execute returns so fetching (.df(), .fetchall()...) is
    timed under the statement's category too."""

    def __init__(self, result, timer, category: str):
        self._result, self._timer, self._category = result, timer, category

    def __getattr__(self, name):
        attr = getattr(self._result, name)
        if name not in {"df", "fetchall", "fetchone", "fetchdf", "arrow", "fetch_arrow_table"}:
            return attr

        def timed(*args, **kwargs):
            with self._timer(self._category):
                return attr(*args, **kwargs)

        return timed
