"""Sphinx configuration of the sktsmtl documentation.

Build from this folder with::

    python -m sphinx -W --keep-going -b html . _build/html

The build needs no network: intersphinx is not enabled, the gallery examples use only
the data sets shipped with installed packages.
"""

import os
import sys
from pathlib import Path

# The package is normally installed (``pip install -e .``); the path insertion lets the
# build run from a plain checkout as well.
_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # gallery_config

from sphinx.errors import PycodeError  # noqa: E402
from sphinx.pycode import ModuleAnalyzer  # noqa: E402

import sktsmtl  # noqa: E402

# Examples render their figures off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")


# -- project -------------------------------------------------------------------------
project = "sktsmtl"
author = "sktsmtl developers"
copyright = "sktsmtl developers"
release = sktsmtl.__version__
version = ".".join(release.split(".")[:2])

# -- extensions ----------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sktsmtl_directives",  # the CLI's help and the backbone table, from the code
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "sg_execution_times.rst"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "literal"
nitpicky = False

# autodoc / autosummary: one page per public name, written to generated/ (git-ignored)
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
add_module_names = False

# numpydoc: no per-class member tables (they duplicate autodoc's entries)
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# -- HTML ----------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sktsmtl {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}

# -- sphinx-gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sktsmtl",),
    "filename_pattern": r"/plot_",
    "plot_gallery": "True",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "gallery_config.ExampleOrder",
    # matplotlib's defaults, and one torch thread (see gallery_config), per example
    "reset_modules": ("matplotlib", "gallery_config.reset_torch_threads"),
    "matplotlib_animations": False,
    "write_computation_times": False,
}


# -- autodoc hooks -------------------------------------------------------------------
def _defining_module(obj):
    for candidate in (obj, getattr(obj, "fget", None), getattr(obj, "__func__", None)):
        module = getattr(candidate, "__module__", None)
        if isinstance(module, str):
            return module
    return None


def _skip_member(app, what, name, obj, skip, options):
    """Document a class's own members and those of sktsmtl's mixins, nothing else.

    Classes are documented with their inherited members so that methods from
    sktsmtl's own mixins (``score``, ``score_tasks``) appear; the members that
    scikit-learn, torch and skorch base classes provide are left to their own docs.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    if what == "class":
        module = _defining_module(obj)
        if module is not None and not module.startswith("sktsmtl"):
            return True
    return skip


def _data_docstring(app, what, name, obj, options, lines):
    """Document a re-exported constant with the ``#:`` comment of its defining module.

    autodoc reads ``#:`` comments from the module named in the documented path (the
    subpackage's ``__init__``), not from the submodule that defines the constant, and
    would otherwise show the docstring of the value's type (``str``, ``dict``, ...).
    """
    if what != "data":
        return
    package, _, attr = name.rpartition(".")
    for module_name in sorted(sys.modules):
        if not module_name.startswith(package + "."):
            continue
        try:
            docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        except PycodeError:
            continue
        if ("", attr) in docs:
            lines[:] = list(docs[("", attr)])
            return
    if lines and type(obj).__doc__ and lines[0] in type(obj).__doc__:
        lines[:] = []


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _data_docstring)
