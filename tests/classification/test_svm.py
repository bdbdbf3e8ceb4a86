"""CrossValidatedSVC: sklearn conformance, the C = inf fallback, the search, the cap."""

import doctest

import numpy as np
import pytest
from scipy import sparse
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from sktsmtl.classification import CrossValidatedSVC, svm
from sktsmtl.classification.svm import DEFAULT_C_GRID, _stratified_subsample

PROTOCOL_GRID = [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1000.0, 1e4, np.inf]


def test_docstring_examples():
    result = doctest.testmod(svm, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def _blobs(counts, n_features=2, spread=4.0, seed=0):
    """Gaussian blobs, one per class, ``spread`` apart along the axes: separable."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    centres = spread * np.eye(len(counts), n_features)
    return rng.normal(scale=0.5, size=(len(y), n_features)) + centres[y], y


def test_default_grid_is_the_protocol_grid():
    assert list(DEFAULT_C_GRID) == PROTOCOL_GRID
    X, y = _blobs([60, 60])
    clf = CrossValidatedSVC().fit(X, y)
    assert list(clf.cv_results_["param_C"]) == PROTOCOL_GRID


def test_svc_is_the_protocols():
    X, y = _blobs([30, 30])
    svc = CrossValidatedSVC().fit(X, y).svc_
    assert (svc.kernel, svc.gamma, svc.max_iter) == ("rbf", "scale", 10_000_000)
    assert not hasattr(svc, "predict_proba")
    assert not hasattr(CrossValidatedSVC().fit(X, y), "predict_proba")


# -- the small-data fallback ------------------------------------------------------------
@pytest.mark.parametrize("counts", [
    [20, 20],                 # n < 50
    [4] * 15,                 # n = 60 but n // n_classes = 4 < 5
    [10, 10, 10, 10, 9],      # n = 49
])
def test_small_data_falls_back_to_hard_margin(counts):
    X, y = _blobs(counts, n_features=len(counts))
    clf = CrossValidatedSVC().fit(X, y)
    assert clf.searched_ is False
    assert clf.best_C_ == np.inf and clf.svc_.C == np.inf
    assert not hasattr(clf, "cv_results_")
    np.testing.assert_array_equal(clf.predict(X), y)


def test_smallest_data_that_is_searched():
    X, y = _blobs([10] * 5, n_features=5)   # n = 50, 10 per class
    assert CrossValidatedSVC().fit(X, y).searched_ is True


def test_thresholds_are_parameters():
    X, y = _blobs([20, 20])
    assert CrossValidatedSVC(min_samples=40).fit(X, y).searched_ is True
    assert CrossValidatedSVC(min_per_class=21, min_samples=0).fit(X, y).searched_ is False


# -- the search ---------------------------------------------------------------------------
def test_search_on_separable_data_matches_ts2vec_recipe():
    X, y = _blobs([40, 40, 40], n_features=3)
    X_test, y_test = _blobs([20, 20, 20], n_features=3, seed=1)
    clf = CrossValidatedSVC().fit(X, y)
    assert clf.searched_ is True
    assert clf.best_C_ in PROTOCOL_GRID and clf.svc_.C == clf.best_C_
    assert len(clf.cv_results_["mean_test_score"]) == len(PROTOCOL_GRID)
    assert clf.score(X_test, y_test) == 1.0
    # the recipe built by hand: same folds (unshuffled stratified 5-fold), same choice
    reference = GridSearchCV(SVC(kernel="rbf", gamma="scale", max_iter=10_000_000),
                             {"C": PROTOCOL_GRID}, cv=5).fit(X, y)
    assert clf.best_C_ == reference.best_params_["C"]
    np.testing.assert_allclose(clf.cv_results_["mean_test_score"],
                               reference.cv_results_["mean_test_score"])


def test_search_picks_a_useful_penalty():
    # overlapping classes: a tiny C underfits to the majority class
    X, y = _blobs([60, 40], spread=1.5, seed=3)
    clf = CrossValidatedSVC(C_grid=[1e-4, 1.0]).fit(X, y)
    scores = clf.cv_results_["mean_test_score"]
    assert scores[1] > scores[0]
    assert clf.best_C_ == 1.0


def test_refit_on_small_data_drops_stale_search_results():
    X, y = _blobs([40, 40])
    clf = CrossValidatedSVC().fit(X, y)
    assert hasattr(clf, "cv_results_")
    clf.fit(X[::4], y[::4])
    assert clf.searched_ is False and not hasattr(clf, "cv_results_")


# -- the cap on training rows ------------------------------------------------------------
def test_cap_of_10000_rows_on_a_10050_row_problem():
    X, y = _blobs([7000, 3000, 50], seed=4)
    clf = CrossValidatedSVC(C_grid=[1.0], random_state=0).fit(X, y)
    assert clf.searched_ is True
    assert clf.svc_.shape_fit_ == (10_000, 2)
    # the rows are a stratified subsample: shares kept, rounding to the largest remainder
    rows = _stratified_subsample(y, 10_000, 5, random_state=0)
    np.testing.assert_array_equal(np.bincount(y[rows]), [6965, 2985, 50])
    assert np.isin(clf.svc_.support_vectors_, X[rows]).all()


def test_small_cap_keeps_cv_rows_of_a_rare_class():
    X, y = _blobs([200, 90, 10], n_features=3, seed=5)
    clf = CrossValidatedSVC(max_samples=100, random_state=0).fit(X, y)
    assert clf.svc_.shape_fit_[0] == 100
    rows = _stratified_subsample(y, 100, 5, random_state=0)
    # shares 66.7 / 30 / 3.3 -> 67 / 30 / 3, then the rare class is raised to cv = 5
    np.testing.assert_array_equal(np.bincount(y[rows]), [65, 30, 5])
    assert len(np.unique(rows)) == 100 and rows.max() < len(y)


def test_subsample_is_seeded():
    y = np.repeat([0, 1], [300, 200])
    a = _stratified_subsample(y, 100, 5, random_state=0)
    np.testing.assert_array_equal(a, _stratified_subsample(y, 100, 5, random_state=0))
    assert not np.array_equal(a, _stratified_subsample(y, 100, 5, random_state=1))
    np.testing.assert_array_equal(np.bincount(y[a]), [60, 40])


def test_no_cap_with_max_samples_none():
    X, y = _blobs([60, 60])
    clf = CrossValidatedSVC(C_grid=[1.0], max_samples=None).fit(X, y)
    assert clf.svc_.shape_fit_[0] == 120


# -- a class rarer than the folds ---------------------------------------------------------
def test_class_with_fewer_members_than_folds_falls_back():
    X, y = _blobs([58, 58, 4], n_features=3, seed=6)
    clf = CrossValidatedSVC().fit(X, y)
    assert clf.searched_ is False and clf.best_C_ == np.inf
    np.testing.assert_array_equal(clf.predict(X), y)
    # with 3 folds, 4 members are enough to search
    assert CrossValidatedSVC(cv=3).fit(X, y).searched_ is True


def test_single_member_class_falls_back():
    X, y = _blobs([79, 1], seed=7)
    clf = CrossValidatedSVC().fit(X, y)
    assert clf.searched_ is False
    assert clf.predict(X[-1:])[0] == 1


# -- labels ---------------------------------------------------------------------------------
@pytest.mark.parametrize("counts", [[40, 40], [10, 10]], ids=["search", "fallback"])
@pytest.mark.parametrize("labels", [np.array(["cat", "dog"]), np.array([-1, 1])],
                         ids=["str", "pm1"])
def test_string_and_plus_minus_one_labels(labels, counts):
    X, y_int = _blobs(counts)
    y = labels[y_int]
    clf = CrossValidatedSVC().fit(X, y)
    np.testing.assert_array_equal(clf.classes_, labels)
    pred = clf.predict(X)
    assert pred.dtype == y.dtype
    np.testing.assert_array_equal(pred, y)
    scores = clf.decision_function(X)
    assert scores.shape == (len(y),)
    np.testing.assert_array_equal(np.where(scores > 0, labels[1], labels[0]), pred)


def test_decision_function_multiclass_columns_follow_classes():
    X, y = _blobs([20, 20, 20], n_features=3)
    y = np.array(["c", "a", "b"])[y]
    clf = CrossValidatedSVC().fit(X, y)
    scores = clf.decision_function(X)
    assert scores.shape == (60, 3)
    np.testing.assert_array_equal(clf.classes_[scores.argmax(axis=1)], clf.predict(X))


def test_sparse_input_gives_dense_predictions():
    X, y = _blobs([40, 40])
    dense = CrossValidatedSVC().fit(X, y)
    sparse_fit = CrossValidatedSVC().fit(sparse.csr_matrix(X), y)
    assert sparse_fit.best_C_ == dense.best_C_
    np.testing.assert_array_equal(sparse_fit.predict(sparse.csr_matrix(X)), dense.predict(X))


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("params, match", [
    ({"cv": -1}, "'cv' parameter"),
    ({"cv": 1}, "'cv' parameter"),
    ({"cv": 2.5}, "'cv' parameter"),
    ({"min_per_class": -1}, "'min_per_class' parameter"),
    ({"min_samples": -1}, "'min_samples' parameter"),
    ({"max_samples": 0}, "'max_samples' parameter"),
    ({"max_iter": -2}, "'max_iter' parameter"),
    ({"C_grid": 1.0}, "'C_grid' parameter"),
    ({"C_grid": []}, "C_grid must be a non-empty 1D"),
    ({"C_grid": [[1.0, 2.0]]}, "C_grid must be a non-empty 1D"),
    ({"C_grid": [1.0, -1.0]}, r"positive penalties .* got -1.0"),
    ({"C_grid": [0.0]}, "positive penalties"),
    ({"C_grid": [np.nan]}, "positive penalties"),
    ({"C_grid": ["big"]}, "C_grid must hold real numbers"),
])
def test_bad_parameters_raise(params, match):
    X, y = _blobs([40, 40])
    with pytest.raises(ValueError, match=match):
        CrossValidatedSVC(**params).fit(X, y)


def test_max_samples_too_small_for_the_folds_raises():
    X, y = _blobs([60, 60])
    with pytest.raises(ValueError, match=r"max_samples=8 leaves no room .* max_samples >= 10"):
        CrossValidatedSVC(max_samples=8).fit(X, y)


def test_one_class_raises():
    X, _ = _blobs([60])
    with pytest.raises(ValueError, match="at least 2 classes in y; got 1 class"):
        CrossValidatedSVC().fit(X, np.full(60, "only"))


def test_wrong_width_at_predict_raises():
    X, y = _blobs([10, 10])
    clf = CrossValidatedSVC().fit(X, y)
    with pytest.raises(ValueError, match="expecting 2 features"):
        clf.predict(np.zeros((3, 5)))
