import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from sktsmtl.classification import KNeighborsDTWClassifier, PerTaskClassifier
from sktsmtl.data import TaskLabels, TaskPanel, check_task_data
from sktsmtl.datasets import make_warped_tasks


def _ragged(rng, n, lo, hi, freq):
    return [np.sin(freq * np.linspace(0, 6, rng.integers(lo, hi))) + 0.05 * rng.normal()
            for _ in range(n)]


def test_fit_predict_score_dict_of_tasks():
    X, y = make_warped_tasks(n_tasks=3, n_per_class=8, random_state=0)
    clf = PerTaskClassifier(KNeighborsDTWClassifier()).fit(X, y)
    pred = clf.predict(X)
    assert set(pred) == set(X)
    assert clf.score(X, y) == 1.0  # 1NN on its own training set
    scores = clf.score_tasks(X, y)
    assert set(scores) == set(X)
    proba = clf.predict_proba(X)
    task = next(iter(X))
    assert proba[task].shape == (len(y[task]), len(clf.classes_[task]))


def test_grid_search_on_task_containers():
    X, y = make_warped_tasks(n_tasks=2, n_per_class=6, random_state=1)
    panel, labels, _ = check_task_data(X, y)
    grid = GridSearchCV(PerTaskClassifier(KNeighborsDTWClassifier()),
                        {"estimator__window": [0.1, None]}, cv=3).fit(panel, labels)
    assert isinstance(grid.predict(panel), TaskLabels)
    assert 0 <= grid.best_score_ <= 1


def test_variable_length_tasks_predict_longer_series():
    rng = np.random.default_rng(0)
    X_train = {"a": _ragged(rng, 6, 10, 20, 1) + _ragged(rng, 6, 10, 20, 3)}
    y = {"a": np.repeat([0, 1], 6)}
    X_test = {"a": _ragged(rng, 3, 25, 30, 1) + _ragged(rng, 3, 25, 30, 3)}
    clf = PerTaskClassifier().fit(X_train, y)
    np.testing.assert_array_equal(clf.predict(X_test)["a"], np.repeat([0, 1], 3))
    # an equal-length test array of another width works too
    clf.predict({"a": np.sin(np.linspace(0, 6, 40))[None, :]})


def test_panel_in_panel_out_and_single_array():
    X, y = make_warped_tasks(n_tasks=2, n_per_class=5, random_state=2)
    panel = TaskPanel.from_dict(X)
    clf = PerTaskClassifier(LogisticRegression()).fit(panel, TaskLabels.from_dict(y))
    assert isinstance(clf.predict(panel), TaskLabels)
    task = next(iter(X))
    single = PerTaskClassifier(LogisticRegression()).fit(X[task], y[task])
    assert single.predict(X[task]).shape == (len(y[task]),)
    assert isinstance(single.classes_, np.ndarray)


def test_bad_estimator_and_unknown_task():
    X, y = make_warped_tasks(n_tasks=2, n_per_class=5, random_state=3)
    with pytest.raises(TypeError, match="'estimator' parameter of PerTaskClassifier"):
        PerTaskClassifier(estimator=object()).fit(X, y)
    clf = PerTaskClassifier().fit(X, y)
    with pytest.raises(ValueError, match="task 'zzz' was not seen during fit"):
        clf.predict({"zzz": next(iter(X.values()))})


def test_ragged_series_for_an_estimator_that_needs_one_length_name_the_task():
    X = {"a": [np.arange(5.0), np.arange(6.0), np.arange(5.0), np.arange(7.0)]}
    y = {"a": [0, 1, 0, 1]}
    with pytest.raises(ValueError, match=r"task 'a': its series have different lengths "
                                         r"\(5 to 7\).*LogisticRegression.*Resampler"):
        PerTaskClassifier(LogisticRegression()).fit(X, y)


def test_a_refit_on_tasks_forgets_the_array_fits_n_features_in():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 8)), np.repeat([0, 1], 5)
    clf = PerTaskClassifier(LogisticRegression()).fit(X, y)
    assert clf.n_features_in_ == 8
    clf.fit({"a": X[:, :6]}, {"a": y})
    assert not hasattr(clf, "n_features_in_")
