"""`make warehouse` before its first run: the bundled files are written (by a process of their
own) unless every feed already has its landing files."""

from orchestration.build import bundled_data_in_place

LANDED = {
    "trade/comtrade_C_A_398_2015.csv": "typeCode\n",
    "eotinish/appeals_2024-01-01.jsonl": "",
    "eotinish/.demo_checksums.json": "{}",  # the demo's own files, recognised as such
    "land/land_parcels_2024-Q1.csv": "parcel_id\n",
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
