"""Sphinx configuration of the scalinglaws documentation.

Build (from the repository root, after ``pip install ".[docs]"``)::

    python -m sphinx -W -b html docs docs/_build/html

Environment variables
---------------------
SCALINGLAWS_DOCS_EXECUTE
    Notebook execution mode of myst-nb: ``auto`` (default; execute notebooks without stored
    outputs), ``force``, ``cache`` or ``off``. CI uses ``force`` with a time budget.
SCALINGLAWS_DOCS_TIMEOUT
    Per-cell execution timeout in seconds (default 600).
"""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import scalinglaws  # noqa: E402  (the installed package is documented, never a source tree copy)

# -- project -------------------------------------------------------------------------------
project = "scalinglaws"
author = "the scalinglaws developers"
copyright = f"{date.today().year}, {author}"
release = scalinglaws.__version__
version = ".".join(release.split(".")[:2])

# -- extensions ----------------------------------------------------------------------------
extensions = [
    "myst_nb",                      # MyST Markdown pages and executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
    "cli_help",                     # docs/_ext/cli_help.py: the CLI reference from argparse
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "scripts"]
templates_path = ["_templates"]

# -- MyST ----------------------------------------------------------------------------------
myst_enable_extensions = [
    "amsmath",        # \begin{align} ... \end{align} blocks
    "dollarmath",     # $...$ and $$...$$ (labelled: $$ ... $$ (label))
    "colon_fence",
    "deflist",
    "attrs_inline",
]
myst_dmath_double_inline = True
myst_heading_anchors = 3
math_numfig = True
math_eqref_format = "({number})"
numfig = True

# -- notebooks (myst-nb) ---------------------------------------------------------------------
nb_execution_mode = os.environ.get("SCALINGLAWS_DOCS_EXECUTE", "auto")
nb_execution_timeout = int(os.environ.get("SCALINGLAWS_DOCS_TIMEOUT", "600"))
nb_execution_raise_on_error = True      # a failing tutorial fails the build
nb_execution_show_tb = True
nb_merge_streams = True

# -- autodoc / autosummary / numpydoc ---------------------------------------------------------
autosummary_generate = True


#: modules kept for one release as forwarding shims (they warn on import; not documented)
DEPRECATED_MODULES = {"scalinglaws.oracle", "scalinglaws.dmft_figures",
                      "scalinglaws.plrf_figures"}


def _public_modules() -> list:
    """Every importable module of the package whose dotted path has no ``_``-prefixed part."""
    import importlib
    import pkgutil
    import warnings

    out = []
    for info in pkgutil.walk_packages(scalinglaws.__path__, "scalinglaws."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        if info.name in DEPRECATED_MODULES:
            continue
        importlib.import_module(info.name)
        out.append(info.name)
    return sorted(out)


# autosummary imports every submodule while it scans a package; importing a ``__main__`` runs the
# command line. Private modules are not documented, so a placeholder module is enough.
import types  # noqa: E402

for _pkg in ("scalinglaws.cli",):
    sys.modules.setdefault(f"{_pkg}.__main__", types.ModuleType(f"{_pkg}.__main__"))

# the module template (_templates/autosummary/module.rst) recurses into these, so the reference
# follows the package layout (and each module's __all__) without being edited by hand
autosummary_context = {"public_modules": _public_modules()}


def _sibling_reexports() -> list:
    """Classes that a plain module (not a package) lists in ``__all__`` but defines in another
    module (e.g. ``fit.chinchilla`` re-exporting ``fit.result.ChinchillaFit``). Their pages get
    ``:no-index:``: the class is indexed where it is defined (and under its package), so a third
    description would be a duplicate."""
    import importlib
    import inspect

    out = []
    for name in autosummary_context["public_modules"]:
        mod = importlib.import_module(name)
        if hasattr(mod, "__path__"):
            continue
        for item in getattr(mod, "__all__", []):
            obj = getattr(mod, item, None)
            if inspect.isclass(obj) and obj.__module__ != name:
                out.append(f"{name}.{item}")
    return out


autosummary_context["sibling_reexports"] = _sibling_reexports()
autosummary_ignore_module_all = False   # each module's __all__ defines its public names
autosummary_imported_members = False
autodoc_default_options = {"members": False, "show-inheritance": True}
autodoc_typehints = "none"               # numpydoc sections carry the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set = set()



def _escape_pipes(app, what, name, obj, options, lines):  # noqa: ANN001
    """Docstrings write absolute values as |x|; reStructuredText would read a substitution.

    Escape every ``|`` that is not at the start of a line (grid tables) or inside inline
    literals (````...````)."""
    import re

    literal = re.compile(r"(``.*?``)")
    for i, line in enumerate(lines):
        if "|" not in line or line.lstrip().startswith("|"):
            continue
        parts = literal.split(line)
        lines[i] = "".join(p if p.startswith("``") else p.replace("|", r"\|") for p in parts)


#: Docstrings that predate the numpydoc conventions and are not valid reStructuredText; their
#: body is shown verbatim until they are rewritten (remove entries as they are).
LEGACY_DOCSTRINGS: set = set()


def _legacy_verbatim(app, what, name, obj, options, lines):  # noqa: ANN001
    if name in LEGACY_DOCSTRINGS and lines:
        body = list(lines)
        lines[:] = ["::", ""] + ["    " + ln for ln in body] + [""]


def setup(app):  # noqa: ANN001
    app.connect("autodoc-process-docstring", _legacy_verbatim, priority=700)
    app.connect("autodoc-process-docstring", _escape_pipes, priority=600)


# -- intersphinx ---------------------------------------------------------------------------
# Off by default so that a build needs no network; set SCALINGLAWS_DOCS_INTERSPHINX=1 to link.
intersphinx_mapping = {}
if os.environ.get("SCALINGLAWS_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
    }

# -- doctest (sphinx.ext.doctest, `-b doctest`) ---------------------------------------------
doctest_global_setup = "import numpy as np\nimport scalinglaws as sl\n"

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"scalinglaws {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_depth": 3,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}

html_copy_source = False      # no _sources/ copies of the pages
html_show_sourcelink = False

nitpicky = False
suppress_warnings = ["mystnb.unknown_mime_type"]
