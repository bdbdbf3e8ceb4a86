"""The Examples sections of the public docstrings run and give what they show."""

import doctest

import pytest

from sktsmtl.preprocessing import imputation, normalization, resampling


@pytest.mark.parametrize("module", [imputation, normalization, resampling])
def test_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
