"""The landing inspection (ingest/landing.py): the checksum, the encoding, and where a bad byte is
(byte offset and line), in plain and gzip files, most of them of several chunks."""

import codecs
import gzip
import hashlib

import pytest

from ingest import landing

CHUNK = landing.CHUNK_BYTES


def lines_of(count: int, width: int = 99) -> bytes:
    return b"".join(b"x" * width + b"\n" for _ in range(count))


@pytest.mark.parametrize("compressed", [False, True])
def test_a_bad_byte_past_the_first_chunk_is_named_by_offset_and_line(tmp_path, compressed):
    head = lines_of(30_000)  # 3 MB: the bad byte is in the third chunk
    data = head + b"ok \xff here\n" + lines_of(10)
    path = tmp_path / ("bad.csv.gz" if compressed else "bad.csv")
    path.write_bytes(gzip.compress(data) if compressed else data)

    inspection = landing.inspect(path)

    assert inspection.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert inspection.problem.startswith(f"not UTF-8: byte 0xff at byte offset {len(head) + 3} (line 30001);")


def test_a_nul_byte_is_named_by_offset_and_line(tmp_path):
    data = lines_of(20_000) + b"a\0b\n"
    (tmp_path / "nul.csv").write_bytes(data)
    problem = landing.inspect(tmp_path / "nul.csv").problem
    assert problem == f"binary content: NUL byte at byte offset {len(data) - 3} (line 20001)"


def test_a_character_split_between_chunks_is_judged_with_the_ascii_that_follows(tmp_path):
    cyrillic = "д".encode()  # two bytes: the first ends chunk 1, the second begins chunk 2
    good = b"a" * (CHUNK - 1) + cyrillic + lines_of(20_000)
    (tmp_path / "good.csv").write_bytes(good)
    inspection = landing.inspect(tmp_path / "good.csv")
    assert (inspection.problem, inspection.encoding) == (None, "utf-8")

    # The same lead byte followed by ASCII: chunk 2 is all ASCII, yet must not pass unchecked.
    bad = b"a" * (CHUNK - 1) + cyrillic[:1] + lines_of(20_000)
    (tmp_path / "bad.csv").write_bytes(bad)
    problem = landing.inspect(tmp_path / "bad.csv").problem
    assert problem.startswith(f"not UTF-8: byte 0x{cyrillic[0]:02x} at byte offset {CHUNK - 1} (line 1);")


def test_a_file_cut_inside_a_character_is_refused(tmp_path):
    (tmp_path / "cut.csv").write_bytes(lines_of(20_000) + "д".encode()[:1])
    problem = landing.inspect(tmp_path / "cut.csv").problem
    assert problem.startswith("text ends inside a character at byte offset")


def test_a_truncated_gzip_file_with_a_bad_byte_is_refused_not_raised(tmp_path):
    data = b"ok\n" * 10 + b"\xff\n" + b"".join(b"%d,%d\n" % (i, i * 7919 % 104729) for i in range(20_000))
    compressed = gzip.compress(data)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(compressed[: len(compressed) // 2])  # a copy still under way
    inspection = landing.inspect(path)
    assert inspection.compression == "gzip"
    assert inspection.problem.startswith("not UTF-8: byte 0xff at byte offset 30 (line 11);")


def test_ascii_chunks_then_the_start_of_a_character_at_the_end_is_refused(tmp_path):
    (tmp_path / "cut.csv").write_bytes(b"a" * (2 * CHUNK) + b"\xef")
    problem = landing.inspect(tmp_path / "cut.csv").problem
    assert problem == f"text ends inside a character at byte offset {2 * CHUNK + 1} (truncated file?)"


@pytest.mark.parametrize("before", [b"", b"a" * CHUNK], ids=["at the start", "after a chunk of ASCII"])
def test_a_bad_byte_after_a_byte_order_mark_is_named_at_its_own_offset(tmp_path, before):
    (tmp_path / "bom.csv").write_bytes(before + codecs.BOM_UTF8 + b"abc\xff\n")
    problem = landing.inspect(tmp_path / "bom.csv").problem
    # A mark at the start says UTF-8 (configuring the folder for Windows-1251 would not help).
    said = "invalid UTF-8 in a file its byte-order mark says is UTF-8: " if not before else "not UTF-8: "
    assert problem.startswith(f"{said}byte 0xff at byte offset {len(before) + 6} (line 1)")


def test_a_configured_legacy_folder_falls_back_after_ascii_chunks(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDING_ENCODING_LEGACY", "windows-1251")
    folder = tmp_path / "legacy"
    folder.mkdir()
    (folder / "old.csv").write_bytes(b"a" * CHUNK + "Алматы\n".encode("cp1251"))
    inspection = landing.inspect(folder / "old.csv")
    assert (inspection.problem, inspection.encoding) == (None, "windows-1251")

    # Chunk 1 ends with 0xd0, which begins a character in UTF-8; chunk 2's 0xf3 does not go on with it.
    (folder / "split.csv").write_bytes(b"a" * (CHUNK - 1) + "Рус\n".encode("cp1251"))
    inspection = landing.inspect(folder / "split.csv")
    assert (inspection.problem, inspection.encoding) == (None, "windows-1251")


def test_a_file_of_a_byte_order_mark_only_is_taken_and_one_of_a_cut_mark_is_refused(tmp_path):
    (tmp_path / "bom.csv").write_bytes(codecs.BOM_UTF8)
    assert landing.inspect(tmp_path / "bom.csv").problem is None
    (tmp_path / "cut.csv").write_bytes(codecs.BOM_UTF8[:2])
    assert landing.inspect(tmp_path / "cut.csv").problem.startswith("text ends inside a character")


def test_utf16_with_its_byte_order_mark_is_taken(tmp_path):
    (tmp_path / "u16.csv").write_bytes(("Алматы,1\n" * 200_000).encode("utf-16"))
    inspection = landing.inspect(tmp_path / "u16.csv")
    assert (inspection.problem, inspection.encoding) == (None, "utf-16")


def test_every_member_of_a_gzip_file_is_checked(tmp_path):
    first = lines_of(20_000)  # 2 MB: the second member begins past the first chunk of the file
    second = b"ok \xff here\n" + lines_of(10)
    path = tmp_path / "members.csv.gz"
    path.write_bytes(gzip.compress(first) + gzip.compress(lines_of(5)))
    assert landing.inspect(path).problem is None

    path.write_bytes(gzip.compress(first) + gzip.compress(second))
    problem = landing.inspect(path).problem
    assert problem.startswith(f"not UTF-8: byte 0xff at byte offset {len(first) + 3} (line 20001);")

    # DuckDB refuses bytes after the last member ("Unexpected end of GZIP stream"), and so does the
    # inspection; a second member cut short is a truncated file.
    path.write_bytes(gzip.compress(first) + b"trailing bytes")
    assert landing.inspect(path).problem.startswith("gzip data is corrupt")
    path.write_bytes(gzip.compress(first) + gzip.compress(lines_of(20_000))[:5_000])
    assert landing.inspect(path).problem.startswith("gzip stream is truncated")


def test_a_file_with_a_utf8_byte_order_mark_is_not_taken_for_windows_1251(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDING_ENCODING_LEGACY", "windows-1251")
    folder = tmp_path / "legacy"
    folder.mkdir()
    data = codecs.BOM_UTF8 + "id,город\n".encode() + lines_of(20_000)
    (folder / "marked.csv").write_bytes(data + "1,Алматы\n".encode("cp1251"))
    inspection = landing.inspect(folder / "marked.csv")
    assert inspection.problem == (
        "invalid UTF-8 in a file its byte-order mark says is UTF-8: "
        f"byte 0xc0 at byte offset {len(data) + 2} (line 20002)"
    )

    (folder / "cut.csv").write_bytes(data + "д".encode()[:1])
    assert landing.inspect(folder / "cut.csv").problem.startswith("text ends inside a character")

    # Without the mark the same bytes are the folder's Windows-1251.
    (folder / "unmarked.csv").write_bytes(data[len(codecs.BOM_UTF8) :].decode().encode("cp1251"))
    assert landing.inspect(folder / "unmarked.csv").encoding == "windows-1251"
