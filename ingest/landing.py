"""What a landing file is before any reader touches it: its checksum, compression, encoding, and
whether it can be read at all.

Real exports arrive as UTF-8 with or without a byte-order mark, UTF-16 with one, gzip-compressed
(Comtrade's bulk files), or Windows-1251 from older systems. One pass over the bytes computes the
SHA-256 and checks the text, so a file that cannot be read is refused with the byte offset of its
first bad byte (and its line, counted by a second pass over a bad file only) instead of failing
somewhere inside DuckDB's reader. DuckDB then reads plain and gzip-compressed UTF-8 itself; other
encodings are transcoded to a UTF-8 copy first.

A landing folder receives Windows-1251 when configured so: LANDING_ENCODING_<FOLDER>=windows-1251
(e.g. LANDING_ENCODING_EOTINISH); a file that is valid UTF-8 is still read as UTF-8, and so is
one that begins with UTF-8's byte-order mark: a bad byte in it is refused, not taken as Windows-1251.

A gzip file may hold several members one after the other (`cat a.gz b.gz`); DuckDB reads them all,
so every member is checked, and bytes after the last that are not a member make the file corrupt
(or truncated, when they could begin one), as they make DuckDB's read fail. A corrupt file is
refused with the byte offset, in the compressed file, of the bytes that are not a member, or of
the byte at which zlib failed (the damage is at or before it) and of its member's start.
"""

import codecs
import errno
import gzip
import hashlib
import os
import stat
import sys
import weakref
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Characters DuckDB's readers would take as a glob pattern in a path.
GLOB_CHARACTERS = set("*?[]{}")


@dataclass(frozen=True)
class FileSignature:
    """What changes whenever a file's bytes are replaced: ctime and inode cannot be preserved by
    `cp -p`, rsync or unzip the way the modification time can."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> "FileSignature":
        """The file's signature; a dangling link's own (it is judged as a file that cannot be read)."""
        try:
            stat = path.stat()
        except OSError:
            stat = path.lstat()
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@dataclass(frozen=True)
class Inspection:
    sha256: str | None
    signature: FileSignature | None
    compression: str | None = None  # 'gzip' or None
    encoding: str = "utf-8"  # utf-8 | utf-16 | windows-1251
    problem: str | None = None  # why the file cannot be read, with its position


def configured_encoding(path: Path) -> str | None:
    """The legacy encoding configured for the file's landing folder, if any."""
    value = os.environ.get(f"LANDING_ENCODING_{path.parent.name.upper()}", "").strip().lower()
    return {"windows-1251": "windows-1251", "cp1251": "windows-1251"}.get(value)


def inspect(path: Path) -> Inspection:
    """Checksum `path` and judge its bytes (see the module docstring). Never raises for a bad file:
    a directory, a dangling link or unreadable bytes come back as `problem`."""
    if path.is_dir():
        return Inspection(None, None, problem="is a directory, not a file")
    if not path.exists():
        return Inspection(None, None, problem="cannot be opened (a dangling link, or it was removed)")
    if not stat.S_ISREG(path.stat().st_mode):
        return Inspection(None, None, problem="is not a regular file (a pipe, a device...)")
    try:
        signature = FileSignature.of(path)
        digest = hashlib.sha256()
        text = _TextCheck(configured_encoding(path))
        # hashlib lets go of the GIL on large buffers: a chunk is hashed on a thread while its
        # text is checked (with ASCII not decoded and lines counted only in a bad file, a 1.3 GB
        # Comtrade CSV: 2.6-3.2 s -> 2.3 s; 30 eOtinish JSON Lines files: 0.83 -> 0.74 s).
        with path.open("rb") as handle, ThreadPoolExecutor(1) as hashing:
            first = handle.read(CHUNK_BYTES)
            compression = "gzip" if first.startswith(GZIP_MAGIC) else None
            inflate = _Gunzip() if compression else None
            chunk, at = first, 0  # `at`: the chunk's byte offset in the file
            while chunk:
                hashed = hashing.submit(digest.update, chunk)
                if inflate:
                    before = inflate.copy()  # ~1 µs: to find the failing byte of a corrupt chunk
                    try:
                        text.feed(inflate.decompress(chunk))
                    except zlib.error as error:
                        text.fail(_corruption(before, chunk, at, error))
                        inflate = None  # the rest is only hashed: the checksum is the whole file's
                else:
                    text.feed(chunk)
                hashed.result()
                at += len(chunk)
                chunk = handle.read(CHUNK_BYTES)
        if inflate and not inflate.eof:
            text.fail(f"gzip stream is truncated at byte {signature.size} of the compressed file")
        text.finish()
    except OSError as error:
        return Inspection(None, None, problem=f"cannot be read ({error.strerror or error})")
    problem = text.problem
    if problem and text.problem_offset is not None:
        try:
            line = str(_line_at(path, compression, text.problem_offset))
        except (OSError, zlib.error):  # the file was removed or replaced since: no line to tell
            line = "?"
        problem = problem.replace("{line}", line)
    return Inspection(digest.hexdigest(), signature, compression, text.encoding, problem)


def _line_at(path: Path, compression: str | None, offset: int) -> int:
    """The 1-based line of the (decompressed) text's byte `offset`. Counted only for a file found
    bad: counting every file's lines as it is read was ~20 % of an inspection. Decompressed as
    `inspect` does: a truncated gzip file is read as far as it goes (gzip.open would raise)."""
    lines, seen = 1, 0
    inflate = _Gunzip() if compression == "gzip" else None
    with path.open("rb") as handle:
        while seen < offset and (chunk := handle.read(CHUNK_BYTES)):
            text = inflate.decompress(chunk) if inflate else chunk
            lines += text.count(b"\n", 0, offset - seen)
            seen += len(text)
    return lines


def _corruption(before: "_Gunzip", chunk: bytes, at: int, error: zlib.error) -> str:
    """The problem of a gzip file whose `chunk` (from byte offset `at`) zlib found corrupt, with the
    byte at which it did: `chunk` is fed again from the state `before` it, a piece at a time, then
    a byte at a time. zlib fails on the byte that makes the data impossible, which is at or after
    the damaged one (a changed byte inside a member may only show at its checksum, at its end)."""
    state, start = before, 0
    while start < len(chunk):
        piece, trial = chunk[start : start + 4096], state.copy()
        try:
            trial.decompress(piece)
        except zlib.error:
            for index in range(len(piece)):
                try:
                    state.decompress(piece[index : index + 1])
                except zlib.error:
                    failed, member = at + start + index, state.member_start
                    if member > 0 and failed < member + 10:  # in a header (10 bytes): not gzip
                        return (
                            f"gzip data is corrupt ({error}): the bytes from byte offset {member} of the "
                            "compressed file, after a gzip member, are not a gzip member"
                        )
                    return (
                        f"gzip data is corrupt ({error}): zlib failed at byte offset {failed} of the "
                        f"compressed file, in the gzip member that begins at byte offset {member}: the "
                        "damaged bytes are between the two"
                    )
            break  # not failing again (cannot happen): the chunk is the position
        state, start = trial, start + len(piece)
    return (
        f"gzip data is corrupt ({error}) in the {len(chunk)} bytes from byte offset {at} of the "
        "compressed file"
    )


class _Gunzip:
    """zlib's gzip decompressor over every member of a file, not only the first."""

    def __init__(self):
        self._member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.fed = 0  # bytes of the compressed file fed so far
        self.member_start = 0  # byte offset of the member being decompressed

    def copy(self) -> "_Gunzip":
        other = _Gunzip.__new__(_Gunzip)
        other._member, other.fed, other.member_start = self._member.copy(), self.fed, self.member_start
        return other

    @property
    def eof(self) -> bool:
        """Whether the last member begun has ended (False: the file is cut inside it)."""
        return self._member.eof

    def decompress(self, data: bytes) -> bytes:
        self.fed += len(data)
        # A list, joined once: a file of small members (bgzip's are 64 KB) has hundreds a chunk.
        out = [self._member.decompress(data)]
        while self._member.eof and self._member.unused_data:  # the next member begins
            rest = self._member.unused_data
            self._member, self.member_start = zlib.decompressobj(16 + zlib.MAX_WBITS), self.fed - len(rest)
            out.append(self._member.decompress(rest))  # zlib.error if the rest is not gzip
        return b"".join(out)


class _TextCheck:
    """Incremental check of the (decompressed) bytes: byte-order mark, binary content, encoding.
    Positions are byte offsets in the decompressed text, 0-based; a problem's `{line}` is filled in
    by `inspect` from `problem_offset`."""

    def __init__(self, fallback: str | None):
        self.fallback = fallback
        self.encoding: str | None = None
        self.decoder = None
        self.offset = 0
        self.marked_utf8 = False  # the file begins with UTF-8's byte-order mark
        self.problem: str | None = None
        self.problem_offset: int | None = None  # where the problem's {line} is

    def fail(self, problem: str, offset: int | None = None) -> None:
        if self.problem is None:
            self.problem, self.problem_offset = problem, offset

    def feed(self, data: bytes) -> None:
        if self.problem or not data:
            return
        if self.encoding is None:
            self._start(data)
        if self.encoding == "utf-8":
            # A byte-order mark is not text: it is left out, and the offsets count it.
            skipped = len(codecs.BOM_UTF8) if self.offset == 0 and data.startswith(codecs.BOM_UTF8) else 0
            self.marked_utf8 = self.marked_utf8 or bool(skipped)
            if (nul := data.find(b"\0")) >= 0:
                where = self.offset + nul
                self.fail(f"binary content: NUL byte at byte offset {where} (line {{line}})", where)
                return
            # The bytes of a character the last chunk began: the decoder's errors count from them.
            pending = self.decoder.getstate()[0]
            text = data[skipped:]
            try:
                # ASCII is UTF-8 unless it ends such a character (5 GB/s, where decoding is 0.7).
                if pending or not text.isascii():
                    self.decoder.decode(text)
            except UnicodeDecodeError as error:
                where = self.offset + skipped - len(pending) + error.start
                byte = (pending + text)[error.start]
                if self.fallback and not self.marked_utf8:
                    self.encoding = self.fallback  # every byte is a character in it
                    self.decoder.reset()  # nor is a byte it held the start of a character
                elif self.marked_utf8:  # configuring the folder would not help it
                    # Not "not UTF-8": meta.landing_files reads that as a file a configured folder
                    # may now read (ingest.loads.register_landing_files), and inspects it again.
                    self.fail(
                        f"invalid UTF-8 in a file its byte-order mark says is UTF-8: byte 0x{byte:02x} "
                        f"at byte offset {where} (line {{line}})",
                        where,
                    )
                    return
                else:
                    self.fail(
                        f"not UTF-8: byte 0x{byte:02x} at byte offset {where} (line {{line}}); "
                        "a folder that receives Windows-1251 is configured with "
                        "LANDING_ENCODING_<FOLDER>=windows-1251",
                        where,
                    )
                    return
        elif self.encoding == "utf-16":
            try:
                self.decoder.decode(data)
            except UnicodeDecodeError as error:
                self.fail(f"not valid UTF-16 at byte offset {self.offset + error.start}")
                return
        if self.encoding == "windows-1251" and (nul := data.find(b"\0")) >= 0:
            self.fail(f"binary content: NUL byte at byte offset {self.offset + nul}")
            return
        self.offset += len(data)

    def _start(self, data: bytes) -> None:
        if data.startswith(UTF16_BOMS):
            self.encoding, self.decoder = "utf-16", codecs.getincrementaldecoder("utf-16")()
        else:
            self.encoding, self.decoder = "utf-8", codecs.getincrementaldecoder("utf-8")()

    def finish(self) -> None:
        if self.problem or self.decoder is None:
            return
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if self.encoding == "utf-8" and self.fallback and not self.marked_utf8:
                self.encoding = self.fallback
            else:
                self.fail(f"text ends inside a character at byte offset {self.offset} (truncated file?)")


def first_character(path: Path, compression: str | None, encoding: str) -> str:
    """The first character that is not white space (to tell a JSON array from an object)."""
    opener = gzip.open if compression == "gzip" else open
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with opener(path, "rt", encoding=codec, errors="replace") as handle:
        while chunk := handle.read(4096):
            if stripped := chunk.lstrip():
                return stripped[0]
    return ""


def readable_copy(path: Path, inspection: Inspection, folder: Path) -> tuple[Path, str | None]:
    """A path DuckDB can read literally, and the compression to tell it. Plain or gzip UTF-8 is
    read in place (through a link when its name holds glob characters, which DuckDB would expand);
    UTF-16 and Windows-1251 are transcoded to a UTF-8 copy in `folder`.

    The copy holds the file's text in clear (an eOtinish export: names, phones, IINs), so where the
    system allows (Linux) it has no name: a file in `folder` that only its descriptor reaches, read
    as /proc/self/fd/<n>, which no kill -9 can leave behind (the kernel frees it with the process;
    a named copy stayed until a later load cleared the folder). The descriptor is closed when the
    last reference to the returned path is dropped (the SourceFile that holds it), so a caller
    keeps the path while the copy is read, not only its str. Elsewhere, or with no file
    descriptor left, the copy is named by checksum, and the callers remove `folder` (ingest.feeds)."""
    suffix = "".join(s for s in path.suffixes if s.lower() in (".csv", ".json", ".jsonl"))
    if inspection.encoding == "utf-8":
        if not GLOB_CHARACTERS & set(str(path)):
            return path, inspection.compression
        folder.mkdir(parents=True, exist_ok=True)
        link = folder / f"{inspection.sha256}{suffix}{'.gz' if inspection.compression else ''}"
        if not link.is_symlink():
            link.symlink_to(path.resolve())
        return link, inspection.compression
    folder.mkdir(parents=True, exist_ok=True)
    key = (str(path), inspection.sha256, inspection.encoding, inspection.compression)
    if (alive := _UNLINKED_COPIES.get(key)) is not None:
        return _UnlinkedPath.of(alive), None
    if (descriptor := _unlinked_file(folder)) is not None:
        copy = _UnlinkedCopy(descriptor)  # closes the descriptor when dropped, on error too
        with open(descriptor, "w", encoding="utf-8", newline="", closefd=False) as target:
            _transcode(path, inspection, target)
        _UNLINKED_COPIES[key] = copy
        return _UnlinkedPath.of(copy), None
    copy = folder / f"{inspection.sha256}{suffix}"
    if not copy.exists():
        partial = copy.with_name(copy.name + ".part")
        with partial.open("w", encoding="utf-8", newline="") as target:
            _transcode(path, inspection, target)
        partial.replace(copy)
    return copy, None


def _transcode(path: Path, inspection: Inspection, target) -> None:
    opener = gzip.open if inspection.compression == "gzip" else open
    with opener(path, "rt", encoding=inspection.encoding, newline="") as source:
        while chunk := source.read(CHUNK_BYTES):
            target.write(chunk)


def _unlinked_file(folder: Path) -> int | None:
    """A descriptor, open for writing, of a new file in `folder` that has no name; None where
    /proc/self/fd cannot reach it (not Linux)."""
    if not (sys.platform.startswith("linux") and hasattr(os, "O_TMPFILE")):
        return None  # (illumos has /proc/self/fd but no O_TMPFILE)
    try:
        try:
            return _open_raising_the_limit(folder, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC)
        except OSError as error:
            if error.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise  # a full disk is the load's error, not a reason for a named copy
        # A file system without O_TMPFILE: created empty, then unlinked before a byte is written.
        name = folder / f".copy-{os.getpid()}-{os.urandom(8).hex()}"
        descriptor = _open_raising_the_limit(name, os.O_CREAT | os.O_EXCL | os.O_RDWR | os.O_CLOEXEC)
        os.unlink(name)
        return descriptor
    except OSError as error:
        if error.errno in (errno.EMFILE, errno.ENFILE):
            return None  # no descriptor left to hold it: a named copy, which holds none
        raise


def _open_raising_the_limit(path: Path, flags: int) -> int:
    """os.open, once more after raising the soft limit of open files to the hard one: a load holds
    a descriptor for each transcoded file of a window (hundreds of days), and 1024 is a common
    soft limit."""
    try:
        return os.open(path, flags, 0o600)
    except OSError as error:
        if error.errno != errno.EMFILE:
            raise
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft >= hard:
            raise
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return os.open(path, flags, 0o600)


class _UnlinkedCopy:
    """The open descriptor of an unlinked copy (readable_copy); the kernel frees the file when it is
    closed: when the last path to it is dropped, or with the process."""

    def __init__(self, descriptor: int):
        self.descriptor = descriptor
        weakref.finalize(self, os.close, descriptor)


class _UnlinkedPath(type(Path())):
    """/proc/self/fd/<n> of an unlinked copy, keeping its descriptor open as long as it lives (a path
    derived from it, or its str, does not)."""

    @classmethod
    def of(cls, copy: _UnlinkedCopy) -> "_UnlinkedPath":
        path = cls(f"/proc/self/fd/{copy.descriptor}")
        path.copy_held = copy
        return path


# The copies alive, by file version: a file opened again while its copy is held (a file staged in a
# group and then alone) is read from that copy, not transcoded again.
_UNLINKED_COPIES: "weakref.WeakValueDictionary[tuple, _UnlinkedCopy]" = weakref.WeakValueDictionary()


def name_as_matched(name: str) -> str:
    """A landing file's name in lower case (`APPEALS_2024-03-05.JSONL` -> `appeals_2024-03-05.jsonl`):
    the name the feeds' patterns (lower case) and the day, month or quarter in a name are matched
    on, so that a Windows export's upper-case name is read, not skipped without a word."""
    return name.lower()


def name_without_gz(path: Path) -> str:
    """name_as_matched without `.gz`: what the day, month or quarter in a name is read from."""
    return name_as_matched(path.name).removesuffix(".gz")


def data_suffix(path: Path) -> str:
    """'.csv', '.json' or '.jsonl' whether or not the file is compressed ('x.json.gz' -> '.json')."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""
