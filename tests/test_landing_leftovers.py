"""What a bad or a killed load leaves: a corrupt gzip file is refused with the byte where its
corruption was found, and the UTF-8 copy of a transcoded file (personal data in clear) has no name
on the disk, so a load killed with SIGKILL leaves none behind."""

import csv
import gzip
import hashlib
import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from appeal_files import APPEAL_COLUMNS, IIN, appeal
from comtrade_files import month_records, write_csv

from catalog.appeals import load_appeals
from catalog.trade import load_comtrade
from ingest import feeds, landing
from ingest.privacy import find_iin_values

# Loads through DuckDB and Great Expectations, seconds each: not in `make test-fast`.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
DAY = "2024-03-05"
CORRUPT = re.compile(
    r"zlib failed at byte offset (\d+) of the compressed file, "
    r"in the gzip member that begins at byte offset (\d+)"
)


def lines_of(count: int) -> bytes:
    return b"".join(b"%d,Almaty,%d\n" % (n, n * 7919 % 100_003) for n in range(count))


# --- A: corrupt gzip ---------------------------------------------------------------------------


def test_bytes_after_the_last_member_are_named_by_their_offset(tmp_path):
    packed = gzip.compress(lines_of(200_000))  # past the first chunk: offsets count the chunks before
    assert len(packed) > landing.CHUNK_BYTES
    path = tmp_path / "trailing.csv.gz"
    path.write_bytes(packed + b"GARBAGE")
    inspection = landing.inspect(path)
    assert inspection.problem == (
        "gzip data is corrupt (Error -3 while decompressing data: incorrect header check): the bytes "
        f"from byte offset {len(packed)} of the compressed file, after a gzip member, are not a gzip member"
    )
    # The checksum is the whole file's, as for any other bad file.
    assert inspection.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_a_changed_byte_inside_a_member_is_placed_between_its_member_and_the_failing_byte(tmp_path, where):
    first = gzip.compress(lines_of(50_000))
    second = gzip.compress(lines_of(200_000))
    damaged = len(first) + 10 + int(where * (len(second) - 18))  # in the second member's deflate data
    data = bytearray(first + second)
    data[damaged] ^= 0x55
    path = tmp_path / "damaged.csv.gz"
    path.write_bytes(bytes(data))

    problem = landing.inspect(path).problem
    assert problem.startswith("gzip data is corrupt (Error -3 while decompressing data: "), problem
    failed, member = map(int, CORRUPT.search(problem).groups())
    assert member == len(first)
    assert member <= damaged <= failed < len(data)


def test_corrupt_gzip_files_are_refused_with_their_byte_and_the_other_months_load(warehouse, warehouse_paths):
    folder = warehouse_paths.trade_landing
    write_csv(folder / "kz_2023_01.csv", month_records("202301"))
    write_csv(folder / "kz_2023_03.csv", month_records("202303"))
    february = write_csv(folder / "kz_2023_02.csv", month_records("202302"))
    packed = gzip.compress(february.read_bytes())
    (folder / "kz_2023_02.csv.gz").write_bytes(packed + b"GARBAGE")
    february.unlink()
    april = write_csv(folder / "kz_2023_04.csv", month_records("202304"))
    damaged = bytearray(gzip.compress(april.read_bytes()))
    damaged[len(damaged) // 2] ^= 0xFF
    (folder / "kz_2023_04.csv.gz").write_bytes(bytes(damaged))
    april.unlink()

    report = load_comtrade(warehouse, warehouse_paths.landing, ["2023-01-01", "2023-03-01"])

    statuses = {p.partition_key: p.status for p in report.partitions}
    assert (statuses["2023-01-01"], statuses["2023-03-01"]) == ("published", "published")
    issues = {Path(i.file).name: i.describe() for p in report.partitions for i in p.issues}
    assert issues.keys() == {"kz_2023_02.csv.gz", "kz_2023_04.csv.gz"}
    assert issues["kz_2023_02.csv.gz"] == (
        "kz_2023_02.csv.gz: gzip data is corrupt (Error -3 while decompressing data: incorrect header "
        f"check): the bytes from byte offset {len(packed)} of the compressed file, after a gzip member, "
        "are not a gzip member"
    )
    inside = issues["kz_2023_04.csv.gz"]
    assert inside.startswith("kz_2023_04.csv.gz: gzip data is corrupt ("), inside
    failed, member = map(int, CORRUPT.search(inside).groups())
    assert member <= len(damaged) // 2 <= failed < len(damaged)
    (months,) = warehouse.execute(
        "select list(distinct period order by period) from raw.comtrade_records"
    ).fetchone()
    assert [str(m) for m in months] == ["202301", "202303"]


# --- B: the transcoded copy of a personal-data file --------------------------------------------


def utf16_appeals(warehouse_paths, encoding: str = "utf-16") -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=APPEAL_COLUMNS)
    writer.writeheader()
    writer.writerows([appeal(1, DAY), appeal(2, DAY)])
    path = warehouse_paths.landing / "eotinish" / f"appeals_{DAY}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def files_holding_the_iin(folder: Path) -> list[Path]:
    forms = [IIN.encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be")]
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(form in data for form in forms):
                found.append(path)
    return found


def copies_held(pid: int | str, folder: Path) -> list[str]:
    """The files in `folder` the process holds open (an unlinked one reads '... (deleted)')."""
    held = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed since it was listed
            continue
        if target.startswith(str(folder)):
            held.append(target)
    return held


@pytest.mark.parametrize("encoding", ["utf-16", "windows-1251"])
def test_a_transcoded_personal_data_file_loads_and_no_copy_of_it_is_left(
    warehouse, warehouse_paths, monkeypatch, encoding
):
    if encoding == "windows-1251":
        monkeypatch.setenv("LANDING_ENCODING_EOTINISH", "windows-1251")
    utf16_appeals(warehouse_paths, encoding)

    load_appeals(warehouse, warehouse_paths.landing, [DAY]).raise_for_errors()

    (names,) = warehouse.execute(
        "select list(reg_number order by reg_number) from raw.eotinish_appeals"
    ).fetchone()
    assert names == [appeal(1, DAY)["reg_number"], appeal(2, DAY)["reg_number"]]  # Cyrillic, read right
    assert find_iin_values(warehouse) == []
    assert files_holding_the_iin(warehouse_paths.root) == []
    work = feeds._work_dir(warehouse)
    assert copies_held("self", work) == []  # the copies' descriptors are closed with the load


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="unnamed copies need Linux's /proc")
def test_the_copy_is_unnamed_and_read_by_duckdb_and_python(tmp_path):
    path = tmp_path / "eotinish" / "u16.csv"
    path.parent.mkdir()
    path.write_bytes("id,город\n1,Алматы\n".encode("utf-16"))
    work = tmp_path / "work"
    read_path, compression = landing.readable_copy(path, landing.inspect(path), work)
    assert (str(read_path).startswith("/proc/self/fd/"), compression) == (True, None)
    assert list(work.iterdir()) == []  # nothing by name
    again, _ = landing.readable_copy(path, landing.inspect(path), work)
    assert str(again) == str(read_path)  # held: not transcoded again
    import duckdb

    rows = duckdb.connect().execute(f"select * from read_csv('{read_path}', compression='none')").fetchall()
    assert rows == [(1, "Алматы")]
    assert read_path.read_text(encoding="utf-8") == "id,город\n1,Алматы\n"
    descriptor = int(read_path.name)
    del read_path, again
    with pytest.raises(OSError):  # closed with the last path to it
        os.fstat(descriptor)


# The child loads the appeals and stops inside the load, its copy open, until it is killed.
CHILD = """
import os, sys, time
from pathlib import Path
from ingest.settings import WarehousePaths
paths = WarehousePaths(root=Path(sys.argv[1]) / "warehouse", landing=Path(sys.argv[1]) / "landing")
os.environ.update(paths.export_env())
from catalog.appeals import load_appeals
from ingest import feeds
from ingest.duck import connect

stop_in = sys.argv[2]
original = getattr(feeds, stop_in)


def stop(*args, **kwargs):
    print("stopped", flush=True)
    time.sleep(600)


setattr(feeds, stop_in, stop)
load_appeals(connect(paths.warehouse_db, memory_limit="1GB"), paths.landing, [sys.argv[3]])
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="unnamed copies need Linux's /proc")
@pytest.mark.parametrize("stop_in", ["_slice_counts", "_stage_files"])  # registration, staging
def test_a_load_killed_with_sigkill_leaves_no_clear_copy(warehouse_paths, tmp_path, stop_in):
    utf16_appeals(warehouse_paths)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path), stop_in, DAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    try:
        line = child.stdout.readline()
        assert line == b"stopped\n", child.stderr.read().decode()[-3000:]
        held = copies_held(child.pid, warehouse_paths.root / "tmp" / "landing")
        named_while_loading = files_holding_the_iin(warehouse_paths.root)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert files_holding_the_iin(warehouse_paths.root) == []
    # The copy existed while the load read it, only as an open file with no name.
    assert named_while_loading == []
    assert held and all(target.endswith("(deleted)") for target in held), held
