"""Helpers for the UI test: a Dagster webserver in a process group of its own, started and stopped
by the test, and Debian's chromium driven by Playwright (whose own browser download needs the
internet)."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from orchestration.build import DAGSTER_YAML

CHROMIUM = Path("/usr/bin/chromium")
# Offline, chromium's own background connections (component updates, sync, field trials) fail and
# can get the page's connections refused many at a time: turn them off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The build's instance settings, plus: runs launched from the UI start at once (the default,
# queued, coordinator needs the daemon, which the test does not start), and no newsletter dialog
# over the pages.
UI_TEST_DAGSTER_YAML = (
    DAGSTER_YAML
    + """\
run_coordinator:
  module: dagster.core.run_coordinator
  class: DefaultRunCoordinator
nux:
  enabled: false
"""
)

_LOCATIONS_QUERY = json.dumps(
    {
        "query": """{ workspaceOrError { ... on Workspace {
    locationEntries { name loadStatus locationOrLoadError { __typename ... on PythonError { message } } }
} } }"""
    }
).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Webserver:
    """`dagster-webserver -m <module>` on 127.0.0.1 and a free port, in a new session: the
    webserver, the code server it starts and the runs launched from the UI share its process
    group, and stop() ends the group."""

    def __init__(self, module: str, cwd: Path, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dagster_webserver",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-m",
                module,
                "-d",
                str(cwd),
            ],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        """Until /server_info answers and every code location has loaded (a location still
        loading shows no assets)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"dagster-webserver exited with {self.process.returncode}; its log:\n{self.log()}"
                )
            if self._answers() and self._locations_loaded():
                return
            time.sleep(0.5)
        raise TimeoutError(
            f"dagster-webserver not ready on {self.url} after {timeout} s; its log:\n{self.log()}"
        )

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/server_info", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def _locations_loaded(self) -> bool:
        request = urllib.request.Request(
            self.url + "/graphql", data=_LOCATIONS_QUERY, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                entries = json.load(response)["data"]["workspaceOrError"]["locationEntries"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        errors = [e for e in entries if (e["locationOrLoadError"] or {}).get("__typename") == "PythonError"]
        if errors:
            raise RuntimeError(
                f"code location {errors[0]['name']} failed to load: "
                f"{errors[0]['locationOrLoadError']['message']}\n{self.log()}"
            )
        return bool(entries) and all(e["loadStatus"] == "LOADED" for e in entries)

    def stop(self, grace: float = 20) -> None:
        """SIGTERM to the whole process group; SIGKILL to whatever is left of it after `grace`."""
        group = self.process.pid
        _signal_group(group, signal.SIGTERM)
        deadline = time.monotonic() + grace
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        # The webserver may have gone while its code server or a run is still shutting down.
        while time.monotonic() < deadline and _signal_group(group, 0):
            time.sleep(0.2)
        _signal_group(group, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()


def _signal_group(group: int, sig: int) -> bool:
    """Send `sig` to the process group; False when no process is left in it."""
    try:
        os.killpg(group, sig)
        return True
    except ProcessLookupError:
        return False


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
