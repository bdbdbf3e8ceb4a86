"""Exact DTW between two series: reference DP, dtaidistance, hand-made paths, errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sktsmtl.distances import dtw_distance, dtw_path, sakoe_chiba_radius

WINDOWS = [None, 0.0, 0.05, 0.1, 0.25, 0.5, 1.0]


def _close(x, y):
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


# -- hand-made values ------------------------------------------------------------------
def test_identical_series_have_zero_distance():
    x = np.random.default_rng(0).normal(size=30)
    assert dtw_distance(x, x) == 0.0
    assert dtw_distance(x, x, window=0.0) == 0.0


def test_repeated_points_warp_for_free():
    assert dtw_distance([0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0]) == 0.0
    assert dtw_distance([1.0, 2.0, 3.0], [1.0, 1.0, 1.0, 2.0, 3.0]) == 0.0


def test_window_zero_is_squared_euclidean():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=25), rng.normal(size=25)
    assert _close(dtw_distance(a, b, window=0.0), float(np.sum((a - b) ** 2)))


def test_known_value_and_sqrt():
    # best path (0,0) (1,1) (2,1) (3,2): costs 0 + 1 + 0 + 0
    a, b = [0.0, 1.0, 2.0, 3.0], [0.0, 2.0, 3.0]
    assert dtw_distance(a, b) == 1.0
    assert dtw_distance(a, b, squared=False) == 1.0
    assert dtw_distance([0.0, 0.0], [3.0, 3.0]) == 18.0
    assert _close(dtw_distance([0.0, 0.0], [3.0, 3.0], squared=False), math.sqrt(18.0))


def test_window_changes_result():
    a = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    b = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert dtw_distance(a, b) == 0.0  # shift of 2 absorbed
    assert dtw_distance(a, b, window=0.0) == 2.0
    # radius ceil(0.2 * 6) = 2 allows the shift, radius ceil(0.1 * 6) = 1 does not
    assert dtw_distance(a, b, window=0.2) == 0.0
    assert dtw_distance(a, b, window=0.1) > 0.0


def test_multivariate_cost_is_squared_euclidean_across_channels():
    a = np.array([[0.0, 1.0], [0.0, 1.0]])
    b = np.array([[1.0, 1.0], [1.0, 1.0]])
    # the first point of a must be matched: cost 2; then (1,1)-(1,1) free
    assert dtw_distance(a, b) == 2.0


def test_one_dimensional_equals_single_channel():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=17), rng.normal(size=13)
    assert dtw_distance(a, b, window=0.3) == dtw_distance(a[None], b[None], window=0.3)
    assert dtw_distance(a, b[None]) == dtw_distance(a, b)


def test_symmetric():
    rng = np.random.default_rng(3)
    for _ in range(10):
        a = rng.normal(size=rng.integers(1, 30))
        b = rng.normal(size=rng.integers(1, 30))
        for w in WINDOWS:
            assert dtw_distance(a, b, window=w) == dtw_distance(b, a, window=w)


def test_length_one_series():
    assert dtw_distance([2.0], [1.0, 3.0, 2.0]) == 2.0
    assert dtw_distance([2.0], [5.0], window=0.0) == 9.0


# -- radius ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, m, window, expected",
    [
        (300, 300, 0.1, 30),
        (10, 10, 0.3, 3),  # 0.3 * 10 = 3.0000000000000004 in floating point
        (100, 120, 0.1, 20),  # widened to |n - m|
        (100, 120, 0.2, 24),
        (50, 50, 0.0, 0),
        (50, 70, None, 70),
        (7, 7, 1.0, 7),
    ],
)
def test_sakoe_chiba_radius(n, m, window, expected, ref_radius):
    assert sakoe_chiba_radius(n, m, window) == expected
    assert ref_radius(n, m, window) == expected


# -- against the pure-Python reference DP ----------------------------------------------
@pytest.mark.parametrize("window", WINDOWS)
def test_matches_reference_univariate(window, ref_dtw):
    rng = np.random.default_rng(10)
    for _ in range(15):
        a = rng.normal(size=rng.integers(1, 40)).cumsum()
        b = rng.normal(size=rng.integers(1, 40)).cumsum()
        assert _close(dtw_distance(a, b, window=window), ref_dtw(a, b, window))


@pytest.mark.parametrize("window", [None, 0.0, 0.1, 0.3])
def test_matches_reference_multivariate(window, ref_dtw):
    rng = np.random.default_rng(11)
    for _ in range(10):
        C = int(rng.integers(2, 4))
        a = rng.normal(size=(C, rng.integers(1, 30)))
        b = rng.normal(size=(C, rng.integers(1, 30)))
        assert _close(dtw_distance(a, b, window=window), ref_dtw(a, b, window))


@settings(max_examples=60, deadline=None)
@given(
    a=arrays(np.float64, st.integers(1, 20),
             elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)),
    b=arrays(np.float64, st.integers(1, 20),
             elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)),
    window=st.sampled_from(WINDOWS),
)
def test_property_matches_reference(a, b, window, ref_dtw):
    d = dtw_distance(a, b, window=window)
    assert math.isclose(d, ref_dtw(a, b, window), rel_tol=1e-9, abs_tol=1e-6)
    assert d == dtw_distance(b, a, window=window)
    # a wider band can only lower the distance
    assert dtw_distance(a, b) <= d


# -- against dtaidistance ----------------------------------------------------------------
@pytest.mark.parametrize("window", [None, 0.0, 0.1, 0.3])
def test_matches_dtaidistance_univariate(window):
    dtai = pytest.importorskip("dtaidistance")
    rng = np.random.default_rng(20)
    for _ in range(10):
        L = int(rng.integers(5, 60))
        a, b = rng.normal(size=L).cumsum(), rng.normal(size=L).cumsum()
        kw = {} if window is None else {"window": sakoe_chiba_radius(L, L, window) + 1}
        expected = dtai.dtw.distance(a, b, **kw) ** 2
        expected_c = dtai.dtw.distance_fast(a, b, use_pruning=False, **kw) ** 2
        assert _close(dtw_distance(a, b, window=window), expected)
        assert _close(dtw_distance(a, b, window=window), expected_c)
        assert _close(dtw_distance(a, b, window=window, squared=False),
                      math.sqrt(expected))


def test_matches_dtaidistance_unequal_lengths_unconstrained():
    dtai = pytest.importorskip("dtaidistance")
    rng = np.random.default_rng(21)
    for _ in range(10):
        a = rng.normal(size=rng.integers(2, 50))
        b = rng.normal(size=rng.integers(2, 50))
        assert _close(dtw_distance(a, b), dtai.dtw.distance(a, b) ** 2)


@pytest.mark.parametrize("window", [None, 0.1, 0.3])
def test_matches_dtaidistance_multivariate(window):
    dtw_ndim = pytest.importorskip("dtaidistance.dtw_ndim")
    rng = np.random.default_rng(22)
    for _ in range(8):
        L = int(rng.integers(5, 40))
        a, b = rng.normal(size=(3, L)), rng.normal(size=(3, L))
        kw = {} if window is None else {"window": sakoe_chiba_radius(L, L, window) + 1}
        # dtaidistance wants (length, channels)
        expected = dtw_ndim.distance(a.T.copy(), b.T.copy(), **kw) ** 2
        assert _close(dtw_distance(a, b, window=window), expected)


# -- warping path ----------------------------------------------------------------------
def _path_cost(a, b, path):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    b = np.atleast_2d(np.asarray(b, dtype=float))
    return float(sum(np.sum((a[:, i] - b[:, j]) ** 2) for i, j in path))


def test_path_hand_made():
    path, cost = dtw_path([0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0])
    assert path == [(0, 0), (1, 1), (1, 2), (2, 3)]
    assert cost == 0.0

    path, cost = dtw_path([0.0, 0.0, 1.0, 1.0], [0.0, 1.0])
    assert path == [(0, 0), (1, 0), (2, 1), (3, 1)]
    assert cost == 0.0

    path, cost = dtw_path([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert path == [(0, 0), (1, 1), (2, 2)]

    path, cost = dtw_path([5.0], [1.0, 2.0])
    assert path == [(0, 0), (0, 1)]
    assert cost == 16.0 + 9.0

    # window 0: the diagonal, whatever the values
    path, cost = dtw_path([0.0, 9.0, 0.0], [9.0, 0.0, 9.0], window=0.0)
    assert path == [(0, 0), (1, 1), (2, 2)]
    assert cost == 3 * 81.0


def test_path_is_valid_and_consistent():
    rng = np.random.default_rng(30)
    for w in [None, 0.1, 0.3]:
        for _ in range(10):
            a = rng.normal(size=(2, rng.integers(1, 30)))
            b = rng.normal(size=(2, rng.integers(1, 30)))
            path, cost = dtw_path(a, b, window=w)
            n, m = a.shape[1], b.shape[1]
            r = sakoe_chiba_radius(n, m, w)
            assert path[0] == (0, 0) and path[-1] == (n - 1, m - 1)
            for (i0, j0), (i1, j1) in zip(path, path[1:]):
                assert (i1 - i0, j1 - j0) in {(1, 0), (0, 1), (1, 1)}
            assert all(abs(i - j) <= r for i, j in path)
            assert _close(cost, _path_cost(a, b, path))
            assert cost == dtw_distance(a, b, window=w)
            _, root = dtw_path(a, b, window=w, squared=False)
            assert _close(root, math.sqrt(cost))


# -- errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("window", [-0.1, 1.5, float("nan"), float("inf")])
def test_window_out_of_range(window):
    with pytest.raises(ValueError, match="window"):
        dtw_distance([1.0, 2.0], [1.0, 2.0], window=window)
    with pytest.raises(ValueError, match="window"):
        dtw_path([1.0, 2.0], [1.0, 2.0], window=window)


def test_window_wrong_type():
    with pytest.raises(TypeError, match="window"):
        dtw_distance([1.0, 2.0], [1.0, 2.0], window="0.1")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values(bad):
    with pytest.raises(ValueError, match="NaN|inf"):
        dtw_distance([1.0, bad, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="NaN|inf"):
        dtw_distance([1.0, 2.0], [[1.0, 2.0], [0.0, bad]])


def test_channel_mismatch():
    with pytest.raises(ValueError, match="channels"):
        dtw_distance(np.zeros((2, 5)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match="channels"):
        dtw_path(np.zeros(5), np.zeros((2, 5)))


def test_bad_shapes_and_types():
    with pytest.raises(ValueError, match="empty"):
        dtw_distance([], [1.0])
    with pytest.raises(ValueError, match="dimensions"):
        dtw_distance(np.zeros((2, 2, 2)), np.zeros((2, 2)))
    with pytest.raises(TypeError):
        dtw_distance(["a", "b"], [1.0, 2.0])
    with pytest.raises(TypeError):
        dtw_distance([1.0, 2.0], None)
    with pytest.raises(TypeError, match="squared"):
        dtw_distance([1.0], [1.0], squared="yes")
    with pytest.raises(ValueError, match="len_a"):
        sakoe_chiba_radius(0, 5, 0.1)


@pytest.mark.parametrize("n, m, window", [(60, 60, 0.1), (50, 61, 0.05), (70, 64, 0.3),
                                          (40, 40, 0.0)])
def test_the_banded_path_equals_the_full_matrix_path(n, m, window):
    from sktsmtl.distances import dtw as dtw_module

    rng = np.random.default_rng(n + m)
    a, b = rng.normal(size=(2, n)), rng.normal(size=(2, m))
    path, cost = dtw_path(a, b, window=window)
    r = dtw_module._radius(n, m, window)
    assert 2 * r + 3 < m + 1  # these sizes take the band
    full = dtw_module._dtw_matrix(a.T.ravel().copy(), b.T.ravel().copy(), 2, r, False)
    expected = [tuple(p) for p in dtw_module._backtrack(full, m, r, False)]
    assert path == expected and cost == pytest.approx(full[n, m], rel=1e-12)
    assert cost == pytest.approx(dtw_distance(a, b, window=window), rel=1e-12)


def test_a_long_path_with_a_window_takes_memory_linear_in_the_length():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=20_000), rng.normal(size=20_000)
    path, cost = dtw_path(a, b, window=0.002)  # 20,001 x 83 cells instead of 20,001**2
    assert path[0] == (0, 0) and path[-1] == (19_999, 19_999)
    assert cost == pytest.approx(dtw_distance(a, b, window=0.002), rel=1e-12)


def test_a_cost_matrix_that_does_not_fit_is_refused_before_allocation(monkeypatch):
    import sktsmtl._memory as memory

    monkeypatch.setattr(memory, "limiting_memory",
                        lambda device: (2**30, "cgroup memory limit"))
    a = np.zeros(50_000)
    with pytest.raises(MemoryError, match=r"lengths 50000 and 50000 needs .* 20\.0 GB.*"
                                          r"cgroup memory limit.*Use a window"):
        dtw_path(a, a)
    with pytest.raises(MemoryError, match="a narrower window"):
        dtw_path(a, a, window=0.5)
