"""What `make warehouse` shows while Dagster runs: one line per finished step (what it loaded,
seconds, outcome), a few lines for a failure, and every event of the run in a log file under the
Dagster home instead of on the terminal (the event log itself is in the Dagster home's storage)."""

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from dagster import DagsterEventType, EventLogEntry

# build_last_update_freshness_checks names its step freshness_check_<hash>.
FRESHNESS_STEP = "freshness_check_"
# Silences the job's own console logger (Dagster's DEBUG event stream) for a run.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class StepLines:
    """An event listener (DagsterInstance.add_event_listener) for one run."""

    def __init__(self, log_path: Path, out: TextIO = sys.stdout):
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("a", encoding="utf-8")
        self.out = out
        # step key -> asset -> the counts its materialization gave (a partitioned step materializes
        # each asset once per partition, with the same metadata: the load's or the run's)
        self.loaded: dict[str, dict[str, dict]] = {}
        self.failed_checks: dict[str, list[str]] = {}
        self.checked: dict[str, int] = {}  # step key -> how many checks it evaluated

    def __call__(self, entry: EventLogEntry) -> None:
        when = datetime.fromtimestamp(entry.timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")
        event = entry.dagster_event
        kind = event.event_type_value if event else "LOG"
        self.log.write(
            f"{when} {entry.level if isinstance(entry.level, str) else entry.level:>2} "
            f"{entry.step_key or '-'} {kind} {entry.message or ''}\n"
        )
        self.log.flush()
        if event is None or not entry.step_key:
            return
        step = entry.step_key
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            asset = materialization.asset_key.to_user_string()
            self.loaded.setdefault(step, {})[asset] = _counts(materialization.metadata)
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            self.checked[step] = self.checked.get(step, 0) + 1
            if not evaluation.passed:
                self.failed_checks.setdefault(step, []).append(evaluation.check_name)
        elif event.event_type == DagsterEventType.STEP_SUCCESS:
            seconds = event.event_specific_data.duration_ms / 1000
            checks = self.failed_checks.get(step)
            outcome = "ok" if not checks else "ok, check failed: " + ", ".join(checks)
            name, what = _short(step), what_was_loaded(list(self.loaded.get(step, {}).values()))
            if step.startswith(FRESHNESS_STEP):  # Dagster names these steps by a hash
                checked = self.checked.get(step, 0)
                name, what = "freshness checks", f"{checked} feed" + ("s" if checked != 1 else "")
            self._print(f"  {name:<44} {what:<40} {seconds:7.1f} s  {outcome}")
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            message = (error.message if error else entry.message or "").strip().splitlines()
            self._print(f"  {_short(step):<44} {'':<40} {'':>9}  FAILED")
            for line in message[:6]:
                self._print(f"      {line[:160]}")
            if len(message) > 6:
                self._print(f"      ... (the whole error: {self.log.name})")

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def close(self) -> None:
        self.log.close()


def _short(step: str) -> str:
    return step if len(step) <= 44 else step[:41] + "..."


def _counts(metadata) -> dict:
    """The counts one materialization's metadata gives (a load's, or a table's row count)."""

    def value(name):
        entry = metadata.get(name)
        return getattr(entry, "value", entry) if entry is not None else None

    published = value("rows_published")
    return {
        "rows": published if published is not None else value("dagster/row_count"),
        "partitions": value("partitions_published"),
        "unchanged": value("partitions_unchanged") or 0,
    }


def counted(number: int, noun: str) -> str:
    """'1 row', '2 rows', '16,264 rows'."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def what_was_loaded(materializations: list[dict]) -> str:
    """A step's line, from the counts of each asset it materialized: what its load published, or
    the rows of what it built (summed over the assets of a step that materializes several, e.g.
    dbt's models or the bilateral tables)."""
    if not materializations:
        return ""
    if len(materializations) == 1 and materializations[0]["partitions"] is not None:
        (load,) = materializations
        unchanged = f" ({counted(load['unchanged'], 'partition')} unchanged)" if load["unchanged"] else ""
        if not load["partitions"]:
            return "nothing new" + unchanged
        return f"{counted(load['partitions'], 'partition')}, {counted(load['rows'] or 0, 'row')}" + unchanged
    rows = [m["rows"] for m in materializations if isinstance(m["rows"], int)]
    if len(rows) < len(materializations):  # e.g. dbt's models: no row counts
        return counted(len(materializations), "asset")
    if len(rows) == 1:
        return counted(rows[0], "row")
    return f"{counted(len(rows), 'asset')}, {counted(sum(rows), 'row')}"
