"""The Examples sections of every public docstring run, so that they cannot rot.

One test per module of the package (xdist spreads them over the workers). Outputs are
compared as pytest's ``--doctest-modules`` would: exactly, but for whitespace at the
ends of lines.
"""

import doctest
import importlib
import pkgutil

import pytest

import sktsmtl


def _modules():
    names = [sktsmtl.__name__]
    for info in pkgutil.walk_packages(sktsmtl.__path__, prefix=f"{sktsmtl.__name__}."):
        if not info.name.endswith(".__main__"):  # runs the command when imported
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
