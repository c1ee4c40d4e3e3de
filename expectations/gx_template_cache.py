"""Great Expectations' Data Docs compile each Jinja template once per process, not once per build.

GX's `DefaultJinjaView` builds a Jinja environment of its own in `__init__` (its filters are the
view's bound methods, so one environment cannot serve two views), and every Data Docs build (one
per load step) makes new views: each build compiled GX's templates again, ~1,000 compiles and
~13 s of `make warehouse` in all (profile of 2026-12-03). Jinja's bytecode cache is the mechanism
made for this: every view's environment gets one shared in-memory cache, and a template compiles
once per process. Compiled code depends on the template's source, which Jinja checks (a changed
template is compiled again), and on the environment's settings (autoescape, extensions), which
are the same for every GX view (one `__init__`, no subclass overriding it): the pages are the
same. GX's files are not edited; `enable()` wraps the view's `__init__` at run time, and
tests/test_gx_template_cache.py fails loudly when a GX release changes what this relies on.
"""

from __future__ import annotations

import functools

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for the life of the process."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


CACHE = SharedBytecodeCache()


def enable() -> None:
    """Give every GX Jinja view's environment the shared cache (idempotent)."""
    from great_expectations.render.view.view import DefaultJinjaView

    if getattr(DefaultJinjaView.__init__, "_shared_bytecode_cache", False):
        return
    original = DefaultJinjaView.__init__

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.env.bytecode_cache = CACHE

    __init__._shared_bytecode_cache = True
    DefaultJinjaView.__init__ = __init__
