"""Runs whose process died (kill -9, out of memory, a closed terminal) are marked failed and give
back their slot in the `duckdb_warehouse_writer` pool.

A step claims the pool's single slot in the Dagster instance's storage and gives it back when it
ends. A run killed in the middle of a step never gives it back: without this, every later
warehouse-writing step waits for ever ("Step blocked by limit for pool"). Two things free it:

- the monitoring daemon (`make ui` runs one; dagster.yaml turns it on): every few seconds it asks
  the run launcher whether each started run's process is alive, marks the dead ones failed, and
  frees the slots of finished runs (`free_slots_after_run_end_seconds`). Dagster's stock launcher
  cannot answer that question, so the Dagster home uses `LocalRunLauncher`, which launches exactly
  as the stock one and checks the run's process id on this machine;
- `make warehouse` (`orchestration/build.py`), which runs jobs in its own process without a daemon,
  calls `fail_dead_runs` before its first run.

A run's process id comes from the tags `warehouse/pid` and `warehouse/host` (set by the build
command on its in-process runs) or from the events "Started process for run (pid: ...)" (runs
launched from the UI, a schedule or a sensor) and "Executing steps in process (pid: ...)" that
Dagster writes. A run of another machine (tags), or without a known process, is left alone; a pid
reused by a process started after the run does not count as the run's.
"""

import os
import socket
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.events import DagsterEventType
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, WorkerStatus
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus, RunsFilter

PID_TAG = "warehouse/pid"
HOST_TAG = "warehouse/host"
PID_EVENTS = ("Started process for run", "Executing steps in process")


def process_tags() -> dict[str, str]:
    """Tags naming this process, for runs executed in it (execute_in_process)."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def process_alive(pid: int, not_started_after: float | None = None) -> bool:
    """Whether process `pid` exists and is not a zombie; with `not_started_after` (a timestamp),
    a process started later (the pid was reused) does not count."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    state, start_ticks = fields[0], int(fields[19])
    if state in ("Z", "X"):
        return False
    boot = _boot_time()
    if not_started_after is not None and boot is not None:
        started = boot + start_ticks / os.sysconf("SC_CLK_TCK")
        if started > not_started_after + 2:  # btime is in whole seconds
            return False
    return True


def run_process(instance: DagsterInstance, run: DagsterRun) -> int | None:
    """The id of the process executing `run` on this machine, if known."""
    tags = run.tags or {}
    if tags.get(PID_TAG):
        if tags.get(HOST_TAG) not in (None, socket.gethostname()):
            return None
        return int(tags[PID_TAG])
    # Runs launched through a code server (UI, schedules, sensors): its run worker says its pid
    # ("Started process for run"); so does the in-process executor ("Executing steps in process").
    pid = None
    for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ENGINE_EVENT):
        event = record.dagster_event
        if event is None or not (record.user_message or "").startswith(PID_EVENTS):
            continue
        value = event.engine_event_data.metadata.get("pid") if event.engine_event_data else None
        if value is not None:
            pid = int(value.value)
    return pid


def _run_start_time(instance: DagsterInstance, run_id: str) -> float | None:
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        return None
    return record.start_time or record.create_timestamp.timestamp()


def worker_status(instance: DagsterInstance, run: DagsterRun) -> CheckRunHealthResult:
    pid = run_process(instance, run)
    if pid is None:
        # Unknown is not dead: the monitoring daemon marks anything but RUNNING as failed.
        return CheckRunHealthResult(WorkerStatus.RUNNING, "process of the run not known; left alone")
    if process_alive(pid, _run_start_time(instance, run.run_id)):
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"process {pid} alive")
    return CheckRunHealthResult(WorkerStatus.FAILED, f"process {pid} of the run is gone")


class LocalRunLauncher(DefaultRunLauncher):
    """Dagster's default launcher (runs in a subprocess of the code server), plus the health check
    the monitoring daemon needs to mark runs whose process died as failed."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        return worker_status(self._instance, run)


def fail_dead_runs(instance: DagsterInstance) -> list[str]:
    """Mark started runs whose process is gone as failed and free every slot held by a finished
    run. Returns the ids of the runs marked failed."""
    failed = []
    records = instance.get_run_records(
        filters=RunsFilter(
            statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING]
        )
    )
    for record in records:
        run = record.dagster_run
        health = worker_status(instance, run)
        if health.status == WorkerStatus.FAILED:
            instance.report_run_failed(run, f"Marked failed: {health.msg} (found by the build command).")
            failed.append(run.run_id)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        for run_id in storage.get_concurrency_run_ids():
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
    return failed
