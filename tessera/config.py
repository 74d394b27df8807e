"""tessera's configuration: one process-wide mapping of dotted keys to values.

Map
---
- :func:`get` -- read a key (``"multiprocessing.context"``), with an optional default.
- :func:`set` -- change keys globally, or for a ``with`` block (it restores them on exit).
- :func:`refresh` -- back to the defaults.
- :data:`defaults` -- the built-in defaults.

State and policy: keys are canonical dotted strings; ``_`` and ``-`` are the same
(``num_workers`` is ``num-workers``), nested dicts are flattened (``{"a": {"b": 1}}`` sets
``"a.b"``) and ``__`` in keyword names means a dot, as in Dask. The mapping is shared by
all threads, like Dask's ``dask.config``; a lock keeps concurrent ``set`` calls consistent.

>>> from tessera import config
>>> config.get("multiprocessing.context")
'spawn'
>>> with config.set(scheduler="sync"):
...     config.get("scheduler")
'sync'
>>> config.get("scheduler") is None
True
>>> config.get("no.such.key", 42)
42
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

__all__ = ["defaults", "get", "refresh", "set"]

defaults: dict[str, Any] = {
    "scheduler": None,
    "pool": None,
    "num-workers": None,
    "multiprocessing.context": "spawn",
    "rerun-exceptions-locally": False,
    "array.chunk-size": "128MiB",
    "dataframe.shuffle.method": None,
    "dataframe.shuffle.tasks-max-bytes": "64MiB",
}

_config: dict[str, Any] = dict(defaults)
_lock = threading.RLock()
_MISSING = object()


def _canonical(key: str) -> str:
    return key.replace("_", "-")


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping) and value and all(isinstance(k, str) for k in value):
        for k, v in value.items():
            _flatten(f"{prefix}.{_canonical(k)}" if prefix else _canonical(k), v, out)
    else:
        out[prefix] = value


def get(key: str, default: Any = _MISSING) -> Any:
    """Return the value of configuration ``key``.

    Parameters
    ----------
    key : str
        A dotted key such as ``"scheduler"`` or ``"multiprocessing.context"``.
    default : object, optional
        Returned when the key is not set; without it a missing key raises ``KeyError``.

    Examples
    --------
    >>> get("num_workers") is None
    True
    >>> get("array.chunk-size")
    '128MiB'
    """
    ckey = _canonical(key)
    with _lock:
        if ckey in _config:
            return _config[ckey]
        prefix = ckey + "."
        sub = {k[len(prefix) :]: v for k, v in _config.items() if k.startswith(prefix)}
    if sub:
        return sub
    if default is not _MISSING:
        return default
    raise KeyError(
        f"Configuration key {key!r} is not set and no default was given. "
        f"Known keys: {sorted(_config)}. Pass a default: config.get({key!r}, None)."
    )


class set:
    """Set configuration values, globally or for a ``with`` block.

    Parameters
    ----------
    arg : mapping, optional
        Keys (dotted, or nested dicts) and values.
    **kwargs
        More keys; ``__`` in a name stands for a dot.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with set({"multiprocessing.context": "forkserver"}, num_workers=3):
    ...     get("multiprocessing.context"), get("num-workers")
    ('forkserver', 3)
    >>> get("multiprocessing.context")
    'spawn'
    """

    def __init__(self, arg: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        updates: dict[str, Any] = {}
        if arg is not None:
            if not isinstance(arg, Mapping):
                raise TypeError(
                    f"config.set expects a mapping of keys to values, got "
                    f"{type(arg).__name__}. Use config.set({{'key': value}}) or "
                    "config.set(key=value)."
                )
            for k, v in arg.items():
                _flatten(_canonical(k), v, updates)
        for k, v in kwargs.items():
            _flatten(_canonical(k.replace("__", ".")), v, updates)
        with _lock:
            self._old = {k: _config.get(k, _MISSING) for k in updates}
            _config.update(updates)

    def __enter__(self) -> set:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with _lock:
            for k, v in self._old.items():
                if v is _MISSING:
                    _config.pop(k, None)
                else:
                    _config[k] = v


def refresh() -> None:
    """Forget every change and return to :data:`defaults`.

    >>> _ = set(scheduler="threads"); refresh(); get("scheduler") is None
    True
    """
    with _lock:
        _config.clear()
        _config.update(defaults)
