import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from sktsmtl.preprocessing import ZNormalizer

NAN = np.nan


def test_values_on_hand_made_series():
    X = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0], [0.0, 2.0, NAN]])
    out = ZNormalizer().fit_transform(X)
    s = np.sqrt(1.5)
    assert_allclose(out[0], [-s, 0.0, s])
    assert_array_equal(out[1], [0.0, 0.0, 0.0])  # constant series -> zeros
    assert_array_equal(out[2], [-1.0, 1.0, NAN])  # padding stays, ignored by the stats


def test_missing_values_are_ignored_and_stay_missing():
    out = ZNormalizer().fit_transform(np.array([[2.0, NAN, 4.0, 6.0]]))
    assert_allclose(out[0, [0, 2, 3]], np.array([-1.0, 0.0, 1.0]) * np.sqrt(1.5))
    assert np.isnan(out[0, 1])


def test_nearly_constant_series_becomes_zeros():
    X = np.array([[1e6, 1e6 + 1e-10, 1e6]])
    assert_array_equal(ZNormalizer().fit_transform(X), np.zeros((1, 3)))


def test_small_scale_series_is_not_constant():
    X = np.array([[0.0, 1e-9, 2e-9]])
    out = ZNormalizer().fit_transform(X)
    assert_allclose(out.std(), 1.0)


def test_per_channel_option():
    X = np.array([[[0.0, 2.0], [10.0, 30.0]]])  # one series, two channels
    per_channel = ZNormalizer().fit_transform(X)
    assert_allclose(per_channel[0], [[-1.0, 1.0], [-1.0, 1.0]])
    joint = ZNormalizer(per_channel=False).fit_transform(X)
    values = X[0].ravel()
    assert_allclose(joint[0].ravel(), (values - values.mean()) / values.std())


def test_constant_channel_and_all_nan_channel():
    X = {"t": [np.array([[3.0, 3.0, 3.0], [NAN, NAN, NAN], [1.0, 2.0, 3.0]])]}
    out = ZNormalizer().fit_transform(X)["t"][0]
    assert_array_equal(out[0], [0.0, 0.0, 0.0])
    assert np.isnan(out[1]).all()
    assert_allclose(out[2], [-np.sqrt(1.5), 0.0, np.sqrt(1.5)])


@pytest.mark.parametrize("per_channel", ["yes", 1, None])
def test_bad_per_channel(per_channel):
    with pytest.raises(ValueError, match="'per_channel' parameter of ZNormalizer"):
        ZNormalizer(per_channel=per_channel).fit(np.zeros((2, 3)))


@settings(max_examples=50, deadline=None)
@given(
    arrays(np.float64, (3, 12), elements=st.floats(-1e3, 1e3)),
    st.floats(0.5, 100.0),
    st.floats(-100.0, 100.0),
)
def test_zero_mean_unit_std_and_affine_invariance(X, scale, shift):
    out = ZNormalizer().fit_transform(X)
    assert np.isfinite(out).all()
    for row in out:
        if np.all(row == 0.0):
            continue
        assert abs(row.mean()) < 1e-9
        assert abs(row.std() - 1.0) < 1e-9
    rescaled = ZNormalizer().fit_transform(X * scale + shift)
    keep = np.ptp(X, axis=1) > 1e-3  # well away from the constant threshold
    assert_allclose(rescaled[keep], out[keep], atol=1e-6)
