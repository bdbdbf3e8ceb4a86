"""Package-level contracts of sktsmtl.datasets: exports, docstrings, no torch, no network."""

import ast
import doctest
import importlib
import inspect
from pathlib import Path

import pytest

import sktsmtl.datasets as datasets

MODULES = ["paths", "ucr", "ts_format", "groups", "embedded", "splits", "synthetic"]
PACKAGE_DIR = Path(datasets.__file__).resolve().parent


def test_all_is_exported():
    for name in datasets.__all__:
        assert hasattr(datasets, name), name
    for name in [
        "get_data_dir",
        "load_ucr_dataset",
        "read_ts_file",
        "load_task_group",
        "list_task_groups",
        "paper_split",
        "train_val_test_split_tasks",
        "make_random_walk_pairs",
        "make_warped_tasks",
    ]:
        assert name in datasets.__all__


@pytest.mark.parametrize("name", datasets.__all__)
def test_public_callables_have_numpydoc_with_examples(name):
    obj = getattr(datasets, name)
    if not callable(obj):
        return
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc, name
    if inspect.signature(obj).parameters:
        assert "Parameters\n----------" in doc, name


@pytest.mark.parametrize("module", MODULES)
def test_examples_run(module):
    mod = importlib.import_module(f"sktsmtl.datasets.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


FORBIDDEN = {"torch", "skorch", "urllib", "requests", "http", "socket", "ftplib"}


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.glob("*.py")), ids=lambda p: p.name)
def test_no_torch_and_no_network_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots = {(node.module or "").split(".")[0]}
        else:
            continue
        assert not roots & FORBIDDEN, f"{path.name} imports {roots & FORBIDDEN}"
