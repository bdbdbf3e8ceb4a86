"""scikit-learn's estimator checks, in single-array mode (one task as a 2D array)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from sktsmtl.preprocessing import MissingValueImputer, Resampler, ZNormalizer

# In sktsmtl a list is a list of series of varying length (not rows of a 2D array), and
# a transformer gives a list back for a list. The second half of this check passes
# ``X.tolist()`` and reads ``.shape`` of the result, which a list has not. Both halves
# are covered by the tests below (an array-like that is not an ndarray gives an
# ndarray; a list of rows gives a list of the same values).
_LIST_IS_SERIES = (
    "a list input is a list of series and is given back as a list of series, "
    "so the check's X.tolist() round trip has no .shape"
)


def _expected_failed_checks(estimator):
    return {"check_transformer_data_not_an_array": _LIST_IS_SERIES}


@parametrize_with_checks(
    [
        MissingValueImputer(),
        MissingValueImputer(method="zero"),
        ZNormalizer(),
        ZNormalizer(per_channel=False),
        Resampler(),
        Resampler(length="min"),
        Resampler(length=5),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


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
