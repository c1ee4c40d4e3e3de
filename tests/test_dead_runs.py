"""A run killed with SIGKILL in the middle of a step that holds the warehouse writer pool's slot
does not block the warehouse for ever: it is marked failed and its slot freed within a bounded
time, by the monitoring daemon (the `make ui` deployment) or by the build command's check at
start (`make warehouse`). Real Dagster processes over a temporary Dagster home with the settings
the build writes; nothing listens on a network port."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus

from orchestration.build import DAGSTER_YAML, prepare_dagster_home
from orchestration.defs.resources import WRITER_POOL
from orchestration.run_monitoring import fail_dead_runs

TESTS = Path(__file__).resolve().parent
REPO_ROOT = TESTS.parent
HOLDER = TESTS / "pool_holder.py"

# The daemon checks every 5 s (poll_interval_seconds) and frees a dead run's slots 5 s after it is
# marked failed (free_slots_after_run_end_seconds); a step waiting for a slot asks again every
# 1 to 3 s at that point. Starting the daemon and the two Python processes takes a few seconds on
# a loaded 2-core machine.
DAEMON_BOUND_SECONDS = 45
BUILD_BOUND_SECONDS = 20


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    prepare_dagster_home()
    assert (tmp_path / "dagster_home" / "dagster.yaml").read_text() == DAGSTER_YAML
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO_ROOT), str(TESTS), os.environ.get("PYTHONPATH")])
        ),
        "POOL_HOLDER_MARKER": str(tmp_path / "holding"),
    }
    return tmp_path, env


def start_holder(tmp_path: Path, env: dict, seconds: float, name: str) -> subprocess.Popen:
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, str(HOLDER)],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**env, "POOL_HOLDER_SECONDS": str(seconds)},
    )


def kill_while_holding_the_slot(tmp_path: Path, env: dict, *, daemon: bool = False) -> str:
    """Start a run whose step holds the pool slot, SIGKILL its process mid-step; the run id.
    With the monitoring `daemon` running, the run may already be marked failed when this looks
    (the daemon's check can come right after the kill); without it, it is left started."""
    marker = tmp_path / "holding"
    holder = start_holder(tmp_path, env, 600, "killed")
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert holder.poll() is None, (tmp_path / "killed.log").read_text()
            assert time.monotonic() < deadline, "the first run's step never started"
            time.sleep(0.1)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    marker.unlink()
    with DagsterInstance.get() as instance:
        (record,) = instance.get_run_records()
        status = record.dagster_run.status
        assert status == DagsterRunStatus.STARTED or (daemon and status == DagsterRunStatus.FAILURE)
        if status == DagsterRunStatus.STARTED:  # as the kill left it: its slot still claimed
            assert instance.event_log_storage.get_concurrency_info(WRITER_POOL).claimed_slots
        return record.dagster_run.run_id


def wait_for_next_run(tmp_path: Path, env: dict, bound: float) -> float:
    """Start the next run; the seconds until its pool step ran and the run succeeded."""
    started = time.monotonic()
    following = start_holder(tmp_path, env, 0, "next")
    try:
        following.wait(timeout=bound)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"the next run's warehouse-writing step was still blocked after {bound} s:\n"
            + (tmp_path / "next.log").read_text()[-3000:]
        )
    finally:
        if following.poll() is None:
            following.kill()
            following.wait()
    assert following.returncode == 0, (tmp_path / "next.log").read_text()
    return time.monotonic() - started


@pytest.mark.slow
def test_the_dagster_home_is_ready_before_any_process_starts(home):
    """The daemon and a run (or the webserver) starting together on an empty home both stamped
    the SQLite schema and one died on `UNIQUE constraint failed: alembic_version`; the home is
    therefore prepared with its storage created."""
    tmp_path, _ = home
    dagster_home = tmp_path / "dagster_home"
    for storage in ("schedules/schedules.db", "history/runs.db", "history/runs/index.db"):
        assert (dagster_home / storage).is_file(), storage


def test_the_holder_uses_the_warehouse_writer_pool():
    from pool_holder import POOL

    assert POOL == WRITER_POOL


@pytest.mark.integration
def test_the_monitoring_daemon_fails_a_killed_run_and_frees_its_slot(home):
    tmp_path, env = home
    daemon_log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-m", "pool_holder", "-d", str(TESTS)],
        cwd=tmp_path,
        env=env,
        stdout=daemon_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        killed = kill_while_holding_the_slot(tmp_path, env, daemon=True)
        elapsed = wait_for_next_run(tmp_path, env, DAEMON_BOUND_SECONDS)
        print(f"next run done {elapsed:.1f} s after the kill (daemon)")
        with DagsterInstance.get() as instance:
            run = instance.get_run_by_id(killed)
            assert run.status == DagsterRunStatus.FAILURE
            assert not instance.event_log_storage.get_concurrency_info(WRITER_POOL).claimed_slots
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
    assert elapsed < DAEMON_BOUND_SECONDS


@pytest.mark.parametrize("tagged", [True, False], ids=["tagged", "untagged"])
@pytest.mark.integration
def test_the_build_command_fails_a_killed_run_and_frees_its_slot_before_it_starts(home, tagged):
    tmp_path, env = home
    env["POOL_HOLDER_TAGS"] = "1" if tagged else "0"
    killed = kill_while_holding_the_slot(tmp_path, env)
    started = time.monotonic()
    with DagsterInstance.get() as instance:
        assert fail_dead_runs(instance) == [killed]
        assert instance.get_run_by_id(killed).status == DagsterRunStatus.FAILURE
        assert fail_dead_runs(instance) == []
    elapsed = time.monotonic() - started + wait_for_next_run(tmp_path, env, BUILD_BOUND_SECONDS)
    print(f"next run done {elapsed:.1f} s after the kill (build command)")
    assert elapsed < BUILD_BOUND_SECONDS


@pytest.mark.integration
def test_a_live_run_is_left_alone(home):
    """A run whose process is alive (another `make warehouse` in progress) is not failed."""
    tmp_path, env = home
    holder = start_holder(tmp_path, env, 600, "alive")
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "holding").exists():
            assert holder.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        with DagsterInstance.get() as instance:
            assert fail_dead_runs(instance) == []
            (record,) = instance.get_run_records()
            assert record.dagster_run.status == DagsterRunStatus.STARTED
    finally:
        holder.kill()
        holder.wait()
