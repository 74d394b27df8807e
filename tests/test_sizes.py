"""The one size parser."""

from __future__ import annotations

import pytest

from tessera.sizes import parse_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1GiB", 2**30),
        ("2.5 kB", 2500),
        ("128MiB", 128 * 2**20),
        ("64 mb", 64 * 10**6),
        ("3M", 3 * 10**6),
        ("5e6", 5 * 10**6),
        ("1.5e3 B", 1500),
        (" 10 ", 10),
        (4096, 4096),
    ],
)
def test_sizes_as_users_write_them(text: str | int, expected: int) -> None:
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("bad", ["lots", "12 parsecs", "", "MB"])
def test_unreadable_sizes_say_how_to_write_one(bad: str) -> None:
    with pytest.raises(ValueError, match=r"as a size in bytes.*'128MiB'"):
        parse_bytes(bad)


@pytest.mark.parametrize("bad", [1.5, None, True, [1]])
def test_other_types_are_refused(bad: object) -> None:
    with pytest.raises(TypeError, match="int or a string"):
        parse_bytes(bad)  # type: ignore[arg-type]
