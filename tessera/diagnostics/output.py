"""Writing picture files: all or nothing.

Map
---
- :func:`atomic_path` -- a context manager yielding a temporary path next to the target;
  on success the file written there is renamed onto the target, on failure it is removed.
- :func:`file_format` -- the format a file name asks for (its extension, lower case).

Policy: the temporary name keeps the target's extension (renderers such as matplotlib
and graphviz pick the format from it) and lives in the target's directory, so the final
``os.replace`` is atomic and a failed render leaves neither a partial file nor a
temporary one.  The temporary file is created by the renderer, with the usual
permissions.

>>> import os, tempfile
>>> d = tempfile.mkdtemp()
>>> target = os.path.join(d, "out.txt")
>>> with atomic_path(target) as tmp:
...     with open(tmp, "w") as f:
...         _ = f.write("done")
>>> open(target).read(), os.listdir(d)
('done', ['out.txt'])
>>> os.remove(target); os.rmdir(d)
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

__all__ = ["atomic_path", "file_format"]


def file_format(filename: str | os.PathLike[str]) -> str:
    """Return the extension of ``filename`` without the dot, lower case.

    >>> file_format("profile.HTML"), file_format("graph.png"), file_format("noext")
    ('html', 'png', '')
    """
    return os.path.splitext(os.fspath(filename))[1][1:].lower()


@contextlib.contextmanager
def atomic_path(filename: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temporary path; rename it onto ``filename`` when the block succeeds.

    Parameters
    ----------
    filename : str or path
        The file to create or replace.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> try:
    ...     with atomic_path(os.path.join(d, "x.png")) as tmp:
    ...         open(tmp, "w").close()
    ...         raise RuntimeError("render failed")
    ... except RuntimeError:
    ...     pass
    >>> os.listdir(d)
    []
    >>> os.rmdir(d)
    """
    target = os.path.abspath(os.fspath(filename))
    directory, base = os.path.split(target)
    stem, ext = os.path.splitext(base)
    # A fresh name, created by the renderer itself, so the file gets normal permissions.
    tmp = os.path.join(directory, f".{stem}-{secrets.token_hex(8)}{ext}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
