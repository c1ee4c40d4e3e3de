"""Great Expectations Data Docs that work without the internet.

GX's page templates load jQuery, Bootstrap, bootstrap-table, Vega, Font Awesome... from CDNs, and
its logo from GX's own web host; offline, a page is unstyled and the index's list of validation
results (filled in by bootstrap-table) is empty. GX has no setting for those addresses (its
template loader looks in its own templates before any custom views folder), so after each build:

- the vendored copies of those files, in `data_docs_static/` (the exact releases the templates
  name, minified, each with its licence; `data_docs_static/README.md` says where each comes from)
  are copied to the site's `static/vendor/`;
- every page's CDN addresses are rewritten to relative paths to those copies, and GX's logo to the
  copy GX itself puts in `static/images/` (`rewrite_page`).

An address the table does not know is left as it is and reported by `external_resources`: the
tests fail on any, so a GX upgrade that changes its templates is noticed."""

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

VENDOR_DIR = Path(__file__).with_name("data_docs_static")
VENDOR_SUBDIR = "vendor"  # under the site's static/

# Every external file GX 1.x's Data Docs templates load (render/view/templates/*.j2), and the
# vendored file, under VENDOR_DIR, that stands in for it. The versions are those of the URLs;
# `@5`-style URLs (latest of a major release) are pinned to the release vendored.
CDN_ASSETS = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js@1.12.9/dist/umd/popper.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap@4.3.1/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap@4.3.1/dist/js/bootstrap.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table@1.19.1/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table@1.19.1/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": "bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": "bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": "bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": "bootstrap-datepicker@1.9.0/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": "bootstrap-datepicker@1.9.0/dist/js/bootstrap-datepicker.min.js",
    # The template names the unminified file (880 kB); the minified one of the same release.
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": "@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.min.css",
    # With its web fonts (webfonts/*.woff2, next to css/ as the style sheet expects).
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "@fortawesome/fontawesome-free@6.6.0/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega@5.33.1/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite@5.23.0/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed@6.29.0/build/vega-embed.min.js",
}

# GX's logo, from its web host (with a ?d=...&dataContextId=... query): GX ships the same image in
# its package, and copies it to the site's static/images/. There is no dark-mode logo in the
# package: the dark-mode style's one is shown as the regular logo.
GX_WEB_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
GX_IMAGES = {"logo-long.png": "logo-long.png", "full_logo_dark.png": "logo-long.png"}

_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(r"""\b(?P<name>src|href)=(?P<quote>["'])(?P<url>[^"']*)(?P=quote)""")
# Subresource integrity needs a CORS fetch, which file:// pages cannot make: the vendored files
# are the very ones the hashes name (tests/test_data_docs_offline.py checks), the checks go.
_INTEGRITY = re.compile(r"""\s+(?:integrity|crossorigin)=(["'])[^"']*\1""")
_CSS_URL = re.compile(r"""url\((?P<quote>['"]?)(?P<url>https?://[^'")]*)(?P=quote)\)""")


def local_path(url: str) -> str | None:
    """The file standing in for `url`, relative to the site's static/ folder; None if unknown."""
    if url in CDN_ASSETS:
        return f"{VENDOR_SUBDIR}/{CDN_ASSETS[url]}"
    if url.startswith(GX_WEB_ASSETS):
        name = url[len(GX_WEB_ASSETS) :].split("?")[0]
        if name in GX_IMAGES:
            return f"images/{GX_IMAGES[name]}"
    return None


def rewrite_page(html: str, static_dir: str) -> str:
    """`html` with every known external file replaced by its local copy; `static_dir` is the
    site's static/ folder relative to the page ("static", "../../static"...)."""

    def tag(match: re.Match) -> str:
        text = match.group(0)
        attribute = _URL_ATTRIBUTE.search(text)
        local = local_path(attribute.group("url")) if attribute else None
        if local is None:
            return text
        quote = attribute.group("quote")
        text = text.replace(
            attribute.group(0), f"{attribute.group('name')}={quote}{static_dir}/{local}{quote}", 1
        )
        return _INTEGRITY.sub("", text)

    def css_url(match: re.Match) -> str:
        local = local_path(match.group("url"))
        quote = match.group("quote")
        return f"url({quote}{static_dir}/{local}{quote})" if local else match.group(0)

    return _CSS_URL.sub(css_url, _TAG.sub(tag, html))


class _Resources(HTMLParser):
    """The addresses of the files a page loads: scripts, style sheets, icons, images, and url()s
    in its styles (links a person may follow are not loaded, and are not listed)."""

    LINK_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "manifest"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "embed") and values.get("src"):
            self.urls.append(values["src"])
        elif (
            tag == "link"
            and values.get("href")
            and self.LINK_RELS & set((values.get("rel") or "").lower().split())
        ):
            self.urls.append(values["href"])
        if values.get("style"):
            self.urls += [m.group("url") for m in _CSS_URL.finditer(values["style"])]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += [m.group("url") for m in _CSS_URL.finditer(data)]
            self.urls += re.findall(r"""@import\s+(?:url\()?['"]?(https?://[^'")\s;]+)""", data)


def external_resources(html: str) -> list[str]:
    """The files `html` would load from the network (http, https or protocol-relative)."""
    parser = _Resources()
    parser.feed(html)
    return [url for url in parser.urls if re.match(r"(?i)(https?:)?//", url.strip())]


def make_offline(docs_dir: Path, since_ns: int = 0) -> list[str]:
    """Copy the vendored files into the site and rewrite its pages (those written from
    `since_ns`, a file's st_mtime_ns: the file system's own clock) to use them; return the
    external files those pages still load (none, unless GX's templates changed)."""
    static = docs_dir / "static"
    shutil.copytree(
        VENDOR_DIR,
        static / VENDOR_SUBDIR,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("*.sh", "README.md"),
        copy_function=_copy_unless_there,
    )
    remaining: set[str] = set()
    # os.walk, and a page that vanishes skipped: another process's index build removes the pages
    # of validation results that are no longer stored (runner._archive_old_results).
    for folder, _, names in os.walk(docs_dir):
        for page in (Path(folder) / name for name in names if name.endswith(".html")):
            try:
                if static in page.parents or page.stat().st_mtime_ns < since_ns:
                    continue
                html = page.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            static_dir = Path(os.path.relpath(static, page.parent)).as_posix()
            rewritten = rewrite_page(html, static_dir)
            if rewritten != html:
                page.write_text(rewritten, encoding="utf-8")
            remaining.update(external_resources(rewritten))
    return sorted(remaining)


def _copy_unless_there(source: str, target: str) -> str:
    """shutil.copy2, unless `target` is already this copy (same size and modification time, which
    copy2 keeps): the site is built at every load, and the vendored files do not change."""
    there = os.stat(target) if os.path.exists(target) else None
    copied = os.stat(source)
    if there and (there.st_size, there.st_mtime_ns) == (copied.st_size, copied.st_mtime_ns):
        return target
    return shutil.copy2(source, target)
