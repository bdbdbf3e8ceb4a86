"""MultiTaskSktimeClassifier: task routing, auxiliary tasks, tags and bad input."""

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, RidgeClassifier
from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

from sktsmtl import KNeighborsDTWClassifier, MultiTaskTimeSeriesClassifier, PerTaskClassifier
from sktsmtl.sktime import MultiTaskSktimeClassifier, to_sktime_panel


def _net(**kwargs):
    params = dict(backbone="resnet1d", backbone__filters=(4,), max_epochs=2,
                  batch_size=8, validation_fraction=0, random_state=0)
    return MultiTaskTimeSeriesClassifier(**dict(params, **kwargs))


def _tasks(seed=0):
    """Three tasks: different lengths, label sets and label types."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 6, 30)
    X = {"a": np.sin(t * rng.uniform(1, 3, (12, 1))),
         "b": np.sin(t[:20] * rng.uniform(1, 3, (8, 1))),
         "c": np.cos(t * rng.uniform(1, 3, (10, 1)))}
    y = {"a": np.repeat([0, 1], 6), "b": np.repeat([1, 2], 4), "c": np.repeat([0, 3], 5)}
    return X, y


def _only(tasks_X, tasks_y, *names):
    return {t: tasks_X[t] for t in names}, {t: tasks_y[t] for t in names}


# -- routing ------------------------------------------------------------------------
def test_each_row_is_answered_by_its_task():
    tasks_X, tasks_y = _tasks()
    X, y = to_sktime_panel(tasks_X, tasks_y)
    clf = MultiTaskSktimeClassifier(KNeighborsDTWClassifier()).fit(X, y)
    assert clf.tasks_ == ["a", "b", "c"] and clf.auxiliary_tasks_ == []
    direct = PerTaskClassifier(KNeighborsDTWClassifier()).fit(tasks_X, tasks_y)
    X_test, _ = to_sktime_panel(*_tasks(seed=1))
    expected = np.concatenate(list(direct.predict(_tasks(seed=1)[0]).values()))
    np.testing.assert_array_equal(clf.predict(X_test), expected)


def test_predict_proba_columns_follow_the_union_of_classes():
    tasks_X, tasks_y = _tasks()
    X, y = to_sktime_panel(tasks_X, tasks_y)
    clf = MultiTaskSktimeClassifier(_net()).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2, 3])
    proba = clf.predict_proba(X)
    assert proba.shape == (30, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    rows_b = slice(12, 20)
    # task b has classes {1, 2}: no mass on 0 or 3
    assert np.all(proba[rows_b][:, [0, 3]] == 0) and np.all(proba[rows_b][:, [1, 2]] > 0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


def test_proba_without_predict_proba_is_one_hot():
    tasks_X, tasks_y = _only(*_tasks(), "a", "c")
    X, y = to_sktime_panel(tasks_X, tasks_y)
    clf = MultiTaskSktimeClassifier(RidgeClassifier()).fit(X, y)
    proba = clf.predict_proba(X)
    assert set(np.unique(proba)) == {0.0, 1.0}
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


def test_untagged_panel_is_one_task():
    tasks_X, tasks_y = _tasks()
    X3 = tasks_X["a"][:, None, :]
    clf = MultiTaskSktimeClassifier(KNeighborsDTWClassifier()).fit(X3, tasks_y["a"])
    assert clf.tasks_ == ["default"]
    np.testing.assert_array_equal(clf.predict(X3), tasks_y["a"])


def test_untagged_rows_go_to_the_only_task_of_fit():
    tasks_X, tasks_y = _tasks()
    X, y = to_sktime_panel(*_only(tasks_X, tasks_y, "a"))
    clf = MultiTaskSktimeClassifier(KNeighborsDTWClassifier()).fit(X, y)
    np.testing.assert_array_equal(clf.predict(tasks_X["a"][:, None, :]), y)


def test_string_labels_and_pickle():
    tasks_X, _ = _tasks()
    y = {"a": np.repeat(["up", "down"], 6), "b": np.repeat(["up", "flat"], 4)}
    X, y_all = to_sktime_panel(*_only(tasks_X, y, "a", "b"))
    clf = MultiTaskSktimeClassifier(_net()).fit(X, y_all)
    pred = clf.predict(X)
    assert pred.dtype.kind == "U"
    assert set(pred[:12]) <= {"up", "down"} and set(pred[12:]) <= {"up", "flat"}
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X), pred)


# -- auxiliary tasks -------------------------------------------------------------------
def test_auxiliary_tasks_are_trained_jointly_and_not_predicted():
    tasks_X, tasks_y = _tasks()
    X, y = to_sktime_panel(*_only(tasks_X, tasks_y, "a"))
    clf = MultiTaskSktimeClassifier(_net(), tasks_X, tasks_y).fit(X, y)
    assert clf.tasks_ == ["a"] and clf.auxiliary_tasks_ == ["b", "c"]
    assert clf.estimator_.tasks_ == ["a", "b", "c"]
    # the same fit as the estimator on the dict, target task first
    direct = _net().fit(tasks_X, tasks_y)
    np.testing.assert_allclose(clf.predict_proba(X)[:, :2], direct.predict_proba(tasks_X)["a"])


def test_auxiliary_copy_of_the_target_task_is_left_out():
    tasks_X, tasks_y = _tasks()
    X, y = to_sktime_panel({"a": tasks_X["a"][:8]}, {"a": tasks_y["a"][:8]})
    # the auxiliary data hold all 12 rows of task a, with shuffled labels
    aux_y = dict(tasks_y, a=tasks_y["a"][::-1])
    clf = MultiTaskSktimeClassifier(KNeighborsDTWClassifier(), tasks_X, aux_y).fit(X, y)
    assert clf.auxiliary_tasks_ == ["b", "c"]
    assert clf.estimator_.estimators_["a"].n_samples_fit_ == 8
    np.testing.assert_array_equal(clf.predict(X), y)


def test_auxiliary_task_names_match_as_strings():
    rng = np.random.default_rng(0)
    X, y = to_sktime_panel({1: rng.normal(size=(6, 10))}, {1: [0, 1] * 3})
    aux_X = {1: rng.normal(size=(4, 10)), 2: rng.normal(size=(4, 10))}
    aux_y = {1: [0, 1] * 2, 2: [0, 1] * 2}
    clf = MultiTaskSktimeClassifier(KNeighborsDTWClassifier(), aux_X, aux_y).fit(X, y)
    assert clf.tasks_ == ["1"] and clf.auxiliary_tasks_ == ["2"]


# -- tags -------------------------------------------------------------------------------
def test_tags_follow_the_estimator():
    native = MultiTaskSktimeClassifier(KNeighborsDTWClassifier())
    assert native.get_tag("capability:multivariate")
    assert native.get_tag("capability:unequal_length")
    assert native.get_tag("capability:missing_values")
    assert native.get_tag("property:randomness") == "deterministic"
    foreign = MultiTaskSktimeClassifier(LogisticRegression())
    assert not foreign.get_tag("capability:multivariate")
    assert not foreign.get_tag("capability:missing_values")
    assert MultiTaskSktimeClassifier(_net(random_state=None)).get_tag(
        "property:randomness") == "stochastic"
    assert MultiTaskSktimeClassifier().get_tag("property:randomness") == "stochastic"


def test_foreign_classifier_refuses_multivariate_panels_before_fitting():
    X = np.random.default_rng(0).normal(size=(6, 2, 10))
    with pytest.raises(ValueError, match="multivariate"):
        MultiTaskSktimeClassifier(LogisticRegression()).fit(X, _Y6)


def test_missing_values_are_imputed():
    tasks_X, tasks_y = _tasks()
    X_a = tasks_X["a"].copy()
    X_a[:, 5] = np.nan
    X, y = to_sktime_panel({"a": X_a}, {"a": tasks_y["a"]})
    clf = MultiTaskSktimeClassifier(KNeighborsDTWClassifier()).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), y)


def test_import_sktsmtl_does_not_import_sktime():
    code = ("import sys, sktsmtl; "
            "print(any(m == 'sktime' or m.startswith('sktime.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- bad inputs ---------------------------------------------------------------------
# sktime takes y as an array (a list fails inside its own checks)
_Y6 = np.array([0, 1] * 3)


def _fitted_ab():
    tasks_X, tasks_y = _tasks()
    X, y = to_sktime_panel(*_only(tasks_X, tasks_y, "a", "b"))
    return MultiTaskSktimeClassifier(KNeighborsDTWClassifier()).fit(X, y), tasks_X


def test_unknown_task_at_predict():
    clf, tasks_X = _fitted_ab()
    X_test = to_sktime_panel({"a": tasks_X["a"], "zz": tasks_X["c"]})
    with pytest.raises(ValueError, match="task 'zz' was not seen during fit"):
        clf.predict(X_test)


def test_auxiliary_task_at_predict():
    tasks_X, tasks_y = _tasks()
    X, y = to_sktime_panel(*_only(tasks_X, tasks_y, "a"))
    clf = MultiTaskSktimeClassifier(KNeighborsDTWClassifier(), tasks_X, tasks_y).fit(X, y)
    with pytest.raises(ValueError, match="task 'b' was auxiliary training data"):
        clf.predict_proba(to_sktime_panel({"b": tasks_X["b"]}))


def test_untagged_rows_after_a_fit_on_several_tasks():
    clf, tasks_X = _fitted_ab()
    with pytest.raises(ValueError, match="name no task"):
        clf.predict(tasks_X["a"][:, None, :])


def test_panel_mixing_tagged_and_untagged_ids():
    clf, _ = _fitted_ab()
    index = pd.MultiIndex.from_tuples(
        [("a::0", t) for t in range(30)] + [(5, t) for t in range(30)])
    X = pd.DataFrame({"v": np.zeros(60)}, index=index)
    with pytest.raises(ValueError, match="mixes instance ids"):
        clf.predict(X)


@pytest.mark.parametrize("estimator, match", [
    (object(), "sktsmtl or scikit-learn classifier"),
    ("knn", "sktsmtl or scikit-learn classifier"),
    (LinearRegression(), "sktsmtl or scikit-learn classifier"),
    (KNeighborsDTWClassifier, "not the class KNeighborsDTWClassifier"),
    (KNeighborsTimeSeriesClassifier(), "sktime object KNeighborsTimeSeriesClassifier"),
])
def test_estimator_that_is_not_an_sklearn_classifier(estimator, match):
    X = np.random.default_rng(0).normal(size=(6, 1, 10))
    clf = MultiTaskSktimeClassifier(estimator)
    with pytest.raises(TypeError, match=match):
        clf.fit(X, _Y6)


def test_auxiliary_x_without_y():
    X = np.random.default_rng(0).normal(size=(6, 1, 10))
    with pytest.raises(ValueError, match="given together"):
        MultiTaskSktimeClassifier(KNeighborsDTWClassifier(), {"b": X[:, 0]}).fit(
            X, _Y6)


def test_auxiliary_x_that_is_not_a_task_container():
    X = np.random.default_rng(0).normal(size=(6, 1, 10))
    with pytest.raises(TypeError, match="auxiliary_X must be a dict"):
        MultiTaskSktimeClassifier(KNeighborsDTWClassifier(), X[:, 0], [0, 1] * 3).fit(
            X, _Y6)


def test_auxiliary_task_with_bad_labels():
    X = np.random.default_rng(0).normal(size=(6, 1, 10))
    with pytest.raises(ValueError, match="task 'b'"):
        MultiTaskSktimeClassifier(KNeighborsDTWClassifier(), {"b": X[:, 0]},
                                  {"b": [0, 1]}).fit(X, _Y6)


def test_auxiliary_task_with_another_channel_count_for_a_shared_network():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 1, 10))
    aux_X, aux_y = {"b": rng.normal(size=(6, 2, 10))}, {"b": [0, 1] * 3}
    with pytest.raises(ValueError, match="channels"):
        MultiTaskSktimeClassifier(_net(), aux_X, aux_y).fit(X, _Y6)
