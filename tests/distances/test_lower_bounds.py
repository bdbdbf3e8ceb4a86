"""Lower bounds: envelope correctness and LB <= DTW in every setting."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sktsmtl.distances import dtw_distance, keogh_envelope, lb_keogh, lb_kim

WINDOWS = [None, 0.0, 0.05, 0.1, 0.3, 1.0]


def _naive_envelope(x, r):
    x = np.atleast_2d(x)
    m = x.shape[1]
    lo = np.array([[x[c, max(0, i - r): i + r + 1].min() for i in range(m)]
                   for c in range(x.shape[0])])
    hi = np.array([[x[c, max(0, i - r): i + r + 1].max() for i in range(m)]
                   for c in range(x.shape[0])])
    return lo, hi


def test_envelope_hand_made():
    lo, hi = keogh_envelope([0.0, 3.0, 1.0, 2.0], radius=1)
    np.testing.assert_array_equal(lo, [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(hi, [3.0, 3.0, 3.0, 2.0])
    lo, hi = keogh_envelope([4.0, 3.0], radius=0)
    np.testing.assert_array_equal(lo, [4.0, 3.0])
    np.testing.assert_array_equal(hi, [4.0, 3.0])


@pytest.mark.parametrize("r", [0, 1, 2, 5, 40, 100])
def test_envelope_matches_naive(r):
    rng = np.random.default_rng(r)
    x = rng.normal(size=(3, 41))
    lo, hi = keogh_envelope(x, r)
    nlo, nhi = _naive_envelope(x, r)
    np.testing.assert_array_equal(lo, nlo)
    np.testing.assert_array_equal(hi, nhi)
    lo1, hi1 = keogh_envelope(x[1], r)
    assert lo1.shape == (41,)
    np.testing.assert_array_equal(lo1, nlo[1])
    np.testing.assert_array_equal(hi1, nhi[1])


def test_envelope_bad_radius():
    with pytest.raises(ValueError, match="radius"):
        keogh_envelope([1.0, 2.0], -1)
    with pytest.raises(ValueError, match="radius"):
        keogh_envelope([1.0, 2.0], 1.5)


def test_hand_made_values():
    assert lb_keogh([0.0, 5.0, 0.0], [0.0, 1.0, 0.0], window=0.0) == 16.0
    assert lb_keogh([0.0, 5.0, 0.0], [0.0, 1.0, 0.0], window=0.0, squared=False) == 4.0
    assert lb_kim([0.0, 2.0, 3.0], [1.0, 5.0, 5.0, 5.0]) == 1.0 + 4.0
    assert lb_kim([2.0], [5.0]) == 9.0  # a single cell is counted once


@pytest.mark.parametrize("window", WINDOWS)
def test_bounds_below_dtw(window):
    rng = np.random.default_rng(7)
    for _ in range(30):
        C = int(rng.integers(1, 3))
        a = rng.normal(size=(C, rng.integers(1, 40))).cumsum(axis=1)
        b = rng.normal(size=(C, rng.integers(1, 40))).cumsum(axis=1)
        d = dtw_distance(a, b, window=window)
        assert lb_kim(a, b) <= d * (1 + 1e-12)
        assert lb_keogh(a, b, window=window) <= d * (1 + 1e-12)
        assert lb_keogh(b, a, window=window) <= d * (1 + 1e-12)


def test_keogh_is_tight_for_window_zero_equal_length():
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=20), rng.normal(size=20)
    assert np.isclose(lb_keogh(a, b, window=0.0), dtw_distance(a, b, window=0.0))


@settings(max_examples=60, deadline=None)
@given(
    a=arrays(np.float64, st.integers(1, 25),
             elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False)),
    b=arrays(np.float64, st.integers(1, 25),
             elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False)),
    window=st.sampled_from(WINDOWS),
)
def test_property_bounds_below_dtw(a, b, window):
    d = dtw_distance(a, b, window=window)
    tol = 1e-9 * max(1.0, d)
    assert lb_kim(a, b) <= d + tol
    assert lb_keogh(a, b, window=window) <= d + tol
    assert lb_keogh(b, a, window=window) <= d + tol


def test_errors():
    with pytest.raises(ValueError, match="window"):
        lb_keogh([1.0], [1.0], window=2.0)
    with pytest.raises(ValueError, match="channels"):
        lb_keogh(np.zeros((2, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="NaN"):
        lb_kim([np.nan, 1.0], [1.0])


@pytest.mark.parametrize("n_channels", [1, 3])
def test_lb_improved_is_a_lower_bound(n_channels):
    from sktsmtl.distances.lower_bounds import lb_improved

    rng = np.random.default_rng(11)
    for _ in range(60):
        n = int(rng.integers(2, 40))
        shape = (n,) if n_channels == 1 else (n_channels, n)
        a = rng.normal(size=shape).cumsum(axis=-1)
        b = rng.normal(size=shape).cumsum(axis=-1)
        window = [None, 0.0, float(rng.uniform(0, 0.5))][int(rng.integers(0, 3))]
        lbi = lb_improved(a, b, window)
        d = dtw_distance(a, b, window)
        assert lb_keogh(a, b, window) <= lbi + 1e-12
        assert lbi <= d * (1 + 1e-12) + 1e-12
    assert np.isclose(lb_improved(a, b, window, squared=False) ** 2, lbi)
    with pytest.raises(ValueError, match="equal length"):
        lb_improved(np.zeros(5), np.zeros(6))
