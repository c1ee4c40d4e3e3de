"""Drawing the report's charts in helper processes: a Vega-Lite spec -> SVG, and that SVG -> PNG.

vl-convert draws one chart at a time in a process (two threads drew 8 charts in 0.74 s against
0.87 s in one), and drawing is most of the report (24 charts: 9.4-10.1 s of 12-13 s). So the
report hands each chart to one of two helper processes and goes on building the next sections
meanwhile (`ChartDrawer`). A helper is this file run as a script, by its path and in isolated
mode (`-I`: the report's folder is not on its path): it imports vl-convert and nothing of the
report. It reads one job per line on stdin (JSON: spec, locale, scale) and answers one line on
stdout (JSON: the SVG and the PNG in base64, or the error). A chart not drawn within
report.render.CHART_SECONDS is a problem of the report; leaving the drawer kills a helper that
does not end.

Which helper draws which chart is up to the threads. That changes no chart more than a run does:
vl-convert's coordinates already differed in their last digits between two runs of the same
report in one process (e.g. 44.85558144789364 / 44.855581447893655).
"""

import base64
import contextlib
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor

PROCESSES = 2


class ChartDrawingError(Exception):
    """A chart the helper could not draw (its message names the original error)."""


class _Helper:
    """One helper process, used by one thread at a time."""

    command = [sys.executable, "-I", __file__]
    seconds_to_close = 10  # then it is killed

    def __init__(self):
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def draw(self, spec: dict, locale: dict, scale: float) -> tuple[str, bytes]:
        job = {"spec": spec, "locale": locale, "scale": scale}
        try:
            self.process.stdin.write(json.dumps(job).encode("utf-8") + b"\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except OSError as error:
            line, cause = b"", error
        else:
            cause = None
        if not line:
            try:
                code = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # its output ended but it lives on: of no more use
                self.process.kill()
                code = self.process.wait()
            raise ChartDrawingError(f"the drawing process ended (exit code {code})") from cause
        reply = json.loads(line)
        if "error" in reply:
            raise ChartDrawingError(reply["error"])
        return reply["svg"], base64.b64decode(reply["png"])

    def close(self) -> None:
        # The kill is armed first: a thread blocked writing a job to a helper that does not read
        # holds the pipe's lock, so closing the pipe waits until the helper is gone.
        killer = threading.Timer(self.seconds_to_close, self.process.kill)
        killer.start()
        try:
            with contextlib.suppress(OSError):  # a helper that died leaves a broken pipe
                self.process.stdin.close()  # the helper's loop ends with its input
            self.process.wait()
        finally:
            killer.cancel()
        self.process.stdout.close()


class ChartDrawer:
    """`draw(spec, locale, scale)` -> a Future of (SVG, PNG bytes), drawn by one of `processes`
    helpers (each started on its first chart, and again after it failed). A context manager:
    leaving it ends the helpers (killed after 10 s), then their threads."""

    def __init__(self, processes: int = PROCESSES):
        self._threads = ThreadPoolExecutor(processes, thread_name_prefix="chart-drawer")
        self._own = threading.local()  # each thread's helper
        self._helpers: list[_Helper] = []
        self._lock = threading.Lock()

    def draw(self, spec: dict, locale: dict, scale: float) -> Future:
        return self._threads.submit(self._draw, spec, locale, scale)

    def _draw(self, spec: dict, locale: dict, scale: float) -> tuple[str, bytes]:
        helper = getattr(self._own, "helper", None)
        if helper is None or helper.process.poll() is not None:  # first chart, or it died
            helper = self._own.helper = _Helper()
            with self._lock:
                self._helpers.append(helper)
        try:
            return helper.draw(spec, locale, scale)
        except ChartDrawingError:
            if helper.process.poll() is not None:
                self._own.helper = None  # the next chart starts a new one
            raise

    def __enter__(self) -> "ChartDrawer":
        return self

    def __exit__(self, *exc) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        # Ending the helpers first: a thread still waiting on one (a chart that never came back)
        # reads the end of its output and returns. Then again, for one started meanwhile.
        self._close_helpers()
        self._threads.shutdown(wait=True)
        self._close_helpers()

    def _close_helpers(self) -> None:
        with self._lock:
            helpers, self._helpers = self._helpers, []
        for helper in helpers:  # each closes at once, or is killed after 10 s: all in parallel
            threading.Thread(target=helper.close).start()
        for helper in helpers:
            with contextlib.suppress(Exception):
                helper.process.wait()


def _serve() -> None:
    """The helper's loop: a job per line in, an answer per line out, until stdin ends. Answers go
    to a copy of stdout; anything else writing to stdout (a library's message) goes to stderr,
    so that it cannot be taken for the answer to a job."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import vl_convert

    for line in sys.stdin.buffer:
        job = json.loads(line)
        try:
            svg = vl_convert.vegalite_to_svg(job["spec"], **job["locale"])
            png = vl_convert.svg_to_png(svg, scale=job["scale"])
            reply = {"svg": svg, "png": base64.b64encode(png).decode("ascii")}
        except Exception as error:  # this chart only: the next job is drawn as usual
            reply = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(reply).encode("utf-8") + b"\n")
        answers.flush()


if __name__ == "__main__":
    _serve()
