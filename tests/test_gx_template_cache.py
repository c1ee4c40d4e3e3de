"""GX's Data Docs views share one Jinja bytecode cache (expectations/gx_template_cache.py): a
template compiles once per process, and renders as it did. The first test fails loudly when a GX
release changes what the accommodation wraps: then read the release notes, and drop (or adapt) it.
What needs GX without the wrap runs in a process of its own: the wrap is process-wide, and other
tests in this process may have enabled it."""

import inspect
import json
import subprocess
import sys
import textwrap

from jinja2 import DictLoader, Environment

from expectations import gx_template_cache

DOCUMENT = {
    "content_block": {"content_block_type": "text", "text": ["Alpha", "Beta <b>"]},
    "content_block_id": "block",
    "section_id": "section",
}


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gx_views_still_build_their_own_jinja_environment_in_init():
    """Every view makes the same environment (compiled code depends on its settings, such as
    autoescape, as well as on the template's source) and sets no bytecode cache of its own."""
    from great_expectations.render.view import view

    source = inspect.getsource(inspect.unwrap(view.DefaultJinjaView.__init__))
    assert "self.env = Environment(" in source and "bytecode_cache" not in source
    subclasses = [
        c for c in vars(view).values() if isinstance(c, type) and issubclass(c, view.DefaultJinjaView)
    ]
    assert len(subclasses) > 3
    assert all("__init__" not in vars(c) for c in subclasses if c is not view.DefaultJinjaView)
    out = run(
        """
        from great_expectations.render.view.view import DefaultJinjaPageView
        print(DefaultJinjaPageView().env.bytecode_cache)
        """
    )
    assert out.strip() == "None"


def test_a_template_compiles_once_per_process_and_renders_the_same():
    out = run(
        f"""
        import json
        from jinja2 import Environment
        from great_expectations.render.view.view import DefaultJinjaComponentView
        from expectations import gx_template_cache

        document = {DOCUMENT!r}
        plain = DefaultJinjaComponentView()._get_template("text.j2").render(document)

        compiles = []
        original = Environment.compile
        def counting(self, *args, **kwargs):
            compiles.append(args[1] if len(args) > 1 else kwargs.get("name"))
            return original(self, *args, **kwargs)
        Environment.compile = counting

        gx_template_cache.enable()
        gx_template_cache.enable()  # idempotent
        first = DefaultJinjaComponentView()
        assert first.env.bytecode_cache is gx_template_cache.CACHE
        rendered = [first._get_template("text.j2").render(document)]
        after_first = len(compiles)
        rendered.append(DefaultJinjaComponentView()._get_template("text.j2").render(document))
        print(json.dumps({{"plain": plain, "rendered": rendered, "first": after_first,
                          "second": len(compiles) - after_first}}))
        """
    )
    result = json.loads(out)
    assert result["first"] >= 2  # text.j2 and the header it includes
    assert result["second"] == 0  # another view's environment: nothing compiled again
    assert result["rendered"] == [result["plain"]] * 2
    assert "<p >Alpha</p>" in result["plain"]


def test_a_template_whose_source_changed_is_compiled_again():
    cache = gx_template_cache.SharedBytecodeCache()
    rendered = []
    for source in ("first {{ 1 }}", "second {{ 2 }}"):
        env = Environment(loader=DictLoader({"page.j2": source}), bytecode_cache=cache)
        rendered.append(env.get_template("page.j2").render())
    assert rendered == ["first 1", "second 2"]
