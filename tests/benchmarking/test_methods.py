import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from sktsmtl.benchmarking import (
    BenchmarkMethod,
    get_method,
    list_methods,
    make_method,
    register_method,
    unregister_method,
)
from sktsmtl.classification import (
    KNeighborsDTWClassifier,
    MultiTaskTimeSeriesClassifier,
    PerTaskClassifier,
)

ALL_SYSTEMS = ["1nn-dtw", "resnet1d", "resnet2d", "resnet1d-mtl", "resnet2d-mtl",
               "ts2vec-svm", "mtl-svm", "mtcs-svm", "convtimenet", "convtimenet-mtl"]


def test_every_system_has_a_name():
    assert set(ALL_SYSTEMS) <= set(list_methods())
    assert list_methods()[0] == "1nn-dtw"


def test_one_nn_dtw_is_per_task():
    clf = make_method("1nn-dtw", random_state=3, max_epochs=9)
    assert isinstance(clf, PerTaskClassifier)
    assert isinstance(clf.estimator, KNeighborsDTWClassifier)
    assert clf.estimator.window is None


@pytest.mark.parametrize("name, backbone, multitask, lr, batch_size", [
    ("resnet1d", "resnet1d", False, 1e-4, 40),
    ("resnet2d", "resnet2d", False, 1e-4, 40),
    ("resnet1d-mtl", "resnet1d", True, 1e-4, 40),
    ("resnet2d-mtl", "resnet2d", True, 1e-4, 40),
    ("convtimenet", "convtimenet", False, 1e-3, 32),
    ("convtimenet-mtl", "convtimenet", True, 1e-3, 32),
])
def test_network_methods(name, backbone, multitask, lr, batch_size):
    clf = make_method(name, random_state=7)
    assert isinstance(clf, MultiTaskTimeSeriesClassifier)
    assert (clf.backbone, clf.multitask, clf.lr, clf.batch_size, clf.random_state) == (
        backbone, multitask, lr, batch_size, 7)
    if multitask:
        assert clf.get_params().get("sharing", "hard") == "hard"


@pytest.mark.parametrize("name, multitask, sharing", [
    ("ts2vec-svm", False, "hard"),
    ("mtl-svm", True, "hard"),
    ("mtcs-svm", True, "mtcs"),
])
def test_svm_methods(name, multitask, sharing):
    clf = make_method(name, random_state=1)
    assert (clf.backbone, clf.multitask, clf.sharing, clf.final_estimator) == (
        "ts2vec", multitask, sharing, "svm")
    assert (clf.lr, clf.batch_size) == (1e-3, 32)


def test_settings_override_defaults_and_none_keeps_them():
    clf = make_method("resnet1d", random_state=0, max_epochs=3, lr=0.5, device="auto",
                      normalize=True, validation_fraction=0.0)
    assert (clf.max_epochs, clf.lr, clf.device, clf.normalize, clf.validation_fraction) == (
        3, 0.5, "auto", True, 0.0)
    default = make_method("resnet1d", max_epochs=None, lr=None)
    assert default.max_epochs == MultiTaskTimeSeriesClassifier().max_epochs
    assert default.lr == 1e-4 and default.random_state is None


def test_settings_reach_nested_estimators_and_report_what_was_set():
    estimator, applied = get_method("1nn-dtw").build(random_state=0, window=0.2, lr=1.0)
    assert estimator.estimator.window == 0.2
    assert applied == {"window"}  # neither random_state nor lr exists there


def test_names_ignore_case_and_underscores():
    assert get_method("ResNet2D_MTL").name == "resnet2d-mtl"


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown method 'resnet3d'.*1nn-dtw.*mtcs-svm"):
        get_method("resnet3d")
    with pytest.raises(TypeError, match="string"):
        get_method(3)


class _Majority(ClassifierMixin, BaseEstimator):
    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        values, counts = np.unique(y, return_counts=True)
        self.classes_ = values
        self.majority_ = values[counts.argmax()]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def test_register_an_estimator_or_a_factory():
    try:
        register_method("majority", _Majority(), "most frequent class")
        assert "majority" in list_methods()
        clf = make_method("majority", random_state=4)
        # a single-task classifier is fitted per task, with the seed passed through
        assert isinstance(clf, PerTaskClassifier)
        assert clf.estimator.random_state == 4
        register_method("majority", lambda: PerTaskClassifier(LogisticRegression()),
                        replace=True)
        assert isinstance(make_method("majority").estimator, LogisticRegression)
    finally:
        unregister_method("majority")
    assert "majority" not in list_methods()


def test_bad_registrations():
    with pytest.raises(ValueError, match="built-in"):
        register_method("1nn-dtw", _Majority())
    with pytest.raises(TypeError, match="no required arguments"):
        register_method("seeded", lambda seed: _Majority(seed))
    with pytest.raises(TypeError, match="factory must be"):
        register_method("number", 3)
    with pytest.raises(ValueError, match="No user method"):
        unregister_method("never-registered")
    try:
        register_method("twice", _Majority())
        with pytest.raises(ValueError, match="replace=True"):
            register_method("twice", _Majority())
    finally:
        unregister_method("twice")


def test_a_factory_must_return_an_estimator():
    method = BenchmarkMethod("broken", lambda: "not an estimator")
    with pytest.raises(TypeError, match="broken.*not an estimator with fit"):
        method.build()


def test_the_rocket_peers_run_in_a_benchmark_with_their_fit_time():
    from sktsmtl.benchmarking import run_benchmark

    results = run_benchmark("basic_motions", ["minirocket", "multirocket", "hydra"],
                            tasks=["accel_x", "gyro_z"], max_epochs=3, lr=0.1)
    assert set(results["method"]) == {"minirocket", "multirocket", "hydra"}
    assert (results["accuracy"] > 0.7).all() and (results["fit_seconds"] > 0).all()
    # epochs and learning rate do not reach them (no such parameters)
    assert results["max_epochs"].isna().all() and results["lr"].isna().all()


@pytest.mark.parametrize("name, multitask", [("resnet1d+minirocket", False),
                                             ("resnet1d-mtl+minirocket", True)])
def test_the_votes_with_minirocket(name, multitask):
    from sktsmtl import MultiTaskVotingClassifier
    from sktsmtl.benchmarking import default_pairs
    from sktsmtl.datasets import make_warped_tasks

    vote = make_method(name, random_state=1, max_epochs=1)
    assert isinstance(vote, MultiTaskVotingClassifier)
    params = vote.get_params()
    assert params["network__multitask"] is multitask
    assert params["network__max_epochs"] == 1 and params["network__lr"] == 1e-3
    assert params["network__random_state"] == params["minirocket__random_state"] == 1
    vote.set_params(network__backbone__preset="tiny", minirocket__n_kernels=840)
    X, y = make_warped_tasks(n_tasks=2, length=40, length_step=0, random_state=0)
    assert set(vote.fit(X, y).score_tasks(X, y)) == set(X)
    pairs = default_pairs(["minirocket", "resnet1d+minirocket", "resnet1d-mtl+minirocket"])
    assert ("resnet1d-mtl+minirocket", "resnet1d+minirocket") in pairs


@pytest.mark.parametrize("multitask", [False, True])
def test_the_votes_with_both_rockets(multitask):
    from sktsmtl import MultiTaskVotingClassifier
    from sktsmtl.benchmarking import default_pairs

    name = ("resnet1d-mtl" if multitask else "resnet1d") + "+minirocket+multirocket"
    vote = make_method(name, random_state=2, max_epochs=3)
    assert isinstance(vote, MultiTaskVotingClassifier)
    assert [n for n, _ in vote.estimators] == ["network", "minirocket", "multirocket"]
    params = vote.get_params()
    assert params["network__multitask"] is multitask and params["network__max_epochs"] == 3
    assert params["minirocket__variant"] == "minirocket"
    assert params["multirocket__variant"] == "multirocket"
    assert params["network__random_state"] == params["multirocket__random_state"] == 2
    if multitask:
        assert params["network__model_selection"] == "per_task"
        assert (name, "resnet1d+minirocket+multirocket") in default_pairs(
            ["minirocket", "resnet1d+minirocket+multirocket", name])
