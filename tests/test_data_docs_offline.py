"""Data Docs without the internet: every external file GX's templates load has a vendored copy
(with its licence), the pages written are pointed at them, and the index lists the validations of
every process of a build. The pages in a browser: tests/test_pages_offline.py."""

import base64
import hashlib
import re
import time
from pathlib import Path

import great_expectations
import pandas as pd
import pytest

from expectations import runner
from expectations.data_docs_offline import (
    CDN_ASSETS,
    GX_IMAGES,
    GX_WEB_ASSETS,
    VENDOR_DIR,
    external_resources,
    local_path,
    make_offline,
    rewrite_page,
)
from expectations.runner import ExpectationSpec, build_data_docs, validate_frame

GX_VIEW = Path(great_expectations.__file__).parent / "render" / "view"
TEMPLATES = [
    *sorted((GX_VIEW / "templates").glob("*.j2")),
    *sorted((GX_VIEW / "static" / "styles").glob("*.css")),
]
# Links a person may follow (nothing loads them).
LINKS = {
    "https://greatexpectations.io",
    "https://greatexpectations.io/",
    "https://greatexpectations.io/newsletter?utm_source=datadocs&utm_medium=product"
    "&utm_campaign=newsletter&utm_content=form",
}


def template_urls() -> dict[str, str]:
    """Every http(s) address in GX's Data Docs templates and styles -> the file naming it."""
    found = {}
    for template in TEMPLATES:
        for url in re.findall(r"""https?://[^\s"'()<>]+""", template.read_text()):
            found[url] = template.name
    return found


def test_every_address_in_gx_templates_is_vendored_or_a_plain_link():
    """Fails when a GX upgrade changes its templates' external files: vendor the new ones
    (expectations/data_docs_static/vendor.sh) and extend CDN_ASSETS."""
    urls = template_urls()
    assert len(urls) > 10
    unknown = {}
    for url, template in urls.items():
        if url in LINKS or local_path(url):
            continue
        if url == GX_WEB_ASSETS:  # top_navbar.j2: static_images_dir + "logo-long.png"
            continue
        unknown[url] = template
    assert unknown == {}
    assert set(CDN_ASSETS) <= set(urls), "CDN_ASSETS names an address GX no longer uses"
    navbar = (GX_VIEW / "templates" / "top_navbar.j2").read_text()
    assert set(re.findall(r'static_images_dir \+ "([^"]+)"', navbar)) <= set(GX_IMAGES)


def test_vendored_files_are_there_with_their_licences():
    for path in CDN_ASSETS.values():
        assert (VENDOR_DIR / path).is_file(), path
    packages = {VENDOR_DIR / p[: p.index("/", p.index("@", 1))] for p in CDN_ASSETS.values()}
    for package in packages:
        assert list(package.glob("LICEN[CS]E*")), f"no licence file in {package}"
    fonts = VENDOR_DIR / "@fortawesome/fontawesome-free@6.6.0"
    css = (fonts / "css" / "all.min.css").read_text()
    for font in set(re.findall(r"url\(\.\./(webfonts/[^)]+\.woff2)\)", css)):
        assert (fonts / font).is_file(), font
    for image in set(GX_IMAGES.values()):
        assert (GX_VIEW / "static" / "images" / image).is_file()


def test_vendored_scripts_are_the_ones_the_templates_pin():
    """Where a template gives a script's hash (subresource integrity), the vendored file has it."""
    pinned = re.findall(
        r'src="([^"]+)" integrity="sha384-([^"]+)"',
        (GX_VIEW / "templates" / "js_script_imports.j2").read_text(),
    )
    assert len(pinned) >= 2
    for url, digest in pinned:
        data = (VENDOR_DIR / CDN_ASSETS[url]).read_bytes()
        assert base64.b64encode(hashlib.sha384(data).digest()).decode() == digest, url


def test_rewrite_page_points_at_the_local_copies():
    html = f"""<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js"
 integrity="sha384-x" crossorigin="anonymous"></script>
<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>
<style>.a {{ background: url('{GX_WEB_ASSETS}full_logo_dark.png') }}</style>
</head><body>
<img src="{GX_WEB_ASSETS}logo-long.png?d=20240101T000000Z&dataContextId=1"/>
<a href="https://greatexpectations.io/">GX</a>
</body></html>"""
    assert len(external_resources(html)) == 5
    out = rewrite_page(html, "../../static")
    assert external_resources(out) == []
    assert 'href="../../static/vendor/bootstrap@4.3.1/dist/css/bootstrap.min.css"' in out
    assert '<script src="../../static/vendor/bootstrap@4.3.1/dist/js/bootstrap.min.js"></script>' in out
    assert 'src="../../static/vendor/vega@5.33.1/build/vega.min.js"' in out
    assert "url('../../static/images/logo-long.png')" in out
    assert '<img src="../../static/images/logo-long.png"/>' in out
    assert '<a href="https://greatexpectations.io/">' in out  # a link stays
    assert rewrite_page(out, "../../static") == out
    assert external_resources('<script src="https://example.org/x.js"></script>') == [
        "https://example.org/x.js"
    ]


SPECS = [ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "value"})]


def frame(values) -> pd.DataFrame:
    return pd.DataFrame({"value": values, "_source_file": "f.csv", "_source_row": range(1, len(values) + 1)})


@pytest.mark.slow
def test_data_docs_list_every_process_validations_and_load_nothing_from_the_internet(warehouse_paths):
    docs = warehouse_paths.data_docs
    runner._context.cache_clear()
    assert validate_frame("demo", SPECS, frame([1, 2]), "2024-01-01..2024-01-31")[0]
    assert build_data_docs() == docs / "index.html"
    # Another process of the same build (a new context over the same folder), one run failing.
    runner._context.cache_clear()
    assert not validate_frame("demo", SPECS, frame([1, None]), "2024-02")[0]
    build_data_docs()
    runner._context.cache_clear()

    pages = sorted(p.relative_to(docs).as_posix() for p in (docs / "validations").rglob("*.html"))
    assert len(pages) == 2
    assert any("2024-01-01_to_2024-01-31" in p for p in pages)  # a range's page is written too
    index = (docs / "index.html").read_text()
    for page in pages:
        assert page in index
    assert "'_validation_success_text': 'Success'" in index
    assert "'_validation_success_text': 'Failed'" in index
    written = [
        docs / "index.html",
        *(docs / "validations").rglob("*.html"),
        *(docs / "expectations").rglob("*.html"),
    ]
    for html in written:
        text = html.read_text()
        assert external_resources(text) == [], html
        for src in re.findall(r'(?:src|href)="([^"#]+\.(?:js|css))"', text):
            assert (html.parent / src).resolve().is_file(), (html, src)
    assert (docs / "static" / "vendor" / "jquery@3.7.1" / "LICENSE.txt").is_file()
    assert not (docs / ".building").exists()  # (the mark of the pages a build writes)


def test_make_offline_rewrites_the_pages_written_since_and_mends_a_stale_copy(tmp_path):
    """At each build: the pages modified from `since_ns` are rewritten, the older ones left (they
    were rewritten when written); a vendored file is copied again when the site's copy is not it."""
    jquery = "https://code.jquery.com/jquery-3.7.1.min.js"
    page = tmp_path / "index.html"
    page.write_text(f'<script src="{jquery}"></script>')
    written = page.stat().st_mtime_ns
    assert make_offline(tmp_path, since_ns=written + 1) == [] and jquery in page.read_text()
    assert make_offline(tmp_path, since_ns=written) == [] and jquery not in page.read_text()
    copy = tmp_path / "static" / local_path(jquery)
    assert copy.read_bytes() == (VENDOR_DIR / CDN_ASSETS[jquery]).read_bytes()
    copied = copy.stat().st_ctime_ns  # (a copy keeps the source's mtime, not its ctime)
    time.sleep(0.01)
    make_offline(tmp_path, since_ns=written)
    assert copy.stat().st_ctime_ns == copied  # the same copy: not written again
    copy.write_text("an older release")
    make_offline(tmp_path, since_ns=written)
    assert copy.read_bytes() == (VENDOR_DIR / CDN_ASSETS[jquery]).read_bytes()


@pytest.fixture(autouse=True)
def _fresh_context():
    yield
    runner._context.cache_clear()


@pytest.mark.slow
def test_the_results_folder_keeps_the_latest_validations_and_archives_the_rest(warehouse_paths, monkeypatch):
    """What GX lists to build the index (every load step builds it) stays bounded: all but the
    latest DATA_DOCS_INDEX_LIMIT results move to the archive folder, and GX's index builder removes
    the pages of results no longer in the store: the site is the latest validations."""
    monkeypatch.setattr(runner, "DATA_DOCS_INDEX_LIMIT", 2)
    monkeypatch.setattr(runner, "STALE_FOLDER_SECONDS", 0)
    docs = warehouse_paths.data_docs
    results = docs.parent / runner.RESULTS_SUBDIR
    runner._context.cache_clear()
    # Validated in this order, so that the run times, not the names, say which is oldest.
    for month in ("2024-03", "2024-01", "2024-02"):  # a load step each: validate, then build
        assert validate_frame("demo", SPECS, frame([1, 2]), month)[0]
        build_data_docs()
    runner._context.cache_clear()

    def months(folder, suffix="json"):  # <suite: demo__<month>__N>/__none__/<run time>/<batch>
        return sorted(path.parts[-4].split("__")[1] for path in folder.glob(f"*/*/*/*.{suffix}"))

    assert months(results) == ["2024-01", "2024-02"]
    assert months(results.with_name(results.name + "_archive")) == ["2024-03"]
    index = (docs / "index.html").read_text()
    assert sorted(set(re.findall(r"validations/demo__(2024-\d\d)", index))) == ["2024-01", "2024-02"]
    assert months(docs / "validations", "html") == ["2024-01", "2024-02"]
    # No folder of the archived run is left in either tree.
    for tree in (results, docs / "validations"):
        assert not [folder for folder in tree.rglob("*") if folder.is_dir() and not any(folder.iterdir())]


def test_archiving_keeps_the_latest_runs_by_their_time_and_their_suites_folders_while_fresh(tmp_path):
    """runner._archive_old_results on a tree laid out as GX's (no GX here): the latest by run time
    stay whatever their names; a run's folder goes with its result, a suite's only once stale."""
    results = tmp_path / "data_docs_results"
    runs = {
        "b_suite": "20240103T000000.000000Z",
        "a_suite": "20240102T000000.000000Z",
        "c_suite": "20240101T000000.000000Z",
    }
    for suite, run_time in runs.items():
        (results / suite / "__none__" / run_time).mkdir(parents=True)
        (results / suite / "__none__" / run_time / "batch.json").write_text("{}")
    (results / ".ge_store_backend_id").write_text("id")  # GX's own file: not a result

    moved = runner._archive_old_results(results, keep=1)

    assert sorted(path.parts[0] for path in moved) == ["a_suite", "c_suite"]
    assert [p.relative_to(results).parts[0] for p in results.glob("*/*/*/*.json")] == ["b_suite"]
    archive = tmp_path / "data_docs_results_archive"
    assert sorted(p.relative_to(archive).parts[0] for p in archive.glob("*/*/*/*.json")) == [
        "a_suite",
        "c_suite",
    ]
    assert (results / ".ge_store_backend_id").exists()
    assert not (results / "a_suite" / "__none__" / runs["a_suite"]).exists()  # the run's folder
    assert (results / "a_suite" / "__none__").is_dir()  # fresh: another process may write there
    assert runner._archive_old_results(results, keep=1) == []  # nothing more to move
