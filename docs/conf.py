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
# ``[text](page.md#a-heading)`` links to headings of levels 1-3.
myst_heading_anchors = 3

# autodoc: types are in the numpydoc "Parameters" sections; annotations in signatures
# would also be cross-referenced, and a bare ``str`` there is ambiguous next to the
# ``.str`` accessors of DataFrame and Series.
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autosummary_generate = False

html_theme = "alabaster"
html_title = "tessera"


# -- pictures drawn by the build -------------------------------------------------------
# docs/diagnostics.md shows a profile and a task graph drawn here, at build time, with
# tessera itself, so they always match the code.  They go to _build/generated (ignored
# by git, removed by `make clean`).  Drawing needs matplotlib and Graphviz.

GENERATED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_build", "generated")


def draw_pictures(app: object) -> None:
    """Write ``profile.png`` and ``graph.png`` into :data:`GENERATED`."""
    import shutil

    import tessera.array as da
    from tessera.diagnostics import CacheProfiler, Profiler, ResourceProfiler, visualize_profile

    if shutil.which("dot") is None:
        raise RuntimeError(
            "The docs draw a task graph with Graphviz: install it (apt install graphviz, "
            "brew install graphviz or conda install graphviz) and pip install graphviz."
        )
    os.makedirs(GENERATED, exist_ok=True)
    x = da.random.random((1200, 1200), chunks=300)
    with Profiler() as prof, ResourceProfiler(dt=0.01) as rprof, CacheProfiler() as cprof:
        (x @ x.T + 1).sum(axis=0).compute(scheduler="threads")
    visualize_profile(
        [prof, rprof, cprof], filename=os.path.join(GENERATED, "profile.png"), title="Profile"
    )
    y = da.ones((300, 300), chunks=100)
    (y + y.T).sum(axis=0).visualize(os.path.join(GENERATED, "graph.png"), color="order")


def setup(app: object) -> None:
    """Sphinx extension hook: draw the pictures before the sources are read."""
    app.connect("builder-inited", draw_pictures)  # type: ignore[attr-defined]
