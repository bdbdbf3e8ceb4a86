"""The documentation: API coverage, the gallery examples, and (on request) the build.

The full Sphinx build runs every example and takes a while, so it only runs when the
environment variable ``SKTSMTL_BUILD_DOCS=1`` is set::

    SKTSMTL_BUILD_DOCS=1 python -m pytest tests/test_docs.py
"""

import ast
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
EXAMPLES = REPO_ROOT / "examples"

PUBLIC_PACKAGES = [
    "sktsmtl",
    "sktsmtl.data",
    "sktsmtl.datasets",
    "sktsmtl.distances",
    "sktsmtl.preprocessing",
    "sktsmtl.representation",
    "sktsmtl.nets",
    "sktsmtl.training",
    "sktsmtl.classification",
    "sktsmtl.approximation",
    "sktsmtl.inspection",
    "sktsmtl.benchmarking",
    "sktsmtl.sktime",
    "sktsmtl.cli",
    "sktsmtl.exceptions",
]

EXAMPLE_SCRIPTS = sorted(EXAMPLES.glob("plot_*.py"))
# a guard against hangs, not a speed check: the slowest example takes about a minute
# alone and over two beside the other test worker on a loaded two-core machine
EXAMPLE_TIMEOUT = 300


def _api_text():
    return (DOCS / "api.rst").read_text(encoding="utf-8")


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_every_public_name_is_in_the_api_reference(package):
    module = importlib.import_module(package)
    text = _api_text()
    assert f"``{package}``" in text, f"{package} has no section in docs/api.rst"
    # an autosummary entry (a line of its own) or an inline literal ``name``
    missing = [
        name for name in module.__all__
        if not re.search(rf"^\s+{re.escape(name)}\s*$|``{re.escape(name)}``", text,
                         flags=re.MULTILINE)
    ]
    assert not missing, f"{package}.__all__ names missing from docs/api.rst: {missing}"


def test_there_are_examples():
    names = {p.name for p in EXAMPLE_SCRIPTS}
    assert {"plot_quickstart.py", "plot_grid_search.py", "plot_dtw.py",
            "plot_preprocessing.py", "plot_datasets.py"} <= names
    assert (EXAMPLES / "README.rst").is_file()


@pytest.mark.parametrize("script", EXAMPLE_SCRIPTS, ids=lambda p: p.name)
def test_example_starts_with_a_title_block(script):
    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")), clean=False)
    assert doc, f"{script.name} has no module docstring"
    lines = doc.strip("\n").splitlines()
    assert len(lines) >= 2 and lines[0].strip(), f"{script.name}: no title line"
    underline = lines[1].strip()
    assert set(underline) == {"="} and len(underline) >= len(lines[0].strip()), (
        f"{script.name}: the title must be underlined with '=' as long as the title"
    )


@pytest.mark.parametrize("script", EXAMPLE_SCRIPTS, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    # The examples' networks are tiny: one torch thread is fastest for them and keeps
    # the run short when the test suite itself runs in parallel.
    env.setdefault("OMP_NUM_THREADS", "1")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=EXAMPLE_TIMEOUT,
    )
    assert result.returncode == 0, (
        f"{script.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )


@pytest.mark.skipif(
    os.environ.get("SKTSMTL_BUILD_DOCS") != "1",
    reason="set SKTSMTL_BUILD_DOCS=1 to build the documentation (runs every example)",
)
def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("sphinx_gallery")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
         "-d", str(tmp_path / "doctrees"), ".", str(tmp_path / "html")],
        cwd=DOCS,
        env=dict(os.environ, MPLBACKEND="Agg"),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, (
        f"sphinx-build failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}"
    )
    assert (tmp_path / "html" / "index.html").is_file()
    assert (tmp_path / "html" / "api.html").is_file()
