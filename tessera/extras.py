"""Optional dependencies, imported when first needed, with one clear error when missing.

Map
---
- :func:`import_extra` -- import an optional module, or raise an ``ImportError`` that
  says what needed it, which ``tessera[...]`` extra installs it, and the plain ``pip``
  alternative.  Every optional import of tessera (distributed, ray, pyarrow, zstandard,
  zarr, psutil, bokeh, matplotlib, graphviz) goes through it.

>>> import_extra("math", "Demo", "complete").__name__
'math'
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["import_extra"]


def import_extra(
    module: str, purpose: str, extra: str, package: str | None = None, hint: str = ""
) -> Any:
    """Return the imported ``module``; if it is missing, say how to install it.

    Parameters
    ----------
    module : str
        The module to import (``"pyarrow.parquet"``).
    purpose : str
        What needs it, the start of the message (``"Parquet support"``).
    extra : str
        The ``tessera[...]`` extra that installs it.
    package : str, optional
        The package name for ``pip install`` (default: the module's top-level name).
    hint : str
        A sentence added to the message (another way to do without it...).

    Examples
    --------
    >>> import_extra("no_such_module_xyz", "Demo", "complete", hint=" Or skip it.")
    Traceback (most recent call last):
    ...
    ImportError: Demo needs the 'no_such_module_xyz' package, which is not installed. ...
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        name = package or module.split(".")[0]
        raise ImportError(
            f"{purpose} needs the {name!r} package, which is not installed. Install it with: "
            f'pip install "tessera[{extra}]" (or pip install {name}).{hint}'
        ) from e
