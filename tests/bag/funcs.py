"""Functions for the bag tests, importable in worker processes."""

from __future__ import annotations

from typing import Any


def inc(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return 2 * x


def add(x: Any, y: Any) -> Any:
    return x + y


def is_even(x: int) -> bool:
    return x % 2 == 0


def mod3(x: int) -> int:
    return x % 3


def first_char(s: str) -> str:
    return s[:1]


def fail_on_7(x: int) -> int:
    if x == 7:
        raise ZeroDivisionError("element 7 is not welcome")
    return x


class NotWelcome(Exception):
    """A user exception type that must come back as itself."""


def raise_not_welcome(x: Any) -> Any:
    raise NotWelcome(f"not welcome: {x!r}")


def partition_sum(part: list[int]) -> list[int]:
    return [sum(part)]
