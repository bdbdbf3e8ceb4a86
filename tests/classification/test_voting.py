import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier

from sktsmtl import (
    MultiTaskTimeSeriesClassifier,
    MultiTaskVotingClassifier,
    PerTaskClassifier,
    RocketClassifier,
    TaskPanel,
)
from sktsmtl.data import TaskLabels
from sktsmtl.datasets import make_warped_tasks


def _pair(**params):
    return MultiTaskVotingClassifier(
        [("logistic", LogisticRegression()), ("knn", KNeighborsClassifier(n_neighbors=3))],
        **params)


@pytest.fixture(scope="module")
def tasks():
    return make_warped_tasks(n_tasks=2, length=40, length_step=8, random_state=0)


def test_probabilities_are_the_weighted_mean_of_the_estimators(tasks):
    X, y = tasks
    clf = _pair(weights=[3.0, 1.0]).fit(X, y)
    proba = clf.predict_proba(X)
    for task in X:
        parts = [clf.named_estimators_[n].estimators_[task].predict_proba(X[task])
                 for n in ("logistic", "knn")]
        np.testing.assert_allclose(proba[task], 0.75 * parts[0] + 0.25 * parts[1])
        expected = clf.classes_[task][np.argmax(proba[task], axis=1)]
        np.testing.assert_array_equal(clf.predict(X)[task], expected)
    # a TaskPanel gives TaskLabels back, one task's array gives an array
    assert isinstance(clf.predict(TaskPanel.from_dict(X)), TaskLabels)
    one = _pair().fit(X["task_0"], y["task_0"])
    assert one.predict_proba(X["task_0"]).shape == (len(y["task_0"]), 3)
    assert one.classes_.tolist() == sorted(set(y["task_0"]))


def test_a_multitask_network_votes_with_rocket_per_task(tasks):
    X, y = tasks
    clf = MultiTaskVotingClassifier([
        ("shared", MultiTaskTimeSeriesClassifier(backbone__preset="tiny", max_epochs=2,
                                                 random_state=0)),
        ("rocket", RocketClassifier(n_kernels=840, random_state=0)),
    ]).fit(X, y)
    # the network is fitted on all tasks at once, the single-task peer per task
    assert isinstance(clf.named_estimators_["shared"], MultiTaskTimeSeriesClassifier)
    assert isinstance(clf.named_estimators_["rocket"], PerTaskClassifier)
    assert set(clf.score_tasks(X, y)) == set(X)
    for task, p in clf.predict_proba(X).items():
        np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_parameters_are_routed_by_estimator_name(tasks):
    X, y = tasks
    clf = _pair()
    clf.set_params(knn__n_neighbors=1, weights=[1, 1])
    assert clf.estimators[1][1].n_neighbors == 1
    assert clf.get_params()["knn__n_neighbors"] == 1
    search = GridSearchCV(_pair(), {"knn__n_neighbors": [1, 5]}, cv=2)
    panel, labels = TaskPanel.from_dict(X), TaskLabels.from_dict(y)
    search.fit(panel, labels)
    assert search.best_params_["knn__n_neighbors"] in (1, 5)
    with pytest.raises(ValueError, match="Invalid parameter 'svm'"):
        clf.set_params(svm__C=1.0)


@pytest.mark.parametrize("estimators, weights, error, match", [
    ([], None, ValueError, "at least one"),
    ([("a", LogisticRegression()), ("a", LogisticRegression())], None, ValueError,
     "unique"),
    ([("a__b", LogisticRegression())], None, ValueError, "'a__b'"),
    ([LogisticRegression()], None, TypeError, "pairs"),
    ([("ridge", RocketClassifier()), ("svm", __import__("sklearn.svm").svm.LinearSVC())],
     None, TypeError, "estimator 'svm' .LinearSVC. has no predict_proba"),
    ([("a", LogisticRegression())], [1.0, 2.0], ValueError, "weights has 2 values"),
    ([("a", LogisticRegression())], [-1.0], ValueError, "non-negative"),
    ([("a", LogisticRegression())], [np.inf], ValueError, "finite"),
])
def test_bad_estimators_and_weights_are_named(tasks, estimators, weights, error, match):
    X, y = tasks
    with pytest.raises(error, match=match):
        MultiTaskVotingClassifier(estimators, weights=weights).fit(X, y)


def test_heldout_weights_follow_each_tasks_accuracy_estimates(tasks):
    X, y = tasks
    network = MultiTaskTimeSeriesClassifier(backbone__preset="tiny", max_epochs=3,
                                            random_state=0, model_selection="per_task")
    clf = MultiTaskVotingClassifier([
        ("shared", network), ("rocket", RocketClassifier(n_kernels=840, random_state=0)),
    ], weights="heldout").fit(X, y)
    shared, rocket = clf.named_estimators_["shared"], clf.named_estimators_["rocket"]
    for task in X:
        # the network's validation accuracy at the epoch that predicts the task
        epoch = shared.best_epoch_[task]
        assert shared.heldout_accuracy_[task] == shared.history_[epoch - 1][
            f"valid_acc_{task}"]
        a = np.array([shared.heldout_accuracy_[task],
                      rocket.heldout_accuracy_[task]]) ** 4
        np.testing.assert_allclose(clf.weights_[task], a / a.sum())
        parts = [e.predict_proba(X)[task] for e in (shared, rocket)]
        np.testing.assert_allclose(clf.predict_proba(X)[task],
                                   clf.weights_[task][0] * parts[0]
                                   + clf.weights_[task][1] * parts[1])
    with pytest.raises(ValueError, match="estimator 'logistic' .LogisticRegression. has none"):
        _pair(weights="heldout").fit(X, y)


def test_the_preset_vote_is_the_measured_one_and_routes_its_parameters():
    from sktsmtl import make_rocket_vote

    vote = make_rocket_vote(random_state=3)
    assert [n for n, _ in vote.estimators] == ["network", "minirocket", "multirocket"]
    params = vote.get_params()
    assert params["network__multitask"] is True
    assert params["network__model_selection"] == "per_task"
    assert (params["network__max_epochs"], params["network__lr"],
            params["network__batch_size"], params["network__early_stopping"]) == (
                20, 1e-3, 40, None)
    assert params["network__random_state"] == params["multirocket__random_state"] == 3
    apart = make_rocket_vote("hydra", multitask=False, max_epochs=5, weights="heldout")
    assert [n for n, _ in apart.estimators] == ["network", "hydra"]
    assert apart.get_params()["network__max_epochs"] == 5 and apart.weights == "heldout"
    assert "model_selection" not in {k for k, v in apart.estimators[0][1].get_params().items()
                                     if v == "per_task"}


@pytest.mark.parametrize("rockets", [(), ("rocket",), ("minirocket", "minirocket")])
def test_the_preset_refuses_unknown_or_repeated_rockets(rockets):
    from sktsmtl import make_rocket_vote

    with pytest.raises(ValueError, match="rockets must name each of"):
        make_rocket_vote(rockets)
