"""Sphinx configuration for the tessera documentation."""

from __future__ import annotations

import importlib.util
import os
import sys

# Make the package importable for autodoc even when it is not installed.
sys.path.insert(0, os.path.abspath(".."))

project = "tessera"
author = "tessera developers"
copyright = "tessera developers"

try:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("tessera")
    except PackageNotFoundError:
        release = "0.1.0"
except ImportError:  # pragma: no cover
    release = "0.1.0"
version = ".".join(release.split(".")[:2])

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary"]

# Optional extensions: only enabled when installed, so a bare Sphinx can still build.
for _ext in ("numpydoc", "myst_parser"):
    if importlib.util.find_spec(_ext) is not None:
        extensions.append(_ext)

source_suffix = {".rst": "restructuredtext"}
if "myst_parser" in extensions:
    source_suffix[".md"] = "markdown"

root_doc = "index"
exclude_patterns = ["_build"]

# numpydoc
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()

# MyST: only the built-in syntax ({toctree}, {eval-rst}, ...) is used.
myst_enable_extensions: list[str] = []

# autodoc
autodoc_member_order = "bysource"
autosummary_generate = False

html_theme = "alabaster"
html_title = "tessera"
