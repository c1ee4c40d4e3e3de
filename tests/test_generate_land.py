"""Tests of demo.land: determinism, the file contract, KATO codes and planted defects."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from catalog.land import LAND_FEEDS
from demo.land import KATO_FILE, RETURNED_HA, main, scale_factor, write_bundled_land
from ingest.geometry import area_disagreement, geometry_checks, points_in_contours
from ingest.land_schema import COLUMNS, FEEDS, VALUE_SETS, file_name, partitions
from ingest.privacy import DEMO_MANIFEST, recorded_demo_files

PARCELS, SITES = 600, 60


def _digest(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _spec(feed: str) -> str:
    return "{" + ", ".join(f"'{n}': '{t}'" for n, t in COLUMNS[feed]) + "}"


def _read(out: Path, feed: str) -> pd.DataFrame:
    glob = f"{out}/{feed}_*.{FEEDS[feed].rsplit('.', 1)[1]}"
    if glob.endswith(".csv"):
        sql = f"SELECT * FROM read_csv('{glob}', header = true, columns = {_spec(feed)})"
    else:
        sql = f"SELECT * FROM read_json('{glob}', format = 'newline_delimited', columns = {_spec(feed)})"
    return duckdb.sql(sql).df()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("land")
    return out, write_bundled_land(out, parcels=PARCELS, sites=SITES, seed=11)


def test_deterministic_for_a_seed(bundled: tuple[Path, list[Path]], tmp_path: Path) -> None:
    _, paths = bundled
    again = write_bundled_land(tmp_path / "again", parcels=PARCELS, sites=SITES, seed=11)
    assert _digest(paths) == _digest(again)
    other = write_bundled_land(tmp_path / "other", parcels=PARCELS, sites=SITES, seed=12)
    assert _digest(paths) != _digest(other)


def test_every_file_of_the_contract_exists(bundled: tuple[Path, list[Path]]) -> None:
    out, paths = bundled
    expected = {file_name(f, p) for f in FEEDS for p in partitions()}
    assert {p.name for p in paths} == expected == {p.name for p in out.iterdir() if p.name != DEMO_MANIFEST}
    # the files of the feeds whose values the load redacts with a keyed hash are the demo key's
    redacted = {feed.name for feed in LAND_FEEDS if feed.carries_personal_data}
    assert redacted == {"land_parcels", "subsoil_sites"}
    keyed = {p.name for p in paths if p.name.rsplit("_", 1)[0] in redacted}
    assert set(recorded_demo_files(out / DEMO_MANIFEST)) == keyed


def test_columns_match_the_contract(bundled: tuple[Path, list[Path]]) -> None:
    out, _ = bundled
    for feed, cols in COLUMNS.items():
        sample = next(p for p in sorted(out.glob(f"{feed}_*")) if p.stat().st_size > 0)
        if sample.suffix == ".csv":
            header = sample.read_text(encoding="utf-8").splitlines()[0].replace('"', "").split(",")
            assert header == [n for n, _ in cols], feed
        else:
            row = pd.read_json(sample, lines=True, nrows=1)
            assert list(row.columns) == [n for n, _ in cols], feed
        df = _read(out, feed)  # every value casts to the contract's DuckDB types
        assert len(df) > 0, feed
    for (feed, column), values in VALUE_SETS.items():
        seen = set(_read(out, feed)[column].dropna())
        assert seen <= set(values), (feed, column, seen - set(values))


def test_kato_codes_exist_and_all_regions_present(bundled: tuple[Path, list[Path]]) -> None:
    out, _ = bundled
    kato = pd.read_csv(KATO_FILE, sep=";", encoding="utf-8-sig", dtype=str)
    top = set(kato.loc[kato["parent_id"] == "0", "id"])
    districts = set(kato.loc[kato["parent_id"].isin(top), "code"])
    parcels = _read(out, "land_parcels")
    sites = _read(out, "subsoil_sites")
    assert set(parcels["kato_code"]) <= districts
    assert set(sites["kato_code"]) <= districts
    assert parcels["kato_code"].str[:2].nunique() == 20
    assert (parcels["cadastral_number"].str[:2] == parcels["kato_code"].str[:2]).all()
    assert parcels.drop_duplicates("cadastral_number").shape[0] == PARCELS


def test_planted_geometry_defects(bundled: tuple[Path, list[Path]]) -> None:
    out, _ = bundled
    parcels = _read(out, "land_parcels").drop_duplicates("cadastral_number")
    checks = geometry_checks(parcels["geometry_wkt"].to_numpy())
    invalid = ~checks["is_valid"]
    assert 0.002 <= invalid.mean() <= 0.05
    reasons = checks.loc[invalid, "invalid_reason"]
    assert reasons.str.startswith("Self-intersection").any()
    assert reasons.str.startswith("unparsable WKT").any()
    assert checks.loc[checks["is_valid"], "in_kz_bbox"].all()
    mismatch = area_disagreement(parcels["area_ha"].to_numpy(), checks["area_ha"].to_numpy())
    flagged = mismatch["area_mismatch"].fillna(False).astype(bool)
    assert 0.005 <= flagged[checks["is_valid"].to_numpy()].mean() <= 0.06


def test_detections_outside_contours_and_on_edges(bundled: tuple[Path, list[Path]]) -> None:
    out, _ = bundled
    det = _read(out, "subsoil_detections")
    sites = _read(out, "subsoil_sites")
    assert sites["licence_number"].is_unique
    joined = det.merge(
        sites[["licence_number", "geometry_wkt"]],
        on="licence_number",
        suffixes=("", "_contour"),
        validate="many_to_one",
    )
    assert len(joined) == len(det)
    res = points_in_contours(joined["geometry_wkt"].to_numpy(), joined["geometry_wkt_contour"].to_numpy())
    outside = res["inside"] == False  # noqa: E712 (nullable boolean)
    assert 0.05 <= outside.mean() <= 0.25
    assert res["on_boundary"].fillna(False).astype(bool).any()
    assert (res.loc[outside, "distance_outside_m"] > 0).all()
    assert not geometry_checks(sites["geometry_wkt"].to_numpy())["is_valid"].all()


def test_withdrawals_follow_published_totals(bundled: tuple[Path, list[Path]]) -> None:
    out, _ = bundled
    ev = _read(out, "land_parcel_events")
    withdrawn = ev[ev["event_type"] == "WITHDRAWN"]
    per_year = withdrawn.groupby(withdrawn["event_date"].dt.year)["area_ha"].sum() * scale_factor(PARCELS)
    for year, published in RETURNED_HA.items():
        assert per_year[year] == pytest.approx(published, rel=0.15), year
    assert {"NOTICE_ISSUED", "REDISTRIBUTED", "BACK_IN_USE"} <= set(ev["event_type"])
    assert ev["event_id"].is_unique
    obs = _read(out, "land_observations")
    assert obs["observation_id"].is_unique
    assert set(obs["usage_class"]) == {"USED", "PARTLY_USED", "UNUSED", "NO_DATA"}
    assert obs.loc[obs["usage_class"] == "NO_DATA", "ndvi"].isna().all()


def test_scale_cli_chunks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["scale", str(tmp_path), "--parcels", "1500", "--chunk", "500", "--sites", "20", "--no-progress"]
        )
        == 0
    )
    assert "wrote 80 files" in capsys.readouterr().out
    parcels = _read(tmp_path, "land_parcels").drop_duplicates("cadastral_number")
    assert len(parcels) == 1500 and parcels["cadastral_number"].is_unique
    obs = _read(tmp_path, "land_observations")
    assert set(obs["season"].str[5:]) == {"SUMMER"}
