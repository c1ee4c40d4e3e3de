"""`make warehouse` before its first run: the bundled files are written (by a process of their
own) unless every feed already has its landing files."""

import json
import os
import subprocess
import sys

import pytest

from ingest.privacy import DEMO_MANIFEST, file_sha256, record_demo_files
from ingest.settings import REPO_ROOT, WarehousePaths
from orchestration.build import BundledWriter, bundled_data_in_place, plan_runs, write_whole_set

LANDED = {
    "trade/comtrade_C_A_398_2015.csv": "typeCode\n",
    "eotinish/appeals_2024-01-01.jsonl": "",
    "eotinish/.demo_checksums.json": "{}",  # the demo's own files, recognised as such
    "land/land_parcels_2024-Q1.csv": "parcel_id\n",
    "land/.demo_checksums.json": "{}",
    "family/family_civil_registry_2023-01.csv": "iin\n",
}


def test_the_bundled_files_are_written_unless_every_feed_has_its_own(warehouse_paths):
    landing = warehouse_paths.landing
    assert not bundled_data_in_place(warehouse_paths)
    for name, text in LANDED.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_text(text)
    assert bundled_data_in_place(warehouse_paths)
    for name in LANDED:  # any one of them missing: the writer has something to do
        (landing / name).rename(landing / f"{name}.away")
        assert not bundled_data_in_place(warehouse_paths), name
        (landing / f"{name}.away").rename(landing / name)
    # subsoil sites files beside a land list of demo files from before they were listed: to recognise
    (landing / "land" / "subsoil_sites_2024-Q1.jsonl").write_text("{}\n")
    assert not bundled_data_in_place(warehouse_paths)


@pytest.mark.parametrize("folder_named_by_iin", ["landing", "warehouse"])
def test_a_folder_whose_path_holds_an_iin_stops_the_build_before_anything_is_written(
    folder_named_by_iin, warehouse_paths, tmp_path, monkeypatch
):
    """Every row keeps its file's path, and the warehouse's files and Dagster's metadata name its
    folders. Under such a landing folder every feed would refuse its files, and the bundled files,
    written into each feed's folder without a file it takes, would replace real exports of the
    same names. The message masks the IIN without the hash key, which may be the problem (here:
    too short)."""
    from orchestration.build import run_build

    monkeypatch.setenv("APPEALS_HASH_KEY", "short")
    named = "exports_900315300123"
    landing = tmp_path / (named if folder_named_by_iin == "landing" else "exports")
    warehouse = tmp_path / (named if folder_named_by_iin == "warehouse" else "built")
    export = landing / "trade" / "comtrade_C_A_398_2015.csv"  # a bundled file's name
    export.parent.mkdir(parents=True)
    export.write_text("a real export\n")
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("LANDING_DIR", str(landing))
    with pytest.raises(SystemExit) as stopped:
        run_build()
    message = str(stopped.value)
    assert f"{folder_named_by_iin} folder's path holds an IIN" in message
    assert "exports_iin:redacted" in message
    assert "900315300123" not in message
    assert export.read_text() == "a real export\n" and sorted(landing.rglob("*")) == [export.parent, export]
    assert not warehouse.exists()


@pytest.mark.parametrize(
    "command", [["orchestration.prepare"], ["orchestration.lake"], ["ingest.revisions", "accept", "x", "y"]]
)
def test_make_ui_and_the_other_commands_refuse_a_folder_whose_path_holds_an_iin(command, tmp_path):
    """`make ui` (orchestration.prepare) stops before dbt's manifest or the Dagster home is made;
    so do the lake's export and a revision's acceptance, before they open the warehouse."""
    env = {
        **os.environ,
        "WAREHOUSE_DIR": str(tmp_path / "home" / "900315300123" / "warehouse"),
        "LANDING_DIR": str(tmp_path / "landing"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    stopped = subprocess.run(
        [sys.executable, "-m", *command],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert stopped.returncode == 1 and "warehouse folder's path holds an IIN" in stopped.stderr
    assert "900315300123" not in stopped.stdout + stopped.stderr and "iin:redacted" in stopped.stderr
    assert not (tmp_path / "dagster_home").exists() and not (tmp_path / "home").exists()


def test_the_warehouse_resource_refuses_a_folder_whose_path_holds_an_iin(tmp_path):
    """A Dagster step (or a sensor's tick) that asks for the warehouse's paths fails, the IIN
    masked in its error: the rows, metadata and files it would write name those folders."""
    from orchestration.defs.resources import WarehouseResource

    clean = WarehouseResource(root=str(tmp_path / "warehouse"), landing=str(tmp_path / "landing"))
    assert clean.paths.root == tmp_path / "warehouse"
    named = WarehouseResource(root=str(tmp_path / "home" / "900315300123"), landing=str(tmp_path / "landing"))
    with pytest.raises(ValueError, match="warehouse folder's path holds an IIN") as refused:
        _ = named.paths
    assert "900315300123" not in str(refused.value) and "iin:redacted" in str(refused.value)


@pytest.mark.slow
def test_each_load_run_is_planned_once_its_bundled_files_are_written(warehouse_paths):
    """The bundled sets are written by a process of their own, in the order they are loaded, and
    each load run is planned once its own set is written (plan_runs), while the writer goes on
    with the next: every run is planned on its set's complete files, and the plan is the one the
    complete landing folder gives. (The trade folder is there, empty: the writer fills it.)"""

    def files_of(run) -> list:
        return sorted(p for feed in run.feeds for p in feed.landing_files(warehouse_paths.landing))

    bundled = BundledWriter(warehouse_paths)
    assert bundled.process is not None
    planned = []
    try:
        for run in plan_runs(warehouse_paths, bundled):
            planned.append((run, files_of(run) if run.feeds else None))
            if len(planned) == 1:  # the first set is loaded while the last (Comtrade: seconds) is written
                assert bundled.process.poll() is None
                assert not list(warehouse_paths.trade_landing.iterdir())
    finally:
        bundled.close()
    assert bundled.process.returncode == 0 and bundled_data_in_place(warehouse_paths)
    assert [run.job for run, _ in planned] == [
        "load_daily",
        "load_daily",
        "load_monthly",
        "load_land",
        "build_warehouse",
    ]
    assert [run for run, _ in planned] == list(plan_runs(warehouse_paths))
    for run, files in planned[:-1]:
        assert files and files == files_of(run), run.feeds[0].group


def test_a_failed_writer_of_the_bundled_files_stops_the_build(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "landing"
    not_a_folder.write_text("")
    monkeypatch.setenv("LANDING_DIR", str(not_a_folder))
    paths = WarehousePaths.from_env()
    bundled = BundledWriter(paths)
    try:
        with pytest.raises(SystemExit, match="writing the bundled data failed"):
            next(plan_runs(paths, bundled))
    finally:
        bundled.close()


def write_days(days: int, interrupt_after: int | None = None):
    def write(folder):
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for day in range(1, days + 1):
            if day == interrupt_after:
                raise KeyboardInterrupt
            written.append(folder / f"appeals_2024-01-{day:02}.jsonl")
            written[-1].write_text(f'{{"day": {day}}}\n')
        record_demo_files(written)

    return write


@pytest.mark.parametrize(
    "folder_there", ["no", "other files", "recorded demo file"], ids=lambda there: f"folder: {there}"
)
def test_an_interrupted_writer_leaves_no_part_of_a_set(tmp_path, folder_there):
    """A Ctrl-C half way through the bundled files leaves none of them where the loads look, so
    the next `make warehouse` writes the whole set instead of taking the half as the feed's. The
    folder's own list of demo files keeps what it listed."""
    folder = tmp_path / "landing" / "eotinish"
    there = []
    if folder_there != "no":
        folder.mkdir(parents=True)
        (folder / "README.txt").write_text("not a feed file")
        there = ["README.txt"]
    if folder_there == "recorded demo file":
        (folder / "events_2023-12-31.jsonl").write_text("{}\n")
        record_demo_files([folder / "events_2023-12-31.jsonl"])
        there = [DEMO_MANIFEST, "README.txt", "events_2023-12-31.jsonl"]
    with pytest.raises(KeyboardInterrupt):
        write_whole_set(folder, write_days(5, interrupt_after=3))
    left = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert left == there
    write_whole_set(folder, write_days(5))  # the next run: the whole set, the leftover gone
    days = [f"appeals_2024-01-{d:02}.jsonl" for d in range(1, 6)]
    assert sorted(p.name for p in folder.iterdir()) == sorted({*there, *days, DEMO_MANIFEST})
    assert sorted(p.name for p in folder.parent.iterdir()) == ["eotinish"]
    listed = json.loads((folder / DEMO_MANIFEST).read_text())["sha256"]
    assert sorted(listed) == sorted({*days, *(n for n in there if n.startswith("events_"))})
    assert all(listed[name] == file_sha256(folder / name) for name in listed)


def test_a_land_folder_listed_before_the_subsoil_sites_were_redacted_gets_them_listed(tmp_path):
    """Subsoil sites' values are redacted since 2026-12-06, so the demo key must be allowed to hash
    the bundled sites files too: a land folder whose list of demo files names the parcels only
    (written before) is out of date, and the build lists its bundled sites files, byte for byte
    the generator's, and no other file."""
    from demo.land import write_bundled_land
    from ingest.privacy import recorded_demo_files
    from orchestration.build import land_manifest_outdated, recognise_bundled_files

    folder = tmp_path / "land"
    write_bundled_land(folder)
    manifest = folder / DEMO_MANIFEST
    listed = set(recorded_demo_files(manifest))
    sites = {p.name for p in folder.glob("subsoil_sites_*")}
    assert sites and sites <= listed and not land_manifest_outdated(folder)
    older = json.loads(manifest.read_text())
    older["sha256"] = {n: sha for n, sha in older["sha256"].items() if n.startswith("land_parcels_")}
    manifest.write_text(json.dumps(older))
    changed = folder / max(sites)  # a sites file that is not the bundled one any more
    changed.write_text(changed.read_text() + '{"licence_number": "own-1"}\n')
    assert land_manifest_outdated(folder)
    recognise_bundled_files(folder, write_bundled_land, "land")
    assert set(recorded_demo_files(manifest)) == listed - {changed.name}
    assert not land_manifest_outdated(folder)
