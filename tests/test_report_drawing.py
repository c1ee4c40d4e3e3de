"""The report's charts drawn in helper processes (report/drawing.py): the real vl-convert in
each, one job at a time, a chart it cannot draw reported alone, a helper that dies replaced."""

import os
import signal
import sys
import time

import pytest

from report import drawing
from report.drawing import ChartDrawer, ChartDrawingError, _Helper

POINTS = {
    "data": {"values": [{"a": 1, "b": 2}, {"a": 3, "b": 1}]},
    "mark": "point",
    "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}},
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_charts_are_drawn_as_svg_and_png_by_the_helpers():
    with ChartDrawer(processes=2) as drawer:
        drawings = [drawer.draw({**POINTS, "title": f"chart {n}"}, {}, 2) for n in range(4)]
        results = [d.result(timeout=60) for d in drawings]
        helpers = list(drawer._helpers)
    assert 1 <= len(helpers) <= 2
    for n, (svg, png) in enumerate(results):
        assert svg.startswith("<svg") and f"chart {n}" in svg
        assert png.startswith(PNG_SIGNATURE)
    # leaving the drawer ends its helpers
    assert all(helper.process.returncode == 0 for helper in helpers)


def test_a_chart_that_cannot_be_drawn_is_an_error_of_that_chart_only():
    with ChartDrawer(processes=1) as drawer:
        broken = drawer.draw({**POINTS, "mark": "no_such_mark"}, {}, 2)
        after = drawer.draw(POINTS, {}, 2)
        with pytest.raises(ChartDrawingError, match="ValueError: Vega-Lite to SVG conversion failed"):
            broken.result(timeout=60)
        svg, png = after.result(timeout=60)
    assert svg.startswith("<svg") and png.startswith(PNG_SIGNATURE)


def test_a_helper_that_died_is_replaced():
    with ChartDrawer(processes=1) as drawer:
        drawer.draw(POINTS, {}, 1).result(timeout=60)
        (first,) = drawer._helpers
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait()
        svg, _ = drawer.draw(POINTS, {}, 1).result(timeout=60)
        assert svg.startswith("<svg") and len(drawer._helpers) == 2


def test_a_helper_that_dies_during_a_chart(monkeypatch):
    """A helper that ends without answering fails that chart with its exit code; the next chart
    gets a new helper, and leaving the drawer raises nothing."""
    drawing = _Helper.command
    monkeypatch.setattr(_Helper, "command", [sys.executable, "-c", "import sys; sys.stdin.readline()"])
    with ChartDrawer(processes=1) as drawer:
        with pytest.raises(ChartDrawingError, match=r"the drawing process ended \(exit code 0\)"):
            drawer.draw(POINTS, {}, 1).result(timeout=60)
        monkeypatch.setattr(_Helper, "command", drawing)
        svg, _ = drawer.draw(POINTS, {}, 1).result(timeout=60)
        assert svg.startswith("<svg") and len(drawer._helpers) == 2


def test_what_else_writes_to_a_helpers_stdout_is_not_taken_for_an_answer(monkeypatch, tmp_path):
    """A library printing to stdout in the helper (at import, while drawing) goes to stderr: the
    answers stay one JSON line per job."""
    (tmp_path / "vl_convert.py").write_text(
        "import os\n"
        "print('noise at import', flush=True)\n"
        "def vegalite_to_svg(spec, **locale):\n"
        "    os.write(1, b'noise while drawing\\n')\n"
        "    return '<svg>' + spec['title'] + '</svg>'\n"
        "def svg_to_png(svg, scale):\n"
        "    return b'PNG ' + svg.encode()\n"
    )
    run_the_helper_with_that_library = (
        f"import sys, runpy; sys.path.insert(0, {str(tmp_path)!r}); "
        f"runpy.run_path({drawing.__file__!r}, run_name='__main__')"
    )
    monkeypatch.setattr(_Helper, "command", [sys.executable, "-c", run_the_helper_with_that_library])
    with ChartDrawer(processes=1) as drawer:
        answers = [drawer.draw({"title": name}, {}, 1).result(timeout=60) for name in ("a", "b")]
    assert answers == [("<svg>a</svg>", b"PNG <svg>a</svg>"), ("<svg>b</svg>", b"PNG <svg>b</svg>")]


def test_leaving_the_drawer_ends_a_helper_that_does_not_read(monkeypatch):
    """A helper that never reads its input, given a job larger than a pipe holds: the thread
    writing it is blocked, and leaving the drawer still ends (the helper killed), the chart failed."""
    monkeypatch.setattr(_Helper, "command", [sys.executable, "-c", "import time; time.sleep(120)"])
    monkeypatch.setattr(_Helper, "seconds_to_close", 1)
    started = time.monotonic()
    with ChartDrawer(processes=1) as drawer:
        stuck = drawer.draw({**POINTS, "title": "x" * 1_000_000}, {}, 1)
        time.sleep(0.5)
    assert time.monotonic() - started < 30
    with pytest.raises(ChartDrawingError, match="exit code -9"):
        stuck.result(timeout=10)
