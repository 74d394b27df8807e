"""read_text (files, globs, blocks, compression) and to_textfiles (atomic writes)."""

from __future__ import annotations

import gzip
import io
import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.bag as db
from tessera.bag.text import parse_blocksize
from tests.bag.funcs import fail_on_7

SETTINGS = settings(max_examples=60, deadline=None)
texts = st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "\r", "é", "€", "|"]), max_size=200)


def write(path: Path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def _split_keep(text: str, delimiter: str) -> list[str]:
    out, start = [], 0
    while True:
        i = text.find(delimiter, start)
        if i < 0:
            break
        out.append(text[start : i + len(delimiter)])
        start = i + len(delimiter)
    if start < len(text):
        out.append(text[start:])
    return out


@SETTINGS
@given(texts, st.integers(1, 40), st.sampled_from([None, "\n", "\r\n", "\r", "|", "é|"]))
def test_blocks_lose_and_duplicate_no_line(text: str, blocksize: int, delim: str | None) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = write(Path(d) / "t.txt", text)
        whole = db.read_text(path, linedelimiter=delim).compute(scheduler="sync")
        blocks = db.read_text(path, blocksize=blocksize, linedelimiter=delim)
        assert blocks.npartitions == max(1, -(-len(text.encode()) // blocksize))
        assert blocks.compute(scheduler="sync") == whole
    if delim is None:
        assert whole == io.StringIO(text, newline=None).readlines()
    else:
        assert whole == _split_keep(text, delim)


@SETTINGS
@given(texts, st.integers(1, 40))
def test_split_flatten_words_equal_plain(text: str, blocksize: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = write(Path(d) / "t.txt", text)
        words = db.read_text(path, blocksize=blocksize).str.split().flatten()
        assert words.compute(scheduler="sync") == text.split()
        assert db.read_text(path).str.split().flatten().compute(scheduler="sync") == text.split()
        freq = db.read_text(path, blocksize=blocksize).str.split().flatten().frequencies()
        assert dict(freq.compute(scheduler="sync")) == {
            w: text.split().count(w) for w in set(text.split())
        }


def test_globs_lists_and_paths(tmp_path: Path) -> None:
    for i in range(3):
        write(tmp_path / f"f{i}.txt", f"a{i}\nb{i}\n")
    write(tmp_path / "other.csv", "x\n")
    b = db.read_text(str(tmp_path / "*.txt"))
    assert b.npartitions == 3
    assert b.compute() == ["a0\n", "b0\n", "a1\n", "b1\n", "a2\n", "b2\n"]
    listed = db.read_text([tmp_path / "f2.txt", str(tmp_path / "f0.txt")])
    assert listed.compute(scheduler="sync") == ["a2\n", "b2\n", "a0\n", "b0\n"]
    grouped = db.read_text(str(tmp_path / "f*.txt"), files_per_partition=2)
    assert grouped.npartitions == 2
    assert grouped.compute(scheduler="sync") == b.compute(scheduler="sync")


def test_include_path(tmp_path: Path) -> None:
    p = write(tmp_path / "a.txt", "x\ny\n")
    got = db.read_text(str(tmp_path / "*.txt"), include_path=True).compute()
    assert got == [("x\n", os.path.abspath(p)), ("y\n", os.path.abspath(p))]
    got = db.read_text(p, include_path=True, blocksize=2).compute(scheduler="sync")
    assert got == [("x\n", p), ("y\n", p)]


def test_missing_files_are_clear_errors(tmp_path: Path) -> None:
    pattern = str(tmp_path / "nothing-*.txt")
    with pytest.raises(FileNotFoundError, match=r"no files match the pattern .*nothing-\*\.txt"):
        db.read_text(pattern)
    with pytest.raises(FileNotFoundError, match="no such file"):
        db.read_text(str(tmp_path / "absent.txt"))
    with pytest.raises(IsADirectoryError, match="pass a glob"):
        db.read_text(str(tmp_path))
    with pytest.raises(TypeError, match="path, a glob pattern"):
        db.read_text(5)
    write(tmp_path / "a.txt", "x")
    with pytest.raises(ValueError, match="cannot be used together"):
        db.read_text(str(tmp_path / "a.txt"), blocksize=10, files_per_partition=1)
    with pytest.raises(LookupError):
        db.read_text(str(tmp_path / "a.txt"), encoding="no-such-codec")
    with pytest.raises(ValueError, match="Unknown compression 'rar'"):
        db.read_text(str(tmp_path / "a.txt"), compression="rar")


@pytest.mark.parametrize("ext", [".gz", ".bz2", ".xz", ".lzma"])
def test_compression_round_trip(tmp_path: Path, ext: str) -> None:
    lines = [f"line {i} é" for i in range(50)]
    b = db.from_sequence(lines, npartitions=3)
    paths = b.to_textfiles(str(tmp_path / f"*.txt{ext}"), scheduler="sync")
    assert len(paths) == 3 and all(p.endswith(ext) for p in paths)
    back = db.read_text(str(tmp_path / f"*.txt{ext}"), blocksize=10)
    assert back.npartitions == 3  # compressed files are never split
    assert back.str.rstrip("\n").compute() == lines


def test_explicit_compression_and_encoding(tmp_path: Path) -> None:
    p = tmp_path / "data.bin"
    with gzip.open(p, "wt", encoding="latin-1") as f:
        f.write("café\nnaïve\n")
    got = db.read_text(str(p), compression="gzip", encoding="latin-1").compute(scheduler="sync")
    assert got == ["café\n", "naïve\n"]
    bad = str(tmp_path / "bad.txt")
    Path(bad).write_bytes(b"ok\n\xff\n")
    with pytest.raises(UnicodeDecodeError):
        db.read_text(bad).compute(scheduler="sync")
    assert db.read_text(bad, errors="replace").compute(scheduler="sync") == ["ok\n", "\ufffd\n"]


def test_utf16_files_are_read_whole(tmp_path: Path) -> None:
    p = write(tmp_path / "u.txt", "a\nb\nc\n", encoding="utf-16")
    b = db.read_text(p, encoding="utf-16", blocksize=4)
    assert b.npartitions == 1 and b.compute(scheduler="sync") == ["a\n", "b\n", "c\n"]


def test_zstd_without_zstandard_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "zstandard", None)
    p = write(tmp_path / "a.txt.zst", "x")
    with pytest.raises(ImportError, match="pip install zstandard"):
        db.read_text(p)
    with pytest.raises(ImportError, match="'zstandard' package"):
        db.from_sequence(["x"]).to_textfiles(str(tmp_path / "out-*.zst"))


def test_zstd_round_trip_when_installed(tmp_path: Path) -> None:
    pytest.importorskip("zstandard")
    b = db.from_sequence(["a", "b"], npartitions=2)
    b.to_textfiles(str(tmp_path / "*.txt.zst"), scheduler="sync")
    assert db.read_text(str(tmp_path / "*.zst")).compute() == ["a", "b"]


def test_parse_blocksize() -> None:
    assert parse_blocksize("128MiB") == 128 * 2**20
    assert parse_blocksize("1.5 kB") == 1500
    with pytest.raises(ValueError, match="as a size"):
        parse_blocksize("lots")
    with pytest.raises(ValueError, match="at least 1 byte"):
        parse_blocksize(0)


def test_to_textfiles_names_and_contents(tmp_path: Path) -> None:
    b = db.from_sequence(["a", "b", "c"], npartitions=2)
    paths = b.to_textfiles(
        str(tmp_path / "out" / "part-*.txt"), name_function=lambda i: f"{i:03d}"
    )
    assert [os.path.basename(p) for p in paths] == ["part-000.txt", "part-001.txt"]
    assert [Path(p).read_text() for p in paths] == ["a", "b\nc"]
    in_dir = b.to_textfiles(str(tmp_path / "dir"), last_endline=True, scheduler="sync")
    assert sorted(os.listdir(tmp_path / "dir")) == ["0.part", "1.part"]
    assert Path(in_dir[1]).read_text() == "b\nc\n"
    listed = [str(tmp_path / "x.txt"), str(tmp_path / "y.txt")]
    assert b.to_textfiles(listed, scheduler="sync") == listed
    lazy = b.map(str.upper).to_textfiles(str(tmp_path / "lazy-*.txt"), compute=False)
    assert isinstance(lazy, db.Bag) and not list(tmp_path.glob("lazy-*"))
    assert [os.path.basename(p) for p in lazy.compute()] == ["lazy-0.txt", "lazy-1.txt"]
    assert (tmp_path / "lazy-1.txt").read_text() == "B\nC"
    db.from_sequence([b"raw"]).to_textfiles(str(tmp_path / "bytes-*.txt"), scheduler="sync")
    assert (tmp_path / "bytes-0.txt").read_text() == "raw"


def test_to_textfiles_bad_arguments(tmp_path: Path) -> None:
    b = db.from_sequence([1, 2], npartitions=2)
    with pytest.raises(TypeError, match="writes strings, got an element of type int"):
        b.to_textfiles(str(tmp_path / "*.txt"), scheduler="sync")
    s = b.map(str)
    with pytest.raises(ValueError, match="exactly one"):
        s.to_textfiles(str(tmp_path / "*-*.txt"))
    with pytest.raises(ValueError, match="2 partitions"):
        s.to_textfiles([str(tmp_path / "one.txt")])
    with pytest.raises(ValueError, match="same name"):
        s.to_textfiles(str(tmp_path / "*.txt"), name_function=lambda i: "same")
    with pytest.raises(TypeError, match="name_function must be a callable"):
        s.to_textfiles(str(tmp_path / "*.txt"), name_function="x")  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_failed_write_leaves_no_partial_or_temp_file(tmp_path: Path, scheduler: str) -> None:
    (tmp_path / "1.txt").write_text("old contents")
    b = db.from_sequence(range(12), npartitions=3).map(fail_on_7).map(str)
    with pytest.raises(ZeroDivisionError, match="7 is not welcome"):
        b.to_textfiles(str(tmp_path / "*.txt"), scheduler=scheduler)
    left = sorted(os.listdir(tmp_path))
    assert not [f for f in left if f.startswith(".") or f.endswith(".tmp")], left
    assert (tmp_path / "1.txt").read_text() == "old contents"  # partition 1 failed
    for name in left:
        if name != "1.txt":
            assert (tmp_path / name).read_text() in ("0\n1\n2\n3", "8\n9\n10\n11")
