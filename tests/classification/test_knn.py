"""KNeighborsDTWClassifier: sklearn conformance, pruning == brute force, input forms."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from sktsmtl.classification.knn import KNeighborsDTWClassifier
from sktsmtl.distances import pairwise_dtw


def _random_walks(rng, n, length, n_classes=3, channels=None):
    y = rng.integers(0, n_classes, size=n)
    shape = (n, length) if channels is None else (n, channels, length)
    X = rng.normal(size=shape).cumsum(axis=-1)
    X += (y * 2.0).reshape((n,) + (1,) * (len(shape) - 1))
    return X, y


def _brute_force_1nn(X_train, y_train, X_test, window):
    D = pairwise_dtw(X_test, X_train, window=window)
    return np.asarray(y_train)[D.argmin(axis=1)]


# -- pruning gives the brute-force answer ------------------------------------------------
@pytest.mark.parametrize("window", [None, 0.0, 0.1, 0.3])
def test_pruned_1nn_equals_brute_force(window):
    rng = np.random.default_rng(0)
    X, y = _random_walks(rng, 80, 40)
    Xq, _ = _random_walks(rng, 50, 40)
    clf = KNeighborsDTWClassifier(window=window).fit(X, y)
    np.testing.assert_array_equal(clf.predict(Xq), _brute_force_1nn(X, y, Xq, window))
    stats = clf.pruning_stats_
    assert stats["n_pairs"] == 80 * 50
    assert stats["n_pruned"] + stats["n_abandoned"] + stats["n_dtw_computed"] == 4000
    assert stats["n_dtw_computed"] < stats["n_pairs"]


@pytest.mark.parametrize("window", [None, 0.0, 0.25])
def test_pruned_1nn_equals_brute_force_with_ties(window):
    # binary series: exact ties between distances are everywhere
    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(70, 5)).astype(float)
    y = rng.integers(0, 3, size=70)
    Xq = rng.integers(0, 2, size=(60, 5)).astype(float)
    clf = KNeighborsDTWClassifier(window=window).fit(X, y)
    np.testing.assert_array_equal(clf.predict(Xq), _brute_force_1nn(X, y, Xq, window))


def test_pruned_1nn_equals_brute_force_varying_length_multivariate():
    rng = np.random.default_rng(2)
    X = [rng.normal(size=(2, n)).cumsum(axis=1) for n in rng.integers(8, 30, size=40)]
    y = rng.integers(0, 2, size=40)
    Xq = [rng.normal(size=(2, n)).cumsum(axis=1) for n in rng.integers(8, 30, size=30)]
    clf = KNeighborsDTWClassifier(window=0.2, n_jobs=1).fit(X, y)
    assert not hasattr(clf, "n_features_in_")
    np.testing.assert_array_equal(clf.predict(Xq), _brute_force_1nn(X, y, Xq, 0.2))


# -- k > 1 -------------------------------------------------------------------------------
def test_k_neighbours_vote_and_proba():
    rng = np.random.default_rng(3)
    X, y = _random_walks(rng, 60, 30)
    Xq, _ = _random_walks(rng, 25, 30)
    clf = KNeighborsDTWClassifier(n_neighbors=5, window=0.1).fit(X, y)
    proba = clf.predict_proba(Xq)
    assert proba.shape == (25, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    D = pairwise_dtw(Xq, X, window=0.1)
    nearest = np.argsort(D, axis=1, kind="stable")[:, :5]
    counts = np.stack([(y[nearest] == c).sum(axis=1) for c in range(3)], axis=1)
    np.testing.assert_allclose(proba, counts / 5)
    pred = clf.predict(Xq)
    for p, row, cnt in zip(pred, nearest, counts):
        winners = np.flatnonzero(cnt == cnt.max())
        expected = next(y[j] for j in row if y[j] in winners)  # ties -> nearest
        assert p == expected
    assert clf.pruning_stats_["n_dtw_computed"] == 25 * 60


def test_vote_tie_goes_to_nearest():
    X = np.array([[0.0, 0.0], [10.0, 10.0], [1.0, 1.0], [11.0, 11.0]])
    y = np.array(["b", "a", "b", "a"])
    clf = KNeighborsDTWClassifier(n_neighbors=2).fit(X, y)
    # [9, 9]: 10 (a), 11 (a) -> a. [5.6, 5.6]: 10 (a), 1 (b), a tie -> the nearest, a.
    # [5.4, 5.4]: 1 (b), 10 (a), a tie -> b. [4, 4]: 1 (b), 0 (b) -> b.
    Q = np.array([[9.0, 9.0], [5.6, 5.6], [5.4, 5.4], [4.0, 4.0]])
    assert clf.predict(Q).tolist() == ["a", "a", "b", "b"]
    np.testing.assert_allclose(clf.predict_proba(Q[1:3]), [[0.5, 0.5], [0.5, 0.5]])


def test_one_neighbour_proba_is_one_hot():
    rng = np.random.default_rng(4)
    X, y = _random_walks(rng, 30, 20)
    clf = KNeighborsDTWClassifier().fit(X, y)
    proba = clf.predict_proba(X[:10])
    assert set(np.unique(proba)) <= {0.0, 1.0}
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X[:10]))


# -- input forms -------------------------------------------------------------------------
def test_input_forms_agree():
    rng = np.random.default_rng(5)
    series = [rng.normal(size=n).cumsum() for n in (20, 14, 20, 9, 17, 20)]
    y = np.array([0, 1, 0, 1, 0, 1])
    padded = np.full((6, 20), np.nan)
    for i, s in enumerate(series):
        padded[i, : len(s)] = s
    queries = [rng.normal(size=n).cumsum() for n in (20, 5, 11)]
    q_padded = np.full((3, 20), np.nan)
    for i, s in enumerate(queries):
        q_padded[i, : len(s)] = s
    expected = _brute_force_1nn(series, y, queries, 0.2)
    for X, Q in ((series, q_padded), (padded, q_padded),
                 (padded[:, np.newaxis, :], q_padded[:, np.newaxis, :])):
        clf = KNeighborsDTWClassifier(window=0.2).fit(X, y)
        np.testing.assert_array_equal(clf.predict(Q), expected)
        np.testing.assert_array_equal(clf.predict(queries), expected)


def test_interior_nan_is_interpolated():
    rng = np.random.default_rng(6)
    X, y = _random_walks(rng, 20, 15)
    q = rng.normal(size=(4, 15)).cumsum(axis=1)
    q_missing = q.copy()
    q_missing[0, [0, 1]] = np.nan      # leading: nearest observed value
    q_missing[1, 5:8] = np.nan         # interior: linear
    q_filled = q.copy()
    q_filled[0, [0, 1]] = q[0, 2]
    q_filled[1, 5:8] = np.interp([5, 6, 7], [4, 8], q[1, [4, 8]])
    X_missing = X.copy()
    X_missing[3, 7] = np.nan
    X_filled = X.copy()
    X_filled[3, 7] = 0.5 * (X[3, 6] + X[3, 8])
    clf = KNeighborsDTWClassifier(window=0.1).fit(X_missing, y)
    np.testing.assert_array_equal(clf.predict(q_missing),
                                  _brute_force_1nn(X_filled, y, q_filled, 0.1))
    assert np.isnan(X_missing[3, 7])  # the input is not modified


def test_multivariate_channels_checked():
    rng = np.random.default_rng(7)
    X, y = _random_walks(rng, 12, 10, channels=2)
    clf = KNeighborsDTWClassifier().fit(X, y)
    assert clf.n_channels_ == 2 and not hasattr(clf, "n_features_in_")
    assert clf.predict(X).shape == (12,)
    with pytest.raises(ValueError, match="channels"):
        clf.predict(rng.normal(size=(3, 3, 10)))


def test_2d_fit_keeps_feature_count_lists_allow_any_length():
    rng = np.random.default_rng(8)
    X, y = _random_walks(rng, 12, 10)
    clf = KNeighborsDTWClassifier().fit(X, y)
    assert clf.n_features_in_ == 10
    with pytest.raises(ValueError, match="expecting 10 features"):
        clf.predict(X[:, :7])
    assert clf.predict([X[0, :7], X[1]]).shape == (2,)


# -- errors ------------------------------------------------------------------------------
def test_bad_inputs_and_params():
    rng = np.random.default_rng(9)
    X, y = _random_walks(rng, 10, 8)
    X_inf = X.copy()
    X_inf[2, 3] = np.inf
    with pytest.raises(ValueError, match="infinity|inf"):
        KNeighborsDTWClassifier().fit(X_inf, y)
    clf = KNeighborsDTWClassifier().fit(X, y)
    with pytest.raises(ValueError, match="infinity|inf"):
        clf.predict(X_inf)
    with pytest.raises(ValueError, match="inf"):
        clf.predict([X[0], np.array([1.0, np.inf])])
    with pytest.raises(ValueError, match="all NaN"):
        KNeighborsDTWClassifier().fit(np.vstack([X[:9], np.full((1, 8), np.nan)]), y)
    X_chan_nan = np.stack([X, X], axis=1)
    X_chan_nan[0, 1, :] = np.nan
    with pytest.raises(ValueError, match="series 0, channel 1 has no observed value"):
        KNeighborsDTWClassifier().fit(X_chan_nan, y)
    with pytest.raises(ValueError, match="n_neighbors"):
        KNeighborsDTWClassifier(n_neighbors=0).fit(X, y)
    with pytest.raises(TypeError, match="n_neighbors"):
        KNeighborsDTWClassifier(n_neighbors=1.5).fit(X, y)
    with pytest.raises(ValueError, match="larger than"):
        KNeighborsDTWClassifier(n_neighbors=11).fit(X, y)
    with pytest.raises(ValueError, match="window"):
        KNeighborsDTWClassifier(window=2.0).fit(X, y)
    with pytest.raises(ValueError, match="n_jobs"):
        KNeighborsDTWClassifier(n_jobs=0).fit(X, y)
    with pytest.raises(ValueError, match="4 dimensions"):
        KNeighborsDTWClassifier().fit(np.zeros((10, 1, 2, 8)), y)
    with pytest.raises(ValueError, match="labels"):
        KNeighborsDTWClassifier().fit([X[0], X[1, :5]], y)
    with pytest.raises(NotFittedError):
        KNeighborsDTWClassifier().predict(X)


def test_clone_pickle_and_cross_validation():
    rng = np.random.default_rng(10)
    t = np.linspace(0, 2 * np.pi, 30)
    y = np.repeat([0, 1], 20)
    shift = rng.uniform(0, 1, size=(40, 1))
    X = np.where(y[:, None] == 0, np.sin(t + shift), np.sign(np.sin(t + shift)))
    X = X + rng.normal(scale=0.2, size=X.shape)
    clf = KNeighborsDTWClassifier(window=0.1).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
    assert clone(clf).get_params() == clf.get_params()
    scores = cross_val_score(KNeighborsDTWClassifier(window=0.1), X, y, cv=3)
    assert scores.mean() > 0.9


@pytest.mark.parametrize("make", [
    lambda: {"a": np.zeros((4, 6))},
    lambda: __import__("sktsmtl").TaskPanel.from_dict({"a": np.zeros((4, 6))}),
])
def test_several_tasks_point_to_per_task_classifier(make):
    from sktsmtl import KNeighborsDTWClassifier

    with pytest.raises(TypeError, match=r"PerTaskClassifier\(KNeighborsDTWClassifier\(\)\)"):
        KNeighborsDTWClassifier().fit(make(), {"a": [0, 1, 0, 1]})
