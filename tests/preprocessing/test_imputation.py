import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sktsmtl.preprocessing import MissingValueImputer

NAN = np.nan


def test_linear_interpolation_keeps_padding(univariate_padded):
    out = MissingValueImputer().fit_transform(univariate_padded)
    expected = np.array(
        [
            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            [2.0, 2.0, 4.0, NAN, NAN, NAN],  # leading filled, trailing padding kept
            [0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        ]
    )
    assert_array_equal(out, expected)


def test_interior_gap_of_several_steps():
    X = np.array([[0.0, NAN, NAN, NAN, 8.0]])
    assert_allclose(MissingValueImputer().fit_transform(X), [[0.0, 2.0, 4.0, 6.0, 8.0]])


def test_per_channel_and_trailing_missing_inside_observed_length(multivariate):
    out = MissingValueImputer().fit_transform(multivariate)
    # series 0: channel 1 misses its last two steps while channel 0 is observed there:
    # they are missing values (filled with the last observed value), not padding.
    assert_array_equal(out[0], [[1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 1.0, 2.0, 2.0, 2.0]])
    # series 1: observed length 3, the rest is padding of both channels.
    assert_array_equal(out[1], [[3.0, 2.0, 1.0, NAN, NAN], [1.0, 1.0, 1.0, NAN, NAN]])


def test_zero_method(univariate_padded):
    out = MissingValueImputer(method="zero").fit_transform(univariate_padded)
    assert_array_equal(out[0], [1.0, 0.0, 3.0, 4.0, 5.0, 6.0])
    assert_array_equal(out[1], [0.0, 2.0, 4.0, NAN, NAN, NAN])


def test_no_missing_value_is_identity():
    X = np.random.RandomState(0).normal(size=(4, 9))
    assert_array_equal(MissingValueImputer().fit_transform(X), X)


def test_input_not_modified(univariate_padded):
    before = univariate_padded.copy()
    MissingValueImputer().fit_transform(univariate_padded)
    assert_array_equal(univariate_padded, before)


def test_ragged_list_keeps_each_length(ragged):
    out = MissingValueImputer().fit_transform(ragged)
    assert [s.shape for s in out] == [(3,), (5,), (2,)]
    assert_array_equal(out[1], [1.0, 2.0, 3.0, 4.0, 8.0])


def test_list_series_with_trailing_nan_keep_it():
    out = MissingValueImputer().fit_transform([np.array([1.0, NAN, 3.0, NAN])])
    assert_array_equal(out[0], [1.0, 2.0, 3.0, NAN])


def test_channel_without_observed_value_names_task_and_series():
    X = {"t": np.array([[[1.0, 2.0], [0.0, 1.0]], [[1.0, 2.0], [NAN, NAN]]])}
    with pytest.raises(ValueError, match=r"task 't': series 1, channel 1"):
        MissingValueImputer().fit_transform(X)
    # filling with zeros needs no observed value
    out = MissingValueImputer(method="zero").fit_transform(X)
    assert_array_equal(out["t"][1, 1], [0.0, 0.0])


@pytest.mark.parametrize("method", ["spline", None, 1])
def test_bad_method(method, univariate_padded):
    with pytest.raises(ValueError, match="'method' parameter of MissingValueImputer"):
        MissingValueImputer(method=method).fit(univariate_padded)
