"""Pruned 1NN search: identical to brute force, and it does prune."""

import numpy as np
import pytest

from sktsmtl.distances import dtw_nearest_neighbor, pairwise_dtw


def _brute(X, Y, window):
    D = pairwise_dtw(X, Y, window=window)
    idx = D.argmin(axis=1)
    return idx, D[np.arange(len(idx)), idx]


@pytest.mark.parametrize("window", [None, 0.0, 0.05, 0.1, 0.3])
def test_equals_brute_force_random_walks(window):
    rng = np.random.default_rng(0)
    Y = rng.normal(size=(40, 50)).cumsum(axis=1)
    X = Y[rng.integers(0, 40, size=25)] + rng.normal(scale=0.5, size=(25, 50))
    idx, dist, stats = dtw_nearest_neighbor(X, Y, window=window)
    bidx, bdist = _brute(X, Y, window)
    np.testing.assert_array_equal(idx, bidx)
    np.testing.assert_array_equal(dist, bdist)
    assert stats["n_pairs"] == 25 * 40
    assert stats["n_pruned"] + stats["n_abandoned"] + stats["n_dtw_computed"] == 1000
    if window is not None:
        assert stats["n_pruned"] > 0


@pytest.mark.parametrize("window", [None, 0.1, 0.5])
def test_equals_brute_force_varying_lengths_multivariate(window):
    rng = np.random.default_rng(1)
    Y = [rng.normal(size=(2, n)).cumsum(axis=1) for n in rng.integers(5, 40, size=30)]
    X = [rng.normal(size=(2, n)).cumsum(axis=1) for n in rng.integers(5, 40, size=20)]
    idx, dist, _ = dtw_nearest_neighbor(X, Y, window=window, n_jobs=1)
    bidx, bdist = _brute(X, Y, window)
    np.testing.assert_array_equal(idx, bidx)
    np.testing.assert_array_equal(dist, bdist)


@pytest.mark.parametrize("window", [None, 0.0, 0.2])
def test_ties_go_to_lowest_index(window):
    # small integer series: many exactly equal distances
    rng = np.random.default_rng(2)
    Y = rng.integers(0, 2, size=(60, 6)).astype(float)
    X = rng.integers(0, 2, size=(40, 6)).astype(float)
    idx, dist, _ = dtw_nearest_neighbor(X, Y, window=window)
    bidx, bdist = _brute(X, Y, window)
    np.testing.assert_array_equal(idx, bidx)
    np.testing.assert_array_equal(dist, bdist)
    # duplicates of the nearest reference: the first copy wins
    Y2 = np.vstack([Y[:5], Y[:5]])
    idx2, _, _ = dtw_nearest_neighbor(Y[:5], Y2, window=window)
    np.testing.assert_array_equal(idx2, np.arange(5))


def test_squared_false_and_errors():
    rng = np.random.default_rng(3)
    Y = rng.normal(size=(5, 10))
    _, d2, _ = dtw_nearest_neighbor(Y + 1, Y)
    _, d, _ = dtw_nearest_neighbor(Y + 1, Y, squared=False)
    np.testing.assert_allclose(d, np.sqrt(d2))
    with pytest.raises(ValueError, match="channels"):
        dtw_nearest_neighbor(np.zeros((2, 2, 5)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match="window"):
        dtw_nearest_neighbor(Y, Y, window=-1.0)
