import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sktsmtl.preprocessing import MissingValueImputer, Resampler

NAN = np.nan


def test_upsample_and_downsample_linear():
    X = [np.array([0.0, 2.0, 4.0]), np.array([0.0, 1.0, 2.0, 3.0, 4.0])]
    assert_allclose(Resampler(length=5).fit_transform(X)[0], [0.0, 1.0, 2.0, 3.0, 4.0])
    assert_allclose(Resampler(length=3).fit_transform(X)[1], [0.0, 2.0, 4.0])


def test_same_length_is_identity():
    X = np.random.RandomState(0).normal(size=(3, 8))
    assert_array_equal(Resampler().fit_transform(X), X)


def test_single_step_series_becomes_constant():
    out = Resampler(length=4).fit_transform([np.array([7.0]), np.array([1.0, 2.0])])
    assert_array_equal(out[0], [7.0, 7.0, 7.0, 7.0])


def test_padded_array_becomes_regular_array(univariate_padded):
    out = Resampler(length=11).fit_transform(
        MissingValueImputer().fit_transform(univariate_padded)
    )
    assert out.shape == (3, 11)
    assert not np.isnan(out).any()
    # row 1 has observed length 3: [2, 2, 4] stretched onto 11 points
    assert_allclose(out[1], np.interp(np.linspace(0, 2, 11), [0, 1, 2], [2.0, 2.0, 4.0]))


def test_missing_values_are_interpolated_through(univariate_padded):
    direct = Resampler(length=9).fit_transform(univariate_padded)
    imputed = Resampler(length=9).fit_transform(
        MissingValueImputer().fit_transform(univariate_padded)
    )
    assert_allclose(direct, imputed)


def test_default_is_longest_length_per_task(tasks_X):
    resampler = Resampler().fit(tasks_X)
    assert resampler.length_ == {"uni": 6, "multi": 5, "ragged": 5}
    out = resampler.transform(tasks_X)
    assert out["uni"].shape == (3, 6)
    assert out["multi"].shape == (2, 2, 5)
    assert [s.shape for s in out["ragged"]] == [(5,)] * 3
    assert not np.isnan(out["multi"]).any()


def test_min_and_int_lengths(tasks_X):
    def lengths(length):
        return Resampler(length=length).fit(tasks_X).length_

    assert lengths("max") == {"uni": 6, "multi": 5, "ragged": 5}
    assert lengths("min") == {"uni": 3, "multi": 3, "ragged": 2}
    assert lengths(4) == {"uni": 4, "multi": 4, "ragged": 4}


def test_lists_of_other_lengths_at_transform():
    resampler = Resampler().fit([np.arange(4.0), np.arange(6.0)])
    out = resampler.transform([np.arange(10.0)])
    assert_allclose(out[0], np.linspace(0.0, 9.0, 6))


def test_channel_without_observed_value_names_task_and_series():
    X = {"t": [np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[1.0, 2.0], [NAN, NAN]])]}
    with pytest.raises(ValueError, match=r"task 't': series 1, channel 1"):
        Resampler().fit_transform(X)


@pytest.mark.parametrize("length", [0, -3, 2.5, "mean", True, [4]])
def test_bad_length(length):
    with pytest.raises(ValueError, match="'length' parameter of Resampler"):
        Resampler(length=length).fit(np.zeros((2, 3)))


def test_length_param_is_not_modified_by_fit():
    resampler = Resampler()
    resampler.fit(np.zeros((2, 3)))
    assert resampler.length is None
    assert resampler.get_params() == {"length": None}
