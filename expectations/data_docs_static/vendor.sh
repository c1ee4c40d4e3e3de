#!/usr/bin/env bash
# Re-creates the vendored files of this folder from the npm registry (run by hand, with npm, when
# the table in expectations/data_docs_offline.py changes): `npm pack` of each package@version the
# table names, then the files it names, the package's licence file and, for Font Awesome, its
# web fonts (woff2 only). Nothing is fetched when the warehouse is built.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$here" "$tmp" <<'PY'
import glob, importlib.util, os, shutil, subprocess, sys, tarfile
here, tmp = sys.argv[1:]
spec = importlib.util.spec_from_file_location("offline", os.path.join(here, "..", "data_docs_offline.py"))
offline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(offline)
# Packages without a licence file in their tarball: vega's is its monorepo's (same as vega-util's);
# popper.js 1.12.9's LICENSE is kept in git (MIT, the notice of its file header).
LICENCE_FROM = {"vega@5.33.1": "vega-util@1.17.3"}
EXTRA = {"@fortawesome/fontawesome-free@6.6.0": "webfonts/*.woff2"}


def unpack(package):
    name = subprocess.run(["npm", "pack", "--silent", package], cwd=tmp, check=True,
                          capture_output=True, text=True).stdout.split()[-1]
    target = os.path.join(tmp, package.replace("/", "+"))
    with tarfile.open(os.path.join(tmp, name)) as tar:
        tar.extractall(target, filter="data")
    return os.path.join(target, "package")


def copy(source, package, relative):
    destination = os.path.join(here, package, relative)
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    shutil.copyfile(source, destination)
    print(f"{package}/{relative}")


files = {}
for path in offline.CDN_ASSETS.values():
    at = path.index("@", 1)
    package = path[: path.index("/", at)]
    files.setdefault(package, set()).add(path[len(package) + 1:])
for package, relatives in sorted(files.items()):
    root = unpack(package)
    for relative in sorted(relatives):
        copy(os.path.join(root, relative), package, relative)
    if package in EXTRA:
        for source in sorted(glob.glob(os.path.join(root, EXTRA[package]))):
            copy(source, package, os.path.relpath(source, root))
    licence_root = unpack(LICENCE_FROM[package]) if package in LICENCE_FROM else root
    for licence in glob.glob(os.path.join(licence_root, "LICEN[CS]E*")):
        copy(licence, package, os.path.basename(licence))
PY
