"""The preprocessing transformers on inputs that are not one ndarray: an array-like gives
an ndarray, a list of series gives a list (the case sklearn's
``check_transformer_data_not_an_array`` cannot cover, see ``tests/test_common.py``)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone

from sktsmtl.preprocessing import MissingValueImputer, Resampler, ZNormalizer


class _ArrayLike:
    """An array-like that is not an ndarray (like the check's own wrapper)."""

    def __init__(self, data):
        self.data = data

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.data, dtype=dtype)


@pytest.mark.parametrize(
    "transformer", [MissingValueImputer(), ZNormalizer(), Resampler(length=6)]
)
def test_data_not_an_array_equivalents(transformer):
    X = np.random.RandomState(0).normal(size=(10, 4))
    X[2, 1] = np.nan
    expected = clone(transformer).fit_transform(X)
    out = clone(transformer).fit_transform(_ArrayLike(X))
    assert type(out) is np.ndarray
    assert_allclose(out, expected)
    as_list = clone(transformer).fit_transform(X.tolist())
    assert type(as_list) is list
    assert_allclose(np.stack(as_list), expected)
