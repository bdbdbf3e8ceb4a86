"""Pairwise DTW: agreement with the single-pair function, symmetry, input forms."""

import numba
import numpy as np
import pytest

from sktsmtl.distances import dtw_distance, pairwise_dtw, sakoe_chiba_radius


def _loop(A, B, window):
    return np.array([[dtw_distance(a, b, window=window) for b in B] for a in A])


def _strip(x):
    x = np.atleast_2d(x)
    keep = ~np.all(np.isnan(x), axis=0)
    return x[:, : np.flatnonzero(keep).max() + 1]


@pytest.mark.parametrize("window", [None, 0.0, 0.1, 0.5])
def test_matches_single_pair_univariate(window, ref_dtw):
    rng = np.random.default_rng(0)
    A = rng.normal(size=(7, 30)).cumsum(axis=1)
    B = rng.normal(size=(5, 30)).cumsum(axis=1)
    D = pairwise_dtw(A, B, window=window)
    assert D.shape == (7, 5)
    np.testing.assert_array_equal(D, _loop(A, B, window))
    assert np.isclose(D[2, 3], ref_dtw(A[2], B[3], window), rtol=1e-9)


@pytest.mark.parametrize("window", [None, 0.1])
def test_matches_single_pair_multivariate(window):
    rng = np.random.default_rng(1)
    A = rng.normal(size=(6, 3, 25))
    B = rng.normal(size=(4, 3, 25))
    np.testing.assert_array_equal(pairwise_dtw(A, B, window=window), _loop(A, B, window))


@pytest.mark.parametrize("window", [None, 0.0, 0.2])
def test_symmetric_equals_full(window):
    rng = np.random.default_rng(2)
    A = [rng.normal(size=(2, n)) for n in rng.integers(1, 40, size=13)]
    S = pairwise_dtw(A, window=window)
    F = pairwise_dtw(A, A, window=window)
    np.testing.assert_array_equal(S, F)
    np.testing.assert_array_equal(S, S.T)
    np.testing.assert_array_equal(np.diag(S), 0.0)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 17, 64])
def test_symmetric_all_sizes(n):
    rng = np.random.default_rng(n)
    A = rng.normal(size=(n, 12))
    np.testing.assert_array_equal(pairwise_dtw(A, window=0.3), _loop(A, A, 0.3))


def test_nan_padded_equals_list_of_varying_length(ref_dtw):
    rng = np.random.default_rng(3)
    lengths = [10, 25, 17, 25, 3]
    series = [rng.normal(size=n) for n in lengths]
    padded = np.full((len(series), 25), np.nan)
    for i, s in enumerate(series):
        padded[i, : len(s)] = s
    D_list = pairwise_dtw(series, window=0.1)
    D_pad = pairwise_dtw(padded, window=0.1)
    np.testing.assert_array_equal(D_list, D_pad)
    np.testing.assert_array_equal(D_list, _loop(series, series, 0.1))
    assert np.isclose(D_list[0, 1], ref_dtw(series[0], series[1], 0.1), rtol=1e-9)
    # 3D NaN-padded with channels
    padded3 = np.full((3, 2, 20), np.nan)
    padded3[0, :, :12] = 1.0
    padded3[1, :, :20] = 2.0
    padded3[2, :, :5] = 0.0
    expected = _loop([_strip(p) for p in padded3], [_strip(p) for p in padded3], None)
    np.testing.assert_array_equal(pairwise_dtw(padded3), expected)


def test_squared_false_is_sqrt():
    rng = np.random.default_rng(4)
    A = rng.normal(size=(5, 20))
    np.testing.assert_allclose(pairwise_dtw(A, squared=False), np.sqrt(pairwise_dtw(A)))


def test_n_jobs_same_result_and_restores_threads():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(20, 30))
    before = numba.get_num_threads()
    D1 = pairwise_dtw(A, window=0.1, n_jobs=1)
    assert numba.get_num_threads() == before
    D2 = pairwise_dtw(A, window=0.1, n_jobs=-1)
    D3 = pairwise_dtw(A, A[:7], window=0.1, n_jobs=2)
    np.testing.assert_array_equal(D1, D2)
    np.testing.assert_array_equal(D3, D2[:, :7])
    assert numba.get_num_threads() == before


@pytest.mark.parametrize("window", [None, 0.1, 0.25])
def test_matches_dtaidistance_matrix(window):
    dtai = pytest.importorskip("dtaidistance")
    rng = np.random.default_rng(6)
    X = rng.normal(size=(15, 40)).cumsum(axis=1)
    kw = {} if window is None else {"window": sakoe_chiba_radius(40, 40, window) + 1}
    expected = dtai.dtw.distance_matrix_fast(X, **kw)
    np.testing.assert_allclose(pairwise_dtw(X, window=window, squared=False), expected,
                               rtol=1e-9, atol=1e-12)


def test_matches_dtaidistance_varying_lengths_unconstrained():
    dtai = pytest.importorskip("dtaidistance")
    rng = np.random.default_rng(7)
    series = [rng.normal(size=n) for n in rng.integers(5, 40, size=9)]
    expected = dtai.dtw.distance_matrix(series)
    np.testing.assert_allclose(pairwise_dtw(series, squared=False), expected,
                               rtol=1e-9, atol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="NaN inside"):
        pairwise_dtw(np.array([[1.0, np.nan, 2.0], [1.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match="inf"):
        pairwise_dtw(np.array([[1.0, np.inf, 2.0], [1.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match="channels"):
        pairwise_dtw(np.zeros((2, 2, 5)), np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="channels"):
        pairwise_dtw([np.zeros((2, 5)), np.zeros((3, 5))])
    with pytest.raises(ValueError, match="dimension"):
        pairwise_dtw(np.zeros(5))
    with pytest.raises(ValueError, match="no series"):
        pairwise_dtw(np.zeros((0, 5)))
    with pytest.raises(ValueError, match="all NaN"):
        pairwise_dtw(np.array([[1.0, 2.0], [np.nan, np.nan]]))
    with pytest.raises(ValueError, match="window"):
        pairwise_dtw(np.zeros((2, 5)), window=1.01)
    with pytest.raises(ValueError, match="n_jobs"):
        pairwise_dtw(np.zeros((2, 5)), n_jobs=0)
    with pytest.raises(TypeError, match="n_jobs"):
        pairwise_dtw(np.zeros((2, 5)), n_jobs=1.5)
    with pytest.raises(TypeError):
        pairwise_dtw("abc")
    with pytest.raises(TypeError):
        pairwise_dtw(np.array([["a", "b"], ["c", "d"]]))
