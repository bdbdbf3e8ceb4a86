"""A task group in sktime's ClassificationBenchmark, beside sktime's classifiers."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold, PredefinedSplit
from sktime.benchmarking.classification import ClassificationBenchmark
from sktime.classification.deep_learning import ConvTimeNetClassifier, ResNetClassifierTorch
from sktime.classification.distance_based import KNeighborsTimeSeriesClassifier

from sktsmtl import KNeighborsDTWClassifier, MultiTaskTimeSeriesClassifier, PerTaskClassifier
from sktsmtl.sktime import (
    MultiTaskSktimeClassifier,
    add_task_group,
    make_classification_benchmark,
    results_table,
    sktime_baselines,
)

TASKS = ["accel_x", "gyro_x"]


def _net(**kwargs):
    params = dict(backbone="resnet1d", backbone__filters=(4,), max_epochs=1,
                  batch_size=16, validation_fraction=0, random_state=0)
    return MultiTaskTimeSeriesClassifier(**dict(params, **kwargs))


def _run(benchmark):
    with warnings.catch_warnings():
        # one fold: sktime's std over folds is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return benchmark.run()


def test_methods_and_sktime_classifiers_on_every_task():
    bench = make_classification_benchmark(
        "basic_motions",
        methods={"ours 1NN-DTW": KNeighborsDTWClassifier(), "ours MTL": _net()},
        sktime_classifiers={"sktime 1NN-DTW": KNeighborsTimeSeriesClassifier()},
        tasks=TASKS)
    results = _run(bench)
    assert bench.failed_experiments == []
    assert len(results) == 6
    assert results["accuracy_score_mean"].between(0, 1).all()
    table = results_table(results)
    assert table.index.tolist() == TASKS
    assert table.columns.tolist() == ["ours 1NN-DTW", "ours MTL", "sktime 1NN-DTW"]
    # the two 1NN-DTW (same unconstrained DTW) agree on the archive's split
    np.testing.assert_allclose(table["ours 1NN-DTW"], table["sktime 1NN-DTW"])
    assert table.loc["accel_x", "ours 1NN-DTW"] > 0.9


def test_joint_learners_get_the_group_as_auxiliary_tasks():
    bench = make_classification_benchmark(
        "basic_motions",
        methods={"knn": KNeighborsDTWClassifier(), "mtl": _net(),
                 "independent": _net(multitask=False),
                 "per task": PerTaskClassifier(_net())},
        sktime_classifiers={}, tasks=TASKS)
    entities = bench.estimators.entities
    assert all(isinstance(e, MultiTaskSktimeClassifier) for e in entities.values())
    assert list(entities["mtl"].auxiliary_X) == TASKS
    assert entities["mtl"].auxiliary_y["gyro_x"].shape == (40,)
    for name in ("knn", "independent", "per task"):
        assert entities[name].auxiliary_X is None
    forced = make_classification_benchmark(
        "basic_motions", {"knn": KNeighborsDTWClassifier()}, {}, tasks=TASKS,
        auxiliary=True)
    assert forced.estimators.entities["knn"].auxiliary_X is not None
    none = make_classification_benchmark(
        "basic_motions", {"mtl": _net()}, {}, tasks=TASKS, auxiliary=False)
    assert none.estimators.entities["mtl"].auxiliary_X is None


def test_ready_adapters_are_registered_as_they_are():
    adapter = MultiTaskSktimeClassifier(KNeighborsDTWClassifier(window=0.1))
    bench = make_classification_benchmark("basic_motions", {"a": adapter, "b": _net()}, {},
                                          tasks=TASKS, auxiliary=True)
    registered = bench.estimators.entities["a"]  # sktime registers a clone
    assert registered.auxiliary_X is None
    assert registered.get_params()["estimator__window"] == 0.1
    assert bench.estimators.entities["b"].auxiliary_X is not None


def test_default_split_is_the_archive_split():
    bench = make_classification_benchmark(
        "basic_motions", {"knn": KNeighborsDTWClassifier()}, {}, tasks=TASKS)
    assert list(bench.tasks.entities) == [
        f"[dataset={t}]_[cv_splitter=PredefinedSplit]" for t in TASKS]
    task = bench.tasks.entities["[dataset=accel_x]_[cv_splitter=PredefinedSplit]"]
    X, y = task.data
    assert isinstance(task.cv_splitter, PredefinedSplit)
    instances = X.index.get_level_values(0).unique()
    ((train, test),) = list(task.cv_splitter.split(instances))
    assert train.tolist() == list(range(40)) and test.tolist() == list(range(40, 80))
    assert instances[0] == "accel_x::0" and len(y) == 80


def test_int_cv_with_auxiliary_tasks_warns():
    with pytest.warns(UserWarning, match="auxiliary tasks are the other tasks' train"):
        bench = make_classification_benchmark(
            "basic_motions", {"mtl": _net()}, {}, tasks=TASKS, cv=3)
    splitter = next(iter(bench.tasks.entities.values())).cv_splitter
    assert isinstance(splitter, KFold) and splitter.n_splits == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_classification_benchmark(
            "basic_motions", {"knn": KNeighborsDTWClassifier()}, {}, tasks=TASKS, cv=3)


def test_add_task_group_to_an_existing_benchmark():
    bench = ClassificationBenchmark()
    bench.add_estimator(MultiTaskSktimeClassifier(KNeighborsDTWClassifier()), "knn")
    assert add_task_group(bench, "basic_motions", tasks=["gyro_z"]) is bench
    results = _run(bench)
    assert results["validation_id"].tolist() == [
        "[dataset=gyro_z]_[cv_splitter=PredefinedSplit]"]


def test_sktime_baselines():
    baselines = sktime_baselines(max_epochs=3, random_state=1)
    assert list(baselines) == ["sktime 1NN-DTW", "sktime ResNet", "sktime ConvTimeNet"]
    assert isinstance(baselines["sktime 1NN-DTW"], KNeighborsTimeSeriesClassifier)
    assert baselines["sktime 1NN-DTW"].get_params()["distance"] == "dtw"
    assert isinstance(baselines["sktime ResNet"], ResNetClassifierTorch)
    assert isinstance(baselines["sktime ConvTimeNet"], ConvTimeNetClassifier)
    for name in ("sktime ResNet", "sktime ConvTimeNet"):
        params = baselines[name].get_params()
        assert params["num_epochs"] == 3 and params["random_state"] == 1


def test_epochs_is_a_deprecated_name_of_max_epochs():
    with pytest.warns(FutureWarning, match="'epochs' was renamed 'max_epochs'.*0.3"):
        baselines = sktime_baselines(epochs=4)
    assert baselines["sktime ResNet"].get_params()["num_epochs"] == 4
    with pytest.warns(FutureWarning, match="make_classification_benchmark: 'epochs'"):
        bench = make_classification_benchmark("basic_motions", tasks=TASKS, epochs=2)
    adapter = bench.estimators.entities["sktsmtl ResNet1D MTL"]
    assert adapter.get_params()["estimator"].max_epochs == 2


def test_default_registers_ours_and_sktimes():
    bench = make_classification_benchmark("basic_motions", tasks=TASKS, max_epochs=1)
    assert list(bench.estimators.entities) == [
        "sktsmtl 1NN-DTW", "sktsmtl ResNet1D MTL",
        "sktime 1NN-DTW", "sktime ResNet", "sktime ConvTimeNet"]


def test_results_table_of_another_metric():
    df = pd.DataFrame({"validation_id": ["[dataset=b]_[cv_splitter=K]",
                                         "[dataset=a]_[cv_splitter=K]"],
                       "model_id": ["m", "m"], "fit_time_mean": [2.0, 1.0]})
    assert results_table(df, "fit_time").to_dict() == {"m": {"b": 2.0, "a": 1.0}}


# -- bad inputs ---------------------------------------------------------------------
def test_sktime_classifier_among_methods():
    with pytest.raises(TypeError, match="pass sktime's classifiers in sktime_classifiers"):
        make_classification_benchmark(
            "basic_motions", {"x": KNeighborsTimeSeriesClassifier()}, {}, tasks=TASKS)


def test_sklearn_estimator_among_sktime_classifiers():
    with pytest.raises(TypeError, match="must be an sktime classifier instance"):
        make_classification_benchmark(
            "basic_motions", {}, {"x": KNeighborsDTWClassifier()}, tasks=TASKS)


def test_method_that_is_not_an_estimator():
    with pytest.raises(TypeError, match="method 'x' must be an sktsmtl or scikit-learn"):
        make_classification_benchmark("basic_motions", {"x": "knn"}, {}, tasks=TASKS)


def test_methods_given_as_a_list():
    with pytest.raises(TypeError, match="methods must be a dict"):
        make_classification_benchmark("basic_motions", [KNeighborsDTWClassifier()], {})


def test_name_used_twice():
    with pytest.raises(ValueError, match="used twice"):
        make_classification_benchmark(
            "basic_motions", {"knn": KNeighborsDTWClassifier()},
            {"knn": KNeighborsTimeSeriesClassifier()}, tasks=TASKS)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"auxiliary": "yes"}, ValueError, "auxiliary must be"),
    ({"cv": "five"}, TypeError, "cv must be None, an int or a splitter"),
    ({"tasks": ["nope"]}, ValueError, "not in task group"),
])
def test_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_classification_benchmark("basic_motions", {"k": KNeighborsDTWClassifier()}, {},
                                      **dict({"tasks": TASKS}, **kwargs))


def test_results_table_of_an_unknown_metric():
    df = pd.DataFrame({"validation_id": ["v"], "model_id": ["m"],
                       "accuracy_score_mean": [1.0]})
    with pytest.raises(ValueError, match="metric columns: \\['accuracy_score'\\]"):
        results_table(df, "f1")
