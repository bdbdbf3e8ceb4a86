"""DTW in SIMD lanes: exact against the plain Python DP, dtaidistance and the scalar kernel."""

import numpy as np
import pytest

from sktsmtl.distances import dtw_distance, dtw_nearest_neighbor, pairwise_dtw, sakoe_chiba_radius
from sktsmtl.distances.pairwise import paired_dtw
from sktsmtl.distances._lanes import _LANES, _gather, _lanes_general, _lanes_uni


def _collection(rng, n_channels, counts):
    """Random walks: ``counts[length]`` series of each length, shuffled."""
    lengths = [n for n, c in counts.items() for _ in range(c)]
    rng.shuffle(lengths)
    series = [rng.normal(size=(n_channels, n)).cumsum(axis=1) for n in lengths]
    return [s[0] for s in series] if n_channels == 1 else series


def _loop(A, B, window):
    return np.array([[dtw_distance(a, b, window=window) for b in B] for a in A])


# 37 = two full lane groups + 5 (padded lanes), 3 (scalar), 1 (scalar)
_COUNTS = {19: 37, 24: 3, 11: 1}


@pytest.mark.parametrize("n_channels", [1, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pairwise_equals_reference_dp(n_channels, seed, ref_dtw):
    rng = np.random.default_rng(seed)
    A = _collection(rng, n_channels, _COUNTS)
    B = _collection(rng, n_channels, {19: 21, 13: 6})
    for window in (None, 0.0, float(rng.uniform(0.0, 0.5))):
        S = pairwise_dtw(A, window=window)
        X = pairwise_dtw(A, B, window=window)
        # bit for bit the scalar kernel
        np.testing.assert_array_equal(S, _loop(A, A, window))
        np.testing.assert_array_equal(X, _loop(A, B, window))
        for i, j in rng.integers(0, len(A), size=(15, 2)):
            assert np.isclose(S[i, j], ref_dtw(A[i], A[j], window), rtol=1e-9, atol=1e-12)
        for i, j in zip(rng.integers(0, len(A), 15), rng.integers(0, len(B), 15)):
            assert np.isclose(X[i, j], ref_dtw(A[i], B[j], window), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_pairwise_equals_dtaidistance(seed):
    dtai = pytest.importorskip("dtaidistance")
    rng = np.random.default_rng(seed)
    length = int(rng.integers(20, 60))
    X = rng.normal(size=(int(rng.integers(17, 45)), length)).cumsum(axis=1)
    for window in (None, float(rng.uniform(0.02, 0.4))):
        kw = {} if window is None else {"window": sakoe_chiba_radius(length, length, window) + 1}
        expected = dtai.dtw.distance_matrix_fast(X, **kw)
        np.testing.assert_allclose(pairwise_dtw(X, window=window, squared=False), expected,
                                   rtol=1e-9, atol=1e-12)
    # unequal lengths (unconstrained: dtaidistance's window differs for unequal lengths)
    series = _collection(rng, 1, {23: 18, 30: 5, 9: 2})
    expected = dtai.dtw.distance_matrix(series)
    np.testing.assert_allclose(pairwise_dtw(series, squared=False), expected,
                               rtol=1e-9, atol=1e-12)


def test_pairwise_multivariate_equals_dtaidistance_ndim():
    dtai = pytest.importorskip("dtaidistance")
    from dtaidistance import dtw_ndim

    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 2, 25)).cumsum(axis=2)
    expected = dtw_ndim.distance_matrix(np.ascontiguousarray(X.transpose(0, 2, 1)))
    np.testing.assert_allclose(pairwise_dtw(X, squared=False), expected, rtol=1e-9,
                               atol=1e-12)
    assert dtai is not None


@pytest.mark.parametrize("n_channels", [1, 2])
def test_paired_equals_single_pair(n_channels, ref_dtw):
    rng = np.random.default_rng(4)
    A = _collection(rng, n_channels, {15: 40})
    B = _collection(rng, n_channels, {15: 37, 12: 3})
    A += _collection(rng, n_channels, {8: 2, 21: 5})  # leftovers: scalar and padded
    B += _collection(rng, n_channels, {8: 7})
    for window in (None, 0.0, 0.2):
        d = paired_dtw(A, B, window=window)
        expected = np.array([dtw_distance(a, b, window=window) for a, b in zip(A, B)])
        np.testing.assert_array_equal(d, expected)
        for k in rng.integers(0, len(A), size=10):
            assert np.isclose(d[k], ref_dtw(A[k], B[k], window), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(paired_dtw(A, B, squared=False), np.sqrt(paired_dtw(A, B)))
    with pytest.raises(ValueError, match="series"):
        paired_dtw(A, B[:-1])
    with pytest.raises(ValueError, match="channels"):
        paired_dtw(np.zeros((2, 2, 5)), np.zeros((2, 3, 5)))


@pytest.mark.parametrize("n_channels", [1, 3])
def test_lane_kernels_and_abandoning(n_channels):
    rng = np.random.default_rng(5)
    n, m, C, L = 23, 20, n_channels, _LANES
    a = rng.normal(size=(C, n)).cumsum(axis=1)
    bs = [rng.normal(size=(C, m)).cumsum(axis=1) for _ in range(L)]
    flat_a = np.ascontiguousarray(a.T).ravel()
    buf = np.concatenate([np.ascontiguousarray(b.T).ravel() for b in bs])
    offs = np.arange(L, dtype=np.int64) * m * C
    Bl = np.empty(C * m * L)
    _gather(buf, offs, np.arange(L, dtype=np.int64), L, m, C, Bl)
    prev, curr = np.empty((m + 1) * L), np.empty((m + 1) * L)
    cost, res = np.empty(m * L), np.empty(L)
    for window in (None, 0.1, 0.5):
        r = sakoe_chiba_radius(n, m, window)
        expected = np.array([dtw_distance(a, b, window=window) for b in bs])
        for cutoff in (np.inf, expected.max(), expected.min() / 4):
            if C == 1:
                done = _lanes_uni(flat_a, Bl, m, r, cutoff, prev, curr, res)
            else:
                done = _lanes_general(flat_a, False, n, Bl, m, C, r, cutoff, prev, curr,
                                      cost, res)
            if done:
                np.testing.assert_array_equal(res, expected)
            else:  # abandoned only when every lane is beyond the cut-off
                assert np.all(expected > cutoff) and np.all(np.isinf(res))
        # one first series per lane (paired DTW)
        Al = np.empty(C * n * L)
        _gather(flat_a, np.zeros(L, dtype=np.int64), np.zeros(L, dtype=np.int64), L, n, C,
                Al)
        _lanes_general(Al, True, n, Bl, m, C, r, np.inf, prev, curr, cost, res)
        np.testing.assert_array_equal(res, expected)


@pytest.mark.parametrize("n_channels", [1, 2])
@pytest.mark.parametrize("window", [None, 0.0, 0.1, 0.3])
def test_nearest_batched_equals_brute_force(n_channels, window):
    rng = np.random.default_rng(6)
    Y = _collection(rng, n_channels, {30: 75, 26: 6})
    protos = [Y[i] for i in rng.integers(0, len(Y), size=30)]
    X = [p[..., : 30] + rng.normal(scale=0.7, size=p[..., : 30].shape) for p in protos]
    X += _collection(rng, n_channels, {26: 4})
    D = pairwise_dtw(X, Y, window=window)
    for lb_improved in (False, True):
        idx, dist, stats = dtw_nearest_neighbor(X, Y, window=window, lb_improved=lb_improved)
        np.testing.assert_array_equal(idx, D.argmin(axis=1))
        np.testing.assert_array_equal(dist, D[np.arange(len(X)), idx])
        assert stats["n_pruned"] + stats["n_abandoned"] + stats["n_dtw_computed"] == D.size


def test_nearest_with_and_without_lb_improved():
    from sktsmtl.distances.inputs import pack_series
    from sktsmtl.distances.nearest import nearest_packed

    rng = np.random.default_rng(7)
    Y = [s[None] for s in _collection(rng, 1, {40: 60})]
    X = [y + rng.normal(scale=0.5, size=y.shape) for y in Y[:25]]
    expected = pairwise_dtw(X, Y, window=0.1).argmin(axis=1)
    pruned = []
    for improved in (False, True):
        idx, _, stats = nearest_packed(pack_series(X), pack_series(Y), 0.1, None, improved)
        np.testing.assert_array_equal(idx, expected)
        pruned.append(stats["n_pruned"])
    assert pruned[1] >= pruned[0] * 0.9  # batching order may differ slightly
